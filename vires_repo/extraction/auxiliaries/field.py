"""Magnetic field intensity ``F`` from ``B_NEC`` (VirES's ``BnecToF``, reference 5.6)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def intensity(b_nec: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``|B_NEC|`` (nT) of each row of an (n, 3) array."""
    values = np.asarray(b_nec, dtype=np.float64)
    result: npt.NDArray[np.float64] = np.sqrt(np.einsum("ij,ij->i", values, values))
    return result
