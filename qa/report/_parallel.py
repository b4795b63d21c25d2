"""Independent, CPU-bound report jobs (one workbook each) on several cores.

Large runs spend most of their report time in openpyxl writing the checklist workbooks, one per conformance
profile, each taking the same time. Forked children share the results already in memory, so nothing is pickled.
Inside :func:`overlapped` (``render_all``), the jobs go to children at once and this process goes on with the other
reports meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess

Job = Callable[[], object]

_forked: list[tuple[Job, BaseProcess]] | None = None  # inside overlapped(): children not joined yet


def run_jobs(jobs: list[Job], parallel: bool = True) -> None:
    """Run every job; with several cores, in forked children (all but one at a time, or, inside
    :func:`overlapped`, as many as there are cores while this process returns to its other work).

    A child that fails leaves its job to this process, which runs it again, so errors surface here as usual.
    Forking is skipped where it is unsafe or useless: no fork (Windows), other threads alive, one core, or the
    caller says so (``parallel``: jobs whose memory would add up past what the run may use)."""
    cores = os.cpu_count() or 1
    overlapping = _forked is not None
    if not parallel or len(jobs) < (1 if overlapping else 2) or cores < 2 or not _can_fork():
        for job in jobs:
            job()
        return
    if _forked is not None:
        room = max(0, cores - len(_forked))
        _forked.extend((job, _start(job)) for job in jobs[:room])
        for job in jobs[room:]:
            job()
        return
    for start in range(0, len(jobs), cores):
        batch = jobs[start : start + cores]
        children = [(job, _start(job)) for job in batch[1:]]
        batch[0]()
        _join(children)


@contextmanager
def overlapped() -> Iterator[None]:
    """Jobs started inside run in children while this process goes on; leaving waits for them all."""
    global _forked
    if _forked is not None:  # nested: the outer block joins
        yield
        return
    _forked = []
    try:
        yield
    finally:
        children, _forked = _forked, None
        _join(children)


def _can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def _start(job: Job) -> BaseProcess:
    child = multiprocessing.get_context("fork").Process(target=_child, args=(job,), daemon=True)
    child.start()
    return child


def _join(children: list[tuple[Job, BaseProcess]]) -> None:
    for job, child in children:
        child.join()
        if child.exitcode != 0:
            job()


def _child(job: Job) -> None:
    try:
        job()
    except BaseException:  # the parent runs the job again and reports the error itself
        os._exit(1)
