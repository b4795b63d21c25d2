"""Independent, CPU-bound report jobs (one workbook each) on several cores.

Large runs spend most of their report time in openpyxl writing the checklist workbooks, one per conformance
profile. Forked children share the results already in memory, so nothing is pickled.
Inside :func:`overlapped` (``render_all``), the jobs go to children at once and this process goes on with the other
reports meanwhile, then takes whichever jobs no child has started yet.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from typing import Any

from qa.threads import only_parked_threads

Job = Callable[[], object]


class _Queue:
    """Jobs shared by forked processes: each takes the next one not yet taken, and marks it done when it is."""

    def __init__(self, jobs: list[Job], first: int) -> None:
        self.jobs = jobs
        self.next: Any = multiprocessing.get_context("fork").Value("i", first)  # the first ones are given out
        self.done: Any = multiprocessing.get_context("fork").Array("b", len(jobs))

    def run(self, i: int) -> None:
        self.jobs[i]()
        self.done[i] = 1

    def drain(self) -> None:
        while True:
            with self.next.get_lock():
                i = self.next.value
                self.next.value = i + 1
            if i >= len(self.jobs):
                return
            self.run(i)

    def left(self) -> list[Job]:
        """The jobs no process finished (a child that failed left its job unfinished)."""
        return [job for i, job in enumerate(self.jobs) if not self.done[i]]


_queues: list[tuple[_Queue, list[BaseProcess]]] | None = None  # inside overlapped(): not finished yet


def run_jobs(jobs: list[Job], parallel: bool = True) -> None:
    """Run every job; with several cores, in forked children too (outside :func:`overlapped`: this process and
    one child per other core until the jobs are done; inside it: one child per other core, this process
    returns to its other work and joins in when the block ends).

    A child that fails leaves its job to this process, which runs it again, so errors surface here as usual.
    Forking is skipped where it is unsafe or useless: no fork (Windows), threads alive that are not
    waiting ones (qa/threads.py), one core, or the
    caller says so (``parallel``: jobs whose memory would add up past what the run may use)."""
    cores = os.cpu_count() or 1
    if not parallel or len(jobs) < (1 if _queues is not None else 2) or cores < 2 or not _can_fork():
        for job in jobs:
            job()
        return
    # One child per other core, no more: this process works too, and a third process on two cores only adds a
    # copy of the run's memory (a 2,000-page merge: 1,040 MB with two checklist children, 770 MB with one).
    busy = sum(len(children) for _, children in _queues or [])
    room = min(len(jobs), cores - 1 - busy)
    if room < 1:
        for job in jobs:
            job()
        return
    queue = _Queue(jobs, first=room)
    children = [_start(queue, i) for i in range(room)]  # each child's first job is its own: it starts at once
    if _queues is not None:
        _queues.append((queue, children))
        return
    _finish(queue, children)


@contextmanager
def overlapped() -> Iterator[None]:
    """Jobs started inside run in children while this process goes on; leaving joins in and waits for them."""
    global _queues
    if _queues is not None:  # nested: the outer block joins
        yield
        return
    _queues = []
    try:
        yield
    finally:
        started, _queues = _queues, None
        for queue, children in started:
            _finish(queue, children)


def _can_fork() -> bool:
    return hasattr(os, "fork") and only_parked_threads()


def _start(queue: _Queue, first: int) -> BaseProcess:
    child = multiprocessing.get_context("fork").Process(target=_child, args=(queue, first), daemon=True)
    child.start()
    return child


def _finish(queue: _Queue, children: list[BaseProcess]) -> None:
    try:
        queue.drain()
    finally:
        for child in children:
            child.join()
    for job in queue.left():
        job()


def _child(queue: _Queue, first: int) -> None:
    try:
        queue.run(first)
        queue.drain()
    except BaseException:  # the parent runs the job again and reports the error itself
        os._exit(1)
