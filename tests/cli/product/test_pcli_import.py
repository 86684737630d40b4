"""``product export`` and ``product import``: round trip, filters, updates, sync and errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pcli_env import MAG_A, MAG_B, ProductEnv, ident, labelled, remove_file, snapshot

from vires_repo.testing.conjunction_products import write_con_eph_product
from vires_repo.testing.mag_products import write_timespan_product
from vires_repo.testing.observatory_products import write_obs_product, write_vobs_product
from vires_repo.timespec import parse_datetime

OBS = "SW_OPER_AUX_OBSM2_"
CON_EPH = "MM_OPER_CON_EPH_2_"


def record(
    identifier: str,
    begin: str,
    end: str,
    collection: str = MAG_A,
    **extra: Any,
) -> dict[str, Any]:
    """An import record in the export format (without the data file: none is read)."""
    item: dict[str, Any] = {
        "identifier": identifier,
        "beginTime": begin,
        "endTime": end,
        "created": "2020-02-25T17:33:55.797654Z",
        "updated": "2020-02-25T17:33:55.797669Z",
        "collection": collection,
        "productType": "SW_MAGx_LR_1B",
        "metadata": {"format": "CDF-generic"},
        "datasets": {"MDR_MAG_LR": {"location": f"/data/{identifier}.cdf"}},
    }
    item.update(extra)
    return item


RECORDS = [
    record("P1", "2016-01-01T00:00:00Z", "2016-01-01T23:59:59Z"),
    record("P2", "2016-01-02T00:00:00Z", "2016-01-02T23:59:59Z"),
    record("P3", "2016-01-03T00:00:00Z", "2016-01-03T23:59:59Z", updated="2021-06-01T00:00:00Z"),
    record("Q1", "2016-01-01T00:00:00Z", "2016-01-01T23:59:59Z", collection=MAG_B),
]


def run_import(env: ProductEnv, items: Any, *argv: str) -> Any:
    return env("product", "import", *argv, stdin=json.dumps(items))


def stripped(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records without the times the catalogue sets itself."""
    return [{k: v for k, v in r.items() if k not in ("created", "updated")} for r in records]


def info(err: str) -> list[str]:
    return labelled(err, "INFO")


# -- round trip ----------------------------------------------------------------------------


def test_export_import_export_round_trip(env: ProductEnv, memory_env: ProductEnv) -> None:
    """Every file type registered, exported, imported into an empty catalogue, exported."""
    from datetime import timedelta

    files = {
        MAG_A: env.hourly("2016-01-01", range(2)),
        MAG_B: [env.mag("2016-01-01T00:00:00", "2016-01-01T00:30:00", spacecraft="B")],
        OBS: [
            write_obs_product(
                env.data, "2016-01-01", "2016-01-01T00:05:00", sampling=timedelta(minutes=1)
            )
        ],
        "SW_OPER_VOBS_4M_2_": [write_vobs_product(env.data, "2016-01-01", "2016-12-31", months=4)],
        CON_EPH: [
            write_con_eph_product(
                env.data, "2016-01-01", "2016-01-01T03:00:00", crossover_step=timedelta(hours=1)
            )
        ],
        "SW_OPER_ULFAMAG_2F": [
            write_timespan_product(
                env.data, "2016-01-01", "2016-01-01T00:10:00", sampling=timedelta(minutes=1)
            )
        ],
    }
    for collection, locations in files.items():
        assert env.register(collection, *locations).code == 0
    exported = env("product", "export").out
    records = json.loads(exported)
    assert len(records) == 7

    # into another, empty catalogue (the other backend when env is local)
    target = memory_env if env.is_local else env
    if target is env:
        assert env("product", "deregister", "--all").code == 0
        assert env.listed() == []
    result = target("product", "import", stdin=exported)
    assert result.code == 0, result.err
    assert info(result.err) == ["INFO: 7 of 7 products registered."]
    again = json.loads(target("product", "export").out)
    assert stripped(again) == stripped(records)
    for new in again:
        assert new["created"] != "2020-02-25T17:33:55.797654Z"
        assert new["created"].endswith("Z")


