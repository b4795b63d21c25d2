"""How fast report.html of a large run renders and opens: a synthetic 2,000-page run, opened in real Chromium.

    python benchmarks/bench_report.py                     # 2,000 pages × 3 cells, 5 openings
    python benchmarks/bench_report.py --pages 500 --runs 3 --keep /tmp/bench-report

Prints the size of the file, the time to render it, and for each opening of file://…/report.html in Chromium:
first contentful paint, DOMContentLoaded, the load event, and "ready" (the report's script has built its first
view: the overview is in the DOM and interactive); then the time to open the page list, one page view and to run a
search. Target: ready under 2 s. The machine is shared, so figures vary from run to run: compare medians.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page as BrowserPage  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from qa.judge import judge_run  # noqa: E402
from qa.model import NEEDS_REVIEW, VIOLATION, CheckRun, Finding, Page, Results, RunInfo  # noqa: E402
from qa.report import html as html_report  # noqa: E402
from qa.visit.playwright_driver import chromium_executable  # noqa: E402

# rule, outcome, criteria, impact, help, message
RULES = [
    (
        "color-contrast",
        VIOLATION,
        ["1.4.3"],
        "serious",
        "Elements must meet minimum color contrast ratio thresholds",
        "Fix any of the following:\n  Element has insufficient color contrast of 3.12 (foreground color: #8a8a8a, "
        "background color: #ffffff, font size: 10.5pt (14px), font weight: normal). Expected contrast ratio of 4.5:1",
    ),
    (
        "image-alt",
        VIOLATION,
        ["1.1.1"],
        "critical",
        "Images must have alternative text",
        "Fix any of the following:\n  Element does not have an alt attribute\n  aria-label attribute does not exist or "
        "is empty\n  aria-labelledby attribute does not exist\n  Element has no title attribute\n  Element's default "
        'semantics were not overridden with role="none" or role="presentation"',
    ),
    (
        "link-name",
        VIOLATION,
        ["2.4.4", "4.1.2"],
        "serious",
        "Links must have discernible text",
        "Fix all of the following:\n  Element is in tab order and does not have accessible text",
    ),
    (
        "label",
        VIOLATION,
        ["4.1.2"],
        "critical",
        "Form elements must have labels",
        "Fix any of the following:\n  Element does not have an implicit (wrapped) <label>\n  Element does not have an "
        "explicit <label>",
    ),
    (
        "region",
        VIOLATION,
        [],
        "moderate",
        "All page content should be contained by landmarks",
        "Fix any of the following:\n  Some page content is not contained by landmarks",
    ),
    (
        "heading-order",
        VIOLATION,
        [],
        "moderate",
        "Heading levels should only increase by one",
        "Fix any of the following:\n  Heading order invalid",
    ),
    (
        "color-contrast",
        NEEDS_REVIEW,
        ["1.4.3"],
        "serious",
        "Elements must meet minimum color contrast ratio thresholds",
        "Fix any of the following:\n  Element's background color could not be determined due to a background image",
    ),
    (
        "aria-hidden-focus",
        NEEDS_REVIEW,
        ["4.1.2"],
        "serious",
        "ARIA hidden element must not be focusable",
        'Fix all of the following:\n  Focusable content should have tabindex="-1" or be removed from the DOM',
    ),
    (
        "target-size",
        NEEDS_REVIEW,
        ["2.5.8"],
        "serious",
        "All touch targets must be 24px large, or leave sufficient space",
        "Fix any of the following:\n  Target has insufficient size because it is partially obscured",
    ),
    (
        "video-caption",
        NEEDS_REVIEW,
        ["1.2.2"],
        "critical",
        "<video> elements must have captions",
        "Fix any of the following:\n  Check that captions is available",
    ),
]
TEMPLATE_TARGETS = [
    "header .logo img",
    "nav.global > ul > li:nth-child(4) > a",
    "footer .sns a:nth-child(2)",
    "#search-form input[type=text]",
    ".breadcrumb li:nth-child(2) a",
    "main .lead",
]
SECTIONS = ["business", "industries", "news", "incentives", "companies", "events", "faq", "access"]


def png(width: int, height: int) -> bytes:
    """A blank PNG of the given size (the report reads only its header; Chromium decodes it)."""
    raw = b"".join(b"\x00" + b"\xf0" * (width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def synthetic_run(run_dir: Path, pages: int, per_page: int, seed: int = 7) -> Results:
    """A realistic large run: template defects on every page, page-specific ones, needs-review items, links."""
    rnd = random.Random(seed)
    cells = [("chromium", "desktop", 1366), ("firefox", "desktop", 1366), ("webkit", "phone", 390)]
    shots = run_dir / "screenshots"
    shots.mkdir(parents=True)
    blanks = {}
    for _, viewport, width in cells:
        blanks[viewport] = shots / f"_blank_{viewport}.png"
        blanks[viewport].write_bytes(png(width, 2400 if width > 400 else 4200))
    run = RunInfo(
        id="20261126-120000-bench",
        started="2026-11-26T12:00:00+09:00",
        finished="2026-11-26T13:10:00+09:00",
        status="complete",
        start_url="https://staging.example.jp/",
        tool={"name": "qa-suite", "version": "0.1.0"},
        engines={"browsers": {b: {"product": b.title(), "version": "1"} for b, _, _ in cells}, "axe-core": "4.12.1"},
        config={"lang": "ja"},
        cells=[f"{b}/{v}" for b, v, _ in cells],
    )
    results = Results(run=run)
    results.checks = [CheckRun("axe", "axe-core", {sc: "partial" for r in RULES for sc in r[2]}, pages * len(cells))]
    links = []
    for i in range(pages):
        section = SECTIONS[i % len(SECTIONS)]
        url = f"https://staging.example.jp/{section}/page-{i:05d}.html"
        title = f"{section.title()} ページ {i} | 北見ベイシティ投資促進サイト"
        for browser, viewport, width in cells:
            name = f"{section}-page-{i:05d}_{browser}_{viewport}.png"
            try:
                (shots / name).hardlink_to(blanks[viewport])
            except OSError:
                shutil.copyfile(blanks[viewport], shots / name)
            results.pages.append(
                Page(
                    url=url,
                    browser=browser,
                    viewport=viewport,
                    final_url=url,
                    status=200,
                    title=title,
                    load_ms=rnd.uniform(200, 2000),
                    facts={
                        "screenshot": f"screenshots/{name}",
                        "screenshot_full_page": browser != "webkit",
                        "scroll_width": width,
                        "client_width": width,
                    },
                )
            )
        for k in range(per_page):
            rule, outcome, sc, impact, help_text, message = RULES[rnd.randrange(len(RULES))]
            template = k < len(TEMPLATE_TARGETS) // 2
            own = f"#main > section:nth-child({k}) > p:nth-child({rnd.randrange(9)})"
            target = TEMPLATE_TARGETS[k] if template else own
            seen = [f"{b}/{v}" for b, v, _ in cells if template or rnd.random() < 0.6] or [run.cells[0]]
            browser, viewport = seen[0].split("/")
            results.findings.append(
                Finding(
                    rule=rule,
                    outcome=outcome,
                    url=url,
                    browser=browser,
                    viewport=viewport,
                    sc=list(sc),
                    check="axe",
                    impact=impact,
                    target=target,
                    html=f'<p class="note-{k}" data-id="{i}-{k}">{title} の本文 {k} '
                    + "テキスト" * rnd.randrange(5, 40)
                    + "</p>",
                    message=message,
                    help_url=f"https://dequeuniversity.com/rules/axe/4.12/{rule}",
                    tags=["wcag2aa"],
                    seen_in=seen,
                    details={
                        "help": help_text,
                        "bbox": {
                            "x": rnd.randrange(0, 1000),
                            "y": rnd.randrange(0, 2200),
                            "width": rnd.randrange(20, 300),
                            "height": rnd.randrange(10, 80),
                        },
                    },
                )
            )
        for k in range(10):
            target = f"https://staging.example.jp/{SECTIONS[k % len(SECTIONS)]}/page-{rnd.randrange(pages):05d}.html"
            result = "broken" if rnd.random() < 0.02 else "warning" if rnd.random() < 0.05 else "ok"
            links.append(
                {
                    "url": target,
                    "source": url,
                    "text": f"リンク {k}",
                    "element": "a",
                    "status": 404 if result == "broken" else 200,
                    "result": result,
                    "reason": "Not Found" if result == "broken" else "",
                    "redirects": [],
                }
            )
    results.extra["links"] = links
    return results


def step(page: BrowserPage, action: str, ready: str) -> float:
    """Milliseconds from an action until a condition holds, timed inside the page (the report's
    Content-Security-Policy forbids the string predicates Playwright's wait_for_function evaluates)."""
    return page.evaluate(
        f"async () => {{ const t0 = performance.now(); {action};"
        f" while (!({ready})) {{ if (performance.now() - t0 > 30000) throw new Error('timed out');"
        " await new Promise((r) => requestAnimationFrame(r)); }"
        " return performance.now() - t0; }"
    )


def measure(report: Path, runs: int) -> list[dict[str, float]]:
    figures = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_executable(pw))
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            started = time.perf_counter()
            page.goto(report.as_uri(), wait_until="load")
            page.locator("html[data-ready=true]").wait_for(state="attached")
            wall = (time.perf_counter() - started) * 1000
            timing = page.evaluate(
                """() => { const n = performance.getEntriesByType('navigation')[0];
                  const p = performance.getEntriesByName('first-contentful-paint')[0];
                  const mark = (name) => (performance.getEntriesByName(name)[0] || {startTime: -1}).startTime;
                  return {fcp: p ? p.startTime : -1, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                          data: mark('qa-data'), ready: mark('qa-ready'),
                          nodes: document.getElementsByTagName('*').length}; }"""
            )

            timing["wall_ready"] = wall
            # CPU time the renderer's main thread spent until ready: far less sensitive to a loaded machine
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            timing["task"] = metrics["TaskDuration"] * 1000
            timing["script"] = metrics["ScriptDuration"] * 1000
            timing["pages_view"] = step(
                page, "location.hash = '#pages'", "document.querySelector('#view-pages tbody tr')"
            )
            timing["page_view"] = step(page, "location.hash = '#page/1500/0'", "document.querySelector('.outline')")
            step(page, "location.hash = '#pages'", "document.getElementById('pages-q')")
            timing["search"] = step(
                page,
                "const q = document.getElementById('pages-q'); q.value = 'page-01999';"
                " q.dispatchEvent(new Event('input'))",
                "document.querySelectorAll('#view-pages tbody tr').length === 1",
            )
            figures.append(timing)
            context.close()
        browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--findings-per-page", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the run folder here and keep it")
    args = parser.parse_args()
    tmp = None
    if args.keep:
        shutil.rmtree(args.keep, ignore_errors=True)
        run_dir = args.keep
    else:
        tmp = tempfile.TemporaryDirectory()
        run_dir = Path(tmp.name) / "run"
    t0 = time.perf_counter()
    results = synthetic_run(run_dir, args.pages, args.findings_per_page)
    judge_run(results)  # as the run does, before any report
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    [report] = html_report.render(results, run_dir)
    rendered = time.perf_counter() - t0
    print(
        f"synthetic run: {args.pages} pages × {len(results.run.cells)} cells = {len(results.pages)} visits, "
        f"{len(results.findings)} findings, {len(results.extra['links'])} links (generated in {generated:.1f} s)"
    )
    print(f"report.html: {report.stat().st_size / 1e6:.1f} MB, rendered by Python in {rendered:.2f} s")
    figures = measure(report.resolve(), args.runs)
    print(f"opened in Chromium {args.runs}× (file://, fresh context each time); median [min–max] in ms:")
    for key, label in [
        ("fcp", "first contentful paint"),
        ("dcl", "DOMContentLoaded"),
        ("load", "load event"),
        ("data", "data decompressed and parsed"),
        ("ready", "ready (overview interactive)"),
        ("wall_ready", "ready, wall clock from goto"),
        ("task", "main-thread CPU time until ready"),
        ("script", "  of which running script"),
        ("pages_view", "open page list"),
        ("page_view", "open a page view"),
        ("search", "search the page list"),
    ]:
        values = [f[key] for f in figures]
        print(f"  {label:32} {statistics.median(values):8.0f}  [{min(values):.0f}–{max(values):.0f}]")
    print(f"  DOM elements on open: {figures[0]['nodes']}")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
