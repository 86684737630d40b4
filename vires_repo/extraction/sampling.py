"""VirES's minimum-step sampler (reference vires-data-extraction.md, sections 1.4 and 4).

The times are cut into bins ``step`` wide starting at a base time ``t0``; a row is kept when it
is the first one of its bin, i.e. ``trunc((t[i] - t0) / step) != trunc((t[i-1] - t0) / step)``:
no two kept rows share a bin. A zero step means no sampling.

VirES takes ``t0`` as the first time of each master product and so restarts the grid at every
product. :func:`sample_indices` returns a :class:`SamplerState` that, passed with the next
product's times, continues one grid from the first time of the whole window instead (the kept
rows of a window spanning several products are then the rows one series would keep); call it
with ``state=None`` for each product to restart the grid as VirES does. With products that
start on the grid (daily products at midnight and a step dividing a day, the usual case) both
give the same rows.

``group_samples`` adds back every row sharing the time of a kept row (VirES's
``GroupingSampler``, for collections with several records per time such as observatories).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from vires_repo.errors import ExtractionRequestError
from vires_repo.timespec import parse_duration

IndexArray = npt.NDArray[np.int64]


def parse_sampling_step(text: str) -> timedelta:
    """An ISO-8601 duration (VirES's input ``sampling_step``: ``PT10S``, ``P1D``, ...).

    Raises :class:`~vires_repo.errors.ExtractionRequestError` for anything else or a negative
    duration.
    """
    try:
        return parse_duration(text)
    except ValueError as error:
        raise ExtractionRequestError(f"Invalid input value of 'sampling_step'! {error}") from None


@dataclass(frozen=True)
class SamplerState:
    """Where the sampling grid of a series stands after a product: its base time and the bin
    of the last row seen (both in the integer nanoseconds of ``datetime64[ns]``)."""

    base: int
    last_bin: int


def sample_indices(
    times: npt.NDArray[np.datetime64],
    step: timedelta,
    state: SamplerState | None = None,
    *,
    group_samples: bool = False,
) -> tuple[IndexArray, SamplerState | None]:
    """Indices of the rows of ``times`` (non-decreasing) the sampler keeps, and the state to
    pass with the next product's times (unchanged for an empty product).
    """
    count = len(times)
    step_ns = _nanoseconds(step)
    if step_ns == 0:
        return np.arange(count, dtype=np.int64), state
    if count == 0:
        return np.empty(0, dtype=np.int64), state
    values = np.asarray(times).astype("datetime64[ns]").view(np.int64)
    base = int(values[0]) if state is None else state.base
    offsets = values - base
    bins = np.abs(offsets) // step_ns * np.sign(offsets)  # truncated towards zero, as VirES
    first = state is None or int(bins[0]) != state.last_bin
    keep = np.empty(count, dtype=np.bool_)
    keep[0] = first
    np.not_equal(bins[1:], bins[:-1], out=keep[1:])
    if group_samples:
        keep = np.isin(values, values[keep])
    return np.flatnonzero(keep).astype(np.int64, copy=False), SamplerState(base, int(bins[-1]))


def _nanoseconds(step: timedelta) -> int:
    return (step.days * 86_400 + step.seconds) * 1_000_000_000 + step.microseconds * 1_000
