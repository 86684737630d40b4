"""The DuckDB seam: the only module that imports duckdb.

It opens in-memory connections (times in UTC; a non-local catalogue is read through the
Storage's own fsspec filesystem), confines the ones that run user SQL (:func:`confine`),
runs parameterised statements into Arrow tables (interruptibly, :func:`query`), and tells
what kind of statements a SQL text holds, with DuckDB's own parser. It knows nothing
of the catalogue: the views are built elsewhere (:mod:`vires_repo.sql.views`).

DuckDB errors become one-line :class:`~vires_repo.errors.QueryError`\\s, except a file that
cannot be read, which is an :class:`~vires_repo.errors.IndexFormatError`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from vires_repo.errors import IndexFormatError, QueryError, StorageError

if TYPE_CHECKING:
    from vires_repo.io.storage import Storage

Connection = duckdb.DuckDBPyConnection


def sql_literal(value: str) -> str:
    """A SQL string literal, for DDL that has to stand alone (file names in view bodies)."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: Sequence[str]) -> str:
    """A SQL list of string literals, one per line (readable DDL for long file lists)."""
    if not values:
        return "[]"
    return "[\n    " + ",\n    ".join(sql_literal(value) for value in values) + "\n]"


def _one_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def open_connection(
    storage: Storage,
    statements: Sequence[str] = (),
    *,
    tables: Mapping[str, pa.Table] | None = None,
    threads: int | None = None,
) -> Connection:
    """An in-memory connection over ``storage`` (times in UTC) with the Arrow ``tables``
    registered as views and the given ``statements`` (view definitions) run."""
    connection = duckdb.connect()
    if threads is not None:
        connection.execute("SET threads = ?", [threads])
    connection.execute("SET TimeZone = 'UTC'")
    if not storage.is_local:  # read-only: no statement can change the catalogue through it
        connection.register_filesystem(_read_only(storage.fs))
    for name, table in (tables or {}).items():
        connection.register(name, table)
    try:
        for statement in statements:
            connection.execute(statement)
    except duckdb.Error as error:
        connection.close()
        raise _query_error(error, f"catalogue {storage.url}") from None
    return connection


def confine(connection: Connection, storage: Storage, files: Sequence[str]) -> None:
    """Lock ``connection`` down to reading ``files`` (URLs of catalogue files, as the views
    name them).

    Run after the views were created (they keep their file lists): DuckDB then refuses every
    other file and URL, inside the catalogue root too (reading, writing, ``ATTACH``,
    ``COPY ... TO``, ``EXPORT``, remote URLs), installing or loading extensions, and any later
    ``SET``/``RESET``/``PRAGMA`` of a setting. A catalogue on another filesystem than the
    local disk is read through a read-only view of it (:func:`_read_only`, registered by
    :func:`open_connection`): nothing can be written there at all. DuckDB has no read-only
    file permission of its own: on a local disk, of all catalogue files only those listed
    could be overwritten, by a ``COPY ... TO`` one of them with ``USE_TMP_FILE false`` (the
    statement check of the caller runs queries only; the readers' checksum and row-count
    checks and ``check`` find such a change).
    """
    paths = list(files)
    directories: list[str] = []
    if not storage.is_local:  # DuckDB spells fsspec URLs with an empty host as proto:///path
        prefix = f"{storage.protocol}://"
        paths += [f"{prefix}/{url.removeprefix(prefix)}" for url in files if url.startswith(prefix)]
        # a listed file gone (a compaction removed it) is looked for as a folder, which must
        # end in "No files found" (the caller reruns), not in a permission error
        directories = [f"{path}/" for path in paths]
    for setting in (
        f"SET allowed_paths = {sql_list(paths)}",
        f"SET allowed_directories = {sql_list(directories)}",
        "SET enable_external_access = false",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET allow_community_extensions = false",
        "SET lock_configuration = true",
    ):
        connection.execute(setting)


