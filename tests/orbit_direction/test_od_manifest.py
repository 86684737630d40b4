"""The manifest of a stored table: canonical text, strict parsing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vires_repo.errors import IndexFormatError
from vires_repo.orbit_direction.manifest import FORMAT_VERSION, MonthEntry, TableManifest
from vires_repo.orbit_direction.missions import TableKey

KEY = TableKey("Swarm", "A", None, "GEO")
MANIFEST = TableManifest.of(
    "SW_VIRE_AUXAODBGEO",
    KEY,
    "2016-03-01T00:00:00Z",
    (
        MonthEntry(
            month="2016-01",
            points="aaaaaaaaaaaa",
            sources="bbbbbbbbbbbb",
            sources_end=np.datetime64("2016-02-01T00:00:00.001", "ms"),
        ),
        MonthEntry(month="2016-02", points="cccccccccccc"),
    ),
)
TEXT = f"""{{
  "format_version": {FORMAT_VERSION},
  "table": "SW_VIRE_AUXAODBGEO",
  "mission": "Swarm",
  "spacecraft": "A",
  "grade": null,
  "kind": "GEO",
  "updated": "2016-03-01T00:00:00Z",
  "months": [
    {{"month": "2016-01", "points": "aaaaaaaaaaaa", "sources": "bbbbbbbbbbbb", \
"sources_end": "2016-02-01T00:00:00.001Z"}},
    {{"month": "2016-02", "points": "cccccccccccc", "sources": null, "sources_end": null}}
  ]
}}
"""


def test_canonical_text_one_line_per_month():
    assert MANIFEST.dumps() == TEXT
    assert TableManifest.loads(TEXT.encode(), "m") == MANIFEST
    assert MANIFEST.key == KEY and MANIFEST.name == "SW_VIRE_AUXAODBGEO"
    assert MANIFEST.months[1].files() == ["points/2016-02-cccccccccccc.parquet"]
    assert MANIFEST.months[0].sources_file() == "sources/2016-01-bbbbbbbbbbbb.parquet"
    empty = TableManifest.of("SW_VIRE_AUXAODBGEO", KEY)
    assert empty.dumps().endswith('  "updated": null,\n  "months": []\n}\n')
    assert TableManifest.loads(empty.dumps().encode(), "m") == empty


def test_times_are_normalized():
    value = {"month": "2016-01", "sources_end": "2016-02-01T00:00:00Z"}
    entry = MonthEntry.from_json(value, "m", "months.0.")
    assert entry.sources_end == np.datetime64("2016-02-01T00:00:00.000", "ms")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": 1}, "orbit-direction table format version 1"),
        ({"kind": "MAG"}, "m is malformed: kind"),
        ({"extra": 1}, "m is malformed: extra"),
        ({"months": [{"month": "2016-13"}]}, "m is malformed: months.0.month"),
        ({"months": [{"month": "2016-01", "sources_end": "soon"}]}, "months.0.sources_end"),
    ],
)
def test_malformed_manifests_are_refused(change, message):
    document = json.loads(TEXT) | change
    with pytest.raises(IndexFormatError, match=message):
        TableManifest.loads(json.dumps(document).encode(), "m")


def test_an_older_format_names_the_rebuild_a_newer_one_the_upgrade():
    older = json.dumps(json.loads(TEXT) | {"format_version": FORMAT_VERSION - 1}).encode()
    with pytest.raises(IndexFormatError) as error:
        TableManifest.loads(older, "m")
    assert str(error.value) == (
        f"m has orbit-direction table format version {FORMAT_VERSION - 1}, which this "
        "vires_repo no longer reads; run 'vires-repo orbit_direction rebuild' to rebuild the "
        "table (or import its VirES table file again)"
    )
    newer = json.dumps(json.loads(TEXT) | {"format_version": FORMAT_VERSION + 1}).encode()
    with pytest.raises(IndexFormatError, match="upgrade vires_repo") as error:
        TableManifest.loads(newer, "m")
    assert "orbit_direction rebuild" not in str(error.value)
    for undeclared in (b"[1]", b"{not json", b'{"format_version": "1"}'):
        with pytest.raises(IndexFormatError) as error:
            TableManifest.loads(undeclared, "m")
        assert "orbit_direction rebuild" not in str(error.value)
