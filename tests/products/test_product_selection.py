"""The one product selection: what the CLI options build and what the index accepts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vires_repo.cli._options import CollectionOptions, ProductOptions
from vires_repo.definitions.selection import CollectionFilter
from vires_repo.io.storage import Storage
from vires_repo.products import ProductIndex, ProductSelection


def test_arguments_are_identifiers_or_locations() -> None:
    by_identifier = ProductOptions(mission=["Swarm"]).build(["A", "B"])
    by_location = ProductOptions(location=True).build(["/data/a.cdf"])

    assert by_identifier.identifiers == ("A", "B")
    assert by_identifier.locations == ()
    assert by_identifier.missions == ("Swarm",)
    assert by_location.identifiers == ()
    assert by_location.locations == ("/data/a.cdf",)
    assert by_location.names_products
    assert not ProductOptions().build(None).names_products


def test_collection_options_build_the_collection_filter() -> None:
    built = CollectionOptions(product_type=["MAG"], grade=["FAST"]).build(["C"])

    assert built == CollectionFilter(identifiers=("C",), product_types=("MAG",), grades=("FAST",))


def test_resolving_collections_keeps_the_row_options() -> None:
    after = datetime(2024, 1, 1, tzinfo=UTC)
    selection = ProductSelection(
        identifiers=("A",),
        product_types=("MAG",),
        missions=("Swarm",),
        grades=("OPER",),
        after=after,
    )

    resolved = selection.in_collections(["C1", "C2"])

    assert selection.restricts_collections and selection.needs_definitions
    assert selection.collection_filter() == CollectionFilter(
        product_types=("MAG",), missions=("Swarm",), grades=("OPER",)
    )
    assert resolved == ProductSelection(identifiers=("A",), collections=("C1", "C2"), after=after)
    assert not resolved.needs_definitions


def test_the_index_refuses_options_it_cannot_resolve(tmp_path: object) -> None:
    index = ProductIndex(Storage(str(tmp_path)))

    with pytest.raises(ValueError, match="resolve missions"):
        index.select(ProductSelection(missions=("Swarm",)))
    assert index.select(ProductSelection(collections=("C",))) == []
