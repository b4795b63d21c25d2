"""Memory of a long crawl: does the whole process tree (qa + Playwright driver + browser) stay flat?

Serves a generated site of N pages on loopback (``tests/gensite.py``), audits it with the real ``python -m qa``
process, samples the RSS of that process and all its descendants from /proc every ``--interval`` seconds, and
prints the peak at checkpoints (every ``--every`` recorded pages), so growth with page count shows up.

    python benchmarks/bench_memory.py                  # 2,000 pages, chromium/desktop
    python benchmarks/bench_memory.py --pages 500 --every 100

The machine is shared and noisy: read the figures as orders of magnitude, not as timings.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.gensite import serve_generated  # noqa: E402

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and every process below it (Chromium's renderers and GPU process included)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * PAGE_SIZE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--every", type=int, default=250, help="checkpoint every this many recorded pages")
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between /proc samples")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--screenshots", action="store_true", help="also save a screenshot of every page")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp, serve_generated(args.pages - 1) as url:
        config = Path(tmp) / "qa.yaml"
        config.write_text(
            f"max_pages: {args.pages + 10}\nconcurrency: {args.concurrency}\nuse_sitemaps: false\n"
            f"screenshots: {str(args.screenshots).lower()}\ntraps: {{max_per_pattern: {args.pages + 10}}}\n",
            encoding="utf-8",
        )
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "qa", "audit", url, "--config", str(config), "--out", str(out), "--quiet",
               "--browser", "chromium", "--viewport", "desktop"]  # fmt: skip
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = window_peak = 0
        next_checkpoint = args.every
        print(f"{'pages':>6} {'elapsed s':>9} {'peak RSS MB (window)':>20} {'peak RSS MB (run)':>17}")
        while proc.poll() is None:
            rss = tree_rss(proc.pid)
            peak, window_peak = max(peak, rss), max(window_peak, rss)
            records = list(out.glob("*/records.jsonl"))
            done = sum(1 for _ in open(records[0], "rb")) if records else 0
            if done >= next_checkpoint:
                elapsed = time.monotonic() - started
                print(f"{done:>6} {elapsed:>9.0f} {window_peak / 1e6:>20.0f} {peak / 1e6:>17.0f}", flush=True)
                window_peak = 0
                next_checkpoint += args.every
            time.sleep(args.interval)
        stdout, stderr = proc.communicate()
        elapsed = time.monotonic() - started
        run_dirs = [p for p in out.iterdir() if p.is_dir()]
        disk = sum(f.stat().st_size for f in run_dirs[0].rglob("*") if f.is_file()) if run_dirs else 0
        print(f"exit {proc.returncode}; {elapsed:.0f} s; peak RSS of the process tree {peak / 1e6:.0f} MB; "
              f"run folder {disk / 1e6:.1f} MB")  # fmt: skip
        if proc.returncode not in (0, 1):
            print(stderr, file=sys.stderr)
            return 1
        return 0 if peak < 1.5e9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