def test_import_file_option_and_created_times_not_applied(env: ProductEnv, tmp_path: Path) -> None:
    (tmp_path / "records.json").write_text(json.dumps(RECORDS))
    result = env("product", "import", "-f", "records.json")
    assert result.code == 0, result.err
    assert info(result.err) == ["INFO: 4 of 4 products registered."]
    exported = env.exported()
    assert stripped(exported) == stripped(
        [RECORDS[0], RECORDS[1], RECORDS[2], RECORDS[3]]
    )  # metadata imported (VirES bug 2)
    assert all(r["created"] > "2024" for r in exported)


def test_import_keeps_existing_unless_update(env: ProductEnv) -> None:
    assert run_import(env, RECORDS[:2]).code == 0
    [before, _] = env.exported("-c", MAG_A)
    changed = copy.deepcopy(RECORDS[:3])
    changed[0]["endTime"] = "2016-01-01T12:00:00Z"
    changed[0]["metadata"] = {"format": "CDF-generic", "note": "reprocessed"}

    result = run_import(env, changed)
    assert result.code == 0
    assert info(result.err) == [
        "INFO: 1 of 3 product registered.",
        "INFO: 2 of 3 products skipped.",
    ]
    assert env.exported("P1")[0]["endTime"] == "2016-01-01T23:59:59Z"

    result = run_import(env, changed, "--update")
    assert result.code == 0
    assert info(result.err) == ["INFO: 3 of 3 products updated."]
    [after] = env.exported("P1")
    assert after["endTime"] == "2016-01-01T12:00:00Z"
    assert after["metadata"] == {"format": "CDF-generic", "note": "reprocessed"}
    assert after["created"] == before["created"]
    assert parse_datetime(after["updated"]) > parse_datetime(before["updated"])


def test_import_does_not_resolve_overlaps(env: ProductEnv) -> None:
    overlapping = record("P1B", "2016-01-01T12:00:00Z", "2016-01-02T12:00:00Z")
    result = run_import(env, [*RECORDS[:2], overlapping])
    assert info(result.err) == ["INFO: 3 of 3 products registered."]
    assert [line.split("/")[1] for line in env.listed("-c", MAG_A)] == ["P1", "P1B", "P2"]


# -- selection filters on the input records ------------------------------------------------


IMPORT_FILTERS = [
    (["--after", "2016-01-02"], ["P2", "P3"]),
    (["--before", "2016-01-02"], ["P1", "Q1"]),  # end < T (VirES bug 3: >=)
    (["--before", "2016-01-02T23:59:59Z"], ["P1", "Q1"]),
    (["--after", "2016-01-02", "--before", "2016-01-03"], ["P2"]),
    (["P2", "Q1"], ["P2", "Q1"]),  # identifiers (VirES bug 4: tested the collections)
    (["P2", "-c", MAG_B], []),
    (["-c", MAG_B], ["Q1"]),
    (["-s", "B"], ["Q1"]),
    (["-t", "SW_MAGx_LR_1B"], ["P1", "P2", "P3", "Q1"]),
    (["-t", "SW_AUX_OBSx2_"], []),
    (["-l", "/data/P3.cdf", "/data/Q1.cdf"], ["P3", "Q1"]),
    (["--updated-after", "2021-01-01"], ["P3"]),
    (["--updated-before", "2021-01-01"], ["P1", "P2", "Q1"]),
    (["--created-after", "2020-02-25T17:33:55.797654Z"], ["P1", "P2", "P3", "Q1"]),
    (["--created-before", "2020-02-25T17:33:55.797654Z"], []),
]


