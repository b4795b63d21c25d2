"""The order in which one engine's worker takes its pages: it keeps to the viewport (tab) it is at."""

from __future__ import annotations

import asyncio

from qa.run.crawl import CellQueue
from qa.visit.matrix import ViewportSpec

DESKTOP, PHONE = ViewportSpec("desktop", 1366, 768), ViewportSpec("phone", 390, 844)


async def _take(queue: CellQueue, count: int, at: str) -> list[str]:
    taken = []
    for _ in range(count):
        url, _, viewport = await queue.get(at)
        at = viewport.name
        taken.append(f"{url}@{at}")
    return taken


def test_a_worker_stays_at_its_viewport_until_the_pages_there_are_done() -> None:
    queue = CellQueue()
    for url in ("a", "b", "c"):  # the crawl queues each URL in every cell
        queue.put(url, 0, DESKTOP)
        queue.put(url, 0, PHONE)
    assert asyncio.run(_take(queue, 6, "phone")) == [
        "a@phone",
        "b@phone",
        "c@phone",
        "a@desktop",
        "b@desktop",
        "c@desktop",
    ]


def test_a_new_worker_starts_where_pages_were_queued_first_and_an_idle_one_wakes_for_a_page_found_later() -> None:
    async def scenario() -> list[str]:
        queue = CellQueue()
        queue.put("home", 0, PHONE)
        queue.put("home", 0, DESKTOP)
        first = await _take(queue, 2, "")
        waiting = asyncio.ensure_future(_take(queue, 1, "desktop"))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # nothing queued: the worker waits instead of spinning
        queue.put("news", 1, PHONE)
        return first + await asyncio.wait_for(waiting, 5)

    assert asyncio.run(scenario()) == ["home@phone", "home@desktop", "news@phone"]
