"""What gating and the CI outputs cost on a large run: gate, diff, JUnit, Markdown summary, operation-check sheet.

    python benchmarks/bench_ci_outputs.py [--pages 2000] [--findings-per-page 20]

Builds a synthetic run of that size in memory (no browser: these stages are pure functions of results.json) and a
second run with a quarter of the findings changed, then times each stage in this process, in wall and CPU seconds.
Prints JSON and writes it to reports_out/bench/ci_outputs.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa.judge import judge_run  # noqa: E402
from qa.judge.diff import diff_runs  # noqa: E402
from qa.judge.gate import GateSettings  # noqa: E402
from qa.model import CheckRun, Finding, Page, Results, RunInfo, merge_cells  # noqa: E402
from qa.report import junit, operation_sheet, summary_md  # noqa: E402

RULES = [("image-alt", ["1.1.1"]), ("color-contrast", ["1.4.3"]), ("label", ["4.1.2"]), ("region", [])]


def synthetic(pages: int, per_page: int, shift: int = 0) -> Results:
    run = RunInfo(id=f"bench-{shift}", started="2026-11-26T10:00:00+09:00", start_url="https://example.jp/")
    results = Results(run=run, checks=[CheckRun("axe", "axe-core", {"1.1.1": "partial"}, pages)])
    findings = []
    for i in range(pages):
        url = f"https://example.jp/p/{i}.html"
        results.pages.append(Page(url, "chromium", "desktop", status=200 if i % 50 else 404, load_ms=120.0))
        for j in range(per_page):
            rule, sc = RULES[(j + (shift if j % 4 == 0 else 0)) % len(RULES)]
            findings.append(
                Finding(
                    rule, "violation", url, "chromium", "desktop", sc=sc, check="axe", target=f"main > p:nth-child({j})"
                )
            )
    results.findings = merge_cells(findings)
    return results


def timed(fn, *args):
    """The value, and (wall, CPU) seconds: on a shared machine the CPU time is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn(*args)
    return value, {"wall": round(time.perf_counter() - wall, 3), "cpu": round(time.process_time() - cpu, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--findings-per-page", type=int, default=20)
    args = parser.parse_args()
    before = synthetic(args.pages, args.findings_per_page)
    after = synthetic(args.pages, args.findings_per_page, shift=1)
    figures = {"pages": args.pages, "findings": len(after.findings)}
    diff, figures["diff_s"] = timed(diff_runs, before, after)
    after.extra["diff"] = diff
    figures["diff_new"] = len(diff["findings"]["new"])
    # the whole judgement (every criterion's verdicts too, not only the gate), as the run does it once
    _, figures["judge_s"] = timed(judge_run, after, None, GateSettings(["a11y-violations", "http-errors"]))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for module in (junit, summary_md, operation_sheet):
            paths, figures[f"{module.NAME}_s"] = timed(module.render, after, out)
            figures[f"{module.NAME}_bytes"] = sum(p.stat().st_size for p in paths)
    print(json.dumps(figures, indent=1))
    target = REPO / "reports_out" / "bench"
    target.mkdir(parents=True, exist_ok=True)
    (target / "ci_outputs.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
