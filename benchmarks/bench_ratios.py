"""The four runs of issue #22's table against ``@axe-core/cli`` in one sitting, as ratios of axe-cli's time.

Over the same generated site (``--pages``, default 149, served on loopback and declared as qa's own host, as a team
declares its staging server), one after another:

- ``@axe-core/cli``: one Chromium pass with axe only (the baseline; timed first and last, the mean is used);
- ``qa audit --only axe``, one cell (Chromium, desktop)          target: none (the table's reference line);
- ``qa audit --only axe,ace,htmlcs``, one cell                     target: none (the three rule engines alone:
  the least any run of the accessibility family can take, since issue #21 asks for all three on every page);
- ``qa audit --only a11y``, one cell                               target: ≤ 0.25×, and ≤ 1.5× axe alone (#21);
- ``qa audit`` with every family, one cell                         target: ≤ 0.4×;
- ``qa audit`` with every family, the default matrix (3 × 3)       target: ≤ 2.0×.

Run: ``python benchmarks/bench_ratios.py [--pages N] [--run N ...]`` (or ``nox -s bench -- ratios``); ``--run`` times
only the lines given by their number (1-5, as listed above; the baseline always runs). The ratios compare minutes
of one sitting: a shared machine's speed drifts, so read the baseline's before/after pair too. Each one-cell line
is also given as a ratio to ``--only axe`` of the same sitting (``over_axe_alone``), the measure of #21's clause.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_matrix import first_baseline, served_site  # noqa: E402

ONE_CELL = ["--browser", "chromium", "--viewport", "desktop"]
RUNS = (  # (name, extra arguments, target ratio or None)
    ("axe, one cell", ["--only", "axe", *ONE_CELL], None),
    ("three rule engines alone, one cell", ["--only", "axe,ace,htmlcs", *ONE_CELL], None),
    ("a11y, one cell", ["--only", "a11y", *ONE_CELL], 0.25),
    ("every family, one cell", ONE_CELL, 0.4),
    ("every family, default matrix", [], 2.0),
)


def time_qa(urls_file: Path, out: Path, host: str, extra: list[str]) -> tuple[float, dict]:
    cmd = [sys.executable, "-m", "qa", "audit", "--urls", str(urls_file), "--out", str(out), "--quiet"]
    cmd += ["--own-host", host, *extra]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"qa audit {' '.join(extra)} failed: {proc.stderr.strip()[-500:]}")
    return elapsed, json.loads((out / "latest" / "results.json").read_text(encoding="utf-8"))


def where_the_time_went(results: dict) -> dict:
    """The visits' seconds per check (summed over pages and cells; the checks run side by side in several tabs, so
    the sum exceeds the wall time), and how many visits took the rule engines' DOM-only results from another cell."""
    spent: dict[str, float] = {}
    for page in results["pages"]:
        for step, ms in (page["facts"].get("timings_ms") or {}).items():
            spent[step] = spent.get(step, 0.0) + ms / 1000
    top = dict(sorted(((k, round(v, 1)) for k, v in spent.items()), key=lambda kv: -kv[1])[:8])
    shared = sum(1 for p in results["pages"] if (p["facts"].get("reuse") or {}).get("from"))
    return {"check_seconds": top, "visits_reusing_rules": shared}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=149)
    parser.add_argument("--run", type=int, action="append", choices=range(1, len(RUNS) + 1), help="only this line")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        tmp_path = Path(tmp)
        with served_site(tmp_path, args.pages) as (urls, urls_file, host):
            baseline, (before, tool, _) = first_baseline(urls)
            for n, (name, extra, target) in enumerate(RUNS):
                if args.run and n + 1 not in args.run:
                    continue
                seconds, results = time_qa(urls_file, tmp_path / f"out{n}", host, extra)
                failed = sum(1 for p in results["pages"] if p["error"])
                families = results["run"]["config"].get("families")
                row = {"run": name, "seconds": round(seconds, 1), "target": target, "families": families}
                row |= where_the_time_went(results)
                rows.append(row | {"visits": len(results["pages"]), "visits_failed": failed})
            after = baseline(urls)[0]
    axe_s = (before + after) / 2
    axe_alone = next((r["seconds"] for r in rows if r["run"] == RUNS[0][0]), None)
    for row in rows:
        row["ratio"] = round(row["seconds"] / axe_s, 2)
        row["met"] = None if row["target"] is None else row["ratio"] <= row["target"]
        if axe_alone and "one cell" in row["run"]:
            row["over_axe_alone"] = round(row["seconds"] / axe_alone, 2)
    report = {
        "pages": args.pages,
        "baseline": tool,
        "baseline_seconds": round(axe_s, 1),
        "baseline_seconds_before_after": [round(before, 1), round(after, 1)],
        "runs": rows,
    }
    text = json.dumps(report, indent=1, ensure_ascii=False)
    out = ROOT / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ratios.json").write_text(text + "\n", encoding="utf-8")  # kept, as the other benchmarks keep theirs
    print(text)


if __name__ == "__main__":
    main()
