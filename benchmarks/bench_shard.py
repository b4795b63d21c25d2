"""Sharding: one shard of four against the whole audit, and `qa merge` of the four shards (time, peak memory).

Serves a generated site of N pages on loopback (``tests/gensite.py``), lists it once with ``qa discover``, then in
one sitting (one cell, chromium/desktop, every family): the whole list in one ``qa audit --discovered``, the four
shards one after another (``--shard I/4``), and ``qa merge`` of the four, its memory sampled from /proc (PSS of the
merge and the report processes it forks), against ``qa report`` of the whole run (rebuilding the same deliverables
from its results.json: the floor of any merge). A shard's time is about a quarter of the whole plus a fixed start-up
cost (browser launch, site entry, the whole-run checks, the judgement and every deliverable): the figure printed as
``fixed_s`` is that cost, estimated as ``shard - whole / 4``.

    python benchmarks/bench_shard.py                 # 2,000 pages (targets: merge under 30 s and 1 GB)
    python benchmarks/bench_shard.py --pages 200     # a quicker sitting on a shared machine

The machine is shared and noisy: read the figures as orders of magnitude.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_memory import tree_memory  # noqa: E402
from tests.gensite import serve_generated  # noqa: E402

SHARDS = 4
MERGE_TARGET_S, MERGE_TARGET_MB = 30, 1000


def timed(cmd: list[str]) -> tuple[float, int, int]:
    """(seconds, exit code, peak PSS in bytes of the process and everything it started)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_memory(proc.pid)[1])
        time.sleep(0.2)
    _, stderr = proc.communicate()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[2:5])} failed ({proc.returncode}): {stderr.strip()[-500:]}")
    return time.monotonic() - started, proc.returncode, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    args = ap.parse_args()
    qa = [sys.executable, "-m", "qa"]
    with tempfile.TemporaryDirectory() as tmp, serve_generated(args.pages - 1) as url:
        folder = Path(tmp)
        config = folder / "qa.yaml"
        config.write_text(
            f"max_pages: {args.pages + 10}\nuse_sitemaps: false\ntraps: {{max_per_pattern: {args.pages + 10}}}\n"
            f"links: {{own_hosts: ['{url.split('/')[2]}']}}\n",  # the generated site is ours: checked at full speed
            encoding="utf-8",
        )
        pages = folder / "pages.json"
        discover_s, _, _ = timed([*qa, "discover", url, "--config", str(config), "--out", str(pages)])
        listed = json.loads(pages.read_text(encoding="utf-8"))["count"]
        audit = [*qa, "audit", "--config", str(config), "--discovered", str(pages), "--quiet",
                 "--browser", "chromium", "--viewport", "desktop"]  # fmt: skip
        whole_s, _, _ = timed([*audit, "--out", str(folder / "whole")])
        shard_s = []
        for i in range(1, SHARDS + 1):
            shard_s.append(timed([*audit, "--shard", f"{i}/{SHARDS}", "--out", str(folder / f"shard{i}")])[0])
        shard_dirs = [str(p) for i in range(1, SHARDS + 1) for p in (folder / f"shard{i}").iterdir() if p.is_dir()]
        shard_dirs = [d for d in shard_dirs if not d.endswith("latest")]
        merge_s, _, merge_pss = timed([*qa, "merge", *shard_dirs, "--config", str(config), "--out", str(folder / "m")])
        whole_run = next(p for p in (folder / "whole").iterdir() if p.is_dir() and p.name != "latest")
        merged_run = next(p for p in (folder / "m").iterdir() if p.is_dir() and p.name != "latest")
        # the floor of any merge: rebuilding the whole run's deliverables from its results.json, in the same sitting
        report_s, _, report_pss = timed([*qa, "report", str(whole_run)])
        same = [
            json.loads((d / "results.json").read_text(encoding="utf-8"))["judgement"]["gate"]
            for d in (whole_run, merged_run)
        ]
    figures = {
        "pages": listed,
        "cell": "chromium/desktop",
        "cpus": os.cpu_count(),
        "discover_s": round(discover_s, 1),
        "whole_s": round(whole_s, 1),
        "shard_1_of_4_s": round(shard_s[0], 1),
        "shards_s": [round(s, 1) for s in shard_s],
        "fixed_s": round(shard_s[0] - whole_s / SHARDS, 1),
        "fixed_note": "a shard costs a quarter of the whole plus fixed_s: browser launch, site entry, the whole-run "
        "checks, the judgement and every deliverable, paid once per shard",
        "merge_s": round(merge_s, 1),
        "merge_peak_pss_mb": round(merge_pss / 1e6),  # the merge and the report processes it forks, together
        "baseline_qa_report_whole_s": round(report_s, 1),
        "baseline_qa_report_whole_pss_mb": round(report_pss / 1e6),
        "merge_targets": f"under {MERGE_TARGET_S} s and {MERGE_TARGET_MB} MB",
        "merge_within_targets": merge_s < MERGE_TARGET_S and merge_pss / 1e6 < MERGE_TARGET_MB,
        "merged_gate_equals_whole": same[0] == same[1],
    }
    print(json.dumps(figures, indent=1))
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "shard.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
