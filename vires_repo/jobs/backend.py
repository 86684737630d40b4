"""The back-end's job folders under the jobs root, as the VirES asynchronous back-end keeps them.

::

    task/<id>                 a file, present while the job is queued or running
    temp/<id>/                the job's scratch folder, present while it runs
    perm/<id>/                its published outputs and response.json (status, outputs with
                              sizes and sha256 checksums, error)

:meth:`JobBackend.list` and :meth:`JobBackend.info` give, per job known to the back-end, whether
the response document exists, whether the job is finished (no task entry left) and whether it is
active (a scratch folder exists), as the VirES back-end's ``list``/``info`` do; unlike that
back-end (which tests the task *file* with ``isdir``, so every job looked finished) the task
entry is tested for what it is. :meth:`JobBackend.purge` removes all three.

The jobs root is any fsspec URL: listing 10^5 jobs takes three directory reads and one check of
the response documents (an access check each on a local disk, one listing on an object store).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from vires_repo import jsonio
from vires_repo.errors import UsageError

if TYPE_CHECKING:
    from vires_repo.io.storage import Storage

TASK = "task"
TEMP = "temp"
PERM = "perm"
RESPONSE = "response.json"
JOB_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
"""A job identifier the back-end accepts: usable as a path component (as VirES)."""
_CHUNK = 1 << 20
"""Bytes read at a time when hashing a published file."""
_FEW = 64
"""Up to this many identifiers are looked up one by one rather than by listing the folders."""


def check_job_id(job_id: str) -> str:
    if not JOB_ID.match(job_id):
        raise UsageError(
            f"job identifier {job_id!r} is invalid: expected letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-'"
        )
    return job_id


class BackendInfo(NamedTuple):
    """What the back-end knows of one job (a tuple: 10^5 of them are made at once)."""

    response_exists: bool
    is_finished: bool
    is_active: bool


@dataclass(frozen=True)
class JobOutput:
    """One published output file of a job (``name`` relative to ``perm/<id>/``)."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class JobResponse:
    """The response document ``perm/<id>/response.json``."""

    status: str
    outputs: tuple[JobOutput, ...] = ()
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "outputs": [vars(output) for output in self.outputs],
            "error": self.error,
            **self.extra,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> JobResponse:
        known = {"status", "outputs", "error"}
        return cls(
            status=str(value["status"]),
            outputs=tuple(JobOutput(**output) for output in value.get("outputs", [])),
            error=value.get("error"),
            extra={k: v for k, v in value.items() if k not in known},
        )


@dataclass(frozen=True)
class BackendScan:
    """The back-end's entries as sets of identifiers: ``tasks`` (queued or running), ``temps``
    (running), ``perms`` (outputs; for a scan of a few jobs, every job found), ``responded``
    (a response document exists)."""

    tasks: set[str]
    temps: set[str]
    perms: set[str]
    responded: set[str]

    @property
    def known(self) -> set[str]:
        return self.tasks | self.temps | self.perms

    def state(self, job_id: str) -> BackendInfo:
        """The state of a known job."""
        return BackendInfo(job_id in self.responded, job_id not in self.tasks, job_id in self.temps)

    def info(self, job_id: str) -> BackendInfo | None:
        """The state of a job, or None if the back-end does not know it."""
        known = job_id in self.tasks or job_id in self.temps or job_id in self.perms
        return self.state(job_id) if known else None

    def states(self) -> dict[str, BackendInfo]:
        """The state of every known job, by identifier (unsorted): the jobs with outputs only,
        nearly all of 10^5, take two states shared by all, without a call per job."""
        states = dict.fromkeys(self.perms, BackendInfo(False, True, False))
        states.update(dict.fromkeys(self.responded, BackendInfo(True, True, False)))
        for job_id in self.tasks | self.temps:
            states[job_id] = self.state(job_id)
        return states


