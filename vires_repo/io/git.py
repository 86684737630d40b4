"""The git seam: every git command of the package runs through :func:`run_git`.

git is run as a subprocess (the porcelain a user would type), its output captured; a failure
becomes a :class:`~vires_repo.errors.GitError` carrying git's own last line of complaint.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Container

from vires_repo.errors import GitError

_SUCCESS = (0,)


def run_git(
    cwd: str | os.PathLike[str],
    *args: str,
    stdin: bytes | None = None,
    accept: Container[int] = _SUCCESS,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git args`` in ``cwd``; an exit status outside ``accept`` (or no git at all)
    raises :class:`GitError` naming the command and git's message."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None
    if done.returncode not in accept:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        raise GitError(f"git {args[0]} failed in {cwd}: {detail}")
    return done


def git_output(cwd: str | os.PathLike[str], *args: str, stdin: bytes | None = None) -> bytes:
    """The standard output of a successful ``git args`` in ``cwd``."""
    return run_git(cwd, *args, stdin=stdin).stdout
