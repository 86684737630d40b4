"""What a job type is: its name, its parameters (a pydantic model), whether it is safe to run
again after an interruption, and the function that does the work.

A job is given as udata gives one, ``NAME [ARG...] [KEY=VALUE...]``: a bare word fills the next
parameter in declaration order (a list parameter takes all the remaining ones), ``KEY=VALUE``
names one (a list parameter takes a comma-separated value). :func:`parse_arguments` turns
those words into the canonical parameters stored on the job record (a JSON object of the
validated values), so that a record can be rerun or retried as it was submitted.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from vires_repo.errors import DefinitionError
from vires_repo.jobs.location import JobsLocation


class JobContext(Protocol):
    """What a running job sees (implemented by :class:`vires_repo.jobs.runner.RunningJob`)."""

    @property
    def job_id(self) -> str: ...

    @property
    def owner(self) -> str | None: ...

    @property
    def catalog_root(self) -> str: ...

    @property
    def jobs(self) -> JobsLocation:
        """Where the jobs live (the ``job_purge`` type works on them)."""

    @property
    def temp_folder(self) -> str:
        """Scratch space while the job runs (``temp/<id>/``; a path or a URL), removed when
        the job ends."""

    def publish(self, name: str, data: bytes) -> None:
        """Write an output of the job (``perm/<id>/<name>``); its size and sha256 go into the
        response document and the record's output size."""

    def publish_file(self, name: str, local_file: str) -> None:
        """Move the finished local file ``local_file`` (e.g. written under ``temp_folder``) to
        ``perm/<id>/<name>`` without reading it into memory; as :meth:`publish` otherwise."""

    def set_tasks(self, names: Sequence[str]) -> None:
        """Declare the job's tasks (e.g. one per file), all ACCEPTED."""

    def task_started(self, seq: int) -> None: ...

    def task_done(self, seq: int, *, failed: str | None = None) -> None:
        """Task ``seq`` ended: SUCCEEDED, or FAILED with the message ``failed``."""

    def progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` units done (updates progress and the time left on the
        record, at most a few times a second); raises JobAbortedError once an abort is asked."""

    def message(self, text: str) -> None:
        """Record the job's latest message."""

    def check_abort(self) -> None:
        """Raise JobAbortedError when someone asked to abort the job."""


@dataclass(frozen=True)
class JobOutcome:
    """What a job type's function returns: its summary message, and failed=True when the
    job did its work but must count as FAILED (e.g. a check that found errors)."""

    message: str
    failed: bool = False


RunFunction = Callable[[JobContext, Any], JobOutcome]
AdmitFunction = Callable[[str, str | None, Any], None]
"""``admit(catalog_root, owner, parameters)``: raise a ViresRepoError to refuse the job at
submission (e.g. an owner without a collection's ``requiredPermission``)."""


@dataclass(frozen=True)
class JobType:
    """A kind of job: ``run(context, parameters)`` does the work with validated parameters."""

    name: str
    summary: str
    parameters: type[BaseModel]
    run: RunFunction
    rerun_safe: bool
    """True when running the job again after an interruption does no harm (its work is
    idempotent): a job whose worker died or stopped then goes back to the queue instead of
    FAILED."""
    admit: AdmitFunction | None = None
    """Checked before the job is accepted (``job run``, ``job submit``, retries, schedules)."""
    writes_catalogue: bool = True
    """False for the readers of the catalogue (checks, extractions, copies *from* it, the jobs'
    own housekeeping): they keep working while the catalogue is in maintenance mode, when
    every writer job is refused at submission and at start."""

    def parameter_lines(self) -> list[str]:
        """``name: type (required | default value): description`` per parameter, in order."""
        lines = []
        for name, field in self.parameters.model_fields.items():
            kind = _type_label(field.annotation)
            state = (
                "required"
                if field.is_required()
                else f"default {field.get_default(call_default_factory=True)!r}"
            )
            text = f"{name}: {kind} ({state})"
            lines.append(f"{text}: {field.description}" if field.description else text)
        return lines

    def validate(self, parameters: Mapping[str, Any]) -> BaseModel:
        """The parameters as the run function gets them; DefinitionError names the problem."""
        try:
            return self.parameters.model_validate(dict(parameters))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in item['loc']) or 'parameters'}: {item['msg']}"
                for item in error.errors(include_url=False)
            )
            raise DefinitionError(f"job type {self.name}: {problems}") from None


def parse_arguments(job_type: JobType, words: Sequence[str]) -> dict[str, Any]:
    """The canonical parameters of ``NAME ARG... KEY=VALUE...`` (validated, JSON-ready)."""
    fields = job_type.parameters.model_fields
    names = list(fields)
    given: dict[str, Any] = {}
    position = 0
    for word in words:
        key, equals, value = word.partition("=")  # a value may itself contain '='
        if equals and key in fields:
            if key in given:
                raise DefinitionError(f"job type {job_type.name}: parameter {key} given twice")
            given[key] = value.split(",") if _is_list(fields[key].annotation) else value
            continue
        if equals and key.isidentifier():
            raise DefinitionError(
                f"job type {job_type.name} has no parameter {key!r} "
                f"(parameters: {', '.join(names) or 'none'})"
            )
        while position < len(names) and names[position] in given:
            position += 1
        if position >= len(names):
            raise DefinitionError(f"job type {job_type.name}: unexpected argument {word!r}")
        name = names[position]
        if _is_list(fields[name].annotation):
            given.setdefault(name, []).append(word)
        else:
            given[name] = word
            position += 1
    validated = job_type.validate(given)
    return dict(validated.model_dump(mode="json"))


def label(job_name: str, parameters: Mapping[str, Any]) -> str:
    """udata's label of a job with its parameters: ``name(arg, key=value)``, keys sorted."""
    if not parameters:
        return job_name
    shown = ", ".join(f"{key}={_shown(parameters[key])}" for key in sorted(parameters))
    return f"{job_name}({shown})"


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return typing.get_origin(annotation) in (list, tuple)


def _type_label(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")
