"""Time options out of the representable range (years 0001 to 9999) are usage errors that name
the option and the value: exit 2, no traceback, nothing read or written (issue 11)."""

from __future__ import annotations

import pytest
from pcli_env import ProductEnv

OPTIONS = [
    "--after",
    "--before",
    "--created-after",
    "--created-before",
    "--updated-after",
    "--updated-before",
]
VALUES = [
    "0000-01-01",
    "-0001-01-01",
    "10000-01-01",
    "0001-01-01T00:00:00+01:00",
    "P999999999D",
    "P99999999999999999999Y",
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("option", OPTIONS)
def test_an_out_of_range_time_option_is_a_usage_error(
    local_env: ProductEnv, option: str, value: str
) -> None:
    for command in ("list", "export", "deregister"):
        result = local_env("product", command, f"{option}={value}")

        assert "Traceback" not in result.err, (command, result.err)
        assert result.code == 2, (command, result.err)
        assert result.out == ""
        message = " ".join(result.err.split())  # the usage box wraps long lines
        assert f"Invalid value for {option}: Invalid time specification '{value}'" in message


def test_the_ends_of_the_range_select(local_env: ProductEnv) -> None:
    result = local_env("product", "list", "--after=0001-01-01", "--before=9999-12-31T23:59:59Z")
    assert result.code == 0, result.err
    result = local_env("product", "list", "--created-after=P738000D")
    assert result.code == 0, result.err
