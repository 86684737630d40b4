"""The SQL database seam: the job records (and the job queue) live in SQLite or PostgreSQL.

* ``sqlite:///<path>`` (``sqlite:////abs/path`` for an absolute path): the embedded default, a
  file in the jobs root opened with the standard library's ``sqlite3`` in WAL mode, so that
  several worker processes on one machine read while one writes; writers wait for each other
  (busy timeout) instead of failing.
* ``postgresql://user:password@host:port/dbname``: a shared server (what VirES runs on), through
  peewee's connection handling over psycopg2 (huey's SQL storage uses peewee as well, so one
  dependency serves the queue and the records).

Statements use ``?`` placeholders whatever the engine; :class:`Database` translates them.
Timestamps are passed as aware ``datetime`` objects: SQLite stores them as fixed-width ISO-8601
text in UTC (``2026-12-07T03:11:46.123456Z``, which sorts and compares like the time), PostgreSQL
as ``TIMESTAMPTZ``. A connection is per process: after a ``fork`` the child opens its own.
Failures to reach or use the database become :class:`~vires_repo.errors.JobsDatabaseError`.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from vires_repo.errors import ConflictError, JobsDatabaseError

Dialect = Literal["sqlite", "postgresql"]
SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
BUSY_TIMEOUT = 30.0
"""Seconds a SQLite writer waits for another process's write transaction."""
_SQLITE_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """The database URL of a SQLite file."""
    return f"{SQLITE_PREFIX}{os.fspath(path)}"


def is_database_url(url: str) -> bool:
    return url.startswith((SQLITE_PREFIX, *POSTGRES_PREFIXES))


