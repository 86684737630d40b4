#!/usr/bin/env python3
"""Register new product files into a git-versioned catalogue and push the change (CI helper).

The scheduled ``register`` workflow runs this; it works the same on a developer's machine.

Source convention: ``--source URL`` is a folder (local path or any fsspec URL such as
``s3://bucket/swarm``); the product files of collection ``C`` are the files named
``C_*.cdf`` (ESA's naming: a Swarm product file name starts with its collection identifier,
e.g. ``SW_OPER_MAGA_LR_1B_20160101T000000_20160101T235959_0409.cdf``; the extension is
matched case-insensitively) in ``URL/C/`` or, when that folder does not exist, directly in
``URL/``. ``--pattern`` changes the file-name pattern (``{collection}`` is replaced).
Collections are given with ``--collection C`` (repeatable) or ``VIRES_COLLECTIONS``
(whitespace- or comma-separated); the source also comes from ``VIRES_SOURCE_URL``.

What a run does:

1. for each collection, list the source files, drop those already registered (by location,
   as ``vires-repo product exists -l`` would) and register the rest with
   ``vires-repo product register -c C -f -``;
2. run ``vires-repo orbit_direction sync`` and ``vires-repo check``; a failing check stops
   the run before anything is committed;
3. if files of the catalogue changed, commit them (only the catalogue folder) as the bot
   (``--bot-name``/``--bot-email``, default ``github-actions[bot]``);
4. with ``--push``: push to ``--remote``/``--branch``. A push rejected because the branch
   moved on (another run or a merged pull request) fetches the branch and rebases onto it;
   when the rebase conflicts (both changed the same partition manifest) it is aborted, the
   work tree is reset to the fetched branch and the registration is done again on top of it
   (it is idempotent: files registered by the other run are skipped). At most ``--attempts``
   pushes, with a short growing, jittered pause between them (tenacity).

Exit status: 0 when everything was registered and pushed (or there was nothing to do),
1 when a file failed to register, a check failed or the push did not succeed, 2 for bad
arguments or a catalogue outside a git work tree.
"""

from __future__ import annotations

import fnmatch
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from cyclopts import App, Parameter, validators
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

DEFAULT_PATTERN = "{collection}_*.cdf"
DEFAULT_BOT_NAME = "github-actions[bot]"
DEFAULT_BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
MAX_PAUSE_SECONDS = 10.0
COMMAND_TIMEOUT = 3600  # seconds, per vires-repo or git command


class Failure(Exception):
    """A step failed; the message says which and why."""


class PushRejected(Exception):
    """The remote branch moved on since the last fetch: catch up, then push again."""


def say(message: str) -> None:
    print(f"ci_register: {message}", file=sys.stderr, flush=True)


# -- the vires-repo command line ---------------------------------------------------------


def vires_repo(
    catalog: str, *argv: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``vires-repo --catalog CATALOG ARGV...`` with this Python (output passed through).

    A process killed by a signal (e.g. an abort at interpreter exit) is run once more: every
    write of vires-repo is atomic and these commands are idempotent, so a rerun completes
    whatever the first run left undone.
    """
    command = [sys.executable, "-m", "vires_repo", "--catalog", catalog, *argv]
    for attempt in (1, 2):
        done = subprocess.run(command, input=stdin, text=True, check=False, timeout=COMMAND_TIMEOUT)
        if done.returncode >= 0 and done.returncode != 128 + signal.SIGABRT:
            break
        if attempt == 1:
            say(f"'vires-repo {argv[0]}' died (exit {done.returncode}): running it again")
    return done


# -- finding and registering new files ---------------------------------------------------


def source_files(source: str, collection: str, pattern: str) -> list[str]:
    """Locations of the collection's product files in the source (sorted)."""
    import fsspec

    from vires_repo.products.locations import normalize_location

    fs, root = fsspec.core.url_to_fs(source)
    root = root.rstrip("/")
    folder = f"{root}/{collection}"
    if not fs.isdir(folder):
        folder = root
    glob = pattern.format(collection=collection).lower()
    found = []
    for entry in fs.ls(folder, detail=True):
        name = str(entry["name"]).rstrip("/").rsplit("/", 1)[-1]
        if entry["type"] == "file" and fnmatch.fnmatchcase(name.lower(), glob):
            path = str(entry["name"])
            found.append(path if "://" not in source else fs.unstrip_protocol(path))
    return sorted(normalize_location(location) for location in found)


def registered_locations(catalog: str, collection: str, locations: Sequence[str]) -> set[str]:
    """The subset of ``locations`` that a product of ``collection`` already points at."""
    from vires_repo.catalog import Catalog

    if not locations:
        return set()
    records = Catalog(catalog).products.find_by_location(locations, [collection])
    wanted = set(locations)
    return {loc for record in records for loc in record.dataset_locations() if loc in wanted}


@dataclass
class Registration:
    added: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.added.values())


