"""The extraction request: sources, time window and limits, checked as VirES checks them.

Sources are VirES's ``collection_ids`` object ``{label: [collection, ...]}`` (reference
section 1.2). Each list item is ``COLL[+COLL...][:DATASET]``; all collections of a label,
in list order, form one gap-filled source of one product type: the first is the master and
the others fill its gaps (``A+B`` in VirES, section 2.3). Observatory datasets are
``COLLECTION:IAGA``. Collections the caller may not access are unknown, as in VirES.

Every rejected request is an :class:`~vires_repo.errors.ExtractionRequestError` worded as
VirES's ``Invalid input value of '<input>'! <message>``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.errors import ExtractionRequestError, NotFoundError
from vires_repo.timespec import format_timedelta, parse_duration

MAX_SAMPLES_COUNT = 6_912_000
"""Records one request may return (VirES's asynchronous process; the synchronous WPS process
allows 691,200)."""
MAX_TIME_SELECTION_SAMPLES = 35_525
"""Days of 1 s sampling one request may span (VirES's asynchronous process; 31 for the
synchronous one): the limit scales with the coarsest nominal sampling."""
_MAX_DURATION = timedelta(days=999_999_999)
_MAX_COLLECTIONS = 256


@dataclass(frozen=True)
class Limits:
    """VirES's request limits (reference sections 1.3 and 6.5)."""

    max_samples: int = MAX_SAMPLES_COUNT
    max_time_selection: int = MAX_TIME_SELECTION_SAMPLES


def rejected(input_id: str, message: str) -> ExtractionRequestError:
    """VirES's wording of a rejected input."""
    return ExtractionRequestError(f"Invalid input value of '{input_id}'! {message}")


@dataclass(frozen=True)
class SourceCollection:
    """One collection of a source, with its definition and its product type's."""

    name: str
    definition: Mapping[str, Any]
    product_type: Mapping[str, Any]

    @property
    def type_name(self) -> str:
        return str(self.product_type["name"])


@dataclass(frozen=True)
class Source:
    """The collections of one label: the master first, then the gap fillers."""

    label: str
    collections: tuple[SourceCollection, ...]
    dataset: str
    """The dataset read: the type's default dataset, or an observatory code."""

    @property
    def master(self) -> SourceCollection:
        return self.collections[0]

    @property
    def variables(self) -> Mapping[str, Mapping[str, Any]]:
        """The dataset's variable definitions (an observatory code reads the default one)."""
        datasets = self.master.product_type["datasets"]
        found = datasets.get(self.dataset) or datasets[_default_dataset(self.master.product_type)]
        return dict(found)

    @property
    def site(self) -> str | None:
        """The observatory code, when the dataset is one (not a declared dataset)."""
        return None if self.dataset in self.master.product_type["datasets"] else self.dataset


def _default_dataset(product_type: Mapping[str, Any]) -> str:
    default = product_type.get("defaultDataset")
    return str(default) if default else next(iter(product_type["datasets"]))


# -- parsing the sources -----------------------------------------------------------------


def parse_collection_ids(text: str | bytes) -> dict[str, list[str]]:
    """VirES's ``collection_ids`` JSON object, checked for its shape."""
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise rejected("collection_ids", f"Invalid JSON! {error}") from None
    if not isinstance(value, dict):
        raise rejected("collection_ids", "JSON object expected!")
    result: dict[str, list[str]] = {}
    for label, items in value.items():
        if not isinstance(items, list):
            raise rejected(
                "collection_ids",
                f"label {label}: Invalid list of collection identifiers! {items!r}",
            )
        for item in items:
            if not isinstance(item, str):
                raise rejected(
                    "collection_ids", f"label {label}: Invalid collection identifier {item!r}!"
                )
        result[str(label)] = list(items)
    return result


def parse_collection_options(specs: Sequence[str]) -> dict[str, list[str]]:
    """The ``-c LABEL=COLL[+COLL...]`` / ``-c COLL`` options as ``collection_ids``; a plain
    ``COLL`` is labelled with the collection identifier."""
    result: dict[str, list[str]] = {}
    for spec in specs:
        label, equals, collections = spec.partition("=")
        if not equals:
            label, collections = spec.split("+", 1)[0].split(":", 1)[0], spec
        label, collections = label.strip(), collections.strip()
        if not label or not collections:
            raise rejected("collection_ids", f"Invalid source {spec!r}! Expected LABEL=COLL[+COLL]")
        if label in result:
            raise rejected("collection_ids", f"Duplicate label {label!r}!")
        result[label] = [collections]
    return result


def resolve_sources(
    catalog: Catalog,
    collection_ids: Mapping[str, Sequence[str]],
    permissions: Collection[str] | None = None,
) -> list[Source]:
    """The sources of a request, in label order; ``permissions`` (``None``: no check) hides
    the collections whose ``requiredPermission`` is not among them."""
    sources = []
    for label, items in collection_ids.items():
        if not items:
            raise rejected(
                "collection_ids", f"Collection list must have at least one item! (label: {label})"
            )
        sources.append(_resolve_label(catalog, label, items, permissions))
    for source in sources[1:]:
        if source.master.type_name != sources[0].master.type_name:
            raise rejected(
                "collection_ids",
                f"Master collection product type mismatch! (label: {source.label})",
            )
    return sources


