"""``vires-repo job`` (stand-in of the jobs-store helper's module until its branch is merged)."""

from __future__ import annotations

from cyclopts import App

app = App(name="job", help="Asynchronous jobs.")
