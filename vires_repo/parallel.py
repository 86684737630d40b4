"""Parallel execution: one way to map a function over many inputs, in order.

Reading CDF files is CPU-bound pure Python (cdflib), so threads would share one core: many
local inputs go to worker processes. Inputs behind a URL go to threads instead, because their
filesystem objects (e.g. ``memory://``) live in this process. Workers are spawned, not forked:
forking a process that already runs pyarrow's threads can kill the child.

A spawned worker starts a fresh interpreter and imports its modules (0.3-0.4 s of CPU for the
orbit-direction extraction, numpy, cdflib and apexpy), so the calling process works too
instead of waiting for it: it and one worker per further core take the next unclaimed inputs
from a shared counter (:func:`_shared_map`). The caller starts at once with its warm imports,
a worker joins when it is ready, and a worker that is not ready by the end is stopped unused:
the parallel path costs the caller little more than starting the workers (a few ms), and
pays as soon as the inputs take longer than a worker's start-up. Below a caller's threshold
the work runs in this process alone.

Workers die with the process that started them (:func:`_die_with_parent`): a SIGKILLed
parent cannot shut its workers down, and they would otherwise live on (and with them
multiprocessing's resource tracker, which waits for every holder of its pipe).
:func:`time_limit` bounds one task where a library can loop on a bad input.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

_In = TypeVar("_In")
_Out = TypeVar("_Out")

MAX_WORKERS = 8

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PARENT_POLL_SECONDS = 1.0  # where the kernel cannot signal a parent's death


class TimeLimitExceeded(BaseException):  # noqa: N818 (like KeyboardInterrupt, not an error)
    """Raised by :func:`time_limit` into the task it bounds. A BaseException so that no
    ``except Exception`` of the library being interrupted turns it into its own error."""


def worker_count() -> int:
    """Processes that work on a parallel map here (this one included): one per core this
    process may run on (its CPU affinity, e.g. ``taskset`` or a container's CPU set), at
    most :data:`MAX_WORKERS`."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 1
    return min(cores, MAX_WORKERS)


def ordered_map(
    function: Callable[[_In], _Out],
    inputs: Sequence[_In],
    *,
    min_parallel: int,
    in_process: bool = False,
    chunks_per_worker: int = 4,
) -> Iterator[_Out]:
    """``function`` of each input, in input order.

    Runs serially below ``min_parallel`` inputs or on one core; otherwise in this process and
    worker processes together (the module docstring says how), or in threads when
    ``in_process`` (inputs that only this process can open). ``function`` must be a
    module-level function and its inputs picklable for processes; each process claims
    about ``1 / chunks_per_worker`` of its share at a time.
    """
    workers = worker_count()
    if len(inputs) < min_parallel or workers < 2:
        yield from map(function, inputs)
        return
    chunk = max(1, len(inputs) // (workers * chunks_per_worker))
    if in_process:
        with ThreadPoolExecutor(workers) as pool:
            yield from pool.map(function, inputs)
        return
    yield from _shared_map(function, inputs, helpers=workers - 1, chunk=chunk)


def _claim(next_free: Any, chunk: int, total: int) -> range:
    """The next ``chunk`` unclaimed input positions (empty when all are claimed)."""
    with next_free.get_lock():
        start = next_free.value
        next_free.value = min(start + chunk, total)
    return range(start, min(start + chunk, total))


def _shared_map(
    function: Callable[[_In], _Out], inputs: Sequence[_In], *, helpers: int, chunk: int
) -> Iterator[_Out]:
    """:func:`ordered_map` by this process and ``helpers`` spawned workers claiming chunks
    of inputs from one counter; results are yielded in input order as they are ready."""
    context = multiprocessing.get_context("spawn")
    next_free = context.Value("q", 0)
    results: Any = context.Queue()
    workers = [
        context.Process(
            target=_work,
            args=(function, inputs, next_free, chunk, results, os.getpid()),
            daemon=True,
        )
        for _ in range(helpers)
    ]
    for worker in workers:
        worker.start()
    done: dict[int, tuple[bool, Any]] = {}
    position = 0
    try:
        while claimed := _claim(next_free, chunk, len(inputs)):
            done.update(_run(function, inputs, claimed))
            _collect(results, done, workers, wait=False)
            while position in done:
                yield _outcome(done.pop(position))
                position += 1
        while position < len(inputs):
            if position not in done:
                _collect(results, done, workers, wait=True)
                continue
            yield _outcome(done.pop(position))
            position += 1
    finally:
        for worker in workers:  # a worker still starting up is not needed any more
            if worker.is_alive():
                worker.terminate()
            worker.join()
        results.close()
        results.cancel_join_thread()


def _collect(
    results: Any, done: dict[int, tuple[bool, Any]], workers: Sequence[Any], *, wait: bool
) -> None:
    """Move the workers' finished chunks into ``done``; with ``wait``, wait for one chunk
    (raising ``BrokenProcessPool``, as a process pool would, once every worker has ended
    without sending the results of the inputs it took: killed, or a library ended it)."""
    while True:
        try:
            chunk = results.get(timeout=0.05) if wait else results.get_nowait()
        except queue.Empty:
            if not wait:
                return
            if any(worker.is_alive() for worker in workers):
                continue
            try:  # a chunk sent just before its worker ended
                chunk = results.get(timeout=0.5)
            except queue.Empty:
                codes = sorted({worker.exitcode for worker in workers})
                raise BrokenProcessPool(
                    f"a worker process ended (exit codes {codes}) without returning "
                    "the results of the inputs it had taken"
                ) from None
        done.update(chunk)
        if wait:
            return


def _outcome(result: tuple[bool, Any]) -> Any:
    succeeded, value = result
    if not succeeded:
        raise value
    return value


def _work(
    function: Callable[[_In], _Out],
    inputs: Sequence[_In],
    next_free: Any,
    chunk: int,
    results: Any,
    parent_pid: int,
) -> None:
    """A worker: claim chunks of inputs until none is left, send each chunk's results."""
    _die_with_parent(parent_pid)
    while claimed := _claim(next_free, chunk, len(inputs)):
        results.put(_run(function, inputs, claimed, picklable=True))


def _run(
    function: Callable[[_In], _Out],
    inputs: Sequence[_In],
    claimed: range,
    *,
    picklable: bool = False,
) -> list[tuple[int, tuple[bool, Any]]]:
    """``(position, (succeeded, result or exception))`` of the claimed inputs: a failure is
    raised in the caller at its input's turn, whichever process met it."""
    outcomes: list[tuple[int, tuple[bool, Any]]] = []
    for index in claimed:
        try:
            outcomes.append((index, (True, function(inputs[index]))))
        except Exception as error:
            outcomes.append((index, (False, _picklable(error) if picklable else error)))
    return outcomes


def _picklable(error: Exception) -> Exception:
    try:
        pickle.dumps(error)
    except Exception:  # noqa: BLE001 (any pickling failure: send its text instead)
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _die_with_parent(parent_pid: int) -> None:
    """End this worker when ``parent_pid`` dies.

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