def _resolve_label(
    catalog: Catalog, label: str, items: Sequence[str], permissions: Collection[str] | None
) -> Source:
    def fail(message: str) -> ExtractionRequestError:
        return rejected("collection_ids", f"label {label}: {message}")

    names: list[str] = []
    datasets: set[str] = set()
    for item in items:
        joined, _colon, dataset = item.partition(":")
        names += [name.strip() for name in joined.split("+")]
        datasets.add(dataset.strip())
    if len(names) > _MAX_COLLECTIONS:
        raise fail(f"Too many collections! At most {_MAX_COLLECTIONS} are allowed.")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise fail(f"Collection {duplicates[0]} is listed more than once!")
    collections = tuple(_load_collection(catalog, name, permissions, fail) for name in names)
    master = collections[0]
    for other in collections[1:]:
        if other.type_name != master.type_name:
            raise fail(
                f"Collection type mismatch! {master.name}({master.type_name}) vs. "
                f"{other.name}({other.type_name})"
            )
    if len(datasets) > 1:
        raise fail(f"Different dataset identifiers {sorted(datasets)} in one label!")
    return Source(label, collections, _dataset(master, datasets.pop(), fail))


def _load_collection(
    catalog: Catalog, name: str, permissions: Collection[str] | None, fail: Any
) -> SourceCollection:
    try:
        definition = catalog.product_collections.load(name)
        product_type = catalog.product_types.load(str(definition["productType"]))
    except NotFoundError:
        raise fail(f"Invalid collection identifier '{name}'!") from None
    required = definition.get("requiredPermission")
    if permissions is not None and required and required not in permissions:
        raise fail(f"Invalid collection identifier '{name}'!")
    return SourceCollection(name, definition, product_type)


def _dataset(master: SourceCollection, dataset: str, fail: Any) -> str:
    declared = master.product_type["datasets"]
    if not dataset:
        return _default_dataset(master.product_type)
    if dataset.split(":", 1)[0] in declared:
        return dataset.split(":", 1)[0]
    if master.product_type.get("strictDatasetCheck", True):
        raise fail(f"Invalid dataset identifier '{dataset}'!")
    return dataset


# -- time window ---------------------------------------------------------------------------


def check_time_window(
    begin: datetime,
    end: datetime,
    sources: Sequence[Source],
    sampling_step: timedelta | None,
    limits: Limits,
) -> None:
    """End before begin and VirES's time-selection limit (reference section 1.3)."""
    if end < begin:
        raise rejected(
            "end_time", f"The end time {end:%Y-%m-%dT%H:%M:%SZ} is before the begin time!"
        )
    limit = time_selection_limit(sources, sampling_step, limits)
    if end - begin > limit:
        raise rejected(
            "end_time", f"Time selection limit ({format_timedelta(limit)}) has been exceeded!"
        )


def time_selection_limit(
    sources: Sequence[Source], sampling_step: timedelta | None, limits: Limits
) -> timedelta:
    """The longest window: ``max_time_selection`` days per second of the finest master
    sampling (or of the sampling step when it is finer; at least 1 s)."""
    samplings = [_nominal_sampling(source.master.definition) for source in sources]
    sampling = min(samplings, default=timedelta(seconds=1))
    if sampling_step and sampling_step < sampling:
        sampling = sampling_step
    sampling = max(sampling, timedelta(seconds=1))
    days = limits.max_time_selection * sampling.total_seconds()
    return _MAX_DURATION if days >= _MAX_DURATION.days else timedelta(days=days)


def _nominal_sampling(definition: Mapping[str, Any]) -> timedelta:
    value = definition.get("nominalSampling")
    if isinstance(value, dict):  # per-dataset samplings: the finest counts
        value = min(value.values(), key=parse_duration, default=None)
    return parse_duration(value) if isinstance(value, str) else timedelta(seconds=1)


# -- output names --------------------------------------------------------------------------

_MAX_NAME = 225
_NAME_TAIL = 40


def output_basename(
    collection_ids: Mapping[str, Sequence[str]], begin: datetime, end: datetime
) -> str:
    """VirES's name of a response file without extension (reference 6.4):
    ``<IDS>_<begin>_<end - 1 us>_Filtered``, ``IDS`` being every listed collection joined by
    ``_`` (``:`` as ``-``); a name over 225 characters keeps its head and tail around the MD5
    of the whole name."""
    ids = "_".join(item.replace(":", "-") for items in collection_ids.values() for item in items)
    last = end - timedelta(microseconds=1)
    name = f"{ids}_{begin:%Y%m%dT%H%M%S}_{last:%Y%m%dT%H%M%S}_Filtered"
    if len(name) <= _MAX_NAME:
        return name
    head = max(2, _MAX_NAME - 32 - _NAME_TAIL - 2)
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    return f"{name[:head]}_{digest}_{name[-_NAME_TAIL:]}"
