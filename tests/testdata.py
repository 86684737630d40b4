"""Where the real test files are: ``tests/data`` (copied from the shared test data, see its
README), or ``$VIRES_TESTDATA``."""

import os
from pathlib import Path

TESTDATA = Path(os.environ.get("VIRES_TESTDATA") or Path(__file__).resolve().parent / "data")
