"""``vires-repo plan BASE [HEAD]``: the Markdown plan of a catalogue change."""

from __future__ import annotations

import json

from gitops_env import MAG_A, MAG_B, MAG_TYPE, GitRepo


def _plan(repo: GitRepo, *revisions: str) -> tuple[int, str, str]:
    code, out, err = repo.run("plan", *revisions)
    return code, out, err


def test_no_change(gitrepo: GitRepo) -> None:
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 0, err
    assert out == "## Catalogue plan: `HEAD` -> `working tree`\n\nNo change to the catalogue.\n"


def test_added_definitions_and_products(gitrepo: GitRepo) -> None:
    gitrepo.git("commit", "-q", "--allow-empty", "-m", "nothing yet")
    empty = gitrepo.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.register(gitrepo.day_product("2020-01-02"))
    gitrepo.commit("two products")
    # The catalogue did not exist before the first commit: compare with an orphan commit.
    gitrepo.git("checkout", "-q", "--orphan", "void")
    gitrepo.git("rm", "-rq", "--cached", ".")
    gitrepo.git("commit", "-q", "--allow-empty", "-m", "void")
    gitrepo.git("checkout", "-q", "-f", "main")
    code, out, err = _plan(gitrepo, "void", "main")
    assert code == 0, err
    assert "The change is valid." in out
    assert f"| added | `{MAG_TYPE}` | - | 2 | 2 |" in out
    assert f"| added | `{MAG_A}` | - | 2 |" in out
    assert f"| added | `{MAG_B}` | - | 0 |" in out
    assert f"| `{MAG_A}` | 2 | 0 | 0 | 0 | 0 -> 2 |" in out
    assert f"- added `{MAG_A}_20200101T000000_20200101T235900_0409_MDR_MAG_LR`" in out
    code, out, err = _plan(gitrepo, empty, "main")
    assert code == 0, err
    assert "### Product types" not in out
    assert f"| `{MAG_A}` | 2 | 0 | 0 | 0 | 0 -> 2 |" in out


def test_changed_fields_and_products_affected(gitrepo: GitRepo) -> None:
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("one product")
    path = gitrepo.root / "product_collections" / f"{MAG_A}.json"
    definition = json.loads(path.read_text())
    definition["description"] = "Swarm A magnetic field, interpolated at 1 Hz: a long text"
    definition["nominalSampling"] = "PT2S"
    definition["notes"] = "x"
    definition.pop("calculateOrbitDirection")
    definition["subtractableCollections"] = {"B": MAG_B, "C": "SW_OPER_MAGC_LR_1B"}
    definition["updated"] = "2030-01-01T00:00:00Z"  # bookkeeping: not reported
    path.write_text(json.dumps(definition, indent=2) + "\n")
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.startswith("| changed |"))
    assert row.startswith(f"| changed | `{MAG_A}` | ")
    assert row.endswith(" | 1 |")
    keys = row.split(" | ")[2].split("; ")
    assert keys == [
        "`calculateOrbitDirection` removed (was `true`)",
        "`description` changed",
        '`nominalSampling`: `"PT1S"` -> `"PT2S"`',
        '`notes` added = `"x"`',
        f'`subtractableCollections.B` added = `"{MAG_B}"`',
    ]
    assert "### Product index" not in out


def test_index_changes_are_classified(gitrepo: GitRepo) -> None:
    day1 = gitrepo.day_product("2020-01-01")
    day2 = gitrepo.day_product("2020-01-02")
    day3 = gitrepo.day_product("2020-01-03")
    gitrepo.register(day1, day2, day3)
    gitrepo.commit("three days")
    # day 1 de-registered, day 2 updated, day 3 superseded by a new version, day 4 added
    assert gitrepo.run("product", "deregister", day1.rsplit("/", 1)[1][:-4]).code == 0
    gitrepo.register(day2, update=True)
    gitrepo.register(gitrepo.day_product("2020-01-03", version="0410"))
    gitrepo.register(gitrepo.day_product("2020-01-04"))
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 0, err
    assert f"| `{MAG_A}` | 2 | 1 | 1 | 1 | 3 -> 3 |" in out
    stem = f"{MAG_A}_2020010"
    assert f"- superseded `{stem}3T000000_20200103T235900_0409_MDR_MAG_LR` by `{stem}3T" in out
    assert f"- de-registered `{stem}1T000000_20200101T235900_0409_MDR_MAG_LR`" in out
    assert f"- updated `{stem}2T000000_20200102T235900_0409_MDR_MAG_LR`" in out
    assert f"- added `{stem}4T000000" in out
    # Deterministic: the same text twice, and the same plan from a commit.
    assert _plan(gitrepo, "HEAD")[1] == out
    gitrepo.commit("changes")
    code, committed, err = _plan(gitrepo, "HEAD~1", "HEAD")
    assert code == 0, err
    assert committed.split("\n", 1)[1] == out.split("\n", 1)[1]


def test_compaction_is_no_change(gitrepo: GitRepo) -> None:
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.register(gitrepo.day_product("2020-01-02"))
    gitrepo.commit("two files")
    assert gitrepo.run("product", "compact").code == 0
    assert gitrepo.git("status", "--porcelain").stdout  # the files did change
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 0, err
    assert "No change to the catalogue." in out


