"""Opening the job queue (:mod:`vires_repo.io.queue`): huey creates its tables when opened,
and several processes opening it at once on a fresh PostgreSQL database (workers started
together on several machines) all succeed."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier

from vires_repo.io.queue import JobQueue

OPENERS = 6


def _open(url: str, barrier: Barrier) -> None:
    barrier.wait()
    with JobQueue(url) as queue:
        queue.enqueue("job")


def test_processes_opening_a_fresh_postgresql_queue_at_once_all_succeed(postgres_url: str) -> None:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(OPENERS)
    openers = [context.Process(target=_open, args=(postgres_url, barrier)) for _ in range(OPENERS)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(timeout=60)

    assert [opener.exitcode for opener in openers] == [0] * OPENERS
    with JobQueue(postgres_url) as queue:
        assert queue.pending() == ["job"] * OPENERS