def test_import_filters_input_records(env: ProductEnv) -> None:
    for argv, imported in IMPORT_FILTERS:
        result = run_import(env, RECORDS, *argv)
        assert result.code == 0, (argv, result.err)  # VirES bug 5: filtered records crashed
        n = len(imported)
        expected = [f"INFO: {n} of 4 product{'s' if n > 1 else ''} registered."] if n else []
        skipped = 4 - n
        if skipped:
            expected.append(f"INFO: {skipped} of 4 product{'s' if skipped > 1 else ''} skipped.")
        assert info(result.err) == expected, argv
        assert sorted(line.split("/")[1] for line in env.listed()) == imported, argv
        assert env("product", "deregister", "--all").code == 0


# -- --sync --------------------------------------------------------------------------------


def test_sync_removes_selected_products_missing_from_the_input(env: ProductEnv) -> None:
    assert run_import(env, RECORDS).code == 0
    result = run_import(env, [RECORDS[1]], "--sync", "-c", MAG_A)
    assert result.code == 0, result.err
    assert info(result.err) == [
        "INFO: product SW_OPER_MAGA_LR_1B/P1 de-registered",
        "INFO: product SW_OPER_MAGA_LR_1B/P3 de-registered",
        "INFO: 2 of 2 products de-registered.",
        "INFO: 1 of 1 product skipped.",
    ]
    assert env.listed() == [f"{MAG_A}/P2", f"{MAG_B}/Q1"]


def test_remove_missing_is_sync_and_with_nothing_to_remove(env: ProductEnv) -> None:
    assert run_import(env, RECORDS).code == 0
    result = run_import(env, RECORDS, "--remove-missing")
    assert result.code == 0, result.err
    assert info(result.err) == [
        "INFO: 0 of 0 product de-registered.",
        "INFO: 4 of 4 products skipped.",
    ]
    assert len(env.listed()) == 4


def test_sync_does_not_remove_products_named_in_the_input(env: ProductEnv) -> None:
    """A product is kept when the input names it, even if its record is filtered out or
    invalid (VirES compares the stored products with the whole input)."""
    assert run_import(env, RECORDS).code == 0
    moved = copy.deepcopy(RECORDS[2])
    moved["beginTime"] = "2015-12-31T00:00:00Z"  # the stored P3 matches --after, this does not
    broken = copy.deepcopy(RECORDS[1])
    broken["endTime"] = "not a time"
    argv = ["--sync", "-c", MAG_A, "--after", "2016-01-01"]
    result = run_import(env, [RECORDS[0], broken, moved], *argv)
    assert result.code == 1
    [error] = labelled(result.err, "ERROR")
    assert error.startswith(f"ERROR: Failed to import product {MAG_A}/P2! ")
    assert "de-registered." not in result.err.replace("0 of 0 product de-registered.", "")
    assert env.listed("-c", MAG_A) == [f"{MAG_A}/P1", f"{MAG_A}/P2", f"{MAG_A}/P3"]


def test_sync_with_invalid_only_removes_only_invalid_products(env: ProductEnv) -> None:
    locations = env.hourly("2016-01-01", range(3))
    assert env.register(MAG_A, *locations).code == 0
    exported = env("product", "export").out
    remove_file(locations[1])
    result = env("product", "import", "--sync", "--invalid-only", stdin="[]")
    assert result.code == 0, result.err
    assert labelled(result.err, "WARNING") == [
        f"WARNING: Invalid product {ident(locations[1])} detected! "
        f"File {locations[1]} does not exist!"
    ]
    assert "INFO: 1 of 1 product de-registered." in result.err
    assert [line.split("/")[1] for line in env.listed()] == [
        ident(locations[0]),
        ident(locations[2]),
    ]
    assert env("product", "import", stdin=exported).code == 0
    assert len(env.listed()) == 3


# -- errors --------------------------------------------------------------------------------


def without(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != key}


