"""``product exists`` and ``product list``: what they print, and a quick path that answers
their common command lines without cyclopts.

A lookup should cost little more than the interpreter and pyarrow; importing cyclopts and
parsing with it took about 45 ms of its 230 ms. :func:`answer` therefore reads the command
lines it fully understands itself:

    [--catalog|-C ROOT] [--verbosity|-v 0-3] [--traceback] [--no-wait]
    product exists ID [--not] [SELECTION...]
    product list [ID...] [SELECTION...]

where SELECTION is ``-c|--collection|--product-collection NAME``, ``-t|--product-type
NAME`` (both repeatable), ``-l|--location|--product-location``, ``--after TIME`` and
``--before TIME``. Anything else (another option, ``--opt=value``, ``--as-of``, ``--help``, a
bad value, a missing argument) returns None and the command line goes to cyclopts, which
reports it exactly as before. ``tests/cli/test_lookup_quick_path.py`` checks that both paths
give the same output and exit code for the same command lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from vires_repo.cli import _common
from vires_repo.errors import ViresRepoError

if TYPE_CHECKING:
    from vires_repo.products.selection import ProductSelection
    from vires_repo.services.messages import Messages


# -- the commands' work, whichever path parsed them ---------------------------------------


def warnings_on_console() -> Messages:
    """The product services' messages, their warnings printed whatever the verbosity."""
    from vires_repo.services.product import LOG

    return LOG.but(warning=_common.warning)


def print_products(selection: ProductSelection) -> None:
    """``product list``: the selected products as <collection>/<identifier>."""
    from vires_repo.services import product as service

    catalog = _common.session.catalog()
    selected = service.select_products(catalog, selection, warnings_on_console())
    _common.print_lines(f"{r.collection}/{r.identifier}" for r in selected)


def tell_exists(identifier: str, selection: ProductSelection, invert: bool) -> int:
    """``product exists``: say whether it does; exit 0 if so, 1 if not (``invert``: reverse)."""
    from vires_repo.services import product as service

    catalog = _common.session.catalog()
    found = service.select_products(catalog, selection, warnings_on_console())
    for record in found:
        _common.info(f"product {record.collection}/{record.identifier} exists")
    if not found:
        _common.info(f"product {identifier} does not exist")
    return int(bool(found) == invert)


# -- the quick path ------------------------------------------------------------------------

_GLOBAL_VALUES = {
    "--catalog": "catalog",
    "-C": "catalog",
    "--verbosity": "verbosity",
    "-v": "verbosity",
}
_GLOBAL_FLAGS = {"--traceback": "traceback", "--no-wait": "no_wait"}
_REPEATED = {
    "-c": "collections",
    "--collection": "collections",
    "--product-collection": "collections",
    "-t": "product_types",
    "--product-type": "product_types",
}
_TIMES = {"--after": "after", "--before": "before"}
_LOCATION = frozenset({"-l", "--location", "--product-location"})
_VERBOSITIES = frozenset({"0", "1", "2", "3"})


@dataclass
class QuickLookup:
    """A lookup command line as the quick path read it."""

    command: str  # "exists" or "list"
    catalog: str | None = None
    verbosity: int = 1
    traceback: bool = False
    no_wait: bool = False
    arguments: list[str] = field(default_factory=list)
    invert: bool = False  # exists --not
    location: bool = False
    collections: list[str] = field(default_factory=list)
    product_types: list[str] = field(default_factory=list)
    times: dict[str, datetime] = field(default_factory=dict)

    def selection(self) -> ProductSelection:
        """The same selection as ``ProductOptions.build`` makes from the same options."""
        from vires_repo.products.selection import ProductSelection

        named = tuple(self.arguments)
        return ProductSelection(
            identifiers=() if self.location else named,
            locations=named if self.location else (),
            collections=tuple(self.collections),
            product_types=tuple(self.product_types),
            after=self.times.get("after"),
            before=self.times.get("before"),
        )


def parse(tokens: Sequence[str]) -> QuickLookup | None:
    """The lookup that ``tokens`` ask for, or None unless the quick path reads all of them."""
    globals_: dict[str, str | bool] = {}
    position = 0
    while position < len(tokens) and tokens[position].startswith("-"):
        token = tokens[position]
        name = _GLOBAL_FLAGS.get(token) or _GLOBAL_VALUES.get(token)
        if name in globals_:  # given twice: as cyclopts takes it
            return None
        if token in _GLOBAL_FLAGS:
            globals_[_GLOBAL_FLAGS[token]] = True
            position += 1
        elif token in _GLOBAL_VALUES and _is_value(tokens, position + 1):
            globals_[_GLOBAL_VALUES[token]] = tokens[position + 1]
            position += 2
        else:
            return None
    if tokens[position : position + 1] != ["product"] or position + 1 >= len(tokens):
        return None
    command = tokens[position + 1]
    if command not in ("exists", "list") or globals_.get("verbosity", "1") not in _VERBOSITIES:
        return None
    lookup = QuickLookup(
        command,
        catalog=str(globals_["catalog"]) if "catalog" in globals_ else None,
        verbosity=int(str(globals_.get("verbosity", "1"))),
        traceback=bool(globals_.get("traceback", False)),
        no_wait=bool(globals_.get("no_wait", False)),
    )
    if not _read_command(lookup, tokens[position + 2 :]):
        return None
    if command == "exists" and len(lookup.arguments) != 1:
        return None
    return lookup


def _read_command(lookup: QuickLookup, tokens: Sequence[str]) -> bool:
    """Read the command's arguments and options into ``lookup``; False at anything else."""
    from vires_repo.timespec import parse_time_spec

    position = 0
    while position < len(tokens):
        token = tokens[position]
        if not token.startswith("-"):
            lookup.arguments.append(token)
        elif token in _LOCATION and not lookup.location:
            lookup.location = True
        elif token == "--not" and lookup.command == "exists" and not lookup.invert:
            lookup.invert = True
        elif token in _REPEATED and _is_value(tokens, position + 1):
            getattr(lookup, _REPEATED[token]).append(tokens[position + 1])
            position += 1
        elif (
            token in _TIMES
            and _TIMES[token] not in lookup.times
            and _is_value(tokens, position + 1)
        ):
            try:  # a bad time: cyclopts says so in its words
                lookup.times[_TIMES[token]] = parse_time_spec(tokens[position + 1])
            except ViresRepoError:
                return False
            position += 1
        else:
            return False
        position += 1
    return True


def _is_value(tokens: Sequence[str], position: int) -> bool:
    return position < len(tokens) and not tokens[position].startswith("-")


def answer(tokens: Sequence[str]) -> int | None:
    """Run ``tokens`` if they are a lookup the quick path reads (its exit code), else None."""
    lookup = parse(tokens)
    if lookup is None:
        return None
    _common.session.begin(
        catalog=lookup.catalog,
        verbosity=lookup.verbosity,
        traceback=lookup.traceback,
        no_wait=lookup.no_wait,
    )
    try:
        if lookup.command == "exists":
            return tell_exists(lookup.arguments[0], lookup.selection(), lookup.invert)
        print_products(lookup.selection())
        return 0
    finally:
        _common.session.close()
