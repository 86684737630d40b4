"""The copy plan: compared by sha256, data files first, manifests last, removals after."""

from __future__ import annotations

from vires_repo.io.storage import FileStamp
from vires_repo.replication.files import collections_scope, is_catalogue_file, is_commit_point
from vires_repo.replication.plan import make_plan

MANIFEST = "products/collection=A/_manifest-A.json"
NEW = "products/collection=A/part-2-A.parquet"
OLD = "products/collection=A/part-1-A.parquet"
DEFINITION = "product_types/T.json"


def stamps(*paths: str) -> dict[str, FileStamp]:
    return {path: FileStamp(10, "v") for path in paths}


def test_data_files_come_first_new_before_rewritten_and_manifests_last() -> None:
    source = stamps(MANIFEST, NEW, DEFINITION)
    plan = make_plan(
        source,
        {MANIFEST: "m2", NEW: "n", DEFINITION: "d2"},
        {MANIFEST: "m1", DEFINITION: "d1"},
        {},
    )

    assert plan.copies == (NEW, DEFINITION, MANIFEST)
    assert plan.manifests == (MANIFEST,)
    assert plan.remove == ()
    assert plan.copy_bytes == 30


def test_a_same_named_file_of_the_same_size_is_copied_when_its_sha256_differs() -> None:
    plan = make_plan(stamps(DEFINITION), {DEFINITION: "new"}, {DEFINITION: "old"}, {})

    assert plan.data == (DEFINITION,)


def test_identical_files_are_left_and_only_removable_extra_files_are_removed() -> None:
    plan = make_plan(stamps(MANIFEST), {MANIFEST: "m"}, {MANIFEST: "m"}, stamps(MANIFEST, OLD))

    assert plan.copies == ()
    assert plan.unchanged == 1
    assert plan.remove == (OLD,)
    assert list(plan.lines()) == [f"remove {OLD}"]


def test_runtime_state_and_temporary_files_are_never_copied() -> None:
    assert not is_catalogue_file(".state/lock")
    assert not is_catalogue_file(".state/events.log")
    assert not is_catalogue_file(".git/HEAD")
    assert not is_catalogue_file("products/collection=A/.tmp-abc.part")
    assert is_catalogue_file(DEFINITION)
    assert is_commit_point(MANIFEST)
    assert is_commit_point("cached_products/_manifest.json")
    assert not is_commit_point(NEW)


def test_a_collection_scope_takes_its_partition_and_definition_only() -> None:
    scope = collections_scope(["A"])

    assert scope(MANIFEST) and scope("product_collections/A.json")
    assert not scope("products/collection=AB/_manifest-AB.json")
    assert not scope(DEFINITION)