def test_missing_mandatory_key(env: ProductEnv) -> None:
    for key in ("identifier", "collection", "beginTime", "endTime", "datasets"):
        result = run_import(env, [without(RECORDS[0], key), RECORDS[1]])
        assert result.code == 1
        [error] = labelled(result.err, "ERROR")
        assert error.startswith("ERROR: Failed to import product ")
        assert error.endswith(f"! Missing mandatory key '{key}'!")
        assert info(result.err) == [
            "INFO: 1 of 2 product registered.",
            "INFO: 1 of 2 product failed to be imported.",
        ]
        assert env.listed() == [f"{MAG_A}/P2"]
        assert env("product", "deregister", "--all").code == 0


def test_optional_keys_may_be_missing(env: ProductEnv) -> None:
    bare = {k: RECORDS[0][k] for k in ("identifier", "collection", "beginTime", "endTime")}
    bare["datasets"] = RECORDS[0]["datasets"]
    result = run_import(env, [bare])
    assert result.code == 0, result.err
    [stored] = env.exported()
    assert stored["productType"] == "SW_MAGx_LR_1B"
    assert stored["metadata"] == {}


def test_unknown_collection_and_type_mismatch(env: ProductEnv) -> None:
    unknown = record("U1", "2016-01-01T00:00:00Z", "2016-01-01T01:00:00Z", collection="SW_NOPE")
    mismatch = record("M1", "2016-01-01T00:00:00Z", "2016-01-01T01:00:00Z", collection=OBS)
    result = run_import(env, [unknown, mismatch, RECORDS[0]])
    assert result.code == 2
    assert labelled(result.err, "ERROR") == [
        "ERROR: Failed to import product SW_NOPE/U1! "
        "The product collection SW_NOPE does not exist!",
        f"ERROR: Failed to import product {OBS}/M1! Collection product type mismatch!",
    ]
    assert info(result.err) == [
        "INFO: 1 of 3 product registered.",
        "INFO: 2 of 3 products failed to be imported.",
    ]
    assert env.listed() == [f"{MAG_A}/P1"]


INVALID_CHANGES: list[dict[str, Any]] = [
    {"beginTime": None},
    {"beginTime": 1451606400},
    {"endTime": "2016-02-30T00:00:00Z"},
    {"endTime": "2015-12-31T00:00:00Z"},  # before the begin time
    {"datasets": {"MDR_MAG_LR": "/data/P1.cdf"}},
    {"datasets": ["MDR_MAG_LR"]},
    {"metadata": "CDF-generic"},
    {"identifier": ""},
    {"identifier": None},
    {"collection": ["SW_OPER_MAGA_LR_1B"]},
    {"created": 20200225},
    {"updated": "yesterday"},
]


def test_invalid_record_fails_alone(env: ProductEnv) -> None:
    for change in INVALID_CHANGES:
        bad = {**RECORDS[0], **change}
        result = run_import(env, [bad, RECORDS[1]], "--updated-after", "2000-01-01")
        assert "Traceback" not in result.err, change
        assert result.code == 1, (change, result.err)
        [error] = labelled(result.err, "ERROR")
        assert error.startswith("ERROR: Failed to import product "), change
        assert info(result.err) == [
            "INFO: 1 of 2 product registered.",
            "INFO: 1 of 2 product failed to be imported.",
        ], change
        assert env.listed() == [f"{MAG_A}/P2"], change
        assert env("product", "deregister", "--all").code == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[{", "<stdin>: invalid JSON: "),
        ("", "<stdin>: invalid JSON: "),
        ('{"identifier": "P1"}', "<stdin>: expected a JSON list of product records"),
        ("[1, 2]", "<stdin>: every product record must be a JSON object (JSON transform error"),
    ],
)
def test_bad_json(env: ProductEnv, text: str, message: str) -> None:
    # The input is parsed as a whole (column-wise), so a document that is not a list of
    # objects fails as a whole, with one line naming the input and the problem.
    result = env("product", "import", stdin=text)
    assert "Traceback" not in result.err
    assert result.code == 1
    [error] = labelled(result.err, "ERROR")
    assert error.startswith(f"ERROR: {message}")
    assert "/tmp" not in error
    assert env.listed() == []


