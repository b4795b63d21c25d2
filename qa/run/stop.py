"""Ctrl-C and SIGTERM over a whole run: whichever phase is running (discovery, the crawl, the whole-run checks) stops,
what finished is kept, and the run goes on to write its partial results and reports.

A phase runs under :meth:`Stop.phase`. On the first signal the phase is cancelled (or told to stop, when it stops
gracefully itself: the crawl lets pages in flight finish) and the phases after it do not start. Judging and the
reports are not cancelled: they write what was kept; a signal then is noted and they finish, and a second one
stops at once (the files they write are replaced atomically, so nothing is left half-written).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stop:
    def __init__(self) -> None:
        self.requested = False
        self._on_signal: Callable[[bool], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> Stop:
        self._loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            try:
                self._loop.add_signal_handler(sig, self._signalled)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
                pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            for sig in SIGNALS:
                try:
                    self._loop.remove_signal_handler(sig)
                except (NotImplementedError, RuntimeError, ValueError):
                    pass

    def _signalled(self) -> None:
        first = not self.requested
        self.requested = True
        if self._on_signal is not None:
            self._on_signal(first)

    async def phase(self, work: Awaitable[T], stopped: T, on_signal: Callable[[bool], None] | None = None) -> T:
        """``work``'s result, or ``stopped`` when a signal came before or during it. ``on_signal(first)`` replaces
        cancelling the work at once: a phase that stops gracefully ends itself and returns its own result."""
        if self.requested:
            if asyncio.iscoroutine(work):
                work.close()  # never started
            return stopped
        task = asyncio.ensure_future(work)

        def cancel(first: bool) -> None:
            task.cancel()

        self._on_signal = on_signal or cancel
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self.requested or (current is not None and current.cancelling()):
                raise  # cancelled from outside, not by a signal
            return stopped
        finally:
            self._on_signal = None

    @contextmanager
    def finishing(self) -> Iterator[None]:
        """For the synchronous end of the run (judging, reports): the first signal is noted and the work
        finishes; the second has its usual effect (Ctrl-C stops, SIGTERM ends the process)."""
        previous: dict[int, Any] = {}

        def note(signum: int, frame: object) -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            print("qa: finishing the reports first (signal again to stop at once)", file=sys.stderr)

        try:
            for sig in SIGNALS:
                previous[sig] = signal.signal(sig, note)
        except ValueError:  # not the main thread: no handlers to swap
            previous.clear()
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
