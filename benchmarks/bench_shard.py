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
    python benchmarks/bench_shard.py --keep DIR      # keep the shard and whole-run folders in DIR
    python benchmarks/bench_shard.py --reuse DIR     # re-time only the merge and the report on DIR's runs

The machine is shared and noisy: read the figures as orders of magnitude.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
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


def timed(cmd: list[str]) -> tuple[float, int, int, float]:
    """(seconds, exit code, peak PSS in bytes of the process and everything it started, CPU seconds of the process
    and of every child it waited for)."""
    started = time.monotonic()
    before = os.times()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_memory(proc.pid)[1])
        time.sleep(0.2)
    _, stderr = proc.communicate()
    after = os.times()
    cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[2:5])} failed ({proc.returncode}): {stderr.strip()[-500:]}")
    return time.monotonic() - started, proc.returncode, peak, cpu


def run_dir(parent: Path) -> Path:
    return next(p for p in parent.iterdir() if p.is_dir() and p.name != "latest")


def audit_all(folder: Path, url: str, pages: int, whole: bool) -> dict[str, object]:
    """Discovery, the four shards, then the whole list (the shards first: a sitting cut short still leaves them)."""
    qa = [sys.executable, "-m", "qa"]
    config = folder / "qa.yaml"
    config.write_text(
        f"max_pages: {pages + 10}\nuse_sitemaps: false\ntraps: {{max_per_pattern: {pages + 10}}}\n"
        f"links: {{own_hosts: ['{url.split('/')[2]}']}}\n",  # the generated site is ours: checked at full speed
        encoding="utf-8",
    )
    listing = folder / "pages.json"
    discover_s = timed([*qa, "discover", url, "--config", str(config), "--out", str(listing)])[0]
    audit = [*qa, "audit", "--config", str(config), "--discovered", str(listing), "--quiet",
             "--browser", "chromium", "--viewport", "desktop"]  # fmt: skip
    shard_s = []
    for i in range(1, SHARDS + 1):
        shard_s.append(timed([*audit, "--shard", f"{i}/{SHARDS}", "--out", str(folder / f"shard{i}")])[0])
    figures: dict[str, object] = {
        "discover_s": round(discover_s, 1),
        "shard_1_of_4_s": round(shard_s[0], 1),
        "shards_s": [round(s, 1) for s in shard_s],
    }
    if whole:
        whole_s = timed([*audit, "--out", str(folder / "whole")])[0]
        figures["whole_s"] = round(whole_s, 1)
        figures["fixed_s"] = round(shard_s[0] - whole_s / SHARDS, 1)
        figures["fixed_note"] = (
            "a shard costs a quarter of the whole plus fixed_s: browser launch, site entry, the whole-run checks, "
            "the judgement and every deliverable, paid once per shard"
        )
    return figures


def merge_and_report(folder: Path) -> dict[str, object]:
    """`qa merge` of the four shards, against `qa report` of the whole run (rebuilding the same deliverables from its
    results.json: the floor of any merge; of the merged run when the whole list was not audited)."""
    qa = [sys.executable, "-m", "qa"]
    shard_dirs = [str(run_dir(folder / f"shard{i}")) for i in range(1, SHARDS + 1)]
    merged = folder / "m"
    if merged.exists():  # a re-timing: a fresh merge, not one beside the last
        shutil.rmtree(merged)
    merge_s, _, merge_pss, merge_cpu = timed([*qa, "merge", *shard_dirs, "--config", str(folder / "qa.yaml"),
                                              "--out", str(merged)])  # fmt: skip
    merged_run = run_dir(merged)
    whole_run = run_dir(folder / "whole") if (folder / "whole").is_dir() else None
    report_s, _, report_pss, report_cpu = timed([*qa, "report", str(whole_run or merged_run)])
    figures: dict[str, object] = {
        "pages": len(json.loads((merged_run / "results.json").read_text(encoding="utf-8"))["pages"]),
        "merge_s": round(merge_s, 1),
        "merge_cpu_s": round(merge_cpu, 1),  # its own and its children's: less sensitive to a loaded machine
        "merge_peak_pss_mb": round(merge_pss / 1e6),  # the merge and the report processes it forks, together
        "baseline_qa_report_of": "whole" if whole_run else "merged",
        "baseline_qa_report_s": round(report_s, 1),
        "baseline_qa_report_cpu_s": round(report_cpu, 1),
        "baseline_qa_report_pss_mb": round(report_pss / 1e6),
        "merge_targets": f"under {MERGE_TARGET_S} s and {MERGE_TARGET_MB} MB",
        "merge_within_targets": merge_s < MERGE_TARGET_S and merge_pss / 1e6 < MERGE_TARGET_MB,
    }
    if whole_run:
        same = [
            json.loads((d / "results.json").read_text(encoding="utf-8"))["judgement"]["gate"]
            for d in (whole_run, merged_run)
        ]
        figures["merged_gate_equals_whole"] = same[0] == same[1]
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--keep", type=Path, help="keep the discovery, shard and whole-run folders in this folder")
    ap.add_argument("--reuse", type=Path, help="a folder kept by --keep: re-time only the merge and the report")
    ap.add_argument("--no-whole", action="store_true", help="audit the shards only (the report baseline then "
                    "rebuilds the merged run)")  # fmt: skip
    args = ap.parse_args()
    folder = args.reuse or args.keep
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        folder.mkdir(parents=True, exist_ok=True)
        site = folder / "site.json"
        if args.reuse:  # the same site on the same port: the kept runs' URLs answer again
            kept = json.loads(site.read_text(encoding="utf-8"))
            url = stack.enter_context(serve_generated(kept["pages"] - 1, port=kept["port"]))
            figures: dict[str, object] = {"reused": str(folder)}
        else:
            url = stack.enter_context(serve_generated(args.pages - 1))
            site.write_text(json.dumps({"pages": args.pages, "port": int(url.split(":")[2].strip("/"))}), "utf-8")
            figures = audit_all(folder, url, args.pages, not args.no_whole)
        figures = {"cell": "chromium/desktop", "cpus": os.cpu_count(), **figures, **merge_and_report(folder)}
    print(json.dumps(figures, indent=1))
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "shard.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
