"""Parallel execution: one way to map a function over many inputs, in order.

Reading CDF files is CPU-bound pure Python (cdflib), so threads would share one core: many
local inputs go to worker processes. Inputs behind a URL go to threads instead, because their
filesystem objects (e.g. ``memory://``) live in this process. Workers are spawned, not forked:
forking a process that already runs pyarrow's threads can kill the child. Below a caller's
threshold, starting workers (about 0.3 s for spawned processes) costs more than it saves,
and the work runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar

_In = TypeVar("_In")
_Out = TypeVar("_Out")

MAX_WORKERS = 8


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
        else ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    )
    chunk = max(1, len(inputs) // (workers * chunks_per_worker))
    with pool:
        yield from pool.map(function, inputs, chunksize=chunk)
