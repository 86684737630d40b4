"""How the services report: every message goes through the :class:`Messages` a use case is given.

A use case never prints: it calls ``say.info``, ``say.warning``, ``say.error`` or
``say.debug``. By default these go to the logger of its area (``vires_repo.product``,
``vires_repo.orbit_direction``, ...), so the command line's ``-v`` decides what shows; the
command line passes its console functions where VirES prints a message whatever the
verbosity. What a batch counts (and the
failures that decide the exit code) comes back in its result, not as messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

Say = Callable[[str], None]


@dataclass(frozen=True)
class Messages:
    """Where a use case's messages go."""

    info: Say
    warning: Say
    error: Say
    debug: Say

    @classmethod
    def logged(cls, area: str, *, info_level: int = logging.INFO) -> Messages:
        """Messages to the logger ``vires_repo.<area>``; per-item info lines at ``info_level``."""
        logger = logging.getLogger(f"vires_repo.{area}")
        return cls(
            info=lambda text: logger.log(info_level, "%s", text),
            warning=lambda text: logger.warning("%s", text),
            error=lambda text: logger.error("%s", text),
            debug=lambda text: logger.debug("%s", text),
        )

    def but(self, **routes: Say) -> Messages:
        """These messages with some kinds sent elsewhere (e.g. warnings to the console)."""
        return Messages(**{**vars(self), **routes})
