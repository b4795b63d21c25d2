"""What the pre-publication families (tls, security, privacy, seo, language) add to a full run on the demo site.

    python benchmarks/bench_prepublish.py [--repeat 3] [--one-cell]

`qa audit` of the built-in demo site with every family (the default, as `nox -s full` runs it) against the same
audit without the five (`--only a11y,links,browsers,ops`), back to back `--repeat` times (the order swapped every
other pair); the medians of the wall times and the increase (target: at most +30 %). `--one-cell`: Chromium at
the desktop viewport only (a quick figure; the target is about the full browser matrix).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa.demo.server import serve  # noqa: E402
from qa.vocab import FAMILIES, PREPUBLISH_FAMILIES  # noqa: E402

WITHOUT = ",".join(f for f in FAMILIES if f not in PREPUBLISH_FAMILIES)


def audit(url: str, out: Path, only: str | None, one_cell: bool) -> float:
    cmd = [sys.executable, "-m", "qa", "audit", url, "--out", str(out), "--quiet"]
    cmd += ["--only", only] if only else []
    cmd += ["--browser", "chromium", "--viewport", "desktop"] if one_cell else []
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"qa audit failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs (median)")
    parser.add_argument("--one-cell", action="store_true", help="Chromium, desktop only (not the full matrix)")
    args = parser.parse_args()
    base: list[float] = []
    every: list[float] = []
    with serve() as demo, tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            order = [(WITHOUT, base), (None, every)]
            for only, times in order if i % 2 == 0 else reversed(order):
                times.append(audit(demo, Path(tmp) / f"{i}-{only or 'all'}", only, args.one_cell))
    report = {
        "site": "demo",
        "cells": "chromium@desktop" if args.one_cell else "full matrix",
        "repeat": args.repeat,
        "without_prepublish_s": round(median(base), 1),
        "with_prepublish_s": round(median(every), 1),
        "increase_pct": round((median(every) / median(base) - 1) * 100, 1),
        "target_pct": 30,
        "runs_s": {"without": [round(s, 1) for s in base], "with": [round(s, 1) for s in every]},
    }
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "prepublish.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
