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

import json
import logging
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

MAG_COLLECTIONS = ("SW_OPER_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B")

_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",  # never ask an instance-metadata endpoint
}


def s3fs_options(endpoint: str) -> dict[str, Any]:
    """fsspec configuration of the ``s3`` protocol: loopback endpoint, bounded requests."""
    return {
        "client_kwargs": {"endpoint_url": endpoint},
        "config_kwargs": {
            "connect_timeout": 5,
            "read_timeout": 30,
            "retries": {"max_attempts": 2, "mode": "standard"},
        },
    }


def s3_environment(endpoint: str) -> dict[str, str]:
    """Environment of a subprocess that must reach the loopback S3 server (and nothing else)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "FSSPEC_", "VIRES_"))
    }
    environment.update(_CREDENTIALS)
    environment["FSSPEC_S3"] = json.dumps(s3fs_options(endpoint))
    environment["NO_PROXY"] = environment["no_proxy"] = "127.0.0.1,localhost"
    return environment


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

    for name, value in _CREDENTIALS.items():
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
