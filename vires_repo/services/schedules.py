"""``job schedule | unschedule | scheduled``: schedules as definitions in the catalogue
(``schedules/*.json``), with udata's messages; the workers' scheduler submits their jobs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.errors import NotFoundError, ViresRepoError
from vires_repo.jobs.job_type import JobType
from vires_repo.jobs.schedules import Schedule, ScheduleStore, validate_cron
from vires_repo.services.job_queue import parse_job
from vires_repo.services.job_types import job_type


@dataclass(frozen=True)
class ScheduleChange:
    schedule: Schedule
    previous: Schedule | None

    def message(self) -> str:
        schedule = self.schedule
        return f"Scheduled Job {schedule.label} with the following crontab: {schedule.cron}"


def schedule(
    catalog: Catalog, cron: str, name: str, words: Sequence[str], *, owner: str | None = None
) -> ScheduleChange:
    """Create or reschedule (same job and parameters) a schedule."""
    cron = validate_cron(cron)
    kind, parameters = _schedule_parameters(name, words)
    store = ScheduleStore(catalog.storage)
    with catalog.writing():
        previous = store.find(kind.name, parameters)
        fields = previous.model_dump() if previous else {}
        updated = Schedule.model_validate(
            {**fields, "job": kind.name, "parameters": parameters, "cron": cron}
            | ({"owner": owner} if owner else {})
        )
        store.save(updated)
    return ScheduleChange(updated, previous)


def unschedule(catalog: Catalog, name: str, words: Sequence[str]) -> Schedule:
    """Remove the schedule of exactly this job and parameters (NotFoundError with udata's
    message otherwise)."""
    kind, parameters = _schedule_parameters(name, words)
    store = ScheduleStore(catalog.storage)
    with catalog.writing():
        found = store.find(kind.name, parameters)
        if found is None:
            probe = Schedule(job=kind.name, parameters=parameters, cron="* * * * *")
            raise NotFoundError(f"No scheduled job match Job {probe.label}")
        store.remove(found)
    return found


def _schedule_parameters(name: str, words: Sequence[str]) -> tuple[JobType, dict[str, Any]]:
    """The job type and the parameters a schedule stores: those that differ from the type's
    defaults (so ``sleep`` and ``sleep 0`` are one schedule, and its label stays short)."""
    kind, parameters = parse_job(name, words)
    return kind, minimal_parameters(kind, parameters)


def minimal_parameters(kind: JobType, parameters: dict[str, Any]) -> dict[str, Any]:
    return dict(kind.validate(parameters).model_dump(mode="json", exclude_defaults=True))


def scheduled(catalog: Catalog) -> list[Schedule]:
    """Every schedule, by file name."""
    catalog.require_existing()
    return ScheduleStore(catalog.storage).load_all()


def schedule_problems(catalog: Catalog) -> Iterator[str]:
    """What is wrong with the schedule files: unreadable or invalid files, unknown job types,
    parameters the job type refuses (the ``schedules`` check of ``vires-repo check``)."""
    store = ScheduleStore(catalog.storage)
    for key in store.keys():
        try:
            loaded = store.load(key)
            kind = job_type(loaded.job)
            canonical = minimal_parameters(kind, loaded.parameters)
        except ViresRepoError as error:
            yield str(error)
            continue
        if canonical != loaded.parameters:
            yield (
                f"schedules/{key}.json: parameters not in canonical form "
                "(schedule it again with 'job schedule' to rewrite it)"
            )
