"""Independent, CPU-bound report jobs (one workbook each) on several cores.

Large runs spend most of their report time in openpyxl writing the checklist workbooks, one per conformance
profile, each taking the same time. Forked children share the results already in memory, so nothing is pickled.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable

Job = Callable[[], object]


def run_jobs(jobs: list[Job], parallel: bool = True) -> None:
    """Run every job; with several cores, all but one at a time in forked children.

    A child that fails leaves its job to this process, which runs it again, so errors surface here as usual.
    Forking is skipped where it is unsafe or useless: no fork (Windows), other threads alive, one core, or the
    caller says so (``parallel``: jobs whose memory would add up past what the run may use)."""
    cores = os.cpu_count() or 1
    if not parallel or len(jobs) < 2 or cores < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        for job in jobs:
            job()
        return
    fork = multiprocessing.get_context("fork")
    for start in range(0, len(jobs), cores):
        batch = jobs[start : start + cores]
        children = [(job, fork.Process(target=_child, args=(job,), daemon=True)) for job in batch[1:]]
        for _, child in children:
            child.start()
        batch[0]()
        for job, child in children:
            child.join()
            if child.exitcode != 0:
                job()


def _child(job: Job) -> None:
    try:
        job()
    except BaseException:  # the parent runs the job again and reports the error itself
        os._exit(1)