def register_new(
    catalog: str, source: str, collections: Sequence[str], pattern: str
) -> Registration:
    outcome = Registration()
    for collection in collections:
        files = source_files(source, collection, pattern)
        known = registered_locations(catalog, collection, files)
        new = [location for location in files if location not in known]
        say(f"{collection}: {len(files)} file(s) in the source, {len(new)} new")
        if not new:
            continue
        done = vires_repo(
            catalog, "product", "register", "-c", collection, "-f", "-", stdin="\n".join(new)
        )
        if done.returncode != 0:
            outcome.failed.append(collection)
        registered = registered_locations(catalog, collection, new)
        if registered:
            outcome.added[collection] = len(registered)
    return outcome


def update_and_check(catalog: str) -> None:
    """Bring derived tables up to date, then refuse to go on with a broken catalogue."""
    say("running 'vires-repo orbit_direction sync'")
    if vires_repo(catalog, "orbit_direction", "sync").returncode != 0:
        raise Failure("'vires-repo orbit_direction sync' failed")
    say("running 'vires-repo check'")
    if vires_repo(catalog, "check").returncode != 0:
        raise Failure("'vires-repo check' found errors: nothing is committed")


# -- git ---------------------------------------------------------------------------------


@dataclass
class Git:
    top: Path
    name: str
    email: str

    def __call__(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        identity = {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_EDITOR": "true",
        }
        done = subprocess.run(
            ["git", "-C", str(self.top), *argv],
            capture_output=True,
            text=True,
            check=False,
            timeout=COMMAND_TIMEOUT,
            env={**os.environ, **identity},
        )
        if check and done.returncode != 0:
            raise Failure(f"git {' '.join(argv)} failed: {done.stderr.strip()}")
        return done


def work_tree_of(catalog: Path) -> Path:
    done = subprocess.run(
        ["git", "-C", str(catalog), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise SystemExit(f"ci_register: {catalog} is not inside a git work tree")
    return Path(done.stdout.strip())


def commit(git: Git, folder: str, registration: Registration) -> bool:
    """Commit the catalogue folder if it changed; True if a commit was made."""
    git("add", "--all", "--", folder)
    if git("diff", "--cached", "--quiet", "--", folder, check=False).returncode == 0:
        return False
    counts = ", ".join(f"{c} +{n}" for c, n in sorted(registration.added.items()))
    title = f"Register {registration.total} new product(s)" if registration.total else ""
    title = title or "Update the catalogue after registration"
    body = f"Scheduled registration: {counts}." if counts else "Derived tables brought up to date."
    git("commit", "--quiet", "-m", title, "-m", body, "--", folder)
    return True


def is_rejection(stderr: str) -> bool:
    markers = ("[rejected]", "non-fast-forward", "fetch first", "failed to update ref")
    return any(marker in stderr for marker in markers)


# -- the run -----------------------------------------------------------------------------

app = App(
    name="ci_register.py",
    help="Register new product files into the catalogue, commit and push.",
    version_flags=(),
    default_parameter=Parameter(negative="", negative_iterable=""),
)


def _split_collections(_type: object, text: str, delimiter: str | None = None) -> list[str]:
    """``VIRES_COLLECTIONS``: identifiers separated by whitespace or commas."""
    return text.replace(",", " ").split()


def _catch_up(git: Git, catalog: str, remote: str, branch: str) -> bool:
    """After a rejected push: rebase onto the fetched branch, or when that conflicts or
    breaks the catalogue, reset to it; True when the rebased commit can be pushed as is."""
    git("fetch", "--quiet", remote, branch)
    if git("rebase", "--quiet", "FETCH_HEAD", check=False).returncode == 0:
        try:
            update_and_check(catalog)
            return True
        except Failure as error:
            say(f"the rebased catalogue does not pass ({error}): registering again")
    else:
        say("the rebase conflicts: registering again on top of the new commits")
        git("rebase", "--abort", check=False)
    git("reset", "--quiet", "--hard", "FETCH_HEAD")
    return False


@app.default
def register(
    *,
    catalog: str = "catalog",
    source: Annotated[str | None, Parameter(env_var="VIRES_SOURCE_URL")] = None,
    collection: Annotated[
        list[str] | None,
        Parameter(env_var="VIRES_COLLECTIONS", env_var_split=_split_collections),
    ] = None,
    pattern: str = DEFAULT_PATTERN,
    push: bool = False,
    remote: str = "origin",
    branch: str | None = None,
    attempts: Annotated[int, Parameter(validator=validators.Number(gte=1))] = 5,
    bot_name: str = DEFAULT_BOT_NAME,
    bot_email: str = DEFAULT_BOT_EMAIL,
) -> int:
    """Register new product files into the catalogue, commit and push.

    Parameters
    ----------
    catalog
        Catalogue folder (in git).
    source
        Folder or fsspec URL with the product files.
    collection
        Collection to register (repeat the option; the variable separates them by spaces or
        commas).
    pattern
        File-name glob; ``{collection}`` is replaced.
    push
        Push the commit.
    remote
        Remote to push to.
    branch
        Branch to push (default: the current one).
    attempts
        Pushes tried.
    bot_name
        Author and committer name of the commit.
    bot_email
        Author and committer e-mail of the commit.
    """
    if not source:
        say("no source: give --source or set VIRES_SOURCE_URL")
        return 2
    if not collection:
        say("no collection: give --collection or set VIRES_COLLECTIONS")
        return 2
    catalog_path = Path(catalog).resolve()
    if not catalog_path.is_dir():
        say(f"{catalog_path} does not exist")
        return 2
    top = work_tree_of(catalog_path)
    git = Git(top, bot_name, bot_email)
    folder = catalog_path.relative_to(top).as_posix() or "."
    root = str(catalog_path)
    branch = branch or git("rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    if push and git("status", "--porcelain").stdout.strip():
        say("the work tree has uncommitted changes: refusing to register and push")
        return 2

    failed: set[str] = set()

    def register_and_commit() -> bool:
        registration = register_new(root, source, collection, pattern)
        failed.update(registration.failed)
        update_and_check(root)
        return commit(git, folder, registration)

    def announce_retry(state: RetryCallState) -> None:
        say(f"push rejected: {remote}/{branch} moved on; rebasing")

    def push_until_accepted() -> None:
        retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait_random_exponential(multiplier=0.5, max=MAX_PAUSE_SECONDS),
            retry=retry_if_exception_type(PushRejected),
            before_sleep=announce_retry,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                if number > 1 and not _catch_up(git, root, remote, branch):
                    if not register_and_commit():
                        say("nothing left to register after the rebase")
                        return
                pushed = git("push", remote, f"HEAD:refs/heads/{branch}", check=False)
                if pushed.returncode == 0:
                    say(f"pushed to {remote}/{branch} (attempt {number})")
                    return
                if not is_rejection(pushed.stderr):
                    raise Failure(f"git push failed: {pushed.stderr.strip()}")
                raise PushRejected

    try:
        if not register_and_commit():
            say("the catalogue did not change: nothing to commit")
        elif not push:
            say("committed (not pushed: no --push)")
        else:
            try:
                push_until_accepted()
            except PushRejected:
                raise Failure(f"push still rejected after {attempts} attempt(s)") from None
    except Failure as error:
        say(str(error))
        return 1
    if failed:
        say(f"some files failed to register in: {', '.join(sorted(failed))}")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    result = app(argv, result_action="return_value")
    return result if isinstance(result, int) else 0  # --help


if __name__ == "__main__":
    sys.exit(main())
