"""Ctrl-C during a long ``vires-repo sql`` query, in a real process (a SIGINT reaches the
interpreter only between bytecodes, which is what the query's worker thread is for)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ENDLESS = "SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range + b.range < 0"


def test_sigint_stops_a_long_query_with_one_line_and_exit_130(
    tmp_path: Path, copy_default_catalog: Callable[[str], str]
) -> None:
    root = copy_default_catalog(str(tmp_path / "catalog"))
    process = subprocess.Popen(
        [sys.executable, "-m", "vires_repo", "--catalog", root, "sql", ENDLESS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        time.sleep(3)  # well inside the query (the interpreter and the views take about 1 s)
        assert process.poll() is None, process.communicate()
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()  # a query that ignored the signal would run for hours

    assert time.monotonic() - sent < 5
    assert (process.returncode, out, err) == (130, "", "ERROR: interrupted\n")
