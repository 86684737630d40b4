"""Errors raised by vires_repo.

Every domain error derives from :class:`ViresRepoError`; the CLI catches that one class, prints
``ERROR: <message>`` on stderr and exits with ``exit_code``. Anything else is a bug and keeps its
traceback.

* ViresRepoError                 (exit 1)
  * NotFoundError                an identifier, file or catalogue that does not exist
  * DefinitionError              an invalid product type / collection definition or input JSON
  * ConflictError                the change would break the catalogue (object still in use, ...)
    * LockLostError              another writer broke our object-store lock as stale
    * CommitConflictError        a manifest changed on the object store since this writer
                                 read it (its lock was lost): the write is refused
    * MergeConflictError         the same product changed on both sides of a git merge
    * OrbitDirectionIntegrityError  an orbit-direction table breaks the boundary invariants
      * ProductIntegrityError    adding one product (named) would break them
  * LockTimeoutError             another writer held the catalogue lock for too long
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
  * TimeSpecError                an unparsable time option value
  * QuasiDipoleRangeError        a time outside the model behind Quasi-Dipole coordinates
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
