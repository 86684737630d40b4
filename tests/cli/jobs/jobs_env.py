"""A jobs root with jobs in every state the VirES commands tell apart.

=====  =========  =====  ===========================================  ===================
job    status     owner  back-end                                     submitted (2026-01)
=====  =========  =====  ===========================================  ===================
DONE   SUCCEEDED  alice  perm/ with response.json (finished)           01 00:00
FAIL   FAILED     bob    perm/ with response.json (finished)           02 00:00
RUN    STARTED    alice  task/ file and temp/ folder (active)          03 00:00
QUEUE  ACCEPTED   -      task/ file only (queued)                      04 00:00
LOOSE  SUCCEEDED  bob    nothing (a loose job)                         05 00:00
=====  =========  =====  ===========================================  ===================

plus two dangling jobs (folders, no record): DANGLING_DONE (perm/ with a response) and
DANGLING_RUN (task/ and temp/).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vires_repo.io.storage import Storage
from vires_repo.jobs.backend import JobBackend, JobResponse
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import JobRecord, JobRecords, JobStatus

DONE = "00000000-0000-4000-8000-000000000001"
FAIL = "00000000-0000-4000-8000-000000000002"
RUN = "00000000-0000-4000-8000-000000000003"
QUEUE = "00000000-0000-4000-8000-000000000004"
LOOSE = "00000000-0000-4000-8000-000000000005"
DANGLING_DONE = "00000000-0000-4000-8000-0000000000d1"
DANGLING_RUN = "00000000-0000-4000-8000-0000000000d2"
ALL = [DONE, FAIL, RUN, QUEUE, LOOSE]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class JobsEnv:
    catalog: str
    location: JobsLocation

    @property
    def backend(self) -> JobBackend:
        return JobBackend(Storage(self.location.root))

    def response_url(self, job_id: str) -> str:
        return f"{self.location.root}/perm/{job_id}/response.json"

    def records(self) -> JobRecords:
        return JobRecords.open(self.location.database_url)


def populate(catalog: str) -> JobsEnv:
    location = JobsLocation.resolve(catalog)
    env = JobsEnv(catalog, location)
    backend = env.backend
    jobs = [
        (DONE, JobStatus.SUCCEEDED, "alice", timedelta(days=1)),
        (FAIL, JobStatus.FAILED, "bob", timedelta(days=2)),
        (RUN, JobStatus.STARTED, "alice", None),
        (QUEUE, JobStatus.ACCEPTED, None, None),
        (LOOSE, JobStatus.SUCCEEDED, "bob", timedelta(days=5, microseconds=250)),
    ]
    with env.records() as records:
        for n, (job_id, status, owner, ended_after) in enumerate(jobs):
            submitted = T0 + timedelta(days=n)
            started = None if status is JobStatus.ACCEPTED else submitted + timedelta(minutes=1)
            records.insert(
                JobRecord(
                    id=job_id,
                    process_id="register" if n % 2 == 0 else "check",
                    status=status,
                    submitted=submitted,
                    owner=owner,
                    started=started,
                    ended=None if ended_after is None else T0 + ended_after,
                    response_url=env.response_url(job_id),
                )
            )
    for job_id in (DONE, FAIL, DANGLING_DONE):
        output = backend.publish(job_id, "out.txt", b"data")
        backend.write_response(job_id, JobResponse("SUCCEEDED", (output,)))
    for job_id in (RUN, QUEUE, DANGLING_RUN):
        backend.create_task(job_id)
    for job_id in (RUN, DANGLING_RUN):
        backend.start(job_id)
    return env
