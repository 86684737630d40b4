"""The invariants of an orbit-direction table (those VirES checks before saving one).

Points are in strictly increasing time; blocks open with a START and close with an END that
carries no direction; nothing lies between an END and the next START; inside a block the
direction is defined and alternates from one regular point to the next.
"""

from __future__ import annotations

import numpy as np

from vires_repo.errors import OrbitDirectionIntegrityError
from vires_repo.orbit_direction.extract import Boundaries, BoundaryType, OrbitDirection
from vires_repo.orbit_direction.missions import TableKey


def verify_boundaries(
    boundaries: Boundaries, key: TableKey, *, at_start: bool = True, at_end: bool = True
) -> None:
    """The invariants VirES checks before saving a table, on a whole table or on a run of
    consecutive points of one; raise on the first breach.

    ``at_start``/``at_end`` say whether the run begins/ends the table (then it must begin with a
    block START / end with a block END). Otherwise the run may begin inside a block (its first
    flag is then an END) and end inside one.
    """
    times, types, directions = boundaries.times, boundaries.types, boundaries.directions
    if not len(boundaries):
        return
    if np.any(np.isnat(times)):
        raise OrbitDirectionIntegrityError(f"{key}: a boundary time is missing (NaT)")
    decreasing = np.flatnonzero(times[1:] <= times[:-1])
    if decreasing.size:
        at = decreasing[0] + 1
        raise OrbitDirectionIntegrityError(
            f"{key}: boundary times are not strictly increasing at {times[at]} "
            f"(previous point {times[at - 1]})"
        )
    if not (np.isin(types, (-1, 0, 1)).all() and np.isin(directions, (-1, 0, 1)).all()):
        raise OrbitDirectionIntegrityError(
            f"{key}: boundary types and directions must be -1, 0 or 1"
        )
    if at_start and at_end and (types[0] != BoundaryType.START or types[-1] != BoundaryType.END):
        raise OrbitDirectionIntegrityError(
            f"{key}: the table must begin with a block START and end with a block END"
        )
    if at_start and types[0] != BoundaryType.START:
        raise OrbitDirectionIntegrityError(f"{key}: the table must begin with a block START")
    if at_end and types[-1] != BoundaryType.END:
        raise OrbitDirectionIntegrityError(f"{key}: the table must end with a block END")
    flags = np.flatnonzero(types != BoundaryType.REGULAR)
    inside = bool(flags.size and types[flags[0]] == BoundaryType.END) or not flags.size
    if types[0] == BoundaryType.REGULAR and not inside:
        raise OrbitDirectionIntegrityError(f"{key}: points outside a block at {times[0]}")
    first = BoundaryType.END if inside else BoundaryType.START
    second = BoundaryType.START if inside else BoundaryType.END
    expected = np.where(np.arange(flags.size) % 2 == 0, first, second)
    wrong = np.flatnonzero(types[flags] != expected)
    if wrong.size:
        at = flags[wrong[0]]
        raise OrbitDirectionIntegrityError(
            f"{key}: block START and END do not alternate at {times[at]}"
        )
    ends = flags[types[flags] == BoundaryType.END]
    followers = ends + 1
    followers = followers[followers < types.size]
    if np.any(types[followers] != BoundaryType.START):
        at = followers[np.flatnonzero(types[followers] != BoundaryType.START)[0]] - 1
        raise OrbitDirectionIntegrityError(
            f"{key}: points between the block END at {times[at]} and the next START"
        )
    if np.any(directions[ends] != OrbitDirection.UNDEFINED):
        raise OrbitDirectionIntegrityError(f"{key}: a block END has a direction")
    in_block = types != BoundaryType.END
    if np.any(directions[in_block] == OrbitDirection.UNDEFINED):
        at = np.flatnonzero(in_block & (directions == OrbitDirection.UNDEFINED))[0]
        raise OrbitDirectionIntegrityError(
            f"{key}: undefined orbit direction inside a block at {times[at]}"
        )
    repeated = np.flatnonzero(
        (directions[1:] == directions[:-1]) & (types[1:] == BoundaryType.REGULAR)
    )
    if repeated.size:
        at = repeated[0] + 1
        raise OrbitDirectionIntegrityError(
            f"{key}: orbit directions do not alternate at {times[at]}"
        )
