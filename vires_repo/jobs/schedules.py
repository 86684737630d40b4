"""Schedules: definitions in the catalogue (``schedules/<job>--<key>.json``), as udata's
periodic jobs but reviewed in pull requests like types and collections.

A schedule names a job type, its canonical parameters and a 5-field cron string (UTC, parsed
by croniter, the one module that imports it). Its identity is (job, parameters): scheduling the
same job with the same parameters again replaces the cron string ("same command to
reschedule"), and the file name carries a hash of the parameters so that the same job can be
scheduled several times with different ones.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vires_repo import jsonio
from vires_repo.errors import DefinitionError, NotFoundError
from vires_repo.io.storage import Storage
from vires_repo.jobs.job_type import label

SCHEDULES_FOLDER = "schedules"


def validate_cron(cron: str) -> str:
    """The cron string, normalized to single spaces; DefinitionError unless it has exactly
    five valid fields (minute hour day-of-month month day-of-week)."""
    fields = cron.split()
    if len(fields) != 5:
        raise DefinitionError(
            f"cron string {cron!r}: expected 5 fields (minute hour day-of-month month "
            f"day-of-week), got {len(fields)}"
        )
    normalized = " ".join(fields)
    if not croniter.is_valid(normalized):
        raise DefinitionError(f"cron string {cron!r} is not valid")
    return normalized


def next_fire_time(cron: str, after: datetime) -> datetime:
    """The first time after ``after`` (tz-aware, UTC) at which ``cron`` fires."""
    result: datetime = croniter(cron, after).get_next(datetime)
    return result


def previous_fire_time(cron: str, before: datetime) -> datetime:
    """The last time before ``before`` at which ``cron`` fires."""
    result: datetime = croniter(cron, before).get_prev(datetime)
    return result


def latest_fire_time(cron: str, at: datetime) -> datetime:
    """The last time at or before ``at`` at which ``cron`` fires."""
    return previous_fire_time(cron, at + timedelta(microseconds=1))


class Schedule(BaseModel):
    """One schedule file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    job: str = Field(min_length=1, description="The job type.")
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="The job's canonical parameters."
    )
    cron: str = Field(description="When it runs: 5 cron fields, UTC.")
    enabled: bool = True
    owner: str | None = Field(default=None, description="Owner of the jobs it submits.")
    description: str | None = None

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            return validate_cron(value)
        except DefinitionError as error:
            raise ValueError(str(error)) from None

    @property
    def key(self) -> str:
        """The file stem: job name and a hash of the parameters."""
        canonical = json.dumps(self.parameters, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
        return f"{self.job}--{digest}"

    @property
    def label(self) -> str:
        return label(self.job, self.parameters)


class ScheduleStore:
    """The schedule files of a catalogue."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def keys(self) -> list[str]:
        names = self.storage.listdir(SCHEDULES_FOLDER)
        return sorted(name.removesuffix(".json") for name in names if name.endswith(".json"))

    def load(self, key: str) -> Schedule:
        relpath = f"{SCHEDULES_FOLDER}/{key}.json"
        if not self.storage.exists(relpath):
            raise NotFoundError(f"schedule {key} does not exist")
        try:
            schedule = Schedule.model_validate(jsonio.loads(self.storage.read_bytes(relpath)))
        except json.JSONDecodeError as error:
            raise DefinitionError(f"{relpath}: invalid JSON: {error}") from None
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in item['loc']) or 'schedule'}: "
                f"{str(item['msg']).removeprefix('Value error, ')}"
                for item in error.errors(include_url=False)
            )
            raise DefinitionError(f"{relpath}: {problems}", error) from None
        if schedule.key != key:
            raise DefinitionError(
                f"{relpath}: the file name does not match its job and parameters "
                f"(expected {schedule.key}.json)"
            )
        return schedule

    def load_all(self) -> list[Schedule]:
        return [self.load(key) for key in self.keys()]

    def find(self, job: str, parameters: dict[str, Any]) -> Schedule | None:
        probe = Schedule(job=job, parameters=parameters, cron="* * * * *")
        try:
            return self.load(probe.key)
        except NotFoundError:
            return None

    def save(self, schedule: Schedule) -> None:
        data = jsonio.dumps(schedule.model_dump(mode="json", exclude_defaults=True))
        self.storage.write_bytes(f"{SCHEDULES_FOLDER}/{schedule.key}.json", data.encode())

    def remove(self, schedule: Schedule) -> None:
        self.storage.remove(f"{SCHEDULES_FOLDER}/{schedule.key}.json")
