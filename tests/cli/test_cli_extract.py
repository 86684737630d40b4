"""``vires-repo extract``: the options, output to a file or stdout, and bad requests (one
ERROR line, a non-zero exit, no output file left behind)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from extraction_env import ExtractionEnv, build_env
from od_env import CliRunner

OPER_A = "SW_OPER_MAGA_LR_1B"
FAST_A = "SW_FAST_MAGA_LR_1B"
WINDOW = ("--begin", "2016-01-01T00:00:00", "--end", "2016-01-01T00:00:10")


@pytest.fixture
def env(tmp_path: Path, copy_default_catalog: object) -> ExtractionEnv:
    env = build_env(tmp_path, copy_default_catalog)
    env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    env.add(FAST_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    return env


def _extract(cli: CliRunner, env: ExtractionEnv, *args: str) -> tuple[int, str, str]:
    return cli("--catalog", str(env.catalog.url), "extract", *args)


def test_extract_to_a_file(cli: CliRunner, env: ExtractionEnv, tmp_path: Path) -> None:
    output = tmp_path / "out" / "a.parquet"

    code, out, err = _extract(
        cli, env, "-c", OPER_A, *WINDOW, "--variables", "F,B_NEC", "--format", "parquet",
        "-o", str(output), "--sources-output", str(tmp_path / "sources.txt"),
    )  # fmt: skip

    assert code == 0, err
    assert out == ""
    assert err == f"INFO: 10 record(s) from 1 product(s) written to {output}\n"
    assert pq.read_table(output).column_names == [
        "Spacecraft", "Timestamp", "Latitude", "Longitude", "Radius", "F", "B_NEC"
    ]  # fmt: skip
    assert (tmp_path / "sources.txt").read_bytes().endswith(b"_MDR_MAG_LR\r\n")


def test_extract_csv_to_standard_output(cli: CliRunner, env: ExtractionEnv) -> None:
    code, out, err = _extract(
        cli, env, "-c", f"A={OPER_A}+{FAST_A}", *WINDOW, "--format", "csv",
        "--csv-time-format", "Unix epoch", "-o", "-",
    )  # fmt: skip

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "DataSource,Spacecraft,Timestamp,Latitude,Longitude,Radius"
    assert lines[1].startswith("0,A,1451606400,")
    assert len(lines) == 11


def test_collections_as_vires_json(cli: CliRunner, env: ExtractionEnv, tmp_path: Path) -> None:
    spec = tmp_path / "collections.json"
    spec.write_text(json.dumps({"Alpha": [OPER_A]}))

    code, _out, err = _extract(
        cli, env, "--collections-json", str(spec), *WINDOW, "-o", str(tmp_path / "a.cdf")
    )
    code_text, _out, err_text = _extract(
        cli, env, "--collections-json", json.dumps({"Alpha": [OPER_A]}), *WINDOW,
        "-o", str(tmp_path / "b.cdf"),
    )  # fmt: skip

    assert (code, code_text) == (0, 0), err + err_text
    assert (tmp_path / "a.cdf").exists() and (tmp_path / "b.cdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-c", "SW_OPER_MAGX_LR_1B"],
            "ERROR: Invalid input value of 'collection_ids'! label SW_OPER_MAGX_LR_1B: "
            "Invalid collection identifier 'SW_OPER_MAGX_LR_1B'!",
        ),
        (
            ["-c", f"A={OPER_A}+SW_OPER_EFIA_LP_1B"],
            "ERROR: Invalid input value of 'collection_ids'! label A: Collection type "
            f"mismatch! {OPER_A}(SW_MAGx_LR_1B) vs. SW_OPER_EFIA_LP_1B(SW_EFIx_LP_1B)",
        ),
        (
            ["-c", OPER_A, "--variables", "F,Bogus"],
            "ERROR: Invalid input value of 'variables'! Unknown variable 'Bogus'",
        ),
        (
            ["-c", OPER_A, "--variables", "F,B_NEC_CHAOS"],
            "ERROR: Invalid input value of 'model_ids'! Magnetic model evaluation is out of scope",
        ),
        (
            ["-c", OPER_A, "--models", "CHAOS"],
            "ERROR: Invalid input value of 'model_ids'! Magnetic model evaluation is out of scope",
        ),
        (
            ["-c", OPER_A, "--filter", "F > 1 AND F < 2 OR F > 3"],
            "ERROR: Invalid input value of 'filters'! Invalid filter specification!",
        ),
        (
            ["-c", OPER_A, "--filter", "Bogus > 1"],
            "ERROR: Invalid input value of 'filters'!",
        ),
        (
            ["-c", OPER_A, "--max-samples", "5"],
            "ERROR: Invalid input value of 'end_time'! Requested data exceeds the maximum "
            "limit of 5 records!",
        ),
    ],
)
def test_a_bad_request_is_one_error_line_and_leaves_no_file(
    cli: CliRunner, env: ExtractionEnv, tmp_path: Path, args: list[str], message: str
) -> None:
    folder = tmp_path / "outputs"
    folder.mkdir()

    code, out, err = _extract(cli, env, *args, *WINDOW, "-o", str(folder / "out.cdf"))

    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith(message), err
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("begin", "end", "message"),
    [
        (
            "2016-01-02",
            "2016-01-01",
            "ERROR: Invalid input value of 'end_time'! The end time 2016-01-01T00:00:00Z is "
            "before the begin time!",
        ),
        (
            "2016-01-01",
            "2116-01-01",
            "ERROR: Invalid input value of 'end_time'! Time selection limit (P35525D) has "
            "been exceeded!",
        ),
    ],
)
def test_bad_time_windows(
    cli: CliRunner, env: ExtractionEnv, tmp_path: Path, begin: str, end: str, message: str
) -> None:
    code, _out, err = _extract(
        cli, env, "-c", OPER_A, "--begin", begin, "--end", end, "-o", str(tmp_path / "x.cdf")
    )

    assert (code, err) == (2, message + "\n")
    assert not (tmp_path / "x.cdf").exists()


def test_sources_are_required_once(cli: CliRunner, env: ExtractionEnv, tmp_path: Path) -> None:
    code, _out, err = _extract(cli, env, *WINDOW, "-o", str(tmp_path / "x.cdf"))

    assert code == 2
    assert err == ("ERROR: give the sources with -c/--collection or --collections-json (one)\n")


@pytest.mark.parametrize("output_format", ["cdf", "csv", "parquet"])
def test_a_request_failing_while_writing_leaves_no_file(
    cli: CliRunner, env: ExtractionEnv, tmp_path: Path, output_format: str
) -> None:
    env.add(OPER_A, "2016-01-01T01:00:00", "2016-01-01T01:59:59")
    folder = tmp_path / "outputs"
    folder.mkdir()

    code, _out, err = _extract(
        cli, env, "-c", OPER_A, "--begin", "2016-01-01", "--end", "2016-01-02",
        "--max-samples", "4000", "--format", output_format, "-o", str(folder / "out"),
    )  # fmt: skip

    assert code == 2, err
    assert "exceeds the maximum limit of 4000 records" in err
    assert list(folder.iterdir()) == []


def test_collections_json_from_standard_input(
    cli: CliRunner, env: ExtractionEnv, tmp_path: Path
) -> None:
    code, _out, err = cli(
        "--catalog", str(env.catalog.url), "extract", "--collections-json", "-", *WINDOW,
        "-o", str(tmp_path / "a.csv"), "--format", "csv",
        stdin=json.dumps({"Alpha": [f"{OPER_A}+{FAST_A}"]}),
    )  # fmt: skip

    assert code == 0, err
    assert (tmp_path / "a.csv").read_text().startswith("DataSource,Spacecraft,Timestamp,")


def test_a_missing_data_file_is_one_error_line(
    cli: CliRunner, env: ExtractionEnv, tmp_path: Path
) -> None:
    missing = env.add(OPER_A, "2016-01-01T01:00:00", "2016-01-01T01:59:59")
    Path(env.files[missing]).unlink()
    folder = tmp_path / "outputs"
    folder.mkdir()

    code, _out, err = _extract(
        cli, env, "-c", OPER_A, "--begin", "2016-01-01", "--end", "2016-01-02",
        "--format", "parquet", "-o", str(folder / "out.parquet"),
    )  # fmt: skip

    assert (code, err) == (1, f"ERROR: {missing}: file not found\n")
    assert list(folder.iterdir()) == []
