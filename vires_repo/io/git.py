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


def git_objects(cwd: str | os.PathLike[str], object_ids: list[str]) -> dict[str, bytes]:
    """The contents of git objects by id, read by one ``git cat-file --batch`` (an id that
    the repository lacks raises :class:`GitError`)."""
    if not object_ids:
        return {}
    output = git_output(cwd, "cat-file", "--batch", stdin="\n".join(object_ids).encode() + b"\n")
    contents: dict[str, bytes] = {}
    position = 0
    for object_id in object_ids:
        end = output.index(b"\n", position)
        header = output[position:end].decode("utf-8", "replace").split()
        if len(header) != 3:
            raise GitError(f"git object {object_id} is missing in {cwd}")
        size = int(header[2])
        contents[object_id] = output[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return contents
