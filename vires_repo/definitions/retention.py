"""Retention policies: how long the products of some collections are kept, as definition
files ``retention_policies/<name>.json`` reviewed in pull requests like the other definitions
(checked by ``check``, shown by ``plan``, applied by ``purge --policies``)::

    {
      "name": "fast_collections",
      "description": "FAST (near-real-time) products are superseded by OPER ones",
      "collections": ["SW_FAST_*"],
      "keepProducts": "P90D",
      "purgeDeletedAfter": "P30D"
    }

``collections`` are identifiers or shell-style patterns (``*``, ``?``, ``[...]``);
``keepProducts`` de-registers (softly) the products that ended longer ago than that;
``purgeDeletedAfter`` purges de-registered products of those collections deleted longer ago
than that. A collection may be covered by one policy only.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from vires_repo.definitions.models import Duration, Identifier
from vires_repo.definitions.store import DefinitionKind, DefinitionStore
from vires_repo.errors import ViresRepoError
from vires_repo.timespec import parse_duration

CollectionPattern = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_*?\[\]!]+$", min_length=1, max_length=225)
]


class RetentionPolicy(BaseModel):
    """A retention policy definition (our own kind: unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid")

    name: Identifier
    description: str = ""
    collections: Annotated[list[CollectionPattern], Field(min_length=1)]
    """Collection identifiers or shell-style patterns (``SW_FAST_*``)."""
    keepProducts: Duration | None = None  # noqa: N815 (the JSON key, as the VirES ones)
    """Products that ended longer ago than this are de-registered (softly)."""
    purgeDeletedAfter: Duration | None = None  # noqa: N815
    """De-registered products deleted longer ago than this are purged for good."""

    @model_validator(mode="after")
    def _does_something(self) -> RetentionPolicy:
        if self.keepProducts is None and self.purgeDeletedAfter is None:
            raise ValueError("give keepProducts, purgeDeletedAfter or both")
        return self

    @property
    def keep(self) -> timedelta | None:
        return None if self.keepProducts is None else parse_duration(self.keepProducts)

    @property
    def purge_after(self) -> timedelta | None:
        return None if self.purgeDeletedAfter is None else parse_duration(self.purgeDeletedAfter)

    def covers(self, collections: Iterable[str]) -> list[str]:
        """The given collection identifiers this policy applies to (sorted)."""
        return sorted(
            name
            for name in collections
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.collections)
        )

    @classmethod
    def of(cls, definition: dict[str, Any]) -> RetentionPolicy:
        """The policy of a stored (validated) definition."""
        return cls.model_validate({k: v for k, v in definition.items() if k not in _TIMES})


_TIMES = ("created", "updated")

RETENTION_POLICIES = DefinitionKind(
    folder="retention_policies",
    label="retention policy",
    model_name="RetentionPolicy",
    leading_keys=("name",),
    model_module=__name__,
)


def policy_problems(
    policies: Sequence[RetentionPolicy], collections: Sequence[str]
) -> Iterable[str]:
    """What is wrong with the policies as a whole: a pattern covering no collection, an
    identifier that is not one, a collection covered by two policies."""
    owners: dict[str, list[str]] = {}
    for policy in policies:
        for pattern in policy.collections:
            if not any(fnmatch.fnmatchcase(name, pattern) for name in collections):
                what = "pattern" if any(c in pattern for c in "*?[") else "collection"
                yield (
                    f"retention policy {policy.name}: {what} {pattern} matches no product "
                    "collection"
                )
        for name in policy.covers(collections):
            owners.setdefault(name, []).append(policy.name)
    for name, names in sorted(owners.items()):
        if len(names) > 1:
            yield f"product collection {name} is covered by {len(names)} retention policies: " + (
                ", ".join(names)
            )


def stored_policy_problems(
    policies: DefinitionStore, collections: DefinitionStore
) -> Iterable[str]:
    """:func:`policy_problems` of the stored policies that load (the others are reported as
    invalid definitions)."""
    loaded = []
    for identifier in policies.ids():
        try:
            loaded.append(RetentionPolicy.of(policies.load(identifier)))
        except ViresRepoError:
            continue
    yield from policy_problems(loaded, collections.ids())
