"""HTML_CodeSniffer's cost per page, sent into each page (as before) against preloaded into its isolated world.

One Chromium with axe-core and IBM Equal Access preloaded as in an accessibility run, three tabs over the same
generated pages (``tests/gensite.py``), in rotating order: ``none`` only loads the page, ``sent`` loads it and runs
the engine sent into the page (``session.inject`` + a main-world evaluate), ``world`` loads it and runs the engine
in its world (``session.evaluate_with``, axe-core's selectors from the main world). Loading is inside the measure:
the preload's cost is paid there. CPU is read from /proc (the benchmark's whole process tree: qa, Playwright's
driver, every browser process) before and after each page, by process kind; the engine's cost is a tab's minus
``none``'s. Also checks that both ways give the same messages on every page.

    nice -n 19 python benchmarks/bench_htmlcs_world.py [PAGES]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playwright.async_api import async_playwright  # noqa: E402

from benchmarks.bench_big_page import cpu_of  # noqa: E402
from benchmarks.bench_matrix import served_site  # noqa: E402
from benchmarks.bench_memory import kind_of, tree_pids  # noqa: E402
from qa.check.ace import AceCheck  # noqa: E402
from qa.check.axe import AxeCheck  # noqa: E402
from qa.check.htmlcs import RUN_JS, STANDARD, HtmlcsCheck, japanese, main_world_targets  # noqa: E402
from qa.visit.driver import Session, evaluate_in_page  # noqa: E402
from qa.visit.engines import launch  # noqa: E402
from qa.visit.matrix import ViewportSpec, load_matrix  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WAYS = ("none", "sent", "world")


def cpu_now() -> dict[int, tuple[str, float]]:
    return {pid: (kind_of(pid), cpu_of(pid)) for pid in tree_pids(os.getpid())}


class _Context:
    """What main_world_targets reads of a check's context: the session."""

    def __init__(self, session: Session) -> None:
        self.session = session


async def visit(way: str, session: Session, url: str) -> list[Any]:
    await session.goto(url, 60)
    if way == "none":
        await session.evaluate("() => document.title")
        return []
    library = HtmlcsCheck().library()
    arg = {"standard": STANDARD, "en": japanese()["english"], "ja": japanese()["messages"]}
    if way == "sent":
        result = await evaluate_in_page(session, library, RUN_JS, arg)
    else:
        result = await session.evaluate_with(library, RUN_JS, arg)
        await main_world_targets(_Context(session), result["messages"])  # type: ignore[arg-type]
    return sorted((m["code"], m["target"], m["message"]) for m in result["messages"])


async def measure(urls: list[str]) -> dict[str, Any]:
    specs = {b.name: b for b in load_matrix(REPO / "browsers.yaml").browsers}
    preload = tuple(dict.fromkeys(AxeCheck().preload + AceCheck().preload))
    cpu: dict[str, dict[str, float]] = {way: {} for way in WAYS}
    wall = dict.fromkeys(WAYS, 0.0)
    same = 0
    async with async_playwright() as pw:
        engine = await launch(pw, specs["chromium"], preload)
        try:
            tabs = {way: await engine.new_session(ViewportSpec("desktop", 1280, 800)) for way in WAYS}
            for i, url in enumerate(urls):
                found = {}
                for way in WAYS[i % 3 :] + WAYS[: i % 3]:
                    before, started = cpu_now(), time.perf_counter()
                    found[way] = await visit(way, tabs[way], url)
                    wall[way] += time.perf_counter() - started
                    for pid, (kind, used) in cpu_now().items():
                        cpu[way][kind] = cpu[way].get(kind, 0.0) + used - before.get(pid, (kind, 0.0))[1]
                same += found["sent"] == found["world"]
        finally:
            await engine.close()
    n = len(urls)
    per_page = {way: {k: round(1000 * v / n, 1) for k, v in cpu[way].items() if abs(v) > 0.0005} for way in WAYS}
    return {
        "pages": n,
        "identical_messages": same,
        "wall_ms_per_page": {way: round(1000 * wall[way] / n, 1) for way in WAYS},
        "cpu_ms_per_page": {way: round(sum(per_page[way].values()), 1) for way in WAYS},
        "cpu_ms_per_page_by_kind": per_page,
        "engine_cpu_ms_per_page": {
            way: round(sum(per_page[way].values()) - sum(per_page["none"].values()), 1) for way in ("sent", "world")
        },
        "load": os.getloadavg()[0],
    }


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 90
    with tempfile.TemporaryDirectory() as tmp, served_site(Path(tmp), pages) as (urls, _, _):
        print(json.dumps(asyncio.run(measure(urls)), indent=2))


if __name__ == "__main__":
    main()
