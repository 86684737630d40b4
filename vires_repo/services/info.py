"""What a catalogue holds and where (``vires-repo info``), after udata's ``info`` command."""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from vires_repo import __version__
from vires_repo.catalog import Catalog
from vires_repo.errors import GitError
from vires_repo.io.git import git_output
from vires_repo.products.manifest import PRODUCTS_FOLDER

_PACKAGES = ("cyclopts", "pydantic", "duckdb", "pyarrow", "fsspec", "cdflib", "numpy", "apexpy")


def catalog_info(catalog: Catalog) -> dict[str, Any]:
    """A JSON-ready description: location, git state, counts, index files, versions."""
    catalog.require_existing()
    index = catalog.products
    collections = []
    products = 0
    for collection in index.collections():
        manifest = index.manifest(collection)
        products += manifest.live_rows
        collections.append(
            {
                "collection": collection,
                "products": manifest.live_rows,
                "files": len(manifest.files),
                "tombstones": manifest.tombstone_count,
                "bytes": sum(entry.bytes for entry in manifest.files),
            }
        )
    return {
        "catalog": catalog.url,
        "storage": catalog.storage.protocol,
        "git": _git_state(catalog),
        "counts": {
            "product_types": len(catalog.product_types.ids()),
            "product_collections": len(catalog.product_collections.ids()),
            "collections_with_products": sum(1 for c in collections if c["products"]),
            "products": products,
        },
        "product_index": collections,
        "versions": package_versions(),
        "replicas": _replicas(catalog),
        "maintenance": _maintenance(catalog),
    }


def package_versions() -> dict[str, str]:
    """The versions of vires-repo, Python and the libraries that shape the catalogue."""
    versions = {"vires-repo": __version__, "python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _replicas(catalog: Catalog) -> list[dict[str, Any]]:
    """The replicas whose sync recorded its state here (``sync --push-state``)."""
    from vires_repo.replication.replicas import replica_states

    return [
        {
            "replica": state.replica,
            "synced": state.synced,
            "collections": list(state.collections) if state.collections else None,
            "behind": state.behind,
            "files_differing": state.differing,
        }
        for state in replica_states(catalog.storage)
    ]


def _maintenance(catalog: Catalog) -> dict[str, str] | None:
    """The maintenance flag (None: off); a damaged flag is shown as its error."""
    from vires_repo.errors import IndexFormatError
    from vires_repo.maintenance import maintenance_state

    try:
        state = maintenance_state(catalog.storage)
    except IndexFormatError as error:
        return {"reason": str(error), "since": "", "by": ""}
    if state is None:
        return None
    return {
        "reason": state.reason,
        "since": state.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "by": state.by,
    }


def _git_state(catalog: Catalog) -> dict[str, Any] | None:
    """Commit, branch and whether the catalogue folder has uncommitted changes."""
    if not catalog.storage.is_local:
        return None
    root = Path(catalog.storage.root)

    def git(*args: str) -> str | None:
        try:
            return git_output(root, *args).decode("utf-8").strip()
        except GitError:
            return None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("status", "--porcelain", "--", ".")
    return {
        "commit": commit,
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": bool(status),
    }


def format_info(info: dict[str, Any]) -> list[str]:
    """Readable lines of :func:`catalog_info`."""
    lines = [f"catalogue:       {info['catalog']} ({info['storage']})"]
    git = info["git"]
    if git:
        state = "with uncommitted changes" if git["dirty"] else "clean"
        lines.append(f"git:             {git['branch']} at {git['commit'][:12]}, {state}")
    counts = info["counts"]
    lines += [
        f"product types:   {counts['product_types']}",
        f"collections:     {counts['product_collections']} "
        f"({counts['collections_with_products']} with products)",
        f"products:        {counts['products']}",
    ]
    if info["product_index"]:
        lines.append(f"{PRODUCTS_FOLDER}/ (collection: products, files, tombstones, bytes):")
        for entry in info["product_index"]:
            lines.append(
                f"  {entry['collection']}: {entry['products']}, {entry['files']}, "
                f"{entry['tombstones']}, {entry['bytes']}"
            )
    for replica in info.get("replicas", ()):
        state = (
            f"behind ({replica['files_differing']} file(s) differ)"
            if replica["behind"]
            else "in step"
        )
        lines.append(f"replica:         {replica['replica']} synced {replica['synced']}, {state}")
    maintenance = info.get("maintenance")
    lines.append(
        "maintenance:     "
        + (
            f"on since {maintenance['since']} by {maintenance['by']}: {maintenance['reason']}"
            if maintenance
            else "off"
        )
    )
    lines.append("versions:        " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    return lines
