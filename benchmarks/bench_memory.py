"""Memory of a long crawl: does the whole process tree (qa + Playwright driver + browser) stay flat?

Serves a generated site of N pages on loopback (``tests/gensite.py``), audits it with the real ``python -m qa``
process, samples the memory of that process and all its descendants from /proc every ``--interval`` seconds,
and prints the peak (PSS, and summed RSS) at checkpoints (every ``--every`` recorded pages), so growth with the
page count shows up.

    python benchmarks/bench_memory.py                  # 2,000 pages, chromium/desktop
    python benchmarks/bench_memory.py --pages 500 --every 100

The machine is shared and noisy: read the figures as orders of magnitude, not as timings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.gensite import serve_generated  # noqa: E402


def tree_pids(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def kind_of(pid: int) -> str:
    """qa, the Playwright driver, or Chromium's process type (renderer, gpu-process, ...)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().decode(errors="replace").replace("\0", " ").split()  # Chromium rewrites its argv
    except OSError:
        return "?"
    if not args:  # a process that has just exited
        return "?"
    kind = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), None)
    if kind:
        return kind
    program = Path(args[0]).name
    return "playwright-driver" if program == "node" else "browser" if "chrom" in program else program


def tree_memory(root: int) -> tuple[int, int, dict[str, int]]:
    """(RSS, PSS, PSS by process kind) in bytes of ``root`` and every process below it (Playwright's driver,
    Chromium, its renderers).

    Summed RSS counts the libraries and shared memory Chromium's processes share once per process: it overstates.
    PSS shares each page among the processes mapping it, so the sum is what the tree really occupies."""
    rss = pss = 0
    kinds: dict[str, int] = {}
    counts: dict[str, int] = {}
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        value = int(line.split()[1]) * 1024
                        pss += value
                        kind = kind_of(pid)
                        kinds[kind] = kinds.get(kind, 0) + value
                        counts[kind] = counts.get(kind, 0) + 1
        except OSError:
            continue
    return rss, pss, {f"{k} ×{counts[k]}" if counts[k] > 1 else k: v for k, v in kinds.items()}


def breakdown(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k} {v / 1e6:.0f}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]) if v >= 1e6)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--every", type=int, default=250, help="checkpoint every this many recorded pages")
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between /proc samples")
    ap.add_argument("--concurrency", default="auto", help="pages in flight (qa's default: auto)")
    ap.add_argument("--screenshots", action="store_true", help="also save a screenshot of every page")
    ap.add_argument("--keep", type=Path, help="copy the run folder here afterwards (to rebuild its reports)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp, serve_generated(args.pages - 1) as url:
        config = Path(tmp) / "qa.yaml"
        config.write_text(
            f"max_pages: {args.pages + 10}\nconcurrency: {args.concurrency}\nuse_sitemaps: false\n"
            f"screenshots: {str(args.screenshots).lower()}\ntraps: {{max_per_pattern: {args.pages + 10}}}\n"
            # The generated site is ours: its links are checked at full speed, not politely.
            f"links: {{own_hosts: ['{url.split('/')[2]}']}}\n",
            encoding="utf-8",
        )
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "qa", "audit", url, "--config", str(config), "--out", str(out), "--quiet",
               "--browser", "chromium", "--viewport", "desktop"]  # fmt: skip
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = window_peak = peak_rss = window_rss = 0
        window_kinds: dict[str, int] = {}
        next_checkpoint = args.every
        print(f"{'pages':>6} {'elapsed s':>9} {'PSS MB (window peak)':>20} {'RSS MB (window peak)':>20} "
              f"{'PSS MB (run peak)':>17}   (PSS MB by process kind at the window peak)", flush=True)  # fmt: skip
        while proc.poll() is None:
            rss, pss, kinds = tree_memory(proc.pid)
            if pss > window_peak:
                window_kinds = kinds
            peak, window_peak = max(peak, pss), max(window_peak, pss)
            peak_rss, window_rss = max(peak_rss, rss), max(window_rss, rss)
            records = list(out.glob("*/records.jsonl"))
            done = sum(1 for _ in open(records[0], "rb")) if records else 0
            if done >= next_checkpoint:
                elapsed = time.monotonic() - started
                print(
                    f"{done:>6} {elapsed:>9.0f} {window_peak / 1e6:>20.0f} {window_rss / 1e6:>20.0f} "
                    f"{peak / 1e6:>17.0f}   ({breakdown(window_kinds)})",
                    flush=True,
                )
                window_peak = window_rss = 0
                next_checkpoint += args.every
            time.sleep(args.interval)
        stdout, stderr = proc.communicate()
        elapsed = time.monotonic() - started
        run_dirs = [p for p in out.iterdir() if p.is_dir() and not p.is_symlink()]
        disk = sum(f.stat().st_size for f in run_dirs[0].rglob("*") if f.is_file()) if run_dirs else 0
        print(f"exit {proc.returncode}; {elapsed:.0f} s; peak of the process tree: PSS {peak / 1e6:.0f} MB, "
              f"summed RSS {peak_rss / 1e6:.0f} MB; run folder {disk / 1e6:.1f} MB")  # fmt: skip
        if proc.returncode not in (0, 1):
            print(stderr, file=sys.stderr)
            return 1
        if args.keep and run_dirs:
            shutil.copytree(run_dirs[0], args.keep / run_dirs[0].name)
        return 0 if peak < 1.5e9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
