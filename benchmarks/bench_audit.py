"""Audit throughput and the suite's overhead over navigation + axe, against @axe-core/cli on the same URLs.

    python benchmarks/bench_audit.py [--pages 200] [--repeat 5] [--no-axe-cli]

Measures, on the built-in demo site and on a generated site served on 127.0.0.1:
- the suite (`python -m qa audit`, one Chromium, desktop viewport): wall time and pages/min of the axe audit
  (`--only axe`, with its evidence screenshots) and of the whole accessibility family (`--only a11y`);
- a bare Playwright loop doing only navigation + axe-core (same browser, tags, concurrency, result types):
  the suite's overhead is the wall time of `--only axe` without screenshots (the same work) over this one, as a
  whole process (``overhead_pct``: judging and writing a dozen deliverables included) and up to the last page
  audited (``crawl_overhead_pct``: start-up and crawl); the two run back to back ``--repeat`` times (the order
  swapped every other pair), and the median of the pairs' overheads is kept;
- `@axe-core/cli` over the same URL list (npm, Debian's chromium + chromium-driver), one Chromium pass.
Every figure is a wall time from process start (start-up included), so they compare like with like.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa.demo.server import serve  # noqa: E402

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_CLI_VERSION = "4.13.0"
CACHE = REPO / "benchmarks" / ".cache"

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Page {i} | Generated site</title></head>
<body><header><nav aria-label="Main"><ul>{nav}</ul></nav></header>
<main><h1>Page {i}</h1>{paras}
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Chart of investment in year {i}" width="200" height="100">
{form}<ul>{links}</ul></main><footer><p>Generated for benchmarking.</p></footer></body></html>"""


def generate_site(root: Path, pages: int) -> list[str]:
    paths = []
    for i in range(pages):
        nav = "".join(f'<li><a href="/p{j:04d}.html">Section {j}</a></li>' for j in range(0, min(pages, 8)))
        links = "".join(
            f'<li><a href="/p{(i + k) % pages:04d}.html">Related page {(i + k) % pages}</a></li>' for k in (1, 2, 3, 7)
        )
        paras = "".join(
            f"<p>Paragraph {k} of page {i}: the city offers land, talent and infrastructure.</p>" for k in range(6)
        )
        form = (
            '<form><label for="q">Search</label><input id="q" name="q"><button>Go</button></form>'
            if i % 10 == 0
            else ""
        )
        (root / f"p{i:04d}.html").write_text(PAGE.format(i=i, nav=nav, links=links, paras=paras, form=form))
        paths.append(f"p{i:04d}.html")
    return paths


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.perf_counter() - started, proc


def run_suite(
    urls: list[str], work: Path, concurrency: int, only: str | None, screenshots: bool = True
) -> tuple[float, float]:
    """Whole-process wall time, and the time until the last page was audited and the browser closed (the final
    progress line: what follows is judging and writing the deliverables)."""
    listing = work / "urls.txt"
    listing.write_text("\n".join(urls) + "\n")
    config = work / "qa.yaml"
    config.write_text(f"concurrency: {concurrency}\nuse_sitemaps: false\nscreenshots: {str(screenshots).lower()}\n")
    started = time.perf_counter()
    crawled = None
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qa",
            "audit",
            "--urls",
            str(listing),
            "--config",
            str(config),
            "--browser",
            "chromium",
            "--viewport",
            "desktop",
            "--out",
            str(work / "out"),
            *(["--only", only] if only else []),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors = []
    for line in proc.stderr:
        if line.startswith(f"visits {len(urls)}/{len(urls)} "):
            crawled = time.perf_counter() - started
        elif not line.startswith("visits "):
            errors.append(line)
    seconds = time.perf_counter() - started
    if proc.wait() not in (0, 1):
        raise SystemExit(f"suite failed: {''.join(errors).strip()}")
    audited = len(json.loads((work / "out" / "latest" / "results.json").read_text())["pages"])
    if audited != len(urls) or crawled is None:
        raise SystemExit(f"suite audited {audited} of {len(urls)} URLs: the figures would not compare")
    return seconds, crawled


NAV_AXE = r"""
import asyncio, json, sys
from axe_playwright_python.base import AXE_SCRIPT
from playwright.async_api import async_playwright
from qa.visit.playwright_driver import CHROMIUM_JS_FLAGS, chromium_executable

# The same browser (binary and JavaScript flags), injection (once per context, before each document) and result
# types as the suite's axe check, so the difference is the suite's own work.
async def main(urls, tags, concurrency):
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium_executable(pw), args=[f"--js-flags={CHROMIUM_JS_FLAGS}"])
        queue = asyncio.Queue()
        for u in urls:
            queue.put_nowait(u)
        async def worker():
            ctx = await browser.new_context(viewport={"width": 1366, "height": 768})
            await ctx.add_init_script(AXE_SCRIPT)
            page = await ctx.new_page()
            while not queue.empty():
                url = queue.get_nowait()
                await page.goto(url, wait_until="load")
                await page.evaluate("(o) => axe.run(document, o).then((r) => r.violations.length)",
                    {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations", "incomplete"]})
            await ctx.close()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await browser.close()

urls, tags, concurrency = json.loads(sys.argv[1])
asyncio.run(main(urls, tags, concurrency))
"""


def run_nav_axe(urls: list[str], concurrency: int) -> float:
    seconds, proc = timed(
        [sys.executable, "-c", NAV_AXE, json.dumps([urls, TAGS + ["best-practice"], concurrency])], cwd=REPO
    )
    if proc.returncode != 0:
        raise SystemExit(f"navigation+axe baseline failed: {proc.stderr.strip()[-500:]}")
    return seconds