def test_missing_input_file(env: ProductEnv) -> None:
    result = env("product", "import", "-f", "no-such-file.json")
    assert result.code == 1
    assert result.err.splitlines() == ["ERROR: input file no-such-file.json does not exist"]


def test_empty_input_list(env: ProductEnv) -> None:
    result = env("product", "import", stdin="[]")
    assert result.code == 0
    assert result.err.splitlines() == ["INFO: 0 of 0 product registered."]


def test_an_identifier_repeated_in_the_input_is_imported_once(env: ProductEnv) -> None:
    second = {**RECORDS[0], "endTime": "2016-01-01T12:00:00Z"}
    result = run_import(env, [RECORDS[0], second])
    assert result.code == 0, result.err
    assert info(result.err) == [
        "INFO: 1 of 2 product registered.",
        "INFO: 1 of 2 product skipped.",
    ]
    assert env.exported()[0]["endTime"] == "2016-01-01T23:59:59Z"  # the first one, as VirES

    third = {**RECORDS[0], "endTime": "2016-01-01T06:00:00Z"}
    result = run_import(env, [second, third], "--update")
    assert info(result.err) == ["INFO: 2 of 2 products updated."]
    assert env.exported()[0]["endTime"] == "2016-01-01T06:00:00Z"  # the last one


def test_sync_and_update_limited_to_one_collection(env: ProductEnv) -> None:
    assert run_import(env, RECORDS).code == 0
    extra_b = record("Q2", "2016-01-02T00:00:00Z", "2016-01-02T23:59:59Z", collection=MAG_B)
    assert run_import(env, [extra_b]).code == 0
    changed = {**RECORDS[0], "endTime": "2016-01-01T12:00:00Z"}
    new = record("P4", "2016-01-04T00:00:00Z", "2016-01-04T23:59:59Z")
    # the dump holds P1 (changed), P4 (new) and Q1 of the other collection
    result = run_import(env, [changed, new, RECORDS[3]], "-c", MAG_A, "--sync", "--update")
    assert result.code == 0, result.err
    assert info(result.err) == [
        f"INFO: product {MAG_A}/P2 de-registered",
        f"INFO: product {MAG_A}/P3 de-registered",
        "INFO: 2 of 2 products de-registered.",
        "INFO: 1 of 3 product registered.",
        "INFO: 1 of 3 product updated.",
        "INFO: 1 of 3 product skipped.",
    ]
    assert env.listed() == [f"{MAG_A}/P1", f"{MAG_A}/P4", f"{MAG_B}/Q1", f"{MAG_B}/Q2"]
    assert env.exported("P1")[0]["endTime"] == "2016-01-01T12:00:00Z"


def test_exit_code_is_capped_at_255(env: ProductEnv) -> None:
    """VirES exits with the failure count, which wraps to 0 at 256 failures (its bug 10)."""
    broken = [without(record(f"B{n}", "2016-01-01", "2016-01-02"), "datasets") for n in range(256)]
    result = run_import(env, broken)
    assert result.code == 255
    assert info(result.err) == ["INFO: 256 of 256 products failed to be imported."]


def test_naive_and_offset_times_are_taken_as_utc(env: ProductEnv) -> None:
    naive = record("N1", "2016-01-01T00:00:00", "2016-01-01T23:59:59.5", created=None)
    offset = record("N2", "2016-01-02T01:00:00+01:00", "2016-01-03T00:59:59+01:00")
    assert run_import(env, [naive, offset]).code == 0
    assert [(r["beginTime"], r["endTime"]) for r in env.exported()] == [
        ("2016-01-01T00:00:00Z", "2016-01-01T23:59:59.500000Z"),
        ("2016-01-02T00:00:00Z", "2016-01-02T23:59:59Z"),
    ]


# -- hostile records (issue 11): each fails alone, before anything is written -----------------

