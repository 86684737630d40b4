"""The job types: one module per type in this package, named after the type and defining
``JOB_TYPE`` (a :class:`vires_repo.jobs.job_type.JobType`).

Adding a type is adding a module: :func:`job_types` imports every module of the package and
collects its ``JOB_TYPE``; :func:`job_type` imports only the module of the type asked for (a
submission pays for one type, not all). The type's ``name`` is what ``job run``,
``job submit`` and the schedules use.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from vires_repo.errors import NotFoundError
from vires_repo.jobs.job_type import JobType


@cache
def job_types() -> dict[str, JobType]:
    """Every job type by name, sorted by name."""
    found: dict[str, JobType] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        job_type = getattr(module, "JOB_TYPE", None)
        if isinstance(job_type, JobType):
            found[job_type.name] = job_type
    return dict(sorted(found.items()))


def job_type(name: str) -> JobType:
    """The job type ``name``; NotFoundError lists the known ones."""
    if name.isidentifier() and name in {info.name for info in pkgutil.iter_modules(__path__)}:
        found = getattr(importlib.import_module(f"{__name__}.{name}"), "JOB_TYPE", None)
        if isinstance(found, JobType) and found.name == name:
            return found
    types = job_types()
    if name not in types:
        raise NotFoundError(f"Job {name} not found (job types: {', '.join(types)})")
    return types[name]
