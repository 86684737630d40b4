"""An s3:// catalogue whose object store cannot be reached or refuses us: one ``ERROR:`` line
naming the catalogue, exit 1, never a traceback (issue 11, "unreachable object stores").

The store is a loopback port that is bound but not listening (connection refused at once), with
one attempt per request; credentials are fake or missing. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import fsspec.config
import pytest

from vires_repo.errors import StorageError
from vires_repo.io.storage import LOCK_FILE, Storage

CATALOG = "s3://vires-unreachable/catalog"
SUBPROCESS_TIMEOUT = 60
_FAST_FAILURE = {"retries": {"max_attempts": 1}, "connect_timeout": 1, "read_timeout": 2}


@pytest.fixture
def refusing_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` where the port is ours but nobody listens: refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def environment(endpoint: str, *, credentials: bool = True) -> dict[str, str]:
    """A subprocess environment pointing s3fs at ``endpoint`` only (no real AWS settings)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "FSSPEC_", "VIRES_"))
    }
    env.update(
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        FSSPEC_S3=json.dumps(
            {"client_kwargs": {"endpoint_url": endpoint}, "config_kwargs": _FAST_FAILURE}
        ),
    )
    if credentials:
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    return env


def run(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vires_repo", "--catalog", CATALOG, *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )


def assert_one_error_line(done: subprocess.CompletedProcess[str], problem: str) -> str:
    """Exit 1; stderr is log lines and, last, exactly one ``ERROR:`` line naming the catalogue
    and ``problem``; no traceback. Returns the ERROR line."""
    lines = done.stderr.splitlines()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert [line for line in lines if line.startswith("ERROR:")] == lines[-1:], done.stderr
    assert all(line.startswith(("DEBUG:", "INFO:", "ERROR:")) for line in lines), done.stderr
    assert CATALOG in lines[-1]
    assert problem in lines[-1]
    return lines[-1]


@pytest.mark.parametrize(
    "arguments",
    [
        ("info", "--json"),
        ("-v", "2", "product", "list"),
        ("product_type", "list"),
        ("product_type", "import", "--default"),
        ("product_collection", "list"),
        ("product", "exists", "SW_OPER_MAGA_LR_1B_20160101T000000_20160101T235959_0505"),
        ("sql", "SELECT 1"),
        ("check",),
    ],
    ids=" ".join,
)
def test_connection_refused_is_one_error_line(
    refusing_endpoint: str, arguments: tuple[str, ...]
) -> None:
    done = run(environment(refusing_endpoint), *arguments)

    assert_one_error_line(done, refusing_endpoint)
    assert done.stdout == ""


def test_missing_credentials_are_one_error_line(refusing_endpoint: str) -> None:
    done = run(environment(refusing_endpoint, credentials=False), "product_type", "list")

    assert_one_error_line(done, "credentials")


def test_a_lock_that_cannot_be_taken_names_the_lock_file(
    refusing_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {"client_kwargs": {"endpoint_url": refusing_endpoint}, "config_kwargs": _FAST_FAILURE}
    monkeypatch.setitem(fsspec.config.conf, "s3", config)

    with pytest.raises(StorageError, match=LOCK_FILE) as raised, Storage(CATALOG).lock(1):
        pass

    assert CATALOG in str(raised.value)


def test_errors_of_the_locked_body_are_not_relabelled(s3_root: str) -> None:
    """Only the lock's own requests are translated: the body's errors pass through as they are."""
    with pytest.raises(PermissionError, match="the body"), Storage(s3_root).lock(5):
        raise PermissionError("the body")


@pytest.mark.parametrize("arguments", [("info", "--json"), ("product_type", "list")], ids=" ".join)
def test_a_missing_bucket_is_one_error_line(s3_config: str, arguments: tuple[str, ...]) -> None:
    """The store answers, but the catalogue's bucket does not exist (read commands)."""
    done = run(environment(s3_config), *arguments)

    assert_one_error_line(done, "does not exist")
