"""Column parsing of the auxiliary text formats (orbit counters, F10.7, Kp, Dst).

Every problem is reported as one line naming the file, the line number and what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.cached_products.product_time import require_valid_times
from vires_repo.errors import ProductFileError


@dataclass(frozen=True)
class Column:
    """One whitespace-separated column: its name, how to parse it and the numpy type."""

    name: str
    dtype: str
    parse: Callable[[str], Any] = float


class _FlagError(ValueError):
    """A flag token outside its code table (the message lists the allowed letters)."""


def flag_parser(codes: Mapping[str, int]) -> Callable[[str], int]:
    """Parser of a one-letter flag column (e.g. ``D`` definitive -> 0)."""

    def parse(token: str) -> int:
        try:
            return codes[token]
        except KeyError:
            raise _FlagError(f"expected one of {', '.join(codes)}") from None

    return parse


def parse_table(
    text: str,
    source_name: str,
    columns: Sequence[Column],
    comment_prefixes: tuple[str, ...] = ("#",),
) -> dict[str, npt.NDArray[Any]]:
    """Parse the data lines of ``text`` (blank and comment lines skipped) into column arrays."""
    header = " ".join(column.name for column in columns)
    values: list[list[Any]] = [[] for _ in columns]
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(comment_prefixes):
            continue
        tokens = stripped.split()
        if len(tokens) != len(columns):
            raise ProductFileError(
                f"{source_name}: line {number}: expected {len(columns)} columns ({header}), "
                f"found {len(tokens)}"
            )
        for column, token, target in zip(columns, tokens, values, strict=True):
            try:
                target.append(column.parse(token))
            except ValueError as error:
                detail = f" ({error})" if isinstance(error, _FlagError) else ""
                raise ProductFileError(
                    f"{source_name}: line {number}: invalid {column.name} value {token!r}{detail}"
                ) from None
    if not values[0]:
        raise ProductFileError(f"{source_name}: no data lines (expected columns {header})")
    return {
        column.name: np.asarray(target, dtype=column.dtype)
        for column, target in zip(columns, values, strict=True)
    }


def require_increasing(times: npt.NDArray[np.float64], source_name: str, label: str) -> None:
    """Reject invalid times and times that are not strictly increasing (lookups rely on
    sorted times)."""
    require_valid_times(times, source_name, label)
    steps = np.diff(times)
    if steps.size and steps.min() <= 0:
        index = int(np.argmax(steps <= 0)) + 1
        raise ProductFileError(
            f"{source_name}: {label} not strictly increasing at data record {index + 1} "
            f"({float(times[index - 1])!r} then {float(times[index])!r})"
        )
