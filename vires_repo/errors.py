"""Errors raised by vires_repo.

Every domain error derives from :class:`ViresRepoError`; the CLI catches that one class, prints
``ERROR: <message>`` on stderr and exits with ``exit_code``. Anything else is a bug and keeps its
traceback.

* ViresRepoError                 (exit 1)
  * NotFoundError                an identifier, file or catalogue that does not exist
  * DefinitionError              an invalid product type / collection definition or input JSON
  * ConflictError                the change would break the catalogue (object still in use, ...)
    * LockLostError              another writer broke our object-store lock as stale
    * LockHeldError              ``lock clear`` of a live lock (without --force, or local)
    * CommitConflictError        a manifest changed on the object store since this writer
                                 read it (its lock was lost): the write is refused
    * MergeConflictError         the same product changed on both sides of a git merge
    * OrbitDirectionIntegrityError  an orbit-direction table breaks the boundary invariants
      * ProductIntegrityError    adding one product (named) would break them
  * LockTimeoutError             another writer held the catalogue lock for too long
  * MaintenanceError             a write refused while the catalogue is in maintenance mode
  * IndexFormatError             an index file that is unreadable or of an unknown format
  * ProductFileError             a data file that cannot be read (corrupt, truncated, no times)
  * StorageError                 the object store behind a catalogue failed (unreachable,
                                 refused the credentials, no such bucket, ...)
  * GitError                     a git command failed (no repository, unknown revision, ...)
  * SettingsError                a ``VIRES_*`` environment variable with a bad value
  * UsageError                   (exit 2, as cyclopts's usage errors) a command line asking for
                                 what the command cannot do
    * QueryError                 SQL that the user wrote and DuckDB refused (syntax, unknown
                                 table, a statement that would write, ...)
    * ExtractionRequestError     a data-extraction request VirES would reject (unknown
                                 collection or variable, bad time window, limits exceeded, ...)
    * FilterError                a data-extraction filter VirES rejects (syntax, unknown
                                 variable, a filter that does not fit its variable's shape)
  * TimeSpecError                an unparsable time option value
  * QuasiDipoleRangeError        a time outside the model behind Quasi-Dipole coordinates
  * JobsDatabaseError            the database of the job records cannot be reached or used
  (jobs) JobNotFoundError < NotFoundError: no job record with that identifier
  * ServerBusyError              a job refused now: the queue is full (max_queued_jobs) or its
                                 owner has too many active jobs (VirES MAX_ACTIVE_JOBS)
  * JobStateError                a job is not in a state the command needs (retry of a job
                                 that did not fail, abort of a finished one, ...)
  * JobAbortedError              raised inside a running job once its abort was asked (the
                                 runner records it ABORTED; never reaches the CLI)
  * PermissionDeniedError        a job's owner lacks a permission its request needs (a
                                 collection's requiredPermission)
"""

from __future__ import annotations

from collections.abc import Iterable


class ViresRepoError(Exception):
    """Base class of all expected failures; ``str(error)`` is the one-line message."""

    exit_code = 1


class NotFoundError(ViresRepoError):
    """Raised when a named object (type, collection, product, file, catalogue) does not exist."""


class DefinitionError(ViresRepoError):
    """Raised when a definition or an input document is invalid.

    ``source`` keeps the underlying error (e.g. a pydantic ``ValidationError``) when there is one.
    """

    def __init__(self, message: str, source: Exception | None = None) -> None:
        super().__init__(message)
        self.source = source


class ConflictError(ViresRepoError):
    """Raised when a change would leave the catalogue inconsistent."""


class LockLostError(ConflictError):
    """Raised when another writer broke our object-store lock as stale while we held it."""


class LockHeldError(ConflictError):
    """Raised when ``lock clear`` finds the lock held by a live writer (names it)."""


class CommitConflictError(ConflictError):
    """Raised when a commit point (a manifest) on an object store is no longer the version
    this writer read: another writer committed meanwhile, so this write is refused."""


