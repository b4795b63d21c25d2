"""Time to judge and write the checklist workbooks (both profiles) as the number of judged pages grows.

    python benchmarks/bench_checklist.py [--pages 40 500]

Audits the demo site once (one Chromium, desktop), then copies its pages and findings under new URLs until the
run has N pages, and times judging plus writing checklist-wcag22.xlsx and checklist-jis2016.xlsx from that
results.json (the `qa report` path). Wall and CPU seconds, and the workbook sizes.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa.judge import judge_run  # noqa: E402
from qa.model import Results  # noqa: E402
from qa.report import checklist  # noqa: E402


def scaled(data: dict, pages: int) -> Results:
    base = [p for p in data["pages"] if not p["error"]]
    out_pages, out_findings = [], []
    for i in range(-(-pages // len(base))):
        for p in base:
            q = copy.deepcopy(p)
            q["url"] = f"{p['url']}?copy={i}"
            out_pages.append(q)
        for f in data["findings"]:
            g = copy.deepcopy(f)
            g["url"], g["id"] = f"{f['url']}?copy={i}", f"{f['id'][:10]}{i:06d}"
            out_findings.append(g)
    data = {**data, "pages": out_pages[:pages], "findings": out_findings}
    data["sample"] = {**data["sample"], "urls": [p["url"] for p in data["pages"]]}
    return Results.from_dict(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", default=[40, 500])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cmd = [sys.executable, "-m", "qa", "audit", "--browser", "chromium", "--viewport", "desktop", "--quiet"]
        subprocess.run([*cmd, "--out", str(out)], cwd=REPO, capture_output=True, check=False)
        run_dir = (out / "latest").resolve()
        data = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        figures = []
        for n in args.pages:
            results = scaled(data, n)
            wall, cpu = time.perf_counter(), time.process_time()
            judge_run(results)
            paths = checklist.render(results, run_dir)
            figures.append(
                {
                    "pages": n,
                    "findings": len(results.findings),
                    "wall_s": round(time.perf_counter() - wall, 2),
                    "cpu_s": round(time.process_time() - cpu, 2),
                    "workbook_kib": {p.name: p.stat().st_size // 1024 for p in paths},
                }
            )
    text = json.dumps({"benchmark": "checklist", "figures": figures}, indent=1)
    print(text)
    target = REPO / "reports_out" / "bench"
    target.mkdir(parents=True, exist_ok=True)
    (target / "checklist.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
