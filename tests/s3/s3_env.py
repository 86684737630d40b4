"""Settings of the loopback S3 server shared by the object-store tests and their
subprocesses (a module of its own: tests import it by name, never ``conftest``, whose name
several folders share)."""

from __future__ import annotations

import json
import os
from typing import Any

MAG_COLLECTIONS = ("SW_OPER_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B")

CREDENTIALS = {
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
    environment.update(CREDENTIALS)
    environment["FSSPEC_S3"] = json.dumps(s3fs_options(endpoint))
    environment["NO_PROXY"] = environment["no_proxy"] = "127.0.0.1,localhost"
    return environment
