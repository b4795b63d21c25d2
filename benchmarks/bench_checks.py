"""Time per page check: median and max milliseconds of every check over an audit of the demo site.

Reads ``pages[].facts["timings_ms"]`` of one ``qa audit`` (Chromium, desktop) and prints them as JSON, so the
cost of each check (axe, focus tabbing, reflow, text spacing, ...) can be compared on this machine.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "qa", "audit", "--browser", "chromium", "--viewport", "desktop", "--out", tmp]
        cmd += ["--concurrency", str(args.concurrency), "--quiet"]
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"audit failed: {proc.stderr.strip()}")
        results = json.loads((Path(tmp) / "latest" / "results.json").read_text(encoding="utf-8"))
    times: dict[str, list[float]] = {}
    for page in results["pages"]:
        for stage, ms in (page["facts"].get("timings_ms") or {}).items():
            if ms is not None:
                times.setdefault(stage, []).append(ms)
    rows = [
        {"stage": k, "pages": len(v), "median_ms": round(statistics.median(v), 1), "max_ms": round(max(v), 1)}
        for k, v in times.items()
    ]
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "checks.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
