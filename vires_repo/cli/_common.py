"""What every command shares: the session's global options, messages, input and output."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vires_repo.errors import NotFoundError, UsageError, ViresRepoError

"""Told (done, total) as a batch goes on."""

if TYPE_CHECKING:
    from vires_repo.catalog import Catalog
    from vires_repo.jobs.location import JobsLocation
    from vires_repo.services._batch import BatchResult
    from vires_repo.services.messages import Messages
    from vires_repo.services.product_registration import Progress

LOGGER_NAME = "vires_repo"


@dataclass
class Session:
    """Global options given before the command (``vires-repo --catalog X product list``)."""

    catalog_root: str | None = None
    verbosity: int = 1
    traceback: bool = False
    as_of: str | None = None
    """``--as-of REV``: read commands see the catalogue as it was at this git revision."""
    no_wait: bool = False
    """``--no-wait``: writers fail at once when another writer holds the catalogue lock."""
    _revision: Catalog | None = None
    _cleanup: ExitStack = field(default_factory=ExitStack)

    def begin(
        self,
        *,
        catalog: str | None,
        verbosity: int,
        traceback: bool,
        no_wait: bool,
        as_of: str | None = None,
    ) -> None:
        """Take the global options given before the command and set up logging."""
        self.catalog_root = catalog
        self.verbosity = verbosity
        self.traceback = traceback
        self.as_of = as_of
        self.no_wait = no_wait
        configure_logging(verbosity)

    def root(self) -> str:
        """The catalogue root: ``--catalog``, else ``$VIRES_CATALOG`` or ``./catalog``."""
        if self.catalog_root:
            return self.catalog_root
        from vires_repo.environment import catalog_root

        return catalog_root()

    def catalog(self) -> Catalog:
        from vires_repo.catalog import Catalog

        root = self.root()
        if self.as_of is None:
            return Catalog(root, lock_timeout=0 if self.no_wait else None)
        if self._revision is None:  # a read-only copy, removed by close()
            from vires_repo.gitops.revisions import catalog_at

            self._revision = self._cleanup.enter_context(catalog_at(root, self.as_of))
        return self._revision

    def jobs(self, jobs_root: str | None = None) -> JobsLocation:
        """Where the jobs live: ``--jobs-root``, else ``$VIRES_JOBS_ROOT``, else
        ``<catalogue>/.state/jobs``; the records in ``$VIRES_JOBS_DB`` or SQLite there."""
        from vires_repo.services.jobs import locate

        return locate(self.root(), jobs_root)

    def close(self) -> None:
        """Release what the command used (the catalogue copy of ``--as-of``)."""
        self._revision = None
        self._cleanup.close()


session = Session()

AS_OF_COMMANDS = frozenset(
    {
        "product list",
        "product exists",
        "product export",
        "product_type list",
        "product_type export",
        "product_collection list",
        "product_collection export",
        "cached_product dump",
        "orbit_direction export",
        "sql",
        "info",
        "check",
    }
)
"""The read commands that ``--as-of`` applies to (every other command writes or needs none)."""


def refuse_writes_at_revision(tokens: Sequence[str], revision: str) -> None:
    """Raise unless ``tokens`` run a read command (or ask for help): --as-of is read-only."""
    if not tokens or "--help" in tokens or "-h" in tokens:
        return
    words = [tokens[0].replace("-", "_"), *tokens[1:2]]
    if words[0] in AS_OF_COMMANDS or " ".join(words) in AS_OF_COMMANDS:
        return
    command = " ".join(token for token in tokens[:2] if not token.startswith("-"))
    readers = ", ".join(sorted(AS_OF_COMMANDS))
    raise UsageError(
        f"--as-of {revision}: '{command}' cannot run on the catalogue at a git revision, "
        f"which is read-only (read commands: {readers})"
    )


def configure_logging(verbosity: int) -> None:
    """VirES verbosity: 0 warnings only, 1 per-item INFO lines, 2 debug, 3 debug of everything."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger() if verbosity >= 3 else logging.getLogger(LOGGER_NAME)
    for old in list(logger.handlers):
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
    logger.propagate = False