class _ReadOnlyFileSystem:
    """Mixed into a copy of a filesystem's class: every change refused, reading as before."""

    def open(self, path: str, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        if mode not in ("r", "rb"):
            raise PermissionError(f"{path}: the catalogue is read-only through SQL")
        return super().open(path, mode, *args, **kwargs)  # type: ignore[misc]

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("the catalogue is read-only through SQL")

    rm = rm_file = mv = copy = mkdir = makedirs = touch = pipe = pipe_file = put = _refuse


def _read_only(fs: Any) -> Any:
    """A read-only filesystem over the same store as ``fs`` (same class and options)."""
    kind = type(f"ReadOnly{type(fs).__name__}", (_ReadOnlyFileSystem, type(fs)), {})
    return kind(**fs.storage_options, skip_instance_cache=True)


def query(
    connection: Connection,
    sql: str,
    params: Sequence[Any] | None = None,
    *,
    source: str | None = None,
) -> pa.Table:
    """Run one parameterised statement and return the result as an Arrow table; ``source``
    names what the files belong to in the messages of a failed read.

    Ctrl-C stops the statement: it runs in a worker thread while the main thread waits,
    so that Python sees the SIGINT, interrupts DuckDB and raises KeyboardInterrupt (a
    SIGINT during a blocking DuckDB call was otherwise ignored until the query ended)."""
    try:
        return _interruptible(connection, lambda: connection.sql(sql, params=params))
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except duckdb.Error as error:
        raise _query_error(error, source) from None


def _query_error(
    error: duckdb.Error, source: str | None = None
) -> QueryError | IndexFormatError | StorageError:
    """A file that cannot be read is an IndexFormatError, a failure of the object store
    under a registered (fsspec) filesystem a StorageError, anything else a QueryError."""
    text = str(error).strip()
    if text.startswith("Traceback (most recent call last):"):
        # DuckDB passes on the Python traceback of the filesystem's exception: its last line
        # is the exception (e.g. botocore's EndpointConnectionError)
        problem = text.splitlines()[-1]
        if problem.startswith("PermissionError:"):  # a write refused by _read_only
            return QueryError(f"SQL error: {problem}")
        where = f"{source}: " if source else ""
        return StorageError(f"{where}the object store failed during the query: {problem}")
    if isinstance(error, duckdb.IOException):
        where = f" (reading {source})" if source else ""
        return IndexFormatError(f"SQL error: {_one_line(error)}{where}")
    return QueryError(f"SQL error: {_one_line(error)}")


def _interruptible(connection: Connection, relation: Callable[[], Any]) -> pa.Table:
    """The Arrow table of ``relation()``, computed in a worker thread while this (the main)
    thread waits on an event, where a SIGINT raises KeyboardInterrupt: then DuckDB is
    interrupted and the worker awaited before it propagates. (Not ``Thread.join``: a
    KeyboardInterrupt inside it marks the thread as stopped while it still runs.)"""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["table"] = relation().to_arrow_table()
        except BaseException as error:  # handed to the main thread
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=work, name="duckdb-query", daemon=True).start()
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        connection.interrupt()
        done.wait()
        raise
    if "error" in outcome:
        raise outcome["error"]
    table: pa.Table = outcome["table"]
    return table


def run_statement(
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    tables: Mapping[str, pa.Table] | None = None,
) -> pa.Table:
    """Run one parameterised statement on a fresh in-memory connection (times in UTC) with
    the given Arrow ``tables`` registered; DuckDB's error is the QueryError's message."""
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        for name, table in (tables or {}).items():
            connection.register(name, table)
        return connection.sql(sql, params=params).to_arrow_table()
    except duckdb.Error as error:
        raise QueryError(_one_line(error)) from None
    finally:
        connection.close()


def _parse(sql: str) -> list[duckdb.Statement]:
    try:
        return list(duckdb.extract_statements(sql))
    except duckdb.Error as error:
        raise QueryError(f"invalid SQL: {_one_line(error)}") from None


def _explained(text: str) -> str:
    """The statement an ``EXPLAIN [ANALYZE] [(options)] <statement>`` explains: the first
    tail of ``text``, at a token DuckDB's tokenizer finds, that DuckDB parses alone."""
    for position, _ in duckdb.tokenize(text)[1:]:
        try:
            statements = duckdb.extract_statements(text[position:])
        except duckdb.Error:
            continue
        if len(statements) == 1:
            return text[position:]
    raise QueryError(f"invalid SQL: cannot tell what {text!r} explains")


def _kind(statement: duckdb.Statement) -> str:
    kind = str(statement.type.name)
    if kind != "EXPLAIN":
        return kind
    [inner] = _parse(_explained(statement.query))
    return f"{kind} {_kind(inner)}"


def statement_kinds(sql: str) -> list[str]:
    """The kind of each statement in ``sql``: DuckDB's statement type (``SELECT`` covers
    ``FROM ...``, ``VALUES``, ``DESCRIBE``, ``SHOW``, ``SUMMARIZE``), and for an ``EXPLAIN``
    the kind of what it explains as well (``EXPLAIN INSERT``: ``EXPLAIN ANALYZE`` runs it)."""
    return [_kind(statement) for statement in _parse(sql)]


def identifiers(sql: str) -> set[str]:
    """The identifiers in ``sql``, lower case and unquoted, as DuckDB's tokenizer finds them
    (not words inside strings or comments): every table or view a statement names is one.

    Found without binding the statement (DuckDB's ``get_table_names`` binds, which opens the
    files of table functions and fails on a list of file names)."""
    tokens = duckdb.tokenize(sql)
    ends = [position for position, _ in tokens[1:]] + [len(sql)]
    found = set()
    for (start, kind), end in zip(tokens, ends, strict=True):
        if kind == duckdb.token_type.identifier:
            text = sql[start:end].strip()
            if text.startswith('"') and text.endswith('"'):
                text = text[1:-1].replace('""', '"')
            found.add(text.lower())
    return found
