"""The pydantic models of product types and collections: what they accept and reject."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from vires_repo.definitions import load_defaults
from vires_repo.definitions.models import (
    IDENTIFIER_PATTERN,
    MAX_IDENTIFIER_LENGTH,
    ProductCollection,
    ProductType,
    grade_of,
)
from vires_repo.definitions.store import (
    PRODUCT_COLLECTIONS,
    PRODUCT_TYPES,
    format_validation_error,
    validate_definition,
)
from vires_repo.errors import DefinitionError


def a_type(**changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": "SW_TEST_1B",
        "fileType": "CDF-generic",
        "defaultDataset": "MDR",
        "datasets": {
            "MDR": {
                "Timestamp": {"dataType": "timestamp", "primaryTimestamp": True},
                "F": {"dataType": "float64", "attributes": {"UNITS": "nT"}},
            }
        },
    }
    definition.update(changes)
    return definition


def a_collection(**changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": "SW_OPER_TESTA_1B",
        "productType": "SW_TEST_1B",
        "mission": "Swarm",
        "spacecraft": "A",
        "nominalSampling": "PT1S",
    }
    definition.update(changes)
    return definition


def type_error(definition: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(PRODUCT_TYPES, definition)
    return str(caught.value)


def collection_error(definition: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(PRODUCT_COLLECTIONS, definition)
    return str(caught.value)


# -- the real VirES definitions --------------------------------------------------------------


def test_every_vires_default_product_type_is_valid(vires_defaults: Path) -> None:
    types = json.loads((vires_defaults / "product_types.json").read_text())

    assert len(types) == 52
    for item in types:
        assert ProductType.model_validate(item).name == item["name"]


def test_every_vires_default_collection_is_valid(vires_defaults: Path) -> None:
    collections = json.loads((vires_defaults / "product_collections.json").read_text())

    assert len(collections) == 151
    for item in collections:
        assert ProductCollection.model_validate(item).productType == item["productType"]


def _swarm_tables_from_mag_lr(collections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The one intended difference: the Swarm orbit-direction tables come from the MAGx_LR_1B
    collections (as the VirES manual says), not from MODx_SC_1B."""
    changed = []
    for item in collections:
        item = dict(item)
        if item["productType"] == "SW_MODx_SC_1B":
            item.pop("calculateOrbitDirection", None)
        if item["productType"] == "SW_MAGx_LR_1B" and item["name"].endswith("_LR_1B"):
            item["calculateOrbitDirection"] = True
        changed.append(item)
    return changed


def test_the_packaged_defaults_are_the_vires_files(vires_defaults: Path) -> None:
    for name in ("product_types", "product_collections"):
        shipped = json.loads((vires_defaults / f"{name}.json").read_text())
        if name == "product_collections":
            shipped = _swarm_tables_from_mag_lr(shipped)
        assert load_defaults(name) == shipped


def test_the_models_validate_without_reshaping() -> None:
    item = a_type(_order=3, unknownKey={"kept": True})

    assert validate_definition(PRODUCT_TYPES, copy.deepcopy(item)) == item


# -- identifiers (bug 12 fixed) ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["SW_MAGx_LR_1B", "_private", "a", "A1_"])
def test_valid_identifiers(name: str) -> None:
    assert validate_definition(PRODUCT_TYPES, a_type(name=name))["name"] == name


@pytest.mark.parametrize("name", ["1abc", "bad-name", "has space", "", "a.b", "Ä", "a[b]", "x^y"])
def test_identifiers_outside_the_pattern_are_rejected(name: str) -> None:
    assert (
        type_error(a_type(name=name)) == f"name: String should match pattern '{IDENTIFIER_PATTERN}'"
    )
    assert collection_error(a_collection(name=name)).startswith("name: String should match")


def test_a_collection_product_type_must_be_an_identifier() -> None:
    assert collection_error(a_collection(productType="no/such")).startswith(
        "productType: String should match pattern"
    )


