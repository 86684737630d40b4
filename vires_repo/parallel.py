"""Parallel execution: one way to map a function over many inputs, in order.

Reading CDF files is CPU-bound pure Python (cdflib), so threads would share one core: many
local inputs go to worker processes. Inputs behind a URL go to threads instead, because their
filesystem objects (e.g. ``memory://``) live in this process. Workers are spawned, not forked:
forking a process that already runs pyarrow's threads can kill the child. Below a caller's
threshold, starting workers (about 0.3 s for spawned processes) costs more than it saves,
and the work runs in this process.

Workers die with the process that started them (:func:`_die_with_parent`): a SIGKILLed
parent cannot shut its pool down, and its workers, blocked on a queue whose write end they
hold themselves, would otherwise live on (and with them multiprocessing's resource tracker,
which waits for every holder of its pipe). :func:`time_limit` bounds one task where a
library can loop on a bad input.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

_In = TypeVar("_In")
_Out = TypeVar("_Out")

MAX_WORKERS = 8

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PARENT_POLL_SECONDS = 1.0  # where the kernel cannot signal a parent's death


class TimeLimitExceeded(BaseException):  # noqa: N818 (like KeyboardInterrupt, not an error)
    """Raised by :func:`time_limit` into the task it bounds. A BaseException so that no
    ``except Exception`` of the library being interrupted turns it into its own error."""


def worker_count() -> int:
    """Workers a pool would start here: one per core, at most :data:`MAX_WORKERS`."""
    return min(os.cpu_count() or 1, MAX_WORKERS)


def ordered_map(
    function: Callable[[_In], _Out],
    inputs: Sequence[_In],
    *,
    min_parallel: int,
    in_process: bool = False,
    chunks_per_worker: int = 4,
) -> Iterator[_Out]:
    """``function`` of each input, in input order.

    Runs serially below ``min_parallel`` inputs or on one core; otherwise in worker processes,
    or in threads when ``in_process`` (inputs that only this process can open). ``function``
    must be a module-level function and its inputs picklable for processes.
    """
    workers = worker_count()
    if len(inputs) < min_parallel or workers < 2:
        yield from map(function, inputs)
        return
    pool: Executor = (
        ThreadPoolExecutor(workers)
        if in_process
        else ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
    )
    chunk = max(1, len(inputs) // (workers * chunks_per_worker))
    with pool:
        yield from pool.map(function, inputs, chunksize=chunk)


def _die_with_parent(parent_pid: int) -> None:
    """Pool initializer: end this worker when ``parent_pid`` dies.

    On Linux the kernel sends SIGKILL at once (``prctl(PR_SET_PDEATHSIG)``; it fires when the
    thread that started the worker ends, which is the thread iterating :func:`ordered_map`);
    elsewhere a daemon thread notices the new parent within :data:`_PARENT_POLL_SECONDS`.
    A parent that died before this ran is caught by the ``getppid`` check.
    """
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in the block once it has run ``seconds``.

    A SIGALRM timer: it interrupts Python code (a library looping on a bad input) but not a
    single long call into C, and it works only in the main thread of a POSIX process, which
    is where a worker process and the serial path of :func:`ordered_map` run; elsewhere (its
    threads, Windows) the block runs without a limit. An outer timer that expires first (e.g.
    pytest-timeout's) is left alone; a later one is restarted with its remaining time.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    if not (hasattr(signal, "setitimer") and in_main_thread):
        yield
        return
    outer_remaining, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_remaining and outer_remaining <= seconds:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(seconds)

    outer_handler = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_remaining:
            left = max(outer_remaining - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)
