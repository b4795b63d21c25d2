"""Cost of the rule engines per page: axe-core alone against axe-core + IBM Equal Access + HTML_CodeSniffer.

Two ``qa audit`` runs of the demo site (Chromium, desktop, one page at a time so the figures are per page, not
shared cores), back to back and ``--repeat`` times in alternating order: ``--only axe`` and ``--only
axe,ace,htmlcs``. From ``pages[].facts["timings_ms"]`` it reports the median ms per page of each stage (navigation,
facts, screenshot, each engine) and of the whole visit, and the increase (target: at most +50 %).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = {"axe": "axe", "axe+ace+htmlcs": "axe,ace,htmlcs"}
TARGET = 0.5


def audit(only: str) -> list[dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "qa", "audit", "--browser", "chromium", "--viewport", "desktop", "--out", tmp]
        cmd += ["--only", only, "--concurrency", "1", "--quiet"]
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"audit failed: {proc.stderr.strip()}")
        results = json.loads((Path(tmp) / "latest" / "results.json").read_text(encoding="utf-8"))
    missing = [k for k, v in results["run"]["engines"].items() if v == ""]
    if missing:
        raise SystemExit(f"engine(s) not installed: {', '.join(missing)}; run 'qa setup' first")
    return [p["facts"]["timings_ms"] for p in results["pages"] if not p["error"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    timings: dict[str, list[dict[str, float]]] = {name: [] for name in RUNS}
    for i in range(args.repeat):
        order = list(RUNS) if i % 2 == 0 else list(reversed(RUNS))
        for name in order:
            timings[name] += audit(RUNS[name])
    rows = {}
    for name, pages in timings.items():
        per_page = [sum(v for v in t.values() if v is not None) for t in pages]
        rows[name] = {
            "pages": len(pages),
            "median_ms_per_page": round(statistics.median(per_page), 1),
            "median_ms_by_stage": {
                stage: round(statistics.median(t.get(stage) or 0 for t in pages), 1)
                for stage in dict.fromkeys(s for t in pages for s in t)
            },
        }
    base, both = rows["axe"]["median_ms_per_page"], rows["axe+ace+htmlcs"]["median_ms_per_page"]
    report = {
        "runs": rows,
        "increase_per_page": round(both / base - 1, 3),
        "target_increase": TARGET,
        "within_target": both / base - 1 <= TARGET,
        "repeat": args.repeat,
    }
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "engines.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
