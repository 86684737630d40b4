"""An S3 API on loopback for the object-store tests: moto's server mode.

* ``s3_endpoint`` (session): a ``ThreadedMotoServer`` on ``127.0.0.1`` and a free port,
  stopped at the end of the session;
* ``s3_config`` (autouse here): s3fs pointed at that server through fsspec's configuration
  (``client_kwargs.endpoint_url``, short timeouts, two attempts per request) and fake
  credentials; :func:`s3_environment` gives the same settings as environment variables for
  subprocesses (``FSSPEC_S3``);
* ``bucket``: a new, empty bucket per test; ``s3_root``: a catalogue URL in it that holds the
  definitions of the Swarm MAG LR collections.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from s3_env import CREDENTIALS, MAG_COLLECTIONS, s3fs_options


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        assert host == "127.0.0.1"
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def s3_config(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    import fsspec.config

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setitem(fsspec.config.conf, "s3", s3fs_options(s3_endpoint))
    return s3_endpoint


@pytest.fixture
def s3fs_filesystem(s3_config: str) -> Any:
    import fsspec

    return fsspec.filesystem("s3")


@pytest.fixture
def bucket(s3fs_filesystem: Any) -> str:
    name = f"vires-{uuid.uuid4().hex[:16]}"
    s3fs_filesystem.mkdir(name)
    return name


@pytest.fixture
def s3_root(bucket: str) -> str:
    """``s3://<bucket>/catalog`` with the product types and collections of Swarm MAG LR."""
    from ci_env import import_mag_definitions

    from vires_repo.catalog import Catalog

    root = f"s3://{bucket}/catalog"
    import_mag_definitions(Catalog(root), *MAG_COLLECTIONS)
    return root