class Database:
    """One connection to a SQLite file or a PostgreSQL database, safe to share between threads
    (calls are serialized) and re-opened after a fork."""

    def __init__(self, url: str) -> None:
        if not is_database_url(url):
            raise JobsDatabaseError(
                f"jobs database {redacted(url)!r} is not a sqlite:///PATH or "
                "postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL"
            )
        self.url = url
        self.dialect: Dialect = "sqlite" if url.startswith(SQLITE_PREFIX) else "postgresql"
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._sqlite: sqlite3.Connection | None = None
        self._peewee: Any = None
        self._depth = 0

    def __repr__(self) -> str:
        return f"Database({redacted(self.url)!r})"

    @property
    def sqlite_path(self) -> str:
        return self.url[len(SQLITE_PREFIX) :]

    # -- connection ------------------------------------------------------------------------

    def _failure(self, action: str, error: Exception) -> JobsDatabaseError:
        problem = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return JobsDatabaseError(f"jobs database {redacted(self.url)}: {action} failed: {problem}")

    def _forget_after_fork(self) -> None:
        """A child process must not use (nor close) its parent's connection."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._sqlite = None
            if self._peewee is not None:
                self._peewee._state.reset()  # drop, do not close: the socket is the parent's
            self._depth = 0

    def _connect_sqlite(self) -> sqlite3.Connection:
        if self._sqlite is None:
            path = self.sqlite_path
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(
                    path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
                )
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
            except (sqlite3.Error, OSError) as error:
                raise self._failure("opening", error) from None
            self._sqlite = connection
        return self._sqlite

    def _connect_postgres(self) -> Any:
        if self._peewee is None:
            from playhouse.db_url import connect

            url = "postgresql://" + self.url.split("://", 1)[1]
            self._peewee = connect(url, thread_safe=False, autoconnect=True)
        if self._peewee.is_closed():
            try:
                self._peewee.connect()
            except Exception as error:  # peewee wraps psycopg2's OperationalError
                raise self._failure("connecting", error) from None
        return self._peewee

    def _param(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else sql.replace("?", "%s")

    def close(self) -> None:
        with self._lock:
            self._forget_after_fork()
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
            if self._peewee is not None and not self._peewee.is_closed():
                self._peewee.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- statements ------------------------------------------------------------------------

    def _cursor(self, sql: str, params: Sequence[Any], many: bool = False) -> Any:
        self._forget_after_fork()
        if self.dialect == "sqlite":
            connection = self._connect_sqlite()
            try:
                if many:
                    return connection.executemany(sql, params)
                return connection.execute(sql, params)
            except sqlite3.IntegrityError as error:
                raise self._conflict(error) from None
            except sqlite3.Error as error:
                raise self._failure("a statement", error) from None
        import psycopg2

        database = self._connect_postgres()
        cursor = database.cursor()
        try:
            if many:
                cursor.executemany(self._param(sql), params)
            else:
                cursor.execute(self._param(sql), tuple(params))
        except psycopg2.IntegrityError as error:
            raise self._conflict(error) from None
        except psycopg2.Error as error:
            if self._depth == 0 and isinstance(
                error, psycopg2.OperationalError | psycopg2.InterfaceError
            ):
                with suppress(psycopg2.Error):
                    database.close()  # a broken connection: the next call connects again
            raise self._failure("a statement", error) from None
        return cursor

    def _conflict(self, error: Exception) -> ConflictError:
        problem = str(error).strip().splitlines()[0]
        return ConflictError(f"jobs database {redacted(self.url)}: {problem}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        with self._lock:
            cursor = self._cursor(sql, params)
            count = int(cursor.rowcount)
            if self.dialect == "postgresql":
                cursor.close()
            return count

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each of ``rows`` (in one transaction when inside one)."""
        if not rows:
            return
        with self._lock:
            cursor = self._cursor(sql, rows, many=True)
            if self.dialect == "postgresql":
                cursor.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query."""
        with self._lock:
            cursor = self._cursor(sql, params)
            try:
                return list(cursor.fetchall())
            except Exception as error:
                raise self._failure("reading", error) from None
            finally:
                if self.dialect == "postgresql":
                    cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction: everything inside commits together or not at all. On SQLite it
        takes the write lock at once (``BEGIN IMMEDIATE``), so two writers never deadlock."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._forget_after_fork()
            if self.dialect == "sqlite":
                self._cursor("BEGIN IMMEDIATE", ())
                self._depth = 1
                try:
                    yield
                except BaseException:
                    self._depth = 0
                    self._connect_sqlite().rollback()
                    raise
                self._depth = 0
                try:
                    self._connect_sqlite().commit()
                except sqlite3.Error as error:
                    raise self._failure("committing", error) from None
                return
            database = self._connect_postgres()
            self._depth = 1
            try:
                with database.atomic():
                    yield
            except Exception as error:
                if isinstance(error, JobsDatabaseError) or not _is_driver_error(error):
                    raise
                raise self._failure("a transaction", error) from None
            finally:
                self._depth = 0

    def advisory_lock(self, key: int) -> None:
        """Serialize this transaction with others taking the same key (PostgreSQL only; on
        SQLite ``BEGIN IMMEDIATE`` already serializes writers)."""
        if self.dialect == "postgresql":
            self.query("SELECT pg_advisory_xact_lock(?)", (key,))

    # -- values ----------------------------------------------------------------------------

    def time_param(self, value: datetime | None) -> Any:
        """A timestamp as this engine stores it."""
        if value is None:
            return None
        utc = value.astimezone(UTC)
        return utc.strftime(_SQLITE_TIME_FORMAT) if self.dialect == "sqlite" else utc

    def time_value(self, value: Any) -> datetime | None:
        """A stored timestamp as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.fromisoformat(str(value))

    def time_text(self, column: str) -> str:
        """A SQL expression of ``column`` (a timestamp) as VirES writes times: ISO-8601 in UTC
        with ``Z``, microseconds only when not zero (``2026-01-01T00:00:00Z``); NULL stays
        NULL. Formatting in the database spares 10^5 conversions in Python."""
        if self.dialect == "sqlite":  # stored as ...SS.ffffffZ
            return (
                f"CASE WHEN substr({column}, 20, 7) = '.000000' "
                f"THEN substr({column}, 1, 19) || 'Z' ELSE {column} END"
            )
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"date_trunc('second', {utc}) = {utc} THEN '' ELSE to_char({utc}, '.US') END || 'Z'"
        )

    @property
    def types(self) -> dict[str, str]:
        """Column types by kind: ``text``, ``time``, ``int``, ``bigint``, ``bool``."""
        if self.dialect == "sqlite":
            return {"text": "TEXT", "time": "TEXT", "int": "INTEGER", "bigint": "INTEGER",
                    "bool": "INTEGER"}  # fmt: skip
        return {"text": "TEXT", "time": "TIMESTAMPTZ", "int": "INTEGER", "bigint": "BIGINT",
                "bool": "BOOLEAN"}  # fmt: skip

    def has_table(self, name: str) -> bool:
        if self.dialect == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            sql = "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?"  # noqa: E501
        return bool(self.query(sql, (name,)))


def _is_driver_error(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] in ("psycopg2", "peewee")
