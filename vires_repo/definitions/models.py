"""Pydantic models of the VirES product type and product collection JSON objects.

The models validate; they do not reshape. A definition is stored exactly as given (same keys, same
order, unknown keys kept), so that a VirES export imports unchanged and exports back identical.
Field names are the VirES JSON keys (camelCase) on purpose.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    StringConstraints,
    model_validator,
)

from vires_repo.timespec import parse_duration

IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
MAX_IDENTIFIER_LENGTH = 225
"""Definition identifiers become file names, which common file systems limit to 255 bytes;
the longest is a collection's data file ``part-<16 hex digits>-<ID>.parquet`` (30 characters
around the identifier, which the pattern keeps ASCII)."""

Identifier = Annotated[
    str, StringConstraints(pattern=IDENTIFIER_PATTERN, max_length=MAX_IDENTIFIER_LENGTH)
]

FileType = Literal[
    "CDF-generic",
    "CDF-with-timespan-attribute",
    "CDF-OBS",
    "CDF-VOBS",
    "CDF-CON_EPH_2_",
]

_DATA_TYPE = re.compile(r"^(timestamp|float(32|64)|u?int(8|16|32|64)|char\d+|bool|string)$")


def _check_data_type(value: str) -> str:
    if not _DATA_TYPE.match(value):
        raise ValueError(
            f"unknown data type {value!r} (expected timestamp, float32/64, [u]int8-64 or charN)"
        )
    return value


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


Duration = Annotated[str, AfterValidator(_check_duration)]


class Variable(BaseModel):
    """One variable of a dataset (reference section 3.1, "Variable-definition keys")."""

    model_config = ConfigDict(extra="allow")

    dataType: Annotated[str, AfterValidator(_check_data_type)]
    dataSubtype: str | None = None
    dimension: list[PositiveInt] | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    primaryTimestamp: bool = False
    intervalStart: str | None = None
    intervalEnd: str | None = None
    source: str | None = None
    essentialVariable: bool = False


class ProductType(BaseModel):
    """A VirES product type: datasets of typed variables and how product files are read."""

    model_config = ConfigDict(extra="allow")

    name: Identifier
    fileType: FileType = "CDF-generic"
    defaultDataset: str | None = None
    datasets: dict[str, dict[str, Variable]]
    strictDatasetCheck: bool = True
    unsortedDatasets: list[str] = Field(default_factory=list)
    timespanAttributeName: str | None = None
    hapiOptions: dict[str, dict[str, Any]] = Field(default_factory=dict)
    description: str | None = None
    resourceUrl: str | None = None
    dataTerms: str | None = None
    citation: str | None = None

    @model_validator(mode="after")
    def _check_datasets(self) -> ProductType:
        if not self.datasets:
            raise ValueError("datasets: at least one dataset is required")
        for dataset_id, variables in self.datasets.items():
            primary = [name for name, var in variables.items() if var.primaryTimestamp]
            if not primary:
                raise ValueError(f"No primary timestamp parameter found in dataset {dataset_id}")
            if len(primary) > 1:
                raise ValueError(
                    f"Multiple primary timestamp parameters {', '.join(primary)} found in "
                    f"dataset {dataset_id}"
                )
            for name, var in variables.items():
                for key in ("intervalStart", "intervalEnd"):
                    target = getattr(var, key)
                    if target is not None and target not in variables:
                        raise ValueError(
                            f"{key} of {dataset_id}:{name} refers to {target!r}, which is not a "
                            f"variable of dataset {dataset_id}"
                        )
        if self.defaultDataset is not None and self.defaultDataset not in self.datasets:
            raise ValueError(f"defaultDataset {self.defaultDataset!r} is not a declared dataset")
        for key in ("unsortedDatasets", "hapiOptions"):
            unknown = sorted(set(getattr(self, key)) - set(self.datasets))
            if unknown:
                raise ValueError(f"{key} names undeclared dataset(s): {', '.join(unknown)}")
        return self


class ModelOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    interpolationKind: Literal["linear", "nearest", "cubic"] | None = None
    interpolateFromCollection: str | None = None
    cachedModels: list[str] = Field(default_factory=list)


class ProductCollection(BaseModel):
    """A VirES product collection: products of one type, mission, spacecraft and grade."""

    model_config = ConfigDict(extra="allow")

    name: Identifier
    productType: Identifier
    mission: str | None = None
    spacecraft: str | None = None
    grade: str | None = None
    nominalSampling: Duration | dict[str, Duration] | None = None
    calculateOrbitDirection: bool = False
    calculateConjunctions: bool = False
    requiredPermission: str | None = None
    modelOptions: ModelOptions | None = None
    subtractableCollections: dict[str, Identifier] = Field(default_factory=dict)
    description: str | None = None
    resourceUrl: str | None = None

    @model_validator(mode="after")
    def _check_spacecraft(self) -> ProductCollection:
        if self.spacecraft and not self.mission:
            raise ValueError("spacecraft given without mission")
        return self


def grade_of(collection: dict[str, Any]) -> str | None:
    """The collection's grade as VirES stores it: an empty or missing grade is None."""
    return collection.get("grade") or None
