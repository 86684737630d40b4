"""``vires_repo.parallel``: the order of results, the time limit of one task (in this process
and in worker processes) and its manners towards an outer timer such as pytest-timeout's."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool

import pytest

from vires_repo.parallel import TimeLimitExceeded, ordered_map, time_limit


def _bounded_spin(seconds: float) -> str:
    """Spins in Python for ``seconds`` under a 0.5 s limit (module level: workers import it)."""
    try:
        with time_limit(0.5):
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                pass
    except TimeLimitExceeded:
        return "stopped"
    return "done"


@pytest.mark.parametrize("min_parallel", [1, 100], ids=["processes", "serial"])
def test_a_task_past_its_limit_stops_alone_and_the_order_holds(min_parallel: int) -> None:
    started = time.monotonic()
    results = list(ordered_map(_bounded_spin, [0, 60, 0.01, 60], min_parallel=min_parallel))
    assert results == ["done", "stopped", "done", "stopped"]
    assert time.monotonic() - started < 20


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fails_on_three(value: int) -> int:
    if value == 3:
        raise ValueError(f"no {value}")
    time.sleep(0.02)
    return value


def _ends_its_process(value: int) -> int:
    """Ends the worker process that takes an input (not the caller: it raises there)."""
    if os.getpid() != int(os.environ["PARALLEL_TEST_CALLER"]):
        os._exit(3)
    time.sleep(0.05)
    return value


def test_the_caller_works_beside_the_workers() -> None:
    pids = list(ordered_map(_pid_after, [0.05] * 80, min_parallel=1))

    assert pids[0] == os.getpid()  # no waiting for a worker to start
    assert len(set(pids)) == 2  # one worker joined on two cores


def test_work_done_before_a_worker_starts_does_not_wait_for_it() -> None:
    started = time.monotonic()
    pids = list(ordered_map(_pid_after, [0, 0, 0], min_parallel=1))

    assert pids == [os.getpid()] * 3
    assert time.monotonic() - started < 5


def test_a_failure_is_raised_at_its_turn() -> None:
    results = ordered_map(_fails_on_three, list(range(40)), min_parallel=1)

    assert [next(results) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="no 3"):
        next(results)


def test_a_worker_that_dies_breaks_the_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLEL_TEST_CALLER", str(os.getpid()))
    with pytest.raises(BrokenProcessPool, match="exit codes \\[3\\]"):
        list(ordered_map(_ends_its_process, list(range(200)), min_parallel=1))


def test_the_limit_interrupts_a_sleep() -> None:
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded), time_limit(0.2):
        time.sleep(30)
    assert time.monotonic() - started < 5


def test_no_alarm_is_left_behind() -> None:
    with time_limit(0.2):
        pass
    time.sleep(0.3)  # an alarm left armed would go off here


@pytest.fixture
def outer_timer() -> Iterator[list[int]]:
    """An outer SIGALRM timer of 100 s; the list collects its firings."""
    fired: list[int] = []
    previous_handler = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    previous_timer = signal.setitimer(signal.ITIMER_REAL, 100)
    yield fired
    signal.setitimer(signal.ITIMER_REAL, *previous_timer)
    signal.signal(signal.SIGALRM, previous_handler)


def test_a_later_outer_timer_keeps_its_handler_and_remaining_time(outer_timer: list[int]) -> None:
    handler = signal.getsignal(signal.SIGALRM)
    with time_limit(0.2):
        pass
    assert signal.getsignal(signal.SIGALRM) is handler
    assert 99 < signal.getitimer(signal.ITIMER_REAL)[0] <= 100
    assert outer_timer == []


def test_an_outer_timer_that_expires_first_is_left_alone(outer_timer: list[int]) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    with time_limit(5):
        time.sleep(0.3)  # the outer handler fires, not the limit
    assert outer_timer == [signal.SIGALRM]


def test_outside_the_main_thread_there_is_no_limit() -> None:
    outcome: list[str] = []
    thread = threading.Thread(target=lambda: outcome.append(_bounded_spin(0.8)))
    thread.start()
    thread.join()
    assert outcome == ["done"]
