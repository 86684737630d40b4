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
   pushes, with a short growing pause between them.

Exit status: 0 when everything was registered and pushed (or there was nothing to do),
1 when a file failed to register, a check failed or the push did not succeed, 2 for bad
arguments or a catalogue outside a git work tree.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PATTERN = "{collection}_*.cdf"
DEFAULT_BOT_NAME = "github-actions[bot]"
DEFAULT_BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
MAX_PAUSE_SECONDS = 10.0
COMMAND_TIMEOUT = 3600  # seconds, per vires-repo or git command


class Failure(Exception):
    """A step failed; the message says which and why."""


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


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Register new product files into the catalogue, commit and push.",
    )
    parser.add_argument("--catalog", default="catalog", help="catalogue folder (in git)")
    parser.add_argument(
        "--source",
        default=os.environ.get("VIRES_SOURCE_URL"),
        help="folder or fsspec URL with the product files (default: $VIRES_SOURCE_URL)",
    )
    parser.add_argument(
        "--collection",
        action="append",
        default=[],
        help="collection to register (repeat; default: $VIRES_COLLECTIONS)",
    )
    parser.add_argument(
        "--pattern", default=DEFAULT_PATTERN, help=f"file-name glob (default {DEFAULT_PATTERN})"
    )
    parser.add_argument("--push", action="store_true", help="push the commit")
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--branch", default=None, help="branch to push (default: the current)")
    parser.add_argument("--attempts", type=int, default=5, help="pushes tried (default 5)")
    parser.add_argument("--bot-name", default=DEFAULT_BOT_NAME)
    parser.add_argument("--bot-email", default=DEFAULT_BOT_EMAIL)
    arguments = parser.parse_args(argv)
    if not arguments.collection:
        text = os.environ.get("VIRES_COLLECTIONS", "")
        arguments.collection = text.replace(",", " ").split()
    if not arguments.source:
        parser.error("no source: give --source or set VIRES_SOURCE_URL")
    if not arguments.collection:
        parser.error("no collection: give --collection or set VIRES_COLLECTIONS")
    if arguments.attempts < 1:
        parser.error("--attempts must be at least 1")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    catalog_path = Path(arguments.catalog).resolve()
    if not catalog_path.is_dir():
        say(f"{catalog_path} does not exist")
        return 2
    top = work_tree_of(catalog_path)
    git = Git(top, arguments.bot_name, arguments.bot_email)
    folder = catalog_path.relative_to(top).as_posix() or "."
    catalog = str(catalog_path)
    branch = arguments.branch or git("rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    if arguments.push and git("status", "--porcelain").stdout.strip():
        say("the work tree has uncommitted changes: refusing to register and push")
        return 2

    def register_and_commit() -> tuple[bool, Registration]:
        registration = register_new(
            catalog, arguments.source, arguments.collection, arguments.pattern
        )
        update_and_check(catalog)
        return commit(git, folder, registration), registration

    try:
        committed, registration = register_and_commit()
        failed = set(registration.failed)
        if not committed:
            say("the catalogue did not change: nothing to commit")
        elif not arguments.push:
            say("committed (not pushed: no --push)")
        else:
            for attempt in range(1, arguments.attempts + 1):
                pushed = git("push", arguments.remote, f"HEAD:refs/heads/{branch}", check=False)
                if pushed.returncode == 0:
                    say(f"pushed to {arguments.remote}/{branch} (attempt {attempt})")
                    break
                if not is_rejection(pushed.stderr):
                    raise Failure(f"git push failed: {pushed.stderr.strip()}")
                if attempt == arguments.attempts:
                    raise Failure(f"push still rejected after {attempt} attempt(s)")
                pause = min(MAX_PAUSE_SECONDS, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
                say(f"push rejected: {arguments.remote}/{branch} moved on; rebasing")
                time.sleep(pause)
                git("fetch", "--quiet", arguments.remote, branch)
                rebased = git("rebase", "--quiet", "FETCH_HEAD", check=False)
                if rebased.returncode == 0:
                    try:
                        update_and_check(catalog)
                        continue
                    except Failure as error:
                        say(f"the rebased catalogue does not pass ({error}): registering again")
                else:
                    say("the rebase conflicts: registering again on top of the new commits")
                    git("rebase", "--abort", check=False)
                git("reset", "--quiet", "--hard", "FETCH_HEAD")
                committed, registration = register_and_commit()
                failed.update(registration.failed)
                if not committed:
                    say("nothing left to register after the rebase")
                    break
    except Failure as error:
        say(str(error))
        return 1
    if failed:
        say(f"some files failed to register in: {', '.join(sorted(failed))}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
