"""Rewrite schemas/*.json from the pydantic models (run after changing a model)."""

from pathlib import Path

from vires_repo.definitions.schemas import generate_schemas

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def main() -> None:
    SCHEMAS.mkdir(exist_ok=True)
    for name, text in generate_schemas().items():
        path = SCHEMAS / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(SCHEMAS.parent)}")


if __name__ == "__main__":
    main()
