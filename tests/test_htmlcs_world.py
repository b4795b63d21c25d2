"""HTML_CodeSniffer runs in an isolated world of the page (Chromium), preloaded there: the page's own globals of the
same names (a bare ``translation``, ``HTMLCS``) neither break the engine nor are touched by it, no engine global
appears in the page's scripts, and documents the preload did not reach, a document written over itself, a new
navigation and a crashed tab all behave as when the engine was sent into each page. Firefox over WebDriver BiDi runs
it in a sandbox of the page, its isolated world, preloaded the same way.

Real Chromium and Firefox on loopback pages; the engines come from the engines cache (`qa setup`).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from qa.check._engines import engine_script
from qa.check.htmlcs import RUN_JS, STANDARD, HtmlcsCheck, japanese
from qa.visit.driver import DriverFault, Fault, Library, Session
from qa.visit.engines import launch, system_firefox
from qa.visit.matrix import ViewportSpec, load_matrix
from tests.conftest import REPO, PageHandler, QARun, descendants, run_qa, serve_handler

VIEWPORT = ViewportSpec("world", 1024, 768)
H37 = "WCAG2AA.Principle1.Guideline1_1.1_1_1.H37"  # an image without alt
F68 = "WCAG2AA.Principle1.Guideline1_3.1_3_1.F68"  # a control without a name
BARRIERS = "<main><h1>Harbour</h1><img id='harbour' src='/pixel.png'><label>Name</label><input id='nameless'></main>"
# The page's own globals under the engine's names, defined before anything else runs. Sent into the page, the engine
# found the page's HTMLCS "present" and called it; and a frozen translation broke its own set-up.
OWN_GLOBALS = """<script>
var translation = 'mine'; var _global = 'mine'; var HTMLCS_RUNNER = 'mine';
var HTMLCS = {mine: true, process: function () { throw new Error('the page own HTMLCS ran'); }};
var HTMLCS_WCAG2AA = {mine: true, sniffs: []};
addEventListener('load', () => { window.keysAtLoad = Object.keys(window).sort(); });
</script>"""
FROZEN = """<script>
Object.defineProperty(window, 'translation', {value: Object.freeze({}), writable: false, configurable: false});
Object.defineProperty(window, 'HTMLCS', {value: Object.freeze({frozen: true}), writable: false, configurable: false});
</script>"""
PAGES = {
    "/own-globals.html": f"<!doctype html><html lang='en'><head><title>Own globals</title>{OWN_GLOBALS}</head>"
    f"<body>{BARRIERS}</body></html>",
    "/frozen.html": f"<!doctype html><html lang='en'><head><title>Frozen</title>{FROZEN}</head>"
    f"<body>{BARRIERS}</body></html>",
    "/barriers.html": f"<!doctype html><html lang='en'><head><title>Barriers</title></head>"
    f"<body>{BARRIERS}</body></html>",
    "/clean.html": "<!doctype html><html lang='en'><head><title>Harbour timetable</title></head><body><main>"
    "<h1>Harbour timetable</h1><p>Ferries leave every hour.</p><img src='/pixel.png' alt='The harbour at dawn'>"
    "</main></body></html>",
    # Replaces its whole document from a script once loaded: a new document the preload never saw.
    "/rewritten.html": "<!doctype html><html lang='en'><head><title>Before</title></head><body><p>loading</p><script>"
    "addEventListener('load', () => { document.open(); document.write(\"<!doctype html><html lang='en'><head>"
    "<title>After</title></head><body><main><h1>After</h1><img id='written' src='/pixel.png'></main></body></html>\");"
    " document.close(); document.title = 'After'; });</script></body></html>",
}
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
MAIN_WORLD_JS = """() => ({
  translation: window.translation, mine: !!(window.HTMLCS && window.HTMLCS.mine),
  sniffs: Object.keys(window).filter((k) => k.startsWith('HTMLCS_WCAG2AA_') || k === 'HTMLCS_Section508'),
  added: Object.keys(window).filter((k) => k !== 'keysAtLoad' && !window.keysAtLoad.includes(k)),
})"""


class Site(PageHandler):
    def do_GET(self) -> None:
        if self.path == "/pixel.png":
            self.send_html(PIXEL, headers={"Content-Type": "image/png"})
        elif self.path in PAGES:
            self.send_html(PAGES[self.path].encode())
        else:
            self.send_html(b"not here", status=404)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    if engine_script("htmlcs") is None:
        pytest.fail("HTML_CodeSniffer is not installed: run 'qa setup' (nox -s tests installs it)")
    with serve_handler(Site) as base:
        yield base.rstrip("/")


def codes(result: dict[str, Any]) -> dict[str, str]:
    """Message code -> the element's target, for the engine's errors and warnings."""
    return {m["code"]: m["target"] for m in result["messages"]}


async def run_htmlcs(session: Session, library: Library | None = None) -> dict[str, Any]:
    arg = {"standard": STANDARD, "en": japanese()["english"], "ja": japanese()["messages"]}
    return await session.evaluate_with(library or HtmlcsCheck().library(), RUN_JS, arg)


def chromium_visits(base: str) -> dict[str, Any]:
    """One Chromium tab through the cases, in order: the first call registers the preload, later documents get it."""
    seen: dict[str, Any] = {}

    async def scenario() -> None:
        specs = {b.name: b for b in load_matrix(REPO / "browsers.yaml").browsers}
        async with async_playwright() as pw:
            engine = await launch(pw, specs["chromium"])
            try:
                session = await engine.new_session(VIEWPORT)
                await session.goto(f"{base}/own-globals.html", 30)
                seen["first"] = await run_htmlcs(session)  # sent into this document's world, preloaded from now on
                await session.goto(f"{base}/own-globals.html", 30)
                # A library whose source would say it was sent: the engine is in the world already, nothing is sent.
                spy = Library("qa-htmlcs", "window.sentNow = true;", HtmlcsCheck.present)
                seen["preloaded"] = await session.evaluate_with(spy, "() => [typeof HTMLCS, typeof window.sentNow]")
                seen["own_globals"] = await run_htmlcs(session)
                seen["main_world"] = await session.evaluate(MAIN_WORLD_JS)
                await session.goto(f"{base}/frozen.html", 30)
                seen["frozen"] = await run_htmlcs(session)
                await session.goto(f"{base}/clean.html", 30)  # a new navigation: its own findings, none left over
                seen["clean"] = await run_htmlcs(session)
                await session.goto(f"{base}/rewritten.html", 30)
                await session.evaluate(
                    "() => new Promise((ok) => { const w = () => document.title === 'After' ?"
                    " ok() : setTimeout(w, 20); w(); })"
                )
                seen["rewritten"] = await run_htmlcs(session)
                await session.goto("about:blank", 30)
                await session.evaluate(f"() => {{ document.body.innerHTML = {BARRIERS!r}; }}")
                seen["blank"] = await run_htmlcs(session)
                await session.goto(f"{base}/clean.html", 30)
                for pid in [p for p in descendants(os.getpid()) if "--type=renderer" in _cmdline(p)]:
                    os.kill(pid, signal.SIGKILL)
                await asyncio.sleep(1)
                try:
                    seen["crashed"] = await run_htmlcs(session)
                except DriverFault as exc:
                    seen["crashed"] = exc
                await session.close()
            finally:
                await engine.close()

    asyncio.run(scenario())
    return seen


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.fixture(scope="module")
def chromium(site: str) -> dict[str, Any]:
    return chromium_visits(site)


def test_the_engine_is_preloaded_into_its_world_and_finds_the_barriers(chromium: dict[str, Any]) -> None:
    assert chromium["preloaded"] == ["object", "undefined"]
    for case in ("first", "own_globals", "frozen", "blank"):
        found = codes(chromium[case])
        assert found.get(H37) == "#harbour" and found.get(F68) == "#nameless", (case, found)


def test_the_page_globals_of_the_engine_names_are_untouched_and_none_of_the_engine_leaks(
    chromium: dict[str, Any],
) -> None:
    assert chromium["main_world"] == {"translation": "mine", "mine": True, "sniffs": [], "added": []}


def test_a_clean_page_a_rewritten_document_and_a_crashed_tab(chromium: dict[str, Any]) -> None:
    assert codes(chromium["clean"]) == {}
    assert codes(chromium["rewritten"]) == {H37: "#written"}
    assert isinstance(chromium["crashed"], DriverFault) and chromium["crashed"].fault == Fault.CRASH


def test_firefox_runs_the_engine_in_a_sandbox_of_the_page(site: str) -> None:
    if system_firefox() is None:
        pytest.skip("Firefox is not installed on this machine")

    async def scenario() -> dict[str, Any]:
        specs = {b.name: b for b in load_matrix(REPO / "browsers.yaml").browsers}
        async with async_playwright() as pw:
            engine = await launch(pw, specs["firefox"])
            try:
                session = await engine.new_session(VIEWPORT)
                await session.goto(f"{site}/clean.html", 60)
                clean = await run_htmlcs(session)
                await session.goto(f"{site}/own-globals.html", 60)
                spy = Library("qa-htmlcs", "window.sentNow = true;", HtmlcsCheck.present)
                preloaded = await session.evaluate_with(spy, "() => [typeof HTMLCS, typeof window.sentNow]")
                barriers = await run_htmlcs(session)
                main_world = await session.evaluate(MAIN_WORLD_JS)
                await session.close()
                return {"clean": clean, "barriers": barriers, "preloaded": preloaded, "main_world": main_world}
            finally:
                await engine.close()

    seen = asyncio.run(scenario())
    assert codes(seen["clean"]) == {}
    assert seen["preloaded"] == ["object", "undefined"]
    assert seen["main_world"] == {"translation": "mine", "mine": True, "sniffs": [], "added": []}
    found = codes(seen["barriers"])
    assert found.get(H37) == "#harbour" and found.get(F68) == "#nameless"


def test_an_audit_of_pages_with_the_engine_names_reports_their_barriers(site: str, tmp_path: Path) -> None:
    """As a user runs it: the accessibility engines in one Chromium cell, results.json read back."""
    listing = tmp_path / "urls.txt"
    listing.write_text("".join(f"{site}{p}\n" for p in ("/own-globals.html", "/frozen.html", "/clean.html")))
    run: QARun = run_qa(
        "audit",
        "--urls",
        str(listing),
        "--browser",
        "chromium",
        "--viewport",
        "desktop",
        "--only",
        "axe,ace,htmlcs",
        out=tmp_path,
    )
    assert run.code == 1, run.stderr
    rules = {
        (f["url"].removeprefix(site), f["target"], e["rule"])
        for f in run.results["findings"]
        for e in f["details"].get("engines", [])
        if e["engine"] == "HTML_CodeSniffer"
    }
    for page in ("/own-globals.html", "/frozen.html"):
        assert {(page, "#harbour", H37), (page, "#nameless", F68)} <= rules, rules
    assert not [r for r in rules if r[0] == "/clean.html"]
    errors = {p["url"].removeprefix(site): p["facts"].get("check_errors") for p in run.results["pages"]}
    assert not any(errors.values()), errors
