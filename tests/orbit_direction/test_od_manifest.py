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
    entry = MonthEntry.model_validate({"month": "2016-01", "sources_end": "2016-02-01T00:00:00Z"})
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
