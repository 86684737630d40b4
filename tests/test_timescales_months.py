"""Milliseconds and calendar months in vires_repo.timescales (the orbit-direction tables)."""

from __future__ import annotations

import numpy as np

from vires_repo.timescales import format_ms, month_end, month_of, month_start, to_epoch_ms


def test_epoch_milliseconds_truncate_towards_the_past():
    assert to_epoch_ms(np.datetime64("1970-01-01T00:00:01.0019", "us")) == 1001
    assert to_epoch_ms(np.datetime64("1969-12-31T23:59:59.9995", "us")) == -1
    assert format_ms(np.datetime64("2016-02-01", "D")) == "2016-02-01T00:00:00.000Z"


def test_months():
    assert month_of(np.datetime64("2016-02-29T23:59:59.999", "ms")) == "2016-02"
    assert month_start("2016-02") == np.datetime64("2016-02-01T00:00:00.000", "ms")
    assert month_end("2016-12") == np.datetime64("2017-01-01T00:00:00.000", "ms")
    assert month_start("2016-02").dtype == month_end("2016-02").dtype == np.dtype("datetime64[ms]")
