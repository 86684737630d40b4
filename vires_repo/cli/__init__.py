"""The ``vires-repo`` command line: the entry point and its one error boundary.

Global options come before the command, as with the VirES ``manage.py`` commands::

    vires-repo --catalog ./catalog -v 2 product list -c SW_OPER_MAGA_LR_1B

The plain lookups (``product exists``, ``product list`` with the common options) are answered
by a quick path without cyclopts, whose import and parsing would double their time; every other
command line goes to the cyclopts application in :mod:`vires_repo.cli.app`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from vires_repo.cli import _common, lookups
from vires_repo.errors import ViresRepoError


def main(argv: Sequence[str] | None = None, *, quick: bool = True) -> int:
    """Console-script entry point: run a command and return its exit code. ``quick=False``
    sends the lookups to cyclopts too (the tests compare both paths)."""
    tokens = list(sys.argv[1:] if argv is None else argv)
    # Nothing here multiplies matrices: without this, importing numpy starts OpenBLAS's thread
    # pool, about 20 ms of every command that reads data (and 50 ms of CPU).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        code = lookups.answer(tokens) if quick else None
        if code is None:
            from vires_repo.cli.app import run

            code = run(tokens)
        return code
    except ViresRepoError as exc:
        if _common.session.traceback:
            _print_traceback()
        _common.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _common.error("interrupted")
        return 130
    except BrokenPipeError:  # e.g. `vires-repo product list | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # disk full, permission denied, ...: nothing was committed
        if _common.session.traceback:
            _print_traceback()
        where = f"{exc.filename}: " if exc.filename else ""
        _common.error(f"{where}{exc.strerror or exc}")
        return 1


def _print_traceback() -> None:
    import traceback  # only for --traceback

    traceback.print_exc()