class MergeConflictError(ConflictError):
    """Raised when the manifests cannot be merged; ``conflicts`` lists the products."""

    def __init__(self, message: str, conflicts: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.conflicts = tuple(conflicts)


class LockTimeoutError(ViresRepoError):
    """Raised when the catalogue write lock could not be acquired in time."""


class MaintenanceError(ViresRepoError):
    """Raised when a writer is refused because the catalogue is in maintenance mode (the
    message gives the reason, since when and by whom)."""


class IndexFormatError(ViresRepoError):
    """Raised when an index or manifest file is unreadable or has an unsupported format."""


class ProductFileError(ViresRepoError):
    """Raised when a product data file cannot be read or lacks what its type requires."""


class StorageError(ViresRepoError):
    """Raised when the object store behind a catalogue fails: connection refused, unknown host,
    timeouts, refused credentials, a missing bucket (names the catalogue and the operation)."""


class GitError(ViresRepoError):
    """Raised when a git command fails (no repository, unknown revision, ...)."""


class SettingsError(ViresRepoError):
    """Raised when a ``VIRES_*`` environment variable holds a value of the wrong kind."""


class UsageError(ViresRepoError):
    """Raised when a command is called with arguments it cannot act on; exits with 2 like the
    usage errors cyclopts finds while parsing (for checks only a command body can make)."""

    exit_code = 2


class QueryError(UsageError):
    """Raised when DuckDB refuses a SQL statement given by the user, or the statement is not
    one the catalogue allows (more than one, or one that writes)."""


class TimeSpecError(ViresRepoError, ValueError):
    """Raised for a time option value that is neither a date, a date-time nor a duration."""


class OrbitDirectionIntegrityError(ConflictError):
    """Raised when an orbit-direction table breaks, or a change would break, the boundary
    invariants (VirES' ``DataIntegrityError``: the caller falls back to a sync or a rebuild)."""


class ProductIntegrityError(OrbitDirectionIntegrityError):
    """Raised when adding one product breaks the orbit-direction invariants (names it)."""

    def __init__(self, product_id: str, error: Exception) -> None:
        super().__init__(str(error))
        self.product_id = product_id


class QuasiDipoleRangeError(ViresRepoError):
    """Raised for times outside the magnetic model behind the Quasi-Dipole coordinates."""


class ExtractionRequestError(UsageError):
    """Raised for a data-extraction request that VirES rejects as an invalid input value
    (unknown collection or variable, end before begin, time-selection or size limit exceeded,
    a magnetic model asked for); the message names the input."""


class FilterError(UsageError):
    """Raised for a data-extraction filter expression VirES rejects: a syntax error, an unknown
    variable, or a predicate that does not fit its variable (scalar filter on a vector, ...).

    ``detail`` is VirES's message without the name of the input it belongs to.
    """

    def __init__(self, detail: str, *, input_error: bool = True) -> None:
        super().__init__(f"Invalid input value of 'filters'! {detail}" if input_error else detail)
        self.detail = detail


# -- jobs -----------------------------------------------------------------------------------


class JobsDatabaseError(ViresRepoError):
    """Raised when the database of the job records (SQLite file or PostgreSQL server) cannot
    be opened, reached or used; names the database (without its password) and the problem."""


class JobNotFoundError(NotFoundError):
    """Raised when no job record has the identifier asked for."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} does not exist")
        self.job_id = job_id


class ServerBusyError(ViresRepoError):
    """Raised when a job cannot be accepted now (queue full, or too many active jobs)."""


class JobStateError(ViresRepoError):
    """Raised when a job's status does not allow what was asked (e.g. retry a SUCCEEDED job)."""


class JobAbortedError(ViresRepoError):
    """Raised inside a running job when its abort was asked."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} aborted")
        self.job_id = job_id


class PermissionDeniedError(ViresRepoError):
    """Raised when a job's owner lacks a permission the job needs (a collection's
    ``requiredPermission``): at submission and again when the job runs."""