def test_removed_collection_with_products_is_an_error(gitrepo: GitRepo) -> None:
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("one product")
    (gitrepo.root / "product_collections" / f"{MAG_A}.json").unlink()
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 1
    assert f"| removed | `{MAG_A}` | - | 1 |" in out
    assert "**Invalid change: 1 error(s).**" in out
    message = (
        f"catalog/products/collection={MAG_A}: 1 product(s) registered in collection {MAG_A}, "
        "which is not defined"
    )
    assert message in out
    assert f"ERROR: {message}" in err


def test_removed_type_still_used_is_an_error(gitrepo: GitRepo) -> None:
    (gitrepo.root / "product_types" / f"{MAG_TYPE}.json").unlink()
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 1
    assert f"| removed | `{MAG_TYPE}` | - | 2 | 0 |" in out
    lines = [line for line in err.splitlines() if line.startswith("ERROR: ")]
    assert lines == [
        f"ERROR: catalog/product_collections/{name}.json: product collection {name} uses "
        f"product type {MAG_TYPE}, which does not exist"
        for name in (MAG_A, MAG_B)
    ]


def test_invalid_definition_at_head_is_an_error(gitrepo: GitRepo) -> None:
    path = gitrepo.root / "product_types" / f"{MAG_TYPE}.json"
    definition = json.loads(path.read_text())
    definition["fileType"] = "NetCDF"
    path.write_text(json.dumps(definition, indent=2) + "\n")
    (gitrepo.root / "product_collections" / "BROKEN.json").write_text("{not json")
    gitrepo.commit("broken definitions")
    code, out, err = _plan(gitrepo, "HEAD~1", "HEAD")
    assert code == 1
    assert f"ERROR: catalog/product_types/{MAG_TYPE}.json: invalid product type: fileType" in err
    assert "ERROR: catalog/product_collections/BROKEN.json: invalid JSON" in err
    assert (
        '| changed | `SW_MAGx_LR_1B` | `fileType`: `"CDF-generic"` -> `"NetCDF"` | 2 | 0 |' in out
    )
    # The broken state as BASE is no error: the change to fix it is valid.
    gitrepo.git("revert", "--no-edit", "HEAD")
    code, out, err = _plan(gitrepo, "HEAD~1", "HEAD")
    assert code == 0, err
    assert "### Warnings" in out and "(at HEAD~1)" in out


def test_bad_revision(gitrepo: GitRepo) -> None:
    code, out, err = _plan(gitrepo, "nope")
    assert code == 1
    assert out == ""
    assert err.startswith("ERROR: git revision nope does not exist")


def test_missing_data_file_at_head_is_an_error(gitrepo: GitRepo) -> None:
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    folder = gitrepo.root / "products" / f"collection={MAG_A}"
    (data,) = folder.glob("part-*")
    data.unlink()
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 1
    relpath = f"catalog/products/collection={MAG_A}/{data.name}"
    assert f"ERROR: {relpath}: data file missing" in err
    assert relpath in out


def test_retention_policies_are_shown_with_the_products_they_cover(gitrepo: GitRepo) -> None:
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("one product")
    folder = gitrepo.root / "retention_policies"
    folder.mkdir()
    policy = {"name": "oper_a", "collections": ["SW_OPER_MAGA_*"], "keepProducts": "P90D"}
    (folder / "oper_a.json").write_text(json.dumps(policy, indent=2) + "\n")
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 0, err
    assert "### Retention policies" in out
    assert "| Change | Retention policy | Keys | Collections | Products |" in out
    assert "| added | `oper_a` | - | 1 | 1 |" in out
    gitrepo.commit("a policy")

    policy["keepProducts"] = "P30D"
    (folder / "oper_a.json").write_text(json.dumps(policy, indent=2) + "\n")
    code, out, _ = _plan(gitrepo, "HEAD")
    assert '| changed | `oper_a` | `keepProducts`: `"P90D"` -> `"P30D"` | 1 | 1 |' in out

    (folder / "oper_a.json").write_text('{"name": "oper_a", "collections": []}\n')
    code, out, _ = _plan(gitrepo, "HEAD")
    assert code == 1
    assert "invalid retention policy" in out


def test_schedules_added_changed_and_invalid(gitrepo: GitRepo) -> None:
    assert gitrepo.run("job", "schedule", "0 3 * * *", "check")[0] == 0
    code, out, err = _plan(gitrepo, "HEAD")
    assert code == 0, err
    assert "### Schedules\n\n| Change | Schedule | Keys |\n|---|---|---|\n" in out
    assert "| added | `schedules/check--44136fa355b3.json` | - |" in out
    gitrepo.commit("a schedule")

    assert gitrepo.run("job", "schedule", "30 3 * * *", "check")[0] == 0
    (gitrepo.root / "schedules" / "sleep--0.json").write_text('{"job": "sleep"}\n')
    code, out, err = _plan(gitrepo, "HEAD")

    assert code == 1
    assert '| changed | `schedules/check--44136fa355b3.json` | `cron`: `"0 3 * * *"` -> ' in out
    assert "ERROR: catalog/schedules/sleep--0.json: cron: Field required" in err