def axe_cli() -> Path | None:
    binary = CACHE / "axe-cli" / "node_modules" / ".bin" / "axe"
    if binary.exists():
        return binary
    if not shutil.which("npm"):
        return None
    target = CACHE / "axe-cli"
    target.mkdir(parents=True, exist_ok=True)
    # --ignore-scripts: its chromedriver dependency would try to download a driver; Debian's is used instead.
    proc = subprocess.run(
        ["npm", "install", "--silent", "--ignore-scripts", "--prefix", str(target), f"@axe-core/cli@{AXE_CLI_VERSION}"],
        capture_output=True,
        text=True,
    )
    return binary if proc.returncode == 0 and binary.exists() else None


def run_axe_cli(binary: Path, urls: list[str]) -> float | None:
    chromedriver = shutil.which("chromedriver")
    chrome = shutil.which("chromium")
    if not chromedriver or not chrome:
        return None
    seconds, proc = timed(
        [
            str(binary),
            *urls,
            "--tags",
            ",".join(TAGS),
            "--chromedriver-path",
            chromedriver,
            "--chrome-path",
            chrome,
            "--no-reporter",
            "--chrome-options=no-sandbox,headless,disable-gpu,disable-background-networking",
        ]
    )
    if proc.returncode != 0:
        print(f"  @axe-core/cli failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return seconds


def bench(name: str, urls: list[str], concurrency: int, use_axe_cli: bool, repeat: int) -> dict:
    """The overhead pair, ``repeat`` times (the median pair; this machine drifts by 20 % within minutes): exactly
    navigation + axe (`--only axe`, screenshots off: what remains over the bare loop is the suite's own overhead)
    and the bare loop. Then the axe audit with its evidence screenshots, and the whole a11y family, once each."""
    totals, crawls, bases = [], [], []
    for i in range(repeat):
        if i % 2:  # every other pair the other way round, so a machine slowing down or speeding up favours neither
            bases.append(run_nav_axe(urls, concurrency))
        with tempfile.TemporaryDirectory() as tmp:
            total, crawl = run_suite(urls, Path(tmp), concurrency, "axe", False)
        totals.append(total)
        crawls.append(crawl)
        if not i % 2:
            bases.append(run_nav_axe(urls, concurrency))
    runs = {}
    for key, only in (("axe", "axe"), ("a11y", "a11y")):
        with tempfile.TemporaryDirectory() as tmp:
            runs[key] = run_suite(urls, Path(tmp), concurrency, only, True)[0]
    base, total, crawl = median(bases), median(totals), median(crawls)
    # Each pair ran back to back: the overhead is the median of the pairs' overheads, not a ratio of medians
    # taken from different minutes of a machine whose speed drifts.
    each = [(t / b - 1) * 100 for t, b in zip(totals, bases, strict=True)]
    each_crawl = [(c / b - 1) * 100 for c, b in zip(crawls, bases, strict=True)]
    row = {
        "site": name,
        "pages": len(urls),
        "concurrency": concurrency,
        "repeat": repeat,
        "nav_axe_s": round(base, 2),
        "axe_no_screenshots_s": round(total, 2),
        "overhead_pct": round(median(each), 1),
        # Up to the last page audited (start-up, crawl, browser closed), without judging and the deliverables.
        "axe_no_screenshots_crawl_s": round(crawl, 2),
        "crawl_overhead_pct": round(median(each_crawl), 1),
        "overhead_pct_each": [round(x, 1) for x in each],
        "axe_s": round(runs["axe"], 2),
        "axe_pages_per_min": round(len(urls) / runs["axe"] * 60, 1),
        "a11y_s": round(runs["a11y"], 2),
        "a11y_pages_per_min": round(len(urls) / runs["a11y"] * 60, 1),
    }
    binary = axe_cli() if use_axe_cli else None
    cli = run_axe_cli(binary, urls) if binary else None
    if cli:
        row.update(
            axe_cli_s=round(cli, 2),
            axe_cli_s_per_page=round(cli / len(urls), 3),
            axe_speedup_vs_axe_cli=round(cli / runs["axe"], 2),
            a11y_speedup_vs_axe_cli=round(cli / runs["a11y"], 2),
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200, help="pages of the generated site (>= 200 for the target)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--no-axe-cli", action="store_true", help="skip the @axe-core/cli comparison")
    parser.add_argument("--repeat", type=int, default=5, help="suite / navigation+axe pairs (median overhead)")
    args = parser.parse_args()
    rows = []
    with serve() as demo:
        demo_urls = [
            demo + p
            for p in (
                "index.html",
                "business-environment.html",
                "industries/index.html",
                "industries/manufacturing.html",
                "industries/it.html",
                "industries/logistics.html",
                "industries/food.html",
                "incentives.html",
                "companies.html",
                "interview.html",
                "news/index.html",
                "news/seminar-2026.html",
                "news/press-release-2026-03.html",
                "contact.html",
                "privacy.html",
                "access.html",
                "sitemap.html",
            )
        ]
        rows.append(bench("demo", demo_urls, args.concurrency, not args.no_axe_cli, args.repeat))
    with tempfile.TemporaryDirectory() as tmp:
        paths = generate_site(Path(tmp), args.pages)
        with serve(Path(tmp)) as base:
            rows.append(
                bench(
                    f"generated-{args.pages}",
                    [base + p for p in paths],
                    args.concurrency,
                    not args.no_axe_cli,
                    args.repeat,
                )
            )
    print(json.dumps(rows, indent=1))
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_audit.json").write_text(json.dumps({"cpus": os.cpu_count(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
