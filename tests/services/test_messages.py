"""The one way services report: Messages to a logger by default, rerouted by the caller."""

from __future__ import annotations

import logging

import pytest

from vires_repo.services.messages import Messages


def test_logged_messages_go_to_the_areas_logger_at_their_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    say = Messages.logged("product")

    with caplog.at_level(logging.DEBUG, logger="vires_repo.product"):
        say.info("registered")
        say.warning("careful")
        say.error("failed")
        say.debug("detail")

    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("vires_repo.product", "INFO", "registered"),
        ("vires_repo.product", "WARNING", "careful"),
        ("vires_repo.product", "ERROR", "failed"),
        ("vires_repo.product", "DEBUG", "detail"),
    ]


def test_info_lines_can_be_demoted_and_kinds_rerouted(caplog: pytest.LogCaptureFixture) -> None:
    printed: list[str] = []
    say = Messages.logged("orbit_direction", info_level=logging.DEBUG).but(warning=printed.append)

    with caplog.at_level(logging.INFO, logger="vires_repo.orbit_direction"):
        say.info("per-product line")  # debug now: below the captured level
        say.warning("to the console")
        say.error("%s is not a format")  # logged as text, not as a format string

    assert printed == ["to the console"]
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", "%s is not a format")
    ]
