"""Link-check throughput on a generated site on loopback: the suite's fast mode (own host), its polite mode, and the
``linkchecker`` program with its defaults, all on the same site.

    python benchmarks/bench_links.py                # fast mode on every URL; polite and LinkChecker on a sample
    python benchmarks/bench_links.py --full         # every mode on every URL (polite modes take ~6 min each)

The polite modes run at about 3 URL/s by design (one request per 0.1–0.6 s per host), so by default they are
timed on the first ``--sample`` URLs: their rate does not depend on the site's size. Timings on a shared machine
are noisy; run it twice.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.links.engine import EngineSecrets, EngineSettings, check_urls  # noqa: E402

PAGES = 100
FILES_PER_PAGE = 10


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def make_site(root: Path) -> list[str]:
    """100 pages, each linking to the next pages and to 10 files of its own: 1,100 distinct URLs."""
    paths = []
    for i in range(PAGES):
        files = [f"files/p{i:03d}-{k}.txt" for k in range(FILES_PER_PAGE)]
        links = [f"p{(i + d) % PAGES:03d}.html" for d in (1, 2, 3)] + files
        body = "".join(f'<li><a href="{h}">{h}</a></li>' for h in links)
        (root / f"p{i:03d}.html").write_text(f"<!DOCTYPE html><title>Page {i}</title><ul>{body}</ul>", "utf-8")
        paths.append(f"p{i:03d}.html")
        paths += files
    (root / "files").mkdir(exist_ok=True)
    for p in paths:
        if p.startswith("files/"):
            (root / p).write_text("x", "utf-8")
    (root / "index.html").write_text('<!DOCTYPE html><title>Start</title><a href="p000.html">start</a>', "utf-8")
    return ["index.html", *paths]


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    server.daemon_threads = True
    server.request_queue_size = 128
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def suite_mode(base: str, paths: list[str], own: bool, work: Path) -> tuple[int, float]:
    targets, out = work / f"targets-{own}.jsonl", work / f"checked-{own}.jsonl"
    with open(targets, "w", encoding="utf-8") as fh:
        for p in paths:
            fh.write(json.dumps({"key": f"{base}/{p}", "url": f"{base}/{p}"}) + "\n")
    settings = EngineSettings(site_origin=base, own_hosts=["127.0.0.1"] if own else [])
    started = time.perf_counter()
    asyncio.run(check_urls(targets, out, settings, EngineSecrets()))
    seconds = time.perf_counter() - started
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    bad = [r for r in rows if not r["valid"]]
    if bad:
        raise SystemExit(f"benchmark site answered badly: {bad[0]}")
    return len(rows), seconds


def linkchecker_default(base: str, limit: int | None) -> tuple[int, float]:
    """The ``linkchecker`` program, default settings, crawling the site from its start page; stopped after
    ``limit`` URLs (its rate is steady, so a sample measures it)."""
    cmd = ["linkchecker", "--no-status", "--no-warnings", "-v", "-o", "csv", f"{base}/index.html"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tempfile.gettempdir()
    )
    count = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(("#", "urlname;")) or not line.strip():
            continue
        count += 1
        if limit and count >= limit:
            break
    seconds = time.perf_counter() - started
    proc.terminate()
    proc.wait()
    return count, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="polite modes on every URL too")
    parser.add_argument("--sample", type=int, default=150, help="URLs for the polite modes (default 150)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, work = Path(tmp) / "site", Path(tmp) / "work"
        root.mkdir()
        work.mkdir()
        paths = make_site(root)
        server, base = serve(root)
        sample = None if args.full else args.sample
        try:
            results = {}
            n, s = suite_mode(base, paths, True, work)
            results["suite, fast mode (own host)"] = (n, s)
            n, s = suite_mode(base, paths[: sample or len(paths)], False, work)
            results["suite, polite mode"] = (n, s)
            n, s = linkchecker_default(base, sample)
            results["linkchecker program, defaults"] = (n, s)
        finally:
            server.shutdown()
    rows = [
        {"mode": name, "urls": n, "seconds": round(s, 2), "urls_per_second": round(n / s, 1)}
        for name, (n, s) in results.items()
    ]
    fast, lc = rows[0]["urls_per_second"], rows[2]["urls_per_second"]
    summary = {
        "site_urls": len(paths),
        "cpus": os.cpu_count(),
        "load": open("/proc/loadavg").read().split()[:3],
        "rows": rows,
        "fast_vs_linkchecker_default": round(fast / lc, 1),
        "target": 20,
    }
    for r in rows:
        print(
            f"{r['mode']:34s} {r['urls']:5d} URLs in {r['seconds']:7.1f} s = {r['urls_per_second']:7.1f} URL/s",
            file=sys.stderr,
        )
    print(json.dumps(summary, indent=1))
    out = Path(__file__).resolve().parents[1] / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_links.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
