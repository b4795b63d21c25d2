"""Several page checks' scripts sent to the page in one call.

Most page checks read the page once with one small script. Each call crosses Python, the driver, the browser and
the page, and that crossing cost about as much CPU as the small scripts themselves (about 1.4 ms of CPU a call over
the processes, some twenty calls a page). The checks that only read the page (``PageCheck.reads_only``) therefore
run side by side, and a :class:`BatchedSession` collects their ``evaluate`` calls: once every one of them is
waiting for the page (or the event loop has gone round without a new call), the collected functions go to the page
as one script that calls them in order and returns every result, or the error of each one that threw.
"""

from __future__ import annotations

import asyncio
from typing import Any

from qa.visit.driver import Session

# Loop turns a pending call waits for another check's call before the batch is sent anyway: a check may be busy
# with something other than the page (its own Python work, a direct driver call).
SPIN = 3


class PageScriptError(Exception):
    """The check's script threw in the page (the other scripts of its batch still ran)."""


def batch_script(functions: list[str]) -> str:
    """One function expression calling ``functions`` with their arguments (a list): started in order, awaited
    together (a read-only script that awaits, such as a fetch from the cache, holds up no other)."""
    calls = ",\n".join(f"(async () => ({f})(args[{i}]))()" for i, f in enumerate(functions))
    return (
        "async (args) => {\n  const calls = [\n" + calls + "\n  ];\n"
        "  return Promise.all(calls.map((p) => p.then((v) => ({v: v === undefined ? null : v}),"
        " (e) => ({e: String(e && e.stack || e).slice(0, 2000)}))));\n}"
    )


class BatchedSession:
    """A :class:`~qa.visit.driver.Session` whose ``evaluate`` calls from ``members`` concurrent checks are sent in
    batches; every other call goes straight to the session."""

    def __init__(self, session: Session, members: int) -> None:
        self._session = session
        self._waiting = members  # checks still running: a batch is full when they all wait in it
        self._pending: list[tuple[str, Any, asyncio.Future[Any]]] = []
        self._spin: asyncio.Handle | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((function, arg, future))
        self._maybe_send()
        return await future

    def finished(self) -> None:
        """One member check is done: the batch no longer waits for its call."""
        self._waiting -= 1
        self._maybe_send()

    def _maybe_send(self, turns: int = 0) -> None:
        if not self._pending:
            return
        if len(self._pending) >= self._waiting or turns >= SPIN:
            if self._spin is not None:
                self._spin.cancel()
                self._spin = None
            calls, self._pending = self._pending, []
            asyncio.ensure_future(self._send(calls))
        elif self._spin is None or turns:
            self._spin = asyncio.get_running_loop().call_soon(self._maybe_send, turns + 1)

    async def _send(self, calls: list[tuple[str, Any, asyncio.Future[Any]]]) -> None:
        live = [c for c in calls if not c[2].done()]  # a check whose time ran out no longer waits
        if not live:
            return
        try:
            if len(live) == 1:
                function, arg, _ = live[0]
                results = [{"v": await self._session.evaluate(function, arg)}]
            else:
                results = await self._session.evaluate(batch_script([f for f, _, _ in live]), [a for _, a, _ in live])
        except Exception as exc:  # the tab or the driver failed: every check of the batch meets it
            for _, _, future in live:
                if not future.done():
                    future.set_exception(exc)
            return
        except asyncio.CancelledError:
            for _, _, future in live:
                future.cancel()
            raise
        for (_, _, future), result in zip(live, results, strict=True):
            if future.done():
                continue
            if "e" in result:
                future.set_exception(PageScriptError(result["e"]))
            else:
                future.set_result(result.get("v"))