class JobBackend:
    """The job folders below a jobs root (a :class:`~vires_repo.io.storage.Storage`)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def __repr__(self) -> str:
        return f"JobBackend({self.storage.url!r})"

    @staticmethod
    def task_path(job_id: str) -> str:
        return f"{TASK}/{check_job_id(job_id)}"

    @staticmethod
    def temp_path(job_id: str, name: str = "") -> str:
        folder = f"{TEMP}/{check_job_id(job_id)}"
        return f"{folder}/{name}" if name else folder

    @staticmethod
    def perm_path(job_id: str, name: str = "") -> str:
        folder = f"{PERM}/{check_job_id(job_id)}"
        return f"{folder}/{name}" if name else folder

    def response_url(self, job_id: str) -> str:
        """Where the job's response document is (the record's ``response_url``)."""
        return self.storage.url_of(self.perm_path(job_id, RESPONSE))

    # -- the job's life (the queue side writes these) --------------------------------------

    def create_task(self, job_id: str, payload: bytes = b"") -> None:
        """Queue entry: the job is known to the back-end and not finished."""
        self.storage.write_bytes(self.task_path(job_id), payload)

    def start(self, job_id: str) -> str:
        """Make the scratch folder (the job is active); its relative path."""
        path = self.temp_path(job_id)
        self.storage.write_bytes(f"{path}/.started", b"")  # object stores have no empty folders
        return path

    def publish(self, job_id: str, name: str, data: bytes) -> JobOutput:
        """Write one output under ``perm/<id>/``; its size and checksum."""
        import hashlib  # writers only: the read commands start faster without it

        self.storage.write_bytes(self.perm_path(job_id, name), data)
        return JobOutput(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def publish_file(self, job_id: str, name: str, local_file: str) -> JobOutput:
        """Move the finished local file ``local_file`` to ``perm/<id>/<name>`` (large outputs
        never pass through memory: the checksum is read in chunks); its size and checksum."""
        import hashlib

        digest = hashlib.sha256()
        with open(local_file, "rb") as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
        size = Path(local_file).stat().st_size
        self.storage.move_in(self.perm_path(job_id, name), local_file)
        return JobOutput(name=name, size=size, sha256=digest.hexdigest())

    def write_response(self, job_id: str, response: JobResponse) -> None:
        self.storage.write_text(self.perm_path(job_id, RESPONSE), jsonio.dumps(response.to_json()))

    def read_response(self, job_id: str) -> JobResponse | None:
        from vires_repo.errors import NotFoundError

        try:
            text = self.storage.read_text(self.perm_path(job_id, RESPONSE))
        except NotFoundError:
            return None
        return JobResponse.from_json(jsonio.loads(text))

    def finish(self, job_id: str) -> None:
        """The job ended: drop its scratch folder and its queue entry (outputs stay)."""
        self.storage.remove_tree(self.temp_path(job_id))
        self.storage.remove_tree(self.task_path(job_id))

    # -- what the management commands use -------------------------------------------------

    def scan(
        self, job_ids: Collection[str] | None = None, *, responses: bool = True
    ) -> BackendScan:
        """What the back-end knows of ``job_ids`` (or of all its jobs): a few identifiers are
        looked up one by one, many by reading the three folders once (on a local disk, the
        outputs' folders of many jobs are looked up, see :meth:`_outputs_looked_up`).
        ``responses=False`` skips looking for the response documents (one check per job;
        ``responded`` is then empty), for the filters that do not need them."""
        if job_ids is not None and len(job_ids) <= _FEW:
            found = {i: self.info(i) for i in job_ids if JOB_ID.match(i)}
            return BackendScan(
                tasks={i for i, info in found.items() if info and not info.is_finished},
                temps={i for i, info in found.items() if info and info.is_active},
                perms={i for i, info in found.items() if info},  # known: see BackendScan
                responded={i for i, info in found.items() if info and info.response_exists},
            )
        wanted = None if job_ids is None else set(job_ids)

        def names(folder: str) -> set[str]:
            listed = set(self.storage.names(folder))
            if wanted is not None:
                return listed & wanted
            return {name for name in listed if JOB_ID.match(name)}

        tasks, temps = names(TASK), names(TEMP)
        if wanted is not None and responses and self.storage.is_local:
            perms, responded = self._outputs_looked_up(wanted)
        else:
            perms = names(PERM)
            responded = (
                self.storage.holding(PERM, perms, RESPONSE) if responses and perms else set()
            )
        return BackendScan(tasks=tasks, temps=temps, perms=perms, responded=responded)

    def _outputs_looked_up(self, job_ids: set[str]) -> tuple[set[str], set[str]]:
        """Which of ``job_ids`` have a ``perm/`` folder, and which a response document in it,
        on a local disk: nearly every job asked about has one, and one check each finds it
        (a second check only for those without) for less than also listing 10^5 entries of
        ``perm/``. Only names of one entry are looked up: records may hold any text, and
        ``../x`` or an empty identifier must not become a path."""
        entries = {i for i in job_ids if "/" not in i and "\0" not in i} - {"", ".", ".."}
        responded = self.storage.holding(PERM, entries, RESPONSE)
        return responded | self.storage.holding(PERM, entries - responded, "."), responded

    def list(self, job_ids: Collection[str] | None = None) -> dict[str, BackendInfo]:
        """The jobs the back-end knows (of ``job_ids``, or all), by identifier, with their
        state; a job with none of the three entries is absent."""
        states = self.scan(job_ids).states()
        return {job_id: states[job_id] for job_id in sorted(states)}

    def info(self, job_id: str) -> BackendInfo | None:
        """One job's state, or None if the back-end does not know it."""
        exists = self.storage.exists
        task, temp, perm = (
            exists(path)
            for path in (self.task_path(job_id), self.temp_path(job_id), self.perm_path(job_id))
        )
        if not (task or temp or perm):
            return None
        return BackendInfo(
            response_exists=perm and exists(self.perm_path(job_id, RESPONSE)),
            is_finished=not task,
            is_active=temp,
        )

    def purge(self, job_id: str) -> None:
        """Remove the job's queue entry, scratch folder and outputs."""
        for path in (self.task_path(job_id), self.temp_path(job_id), self.perm_path(job_id)):
            self.storage.remove_tree(path)
