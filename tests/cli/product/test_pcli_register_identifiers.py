"""``product register`` holds its identifiers to the rules of every way into the index
(issue 11): a file whose name gives an identifier with a control character fails alone, in one
line that prints it escaped; the other files are registered."""

from __future__ import annotations

from pathlib import Path

from pcli_env import MAG_A, ProductEnv, copy_to, ident, labelled, summary


def test_a_file_name_with_a_control_character_fails_alone(local_env: ProductEnv) -> None:
    env = local_env
    good = env.mag("2016-01-01T00:00:00", "2016-01-01T00:59:00")
    source = env.mag("2016-01-02T00:00:00", "2016-01-02T00:59:00")
    odd = copy_to(source, str(Path(env.data) / "odd\nname.cdf"))
    tabbed = copy_to(source, str(Path(env.data) / "tab\tname.cdf"))

    result = env.register(MAG_A, good, odd, tabbed)

    assert "Traceback" not in result.err
    assert result.code == 1
    assert labelled(result.err, "ERROR") == [
        f"ERROR: Registration of {MAG_A}/{name!r} failed! Reason: invalid identifier "
        f"{name!r}: '/' or a control character"
        for name in ("odd\nname", "tab\tname")
    ]
    assert summary(result.err) == [
        "1 of 3 product(s) registered.",
        "Failed to register 2 of 3 product(s).",
    ]
    assert env.listed() == [f"{MAG_A}/{ident(good)}"]