OUT_OF_RANGE_TIMES = [
    ("beginTime", "0000-01-01T00:00:00Z"),
    ("beginTime", "-0001-01-01T00:00:00Z"),
    ("beginTime", "0001-01-01T00:00:00+01:00"),  # year 0 in UTC
    ("endTime", "10000-01-01T00:00:00Z"),
    ("endTime", "9999-12-31T23:00:00-01:00"),  # year 10000 in UTC
    ("created", "0000-06-01T00:00:00Z"),
    ("updated", "12345-01-01T00:00:00Z"),
]


@pytest.mark.parametrize(("key", "value"), OUT_OF_RANGE_TIMES)
def test_a_time_outside_the_representable_years_fails_alone(
    env: ProductEnv, key: str, value: str
) -> None:
    bad = {**RECORDS[0], key: value}
    if key == "beginTime":
        bad["endTime"] = "2016-01-01T00:00:00Z"
    before = snapshot(env.root)

    result = run_import(env, [bad])

    assert "Traceback" not in result.err
    assert result.code == 1
    assert labelled(result.err, "ERROR") == [
        f"ERROR: Failed to import product {MAG_A}/P1! {key} outside the years 0001 to 9999: {value}"
    ]
    assert snapshot(env.root) == before  # validated before any data file was written

    result = run_import(env, [bad, RECORDS[1]])
    assert result.code == 1
    assert env.listed() == [f"{MAG_A}/P2"]
    assert [r["identifier"] for r in env.exported()] == ["P2"]


