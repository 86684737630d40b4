"""An object store failing in the middle of a read (a file deleted between the manifest read
and the file read, the server gone) is one ERROR line naming the catalogue, inside pyarrow
reads (``product list``) and inside DuckDB (``sql``), never a traceback. Each test runs its own
moto server, which it stops at the chosen moment."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import fsspec
import fsspec.config
import pytest
from ci_env import hourly_mag_files, import_mag_definitions
from moto.server import ThreadedMotoServer
from s3_env import MAG_COLLECTIONS, s3fs_options

import vires_repo.io.duckdb as duckdb_seam
from vires_repo.catalog import Catalog
from vires_repo.products.manifest import manifest_path
from vires_repo.products.reading import IndexReader

MAGA = MAG_COLLECTIONS[0]
COMMANDS = {
    "pyarrow": ("product", "list"),
    "duckdb": ("sql", "SELECT count(*) AS n FROM products"),
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedMotoServer]:
    """A moto server of this test only, requests failing fast once it is stopped."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    options = s3fs_options(f"http://{host}:{port}")
    options["config_kwargs"] = {
        "connect_timeout": 1,
        "read_timeout": 2,
        "retries": {"max_attempts": 1},
    }
    monkeypatch.setitem(fsspec.config.conf, "s3", options)
    try:
        yield moto
    finally:
        moto.stop()


@pytest.fixture
def root(server: ThreadedMotoServer, tmp_path: Path, cli: Any) -> str:
    """A catalogue on the test's server with three registered products."""
    bucket = f"vires-{uuid.uuid4().hex[:16]}"
    fsspec.filesystem("s3").mkdir(bucket)
    root = f"s3://{bucket}/catalog"
    import_mag_definitions(Catalog(root), MAGA)
    files = hourly_mag_files(tmp_path, "2016-01-01", range(3), sampling=timedelta(minutes=10))
    options = ("--skip-post-registration-actions",)
    assert cli("--catalog", root, "product", "register", "-c", MAGA, *options, *files).code == 0
    return root


def before_the_read(
    monkeypatch: pytest.MonkeyPatch, reader: str, action: Callable[[], None]
) -> None:
    """Run ``action`` after the manifests were read, when the data files are about to be:
    before DuckDB runs the query over the views, or before pyarrow reads a data file."""
    if reader == "duckdb":
        query = duckdb_seam.query

        def acting_query(*args: Any, **kwargs: Any) -> Any:
            action()
            return query(*args, **kwargs)

        monkeypatch.setattr(duckdb_seam, "query", acting_query)
    else:
        read_entry = IndexReader._read_entry

        def acting_read(*args: Any, **kwargs: Any) -> Any:
            action()
            return read_entry(*args, **kwargs)

        monkeypatch.setattr(IndexReader, "_read_entry", acting_read)


def one_error_line(result: Any) -> str:
    assert result.code == 1, result.err
    assert result.out == ""
    assert "Traceback" not in result.err
    [line] = result.err.splitlines()
    assert line.startswith("ERROR: ")
    return str(line)


@pytest.mark.parametrize("reader", sorted(COMMANDS))
def test_a_server_gone_during_the_read_is_one_error_naming_the_catalogue(
    root: str, server: ThreadedMotoServer, cli: Any, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    before_the_read(monkeypatch, reader, server.stop)
    line = one_error_line(cli("--catalog", root, *COMMANDS[reader]))
    assert f"catalogue {root}: the object store failed" in line
    assert "Could not connect to the endpoint URL" in line


@pytest.mark.parametrize("reader", sorted(COMMANDS))
def test_a_file_deleted_during_the_read_is_one_error_naming_the_catalogue(
    root: str, cli: Any, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    fs = fsspec.filesystem("s3")
    folder = f"{root.removeprefix('s3://')}/{manifest_path(MAGA).rsplit('/', 1)[0]}"
    [data_file] = [name for name in fs.ls(folder, refresh=True) if "/part-" in name]

    def delete() -> None:  # (pyarrow reads again with a fresh manifest: already gone then)
        with contextlib.suppress(FileNotFoundError):
            fs.rm_file(data_file)

    before_the_read(monkeypatch, reader, delete)
    line = one_error_line(cli("--catalog", root, *COMMANDS[reader]))
    assert data_file.rsplit("/", 1)[1] in line
    assert root in line
