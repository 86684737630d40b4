"""The progress of a long registration: a rich bar on a terminal, periodic lines in logs."""

from __future__ import annotations

import sys

import pytest

from vires_repo.cli import _common


def test_a_terminal_gets_a_progress_bar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with _common.progress_reporter("Registering", "products") as progress:
        for done in range(1, 4):
            progress(done, 3)

    err = capsys.readouterr().err
    assert "Registering products" in err
    assert "3/3" in err


def test_a_log_gets_a_line_per_interval(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with _common.progress_reporter("Registering", "products", interval=0.0) as progress:
        progress(1, 3)
        progress(3, 3)  # the end is not announced: the summary follows

    assert capsys.readouterr().err == "INFO: registering products: 1 of 3 done\n"