def test_an_identifier_longer_than_its_file_names_allow_is_rejected() -> None:
    # bound changed from 256 to 225 (issue 11): a collection's data-file names must fit in 255
    longest = "A" * MAX_IDENTIFIER_LENGTH
    validate_definition(PRODUCT_TYPES, a_type(name=longest))
    validate_definition(PRODUCT_COLLECTIONS, a_collection(name=longest, productType=longest))
    message = f"at most {MAX_IDENTIFIER_LENGTH} characters"
    assert message in type_error(a_type(name=longest + "A"))
    assert message in collection_error(a_collection(name=longest + "A"))
    assert message in collection_error(a_collection(productType=longest + "A"))


@pytest.mark.parametrize(
    "duration", ["P999999999999D", "P99999999999999999999Y", "P" + "9" * 400 + "D"]
)
def test_a_duration_beyond_any_time_is_a_validation_error(duration: str) -> None:
    message = collection_error(a_collection(nominalSampling=duration))
    assert message.startswith("nominalSampling: ")


# -- product types ---------------------------------------------------------------------------


def test_name_and_datasets_are_required() -> None:
    assert type_error({}) == "name: Field required; datasets: Field required"


def test_at_least_one_dataset_is_required() -> None:
    assert type_error(a_type(datasets={}, defaultDataset=None)) == (
        "datasets: at least one dataset is required"
    )


def test_a_dataset_needs_a_primary_timestamp() -> None:
    datasets = {"MDR": {"F": {"dataType": "float64"}}}

    assert type_error(a_type(datasets=datasets)) == (
        "No primary timestamp parameter found in dataset MDR"
    )


def test_a_dataset_has_only_one_primary_timestamp() -> None:
    datasets = {
        "MDR": {
            "T1": {"dataType": "timestamp", "primaryTimestamp": True},
            "T2": {"dataType": "timestamp", "primaryTimestamp": True},
        }
    }

    assert type_error(a_type(datasets=datasets)) == (
        "Multiple primary timestamp parameters T1, T2 found in dataset MDR"
    )


def test_every_dataset_is_checked_for_its_primary_timestamp() -> None:
    datasets = {
        "MDR": {"Timestamp": {"dataType": "timestamp", "primaryTimestamp": True}},
        "AUX": {"Value": {"dataType": "float64"}},
    }

    assert type_error(a_type(datasets=datasets)) == (
        "No primary timestamp parameter found in dataset AUX"
    )


def test_the_default_dataset_must_be_declared() -> None:
    assert type_error(a_type(defaultDataset="NOPE")) == (
        "defaultDataset 'NOPE' is not a declared dataset"
    )


def test_the_default_dataset_may_be_absent() -> None:
    definition = a_type()
    del definition["defaultDataset"]

    assert "defaultDataset" not in validate_definition(PRODUCT_TYPES, definition)


@pytest.mark.parametrize("key", ["intervalStart", "intervalEnd"])
def test_interval_references_must_name_a_variable_of_the_dataset(key: str) -> None:
    datasets = {
        "crossover": {
            "time_1": {"dataType": "timestamp", "primaryTimestamp": True, key: "time_9"},
            "time_2": {"dataType": "timestamp"},
        }
    }

    assert type_error(a_type(datasets=datasets, defaultDataset=None)) == (
        f"{key} of crossover:time_1 refers to 'time_9', which is not a variable of dataset "
        "crossover"
    )


def test_a_valid_interval_reference_is_accepted() -> None:
    datasets = {
        "crossover": {
            "time_1": {"dataType": "timestamp", "primaryTimestamp": True, "intervalEnd": "time_2"},
            "time_2": {"dataType": "timestamp"},
        }
    }

    validate_definition(PRODUCT_TYPES, a_type(datasets=datasets, defaultDataset="crossover"))


@pytest.mark.parametrize("key", ["unsortedDatasets", "hapiOptions"])
def test_dataset_options_must_name_declared_datasets(key: str) -> None:
    value: Any = ["GHOST"] if key == "unsortedDatasets" else {"GHOST": {}}

    assert type_error(a_type(**{key: value})) == f"{key} names undeclared dataset(s): GHOST"


def test_an_unknown_file_type_is_rejected() -> None:
    assert type_error(a_type(fileType="HDF5")).startswith(
        "fileType: Input should be 'CDF-generic', 'CDF-with-timespan-attribute'"
    )


