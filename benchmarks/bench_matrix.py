"""The full browser matrix (3 engines × 3 viewports) against ``@axe-core/cli`` doing one Chromium pass.

Both audit the same generated site (``--pages`` pages, default 120) served on loopback; qa treats it as its own
host (``--own-host``), as a team does with its staging site, so the link check does not pause between requests.
Target: the whole 9-cell matrix in at most 3× axe-cli's single pass. axe-cli is installed with npm into a cache folder
(``benchmarks/.cache/axe-cli``) and driven with Debian's chromium and chromedriver; when it cannot run, an
equivalent single Chromium pass (Selenium + chromedriver, axe injected per page) is timed instead, and the output
says so. Run: ``python benchmarks/bench_matrix.py [--pages N] [--concurrency N]`` (or ``nox -s bench``).
The baseline runs once before and once after the matrix and their mean is used: a shared machine's speed drifts
within minutes. Timings are still noisy: run it twice and read both.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.demo.server import serve  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache" / "axe-cli"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
TAGS = "wcag2a,wcag2aa,wcag21a,wcag21aa,wcag22aa,best-practice"


def generate_site(folder: Path, pages: int) -> list[str]:
    """A small municipal-style site: every page links to its neighbours, has a table, a form and an image."""
    names = [f"page-{i:03d}.html" for i in range(pages)]
    names[0] = "index.html"
    for i, name in enumerate(names):
        links = "".join(f'<li><a href="{names[j % pages]}">Section {j % pages}</a></li>' for j in range(i + 1, i + 6))
        rows = "".join(f"<tr><td>Item {k}</td><td>{k * 37 % 101}</td></tr>" for k in range(8))
        (folder / name).write_text(
            f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Page {i}</title>
<style>body{{font-family:sans-serif;margin:0 auto;max-width:60rem;padding:1rem}}img{{max-width:100%}}</style></head>
<body><header><nav><ul>{links}</ul></nav></header><main><h1>Page {i}</h1>
<p>{"Civic information for residents and businesses. " * 12}</p>
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='400' height='120'%3E%3Crect width='400'
 height='120' fill='%23369'/%3E%3C/svg%3E" alt="Harbour banner">
<table><caption>Figures</caption><tr><th>Item</th><th>Value</th></tr>{rows}</table>
<form><label for="q{i}">Search</label> <input id="q{i}" name="q"> <button>Go</button></form>
</main><footer><p>City of Example</p></footer></body></html>""",
            encoding="utf-8",
        )
    return names


def time_matrix(urls_file: Path, out: Path, concurrency: int | None, host: str) -> tuple[float, dict]:
    # The generated site is this benchmark's own loopback server, like the demo site: its links are checked
    # without LinkChecker's polite pause per request, as a team declares its own staging host (--own-host).
    cmd = [sys.executable, "-m", "qa", "audit", "--urls", str(urls_file), "--out", str(out), "--quiet"]
    cmd += ["--own-host", host]
    if concurrency:
        cmd += ["--concurrency", str(concurrency)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"qa audit failed: {proc.stderr.strip()}")
    results = json.loads((out / "latest" / "results.json").read_text(encoding="utf-8"))
    return elapsed, results


def axe_cli() -> Path | None:
    binary = CACHE / "node_modules" / ".bin" / "axe"
    if binary.exists():
        return binary
    if not shutil.which("npm"):
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "@axe-core/cli"],
        cwd=CACHE,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return binary if done.returncode == 0 and binary.exists() else None


def time_axe_cli(urls: list[str]) -> tuple[float, str, int]:
    binary = axe_cli()
    if binary is None or not Path(CHROMEDRIVER).exists():
        raise RuntimeError("@axe-core/cli or chromedriver unavailable")
    cmd = [
        str(binary),
        *urls,
        "--chromedriver-path",
        CHROMEDRIVER,
        "--chrome-path",
        CHROMIUM,
        "--chrome-options=headless=new,no-sandbox,disable-dev-shm-usage",
        "--tags",
        TAGS,
        "--stdout",
    ]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - started
    try:
        checked = len(json.loads(proc.stdout))
    except ValueError:
        raise RuntimeError(f"@axe-core/cli gave no results: {proc.stderr.strip()[:300]}") from None
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
    return elapsed, f"@axe-core/cli {version}", checked


def time_selenium_axe(urls: list[str]) -> tuple[float, str, int]:
    """The equivalent of axe-cli: one Chromium through chromedriver, axe injected into each page."""
    from axe_playwright_python.base import AXE_SCRIPT
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    started = time.perf_counter()
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        for url in urls:
            driver.get(url)
            driver.execute_script(AXE_SCRIPT)
            driver.execute_async_script(
                "const cb = arguments[arguments.length - 1];"
                f"axe.run(document, {{runOnly: {{type: 'tag', values: {TAGS.split(',')!r}}}}}).then(() => cb(1));"
            )
    finally:
        driver.quit()
    return time.perf_counter() - started, "Selenium + chromedriver + axe (equivalent of axe-cli)", len(urls)


@contextmanager
def served_site(folder: Path, pages: int) -> Iterator[tuple[list[str], Path, str]]:
    """The generated site served on loopback: its URLs, a --urls file listing them, and its host:port."""
    site = folder / "site"
    site.mkdir()
    names = generate_site(site, pages)
    with serve(site) as base:
        urls = [base + n for n in names]
        urls_file = folder / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        yield urls, urls_file, base.split("/")[2]


def first_baseline(urls: list[str]) -> tuple[Callable[[list[str]], tuple[float, str, int]], tuple[float, str, int]]:
    """The baseline to time (@axe-core/cli, else its Selenium equivalent) and its first timing."""
    try:
        return time_axe_cli, time_axe_cli(urls)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"note: @axe-core/cli could not run ({exc}); timing the Selenium equivalent", file=sys.stderr)
        return time_selenium_axe, time_selenium_axe(urls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--concurrency", type=int, help="pages in flight per browser (qa's default otherwise)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        tmp_path = Path(tmp)
        with served_site(tmp_path, args.pages) as (urls, urls_file, host):
            baseline, (before, axe_tool, axe_pages) = first_baseline(urls)
            matrix_s, results = time_matrix(urls_file, tmp_path / "out", args.concurrency, host)
            # The baseline again after the matrix: this machine's speed drifts within minutes, and the mean of a
            # pass just before and one just after is what the matrix's minutes compare with.
            after = baseline(urls)[0]
            axe_s = (before + after) / 2
    visits = len(results["pages"])
    report = {
        "pages": args.pages,
        "matrix_cells": len(results["run"]["cells"]),
        "matrix_visits": visits,
        "matrix_visits_failed": sum(1 for p in results["pages"] if p["error"]),
        "failures": sorted(
            {f"{p['browser']}/{p['viewport']}: {p['error'][:120]}" for p in results["pages"] if p["error"]}
        )[:10],
        "engines": {k: f"{v['product']} {v['version']}" for k, v in results["run"]["engines"]["browsers"].items()},
        "matrix_seconds": round(matrix_s, 1),
        "matrix_seconds_per_visit": round(matrix_s / max(visits, 1), 3),
        "baseline": axe_tool,
        "baseline_pages": axe_pages,
        "baseline_seconds": round(axe_s, 1),
        "baseline_seconds_before_after": [round(before, 1), round(after, 1)],
        "ratio_matrix_to_baseline": round(matrix_s / axe_s, 2),
        "target_ratio": 3.0,
    }
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
