"""Progress for long runs: a live line on a terminal, quiet periodic lines under CI."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, interval_s: float = 10.0, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.interval_s = interval_s
        self.quiet = quiet
        self.found = 0
        self.done = 0
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, found: int, done: int) -> None:
        self.found, self.done = found, done
        now = time.monotonic()
        if self.quiet or (not self.live and now - self._last < self.interval_s):
            return
        self._last = now
        self._emit(end="\r" if self.live else "\n")

    def finish(self) -> None:
        if not self.quiet:
            self._emit(end="\n")

    def _emit(self, end: str) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed * 60
        left = max(self.found - self.done, 0)
        eta = f"{left / (self.done / elapsed):.0f}s" if self.done else "?"
        line = f"visits {self.done}/{self.found}  {rate:.0f}/min  ETA {eta}"
        self.stream.write(line.ljust(60) + end)
        self.stream.flush()
