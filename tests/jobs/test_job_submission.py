"""Accepting a job: validated parameters stored in full, and a type's ``admit`` refusing an
owner before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from vires_repo.errors import DefinitionError, ViresRepoError
from vires_repo.io.storage import Storage
from vires_repo.jobs.backend import JobBackend
from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType
from vires_repo.jobs.records import JobQuery, JobRecords
from vires_repo.jobs.submission import Limits, accept


class Parameters(BaseModel):
    collection: str
    days: int = 1


def _run(_context: JobContext, _parameters: Any) -> JobOutcome:
    return JobOutcome("done")


def _admit(catalog_root: str, owner: str | None, parameters: Any) -> None:
    if owner != "allowed":
        raise ViresRepoError(f"{owner} may not read {parameters.collection} ({catalog_root})")


GUARDED = JobType("guarded", "a job type that admits one owner", Parameters, _run, True, _admit)


def test_admit_refuses_an_owner_before_anything_is_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/jobs.sqlite"
    backend = JobBackend(Storage(tmp_path / "jobs"))
    with JobRecords.open(url) as records:
        with pytest.raises(ViresRepoError, match="^bob may not read C1 \\(cat\\)$"):
            accept(
                records, backend, None, GUARDED, {"collection": "C1"},
                owner="bob", limits=Limits(), catalog_root="cat",
            )  # fmt: skip
        assert records.select(JobQuery()) == []
        assert backend.list() == {}

        record = accept(
            records, backend, None, GUARDED, {"collection": "C1", "days": "3"},
            owner="allowed", limits=Limits(), catalog_root="cat",
        )  # fmt: skip

        assert records.get(record.id).parameters == {"collection": "C1", "days": 3}
        assert list(backend.list()) == [record.id]
        with pytest.raises(DefinitionError, match="^job type guarded: collection: Field required"):
            accept(
                records, backend, None, GUARDED, {},
                owner="allowed", limits=Limits(), catalog_root="cat",
            )  # fmt: skip
