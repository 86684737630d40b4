"""Product type and product collection definitions: models, storage, shipped defaults."""

from typing import Any

from vires_repo import jsonio


def load_defaults(folder_name: str) -> list[dict[str, Any]]:
    """The VirES default definitions shipped with the package (``product_types.json`` ...)."""
    from importlib import resources  # only --default imports need it

    text = resources.files(__package__).joinpath("data", f"{folder_name}.json").read_text("utf-8")
    items: list[dict[str, Any]] = jsonio.loads(text)
    return items