def test_the_ends_of_the_representable_years_are_imported(env: ProductEnv) -> None:
    first = record("FIRST", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z")
    last = record("LAST", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z")
    result = run_import(env, [first, last])
    assert result.code == 0, result.err
    assert [(r["identifier"], r["beginTime"]) for r in env.exported()] == [
        ("FIRST", "0001-01-01T00:00:00Z"),
        ("LAST", "9999-12-31T23:59:59.999999Z"),
    ]


BAD_IDENTIFIERS = [
    ("a\nb", "invalid identifier 'a\\nb': '/' or a control character"),
    ("tab\there", "invalid identifier 'tab\\there': '/' or a control character"),
    ("nul\x00", "invalid identifier 'nul\\x00': '/' or a control character"),
    ("del\x7f", "invalid identifier 'del\\x7f': '/' or a control character"),
    ("a/b", "invalid identifier 'a/b': '/' or a control character"),
    ("x" * 256, f"identifier {'x' * 60!r}... (256 characters) is longer than 255 bytes"),
    ("é" * 128, f"identifier {'é' * 60!r}... (128 characters) is longer than 255 bytes"),
    ("y" * 5_000_000, f"identifier {'y' * 60!r}... (5000000 characters) is longer than 255 bytes"),
]


@pytest.mark.parametrize(
    ("identifier", "problem"), BAD_IDENTIFIERS, ids=range(len(BAD_IDENTIFIERS))
)
def test_an_identifier_registration_could_not_derive_fails_alone(
    env: ProductEnv, identifier: str, problem: str
) -> None:
    bad = {**RECORDS[0], "identifier": identifier}
    result = run_import(env, [RECORDS[1], bad])

    assert "Traceback" not in result.err
    assert result.code == 1
    # one line, naming the record by its position (its identifier cannot be printed as is)
    assert labelled(result.err, "ERROR") == [f"ERROR: Failed to import product #2! {problem}"]
    assert env.listed() == [f"{MAG_A}/P2"]


def test_the_longest_identifier_is_imported(env: ProductEnv) -> None:
    longest = [
        record("x" * 255, "2016-01-01", "2016-01-02"),
        record("é" * 127, "2016-01-03", "2016-01-04"),
    ]
    result = run_import(env, longest)
    assert result.code == 0, result.err
    assert env.listed() == [f"{MAG_A}/{'x' * 255}", f"{MAG_A}/{'é' * 127}"]


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"a": value}
    return value


def test_metadata_beyond_the_bounds_fails_alone_and_the_catalogue_stays_usable(
    env: ProductEnv,
) -> None:
    deepest = record("OK_DEEP", "2016-01-05", "2016-01-06", metadata=nested(32))
    largest = record("OK_LARGE", "2016-01-07", "2016-01-08", metadata={"x": "y" * 65_000})
    # many brackets, little depth: the cheap bracket count must not refuse it
    wide = record("OK_WIDE", "2016-01-09", "2016-01-10", metadata={"l": [[[["v"] * 9] * 9] * 9]})
    bad = [
        record("B1", "2016-01-01", "2016-01-02", metadata=nested(33)),
        record("B2", "2016-01-01", "2016-01-02", metadata={"x": "y" * 65_536}),
        record(
            "B3", "2016-01-01", "2016-01-02", datasets={"D": {"location": "/x", "e": nested(40)}}
        ),
    ]
    text = json.dumps([*bad, RECORDS[1], deepest, largest, wide])
    # 100,000 levels: beyond what Python's JSON parser (used by every reader) can take
    text = text[:-1] + ", " + json.dumps(record("B5", "2016-01-01", "2016-01-02", metadata={}))
    text = text.replace(
        '"metadata": {}', '"metadata": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    text += "]"

    result = env("product", "import", stdin=text)

    assert "Traceback" not in result.err
    assert result.code == 4
    assert labelled(result.err, "ERROR") == [
        f"ERROR: Failed to import product {MAG_A}/B1! metadata nests deeper than 32 levels",
        f"ERROR: Failed to import product {MAG_A}/B2! metadata is larger than 65536 bytes",
        f"ERROR: Failed to import product {MAG_A}/B3! datasets nests deeper than 32 levels",
        f"ERROR: Failed to import product {MAG_A}/B5! metadata is larger than 65536 bytes",
    ]
    assert env.listed() == [
        f"{MAG_A}/P2",
        f"{MAG_A}/OK_DEEP",
        f"{MAG_A}/OK_LARGE",
        f"{MAG_A}/OK_WIDE",
    ]
    assert [r["metadata"] for r in env.exported("OK_DEEP")] == [nested(32)]
    assert env("product", "deregister", "--all").code == 0
    assert env.listed() == []


def test_metadata_nested_deeply_within_the_size_bound_fails_alone(env: ProductEnv) -> None:
    text = json.dumps([record("B1", "2016-01-01", "2016-01-02", metadata={}), RECORDS[1]])
    text = text.replace('"metadata": {}', '"metadata": {"x": ' + "[" * 30_000 + "]" * 30_000 + "}")

    result = env("product", "import", stdin=text)

    assert "Traceback" not in result.err
    assert result.code == 1
    assert labelled(result.err, "ERROR") == [
        f"ERROR: Failed to import product {MAG_A}/B1! metadata nests deeper than 32 levels"
    ]
    assert env.listed() == [f"{MAG_A}/P2"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"beginTime": "2016-01-01\nT00:00:00Z"}, "invalid beginTime: 2016-01-01\\nT00:00:00Z"),
        ({"updated": "x" * 1_000_000}, "invalid updated: " + "x" * 183 + "... (cut)"),
        ({"collection": "SW\nOTHER"}, "The product collection SW\\nOTHER does not exist!"),
        ({"collection": "C" * 1_000_000}, "The product collection " + "C" * 177 + "... (cut)"),
    ],
)
def test_a_record_quoting_an_unprintable_value_fails_in_one_line(
    env: ProductEnv, changes: dict[str, Any], problem: str
) -> None:
    result = run_import(env, [{**RECORDS[0], **changes}, RECORDS[1]])

    assert "Traceback" not in result.err
    assert result.code == 1
    assert len(result.err.splitlines()) == 3
    [error] = labelled(result.err, "ERROR")
    assert error.endswith(f"! {problem}")
    assert env.listed() == [f"{MAG_A}/P2"]
