"""Canonical JSON: the one serializer of every catalogue file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vires_repo import jsonio


def test_output_is_two_space_indented_with_a_trailing_newline() -> None:
    text = jsonio.dumps({"a": [1, 2], "b": {}})

    assert text == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {}\n}\n'


def test_key_order_is_kept_not_sorted() -> None:
    text = jsonio.dumps({"z": 1, "a": 2, "m": 3})

    assert [line.split(":")[0].strip() for line in text.splitlines()[1:-1]] == [
        '"z"',
        '"a"',
        '"m"',
    ]


def test_non_ascii_text_is_written_as_is() -> None:
    text = jsonio.dumps({"name": "Ørsted", "unit": "nT·s⁻¹"})

    assert "Ørsted" in text
    assert "nT·s⁻¹" in text
    assert "\\u" not in text


def test_no_trailing_spaces_after_separators() -> None:
    text = jsonio.dumps({"a": [1, {"b": None}], "c": "x"})

    assert all(line == line.rstrip() for line in text.splitlines())


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1.5, "b": None, "c": True, "d": [], "e": "PT0.5S"},
        [{"name": "X", "datasets": {"D": {"t": {"dataType": "timestamp"}}}}],
        {"huge": 12345678901234567890, "small": 1e-300, "neg": -0.0},
    ],
)
def test_dumps_then_loads_gives_the_value_back(value: object) -> None:
    assert jsonio.loads(jsonio.dumps(value)) == value


def test_dumps_is_deterministic_and_idempotent() -> None:
    value = {"b": [3, 2, 1], "a": {"y": 1, "x": 2}}
    text = jsonio.dumps(value)

    assert jsonio.dumps(value) == text
    assert jsonio.dumps(jsonio.loads(text)) == text


def test_loads_accepts_bytes_and_text() -> None:
    assert jsonio.loads(b'{"a": "\xc3\x98"}') == {"a": "Ø"}
    assert jsonio.loads('{"a": 1}') == {"a": 1}


def test_loads_rejects_bad_json() -> None:
    with pytest.raises(json.JSONDecodeError):
        jsonio.loads("[1,")


def test_the_shipped_vires_defaults_are_stable_under_load_and_dump(vires_defaults: Path) -> None:
    for name in ("product_types.json", "product_collections.json"):
        value = jsonio.loads((vires_defaults / name).read_bytes())
        text = jsonio.dumps(value)
        assert jsonio.dumps(jsonio.loads(text)) == text
        assert jsonio.loads(text) == value


ESCAPED = "".join(map(chr, range(0x20))) + '"\\'
"""Every character ``json`` escapes (with ``ensure_ascii=False``)."""
UNESCAPED = "\x7f\x80\x9f\xa0\u2028\u2029\ud7ff\ue000\ufeff\uffffé中😀%s"
"""Characters next to those, and others some encoders escape: JSON keeps them as they are."""


@pytest.mark.parametrize(
    "objects",
    [
        [],
        [{}],
        [{"a": "x", "b": None, "c": True, "d": False}],
        [{"id": ESCAPED, "owner": UNESCAPED}, {"id": "", "owner": None}],
        [{char: char} for char in ESCAPED + UNESCAPED],
        [{"every character": "".join(map(chr, [*range(0xD800), *range(0xE000, 0x110000)]))}],
    ],
)
def test_dumps_objects_is_dumps_of_the_objects(objects: list[dict[str, str | bool | None]]) -> None:
    assert jsonio.dumps_objects(objects) == jsonio.dumps(objects).encode()