@pytest.mark.parametrize("data_type", ["double", "float", "int", "char", "timestamps"])
def test_an_unknown_data_type_is_rejected(data_type: str) -> None:
    datasets = {"MDR": {"Timestamp": {"dataType": data_type, "primaryTimestamp": True}}}

    assert type_error(a_type(datasets=datasets)) == (
        f"datasets.MDR.Timestamp.dataType: unknown data type '{data_type}' "
        "(expected timestamp, float32/64, [u]int8-64 or charN)"
    )


@pytest.mark.parametrize(
    "data_type", ["timestamp", "float32", "float64", "uint8", "int64", "char7", "bool", "string"]
)
def test_known_data_types(data_type: str) -> None:
    datasets = {
        "MDR": {
            "Timestamp": {"dataType": "timestamp", "primaryTimestamp": True},
            "X": {"dataType": data_type},
        }
    }

    validate_definition(PRODUCT_TYPES, a_type(datasets=datasets))


def test_a_dimension_must_be_positive() -> None:
    datasets = {
        "MDR": {
            "Timestamp": {"dataType": "timestamp", "primaryTimestamp": True},
            "B": {"dataType": "float64", "dimension": [3, 0]},
        }
    }

    assert type_error(a_type(datasets=datasets)) == (
        "datasets.MDR.B.dimension.1: Input should be greater than 0"
    )


def test_several_problems_are_reported_on_one_line() -> None:
    message = type_error({"name": "9x", "datasets": "none"})

    assert "\n" not in message
    assert message.startswith("name: String should match pattern")
    assert "; datasets: Input should be a valid dictionary" in message


# -- product collections ---------------------------------------------------------------------


def test_name_and_product_type_are_required() -> None:
    assert collection_error({}) == "name: Field required; productType: Field required"


@pytest.mark.parametrize("value", ["PT1S", "PT0.02S", "P31D", "PT3H", "PT1404S"])
def test_nominal_sampling_durations(value: str) -> None:
    validate_definition(PRODUCT_COLLECTIONS, a_collection(nominalSampling=value))


def test_nominal_sampling_per_dataset() -> None:
    value = {"crossover": "PT20M", "plane_alignment": "P1D"}

    validate_definition(PRODUCT_COLLECTIONS, a_collection(nominalSampling=value))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1 second", "nominalSampling: Invalid ISO-8601 duration '1 second'"),
        ("-PT1S", "nominalSampling: Duration '-PT1S' must not be negative"),
        ({"crossover": "PT1X"}, "nominalSampling.crossover: Invalid ISO-8601 duration 'PT1X'"),
        ({"crossover": 20}, "nominalSampling.crossover: Input should be a valid string"),
    ],
)
def test_a_bad_nominal_sampling_is_rejected(value: Any, message: str) -> None:
    assert collection_error(a_collection(nominalSampling=value)) == message


def test_a_spacecraft_needs_a_mission() -> None:
    definition = a_collection()
    del definition["mission"]

    assert collection_error(definition) == "spacecraft given without mission"


def test_an_unknown_interpolation_kind_is_rejected() -> None:
    message = collection_error(a_collection(modelOptions={"interpolationKind": "spline"}))

    assert message == (
        "modelOptions.interpolationKind: Input should be 'linear', 'nearest' or 'cubic'"
    )


def test_subtractable_collections_must_be_identifiers() -> None:
    message = collection_error(a_collection(subtractableCollections={"C": "not an id"}))

    assert message.startswith("subtractableCollections.C: String should match pattern")


def test_a_definition_must_be_an_object() -> None:
    with pytest.raises(DefinitionError, match="a product collection definition must be a JSON"):
        validate_definition(PRODUCT_COLLECTIONS, ["not", "an", "object"])


@pytest.mark.parametrize(
    ("collection", "grade"),
    [({"grade": "FAST"}, "FAST"), ({"grade": ""}, None), ({"grade": None}, None), ({}, None)],
)
def test_grade_of_treats_empty_as_none(collection: dict[str, Any], grade: str | None) -> None:
    assert grade_of(collection) == grade


def test_format_validation_error_without_location() -> None:
    with pytest.raises(ValidationError) as caught:
        ProductCollection.model_validate(a_collection(mission=None))

    assert format_validation_error(caught.value) == "spacecraft given without mission"
