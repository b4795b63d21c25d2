"""Progress for long runs: a live line on a terminal; under CI periodic lines and one line per audited page."""

from __future__ import annotations

import shutil
import sys
import time
from typing import Any, TextIO

from qa.model import cell_name
from qa.redact import redact_url


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
        self.current = ""  # the page a visit started on last: the live line names it

    def visiting(self, url: str) -> None:
        """A visit starts: on a terminal the live line names its page (off one, page_done's line does)."""
        self.current = redact_url(url)
        if self.live and not self.quiet:
            self._emit(end="\r")

    def update(self, found: int, done: int) -> None:
        self.found, self.done = found, done
        now = time.monotonic()
        if self.quiet or (not self.live and now - self._last < self.interval_s):
            return
        self._last = now
        self._emit(end="\r" if self.live else "\n")

    def page_done(self, page: Any, result: Any, primary: bool) -> None:
        """A crawl listener: off a terminal (CI logs), one line per visit with its counts, the line users grep."""
        if self.quiet or self.live:
            return
        violations = sum(1 for f in result.findings if f.outcome == "violation" and f.sc)
        review = sum(1 for f in result.findings if f.outcome == "needs-review")
        state = f"not audited ({page.error_kind or 'error'})" if page.error else "audited"
        self.stream.write(
            f"page: {page.url}  cell={cell_name(page.browser, page.viewport)}  violations={violations}  "
            f"needs-review={review}  {state}\n"
        )
        self.stream.flush()

    def finish(self) -> None:
        if not self.quiet:
            self._emit(end="\n")

    def _emit(self, end: str) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed * 60
        left = max(self.found - self.done, 0)
        eta = f"{left / (self.done / elapsed):.0f}s" if self.done else "?"
        line = f"visits {self.done}/{self.found}  {rate:.0f}/min  ETA {eta}"
        if self.live and self.current and end == "\r":
            width = shutil.get_terminal_size().columns - 1
            line = f"{line}  {self.current}"[:width].ljust(width)
        self.stream.write(line.ljust(60) + end)
        self.stream.flush()