# -- console messages: always on stderr, whatever the verbosity --------------------------


def info(message: str) -> None:
    print(f"INFO: {message}", file=sys.stderr)


def warning(message: str) -> None:
    print(f"WARNING: {message}", file=sys.stderr)


def error(message: str) -> None:
    print(f"ERROR: {message}", file=sys.stderr)


def console(logged: Messages) -> Messages:
    """``logged`` with info, warnings and errors on the console whatever the verbosity (debug
    lines stay with the logger): for the messages VirES always prints."""
    return logged.but(info=info, warning=warning, error=error)


def report(result: BatchResult, prefix: str = "INFO: ") -> int:
    """Print a batch's warnings, failures and summary lines; return its exit code."""
    for text in result.warnings:
        warning(text)
    for _identifier, text in result.failures:
        error(text)
    for line in result.summary_lines():
        print(f"{prefix}{line}", file=sys.stderr)
    return result.exit_code


@contextmanager
def progress_reporter(verb: str, noun: str, interval: float = 10.0) -> Iterator[Progress]:
    """Progress of a long batch on stderr: a rich progress bar on a terminal, otherwise an
    INFO line at most every ``interval`` seconds (so CI logs show that work goes on)."""
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
        from rich.progress import Progress as ProgressBar

        columns = (f"{verb} {noun}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with ProgressBar(*columns, console=Console(stderr=True)) as bar:
            task = bar.add_task(noun)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield advance
        return
    last = time.monotonic()

    def log(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= interval and done < total:
            info(f"{verb.lower()} {noun}: {done} of {total} done")
            last = now

    yield log


# -- input and output --------------------------------------------------------------------


def read_input(file: str, *, has_default: bool = False) -> tuple[bytes, str]:
    """The bytes of ``file`` ('-' = stdin) and a name for messages; ``has_default`` says
    that the command also offers ``--default`` (for the message when there is no input)."""
    if file == "-":
        if sys.stdin is None or sys.stdin.isatty():
            alternative = ", or use --default" if has_default else ""
            raise UsageError(
                f"no input: give --file FILE or pipe the data to standard input{alternative}"
            )
        return sys.stdin.buffer.read(), "<stdin>"
    from vires_repo.io.locations import read_location

    try:
        return read_location(file), file
    except FileNotFoundError:
        raise NotFoundError(f"input file {file} does not exist") from None
    except IsADirectoryError:
        raise ViresRepoError(f"input file {file} is a directory") from None


@contextmanager
def local_input(file: str) -> Iterator[tuple[str, str]]:
    """A local path holding the input ('-' = stdin, URLs are fetched) and a name for
    messages; tools that read files themselves (DuckDB) get a real file this way."""
    if file != "-" and "://" not in file:
        yield file, file
        return
    import tempfile  # (with shutil, bz2, lzma: for this input only)

    data, name = read_input(file)
    with tempfile.NamedTemporaryFile(suffix=".input") as stream:
        stream.write(data)
        stream.flush()
        yield stream.name, name


def write_output(file: str, text: str | bytes) -> None:
    """Write ``text`` to ``file`` ('-': standard output). UTF-8 bytes go to standard output
    as they are (``job dump`` writes 50 MB of encoded JSON: no decoding to encode again)."""
    if file == "-":
        stdout = getattr(sys.stdout, "buffer", None)
        if isinstance(text, bytes) and stdout is not None:
            sys.stdout.flush()
            stdout.write(text)
            stdout.flush()
            return
        sys.stdout.write(text.decode("utf-8") if isinstance(text, bytes) else text)
        sys.stdout.flush()
        return
    from vires_repo.io.locations import write_location

    try:
        write_location(file, text.decode("utf-8") if isinstance(text, bytes) else text)
    except OSError as exc:
        raise ViresRepoError(f"cannot write output file {file}: {exc.strerror or exc}") from None


def write_json(file: str, value: Any) -> None:
    from vires_repo import jsonio

    write_output(file, jsonio.dumps(value))


def print_lines(lines: Iterable[str]) -> None:
    out = sys.stdout
    for line in lines:
        out.write(f"{line}\n")
    out.flush()
