"""``--no-wait`` and the ``lock status|clear`` commands, on a local and a ``memory://``
catalogue (the object-store lock is tested under tests/s3)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from vires_repo.io.storage import Storage

CliRunner = Callable[..., Any]
TYPE = (
    '[{"name": "TYPE_A", "datasets": {"D": {"t": {"dataType": "timestamp", '
    '"primaryTimestamp": true}}}}]'
)


def test_no_wait_fails_at_once_naming_the_holder(cli: CliRunner, catalog_root: str) -> None:
    holder = Storage(catalog_root)
    holder.makedirs()

    with holder.lock():
        started = time.monotonic()
        code, out, err = cli("-C", catalog_root, "--no-wait", "product_type", "import", stdin=TYPE)
        elapsed = time.monotonic() - started

    assert (code, out) == (1, "")
    assert err.startswith(f"ERROR: catalogue {catalog_root} is locked by ")
    assert err.endswith("; did not wait (--no-wait)\n")
    if "://" not in catalog_root:
        assert " on " in err and " since " in err  # pid N on HOST since TIME
    assert len(err.splitlines()) == 1
    assert elapsed < 5  # the default VIRES_LOCK_TIMEOUT is 60 s
    assert cli("-C", catalog_root, "--no-wait", "product_type", "import", stdin=TYPE).code == 0
