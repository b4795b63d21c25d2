"""Link-check throughput on a generated site on loopback: the suite's fast mode (own host), its polite mode, and the
``linkchecker`` program with its defaults, all on the same site.

    python benchmarks/bench_links.py                # fast mode on every URL; polite and LinkChecker on a sample
    python benchmarks/bench_links.py --full         # every mode on every URL (polite modes take ~6 min each)
    python benchmarks/bench_links.py --audit        # a whole `qa audit --only links` (crawl + link check)
    python benchmarks/bench_links.py --audit --qa-root /tmp/older-checkout   # the same with another version

``--audit`` measures what a user waits for: 150 small pages with images, a style sheet and links to another host
(127.0.0.2, checked politely), crawled in one browser; it reports the run's wall time and how long the link check
kept the run waiting after the crawl.

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


AUDIT_PAGES = 150


def make_audit_site(root: Path, other: str) -> None:
    """150 pages, each linking to the next three, with its own image, the shared style sheet (and its background
    image) and two links to another host: what a small site's full run looks like to the link check."""
    (root / "img").mkdir()
    (root / "css").mkdir()
    (root / "css" / "site.css").write_text("body { background: url(../img/bg.png) no-repeat; }", "utf-8")
    (root / "img" / "bg.png").write_bytes(b"x")
    for i in range(AUDIT_PAGES):
        pages = "".join(
            f'<li><a href="p{(i + d) % AUDIT_PAGES:03d}.html">Page {(i + d) % AUDIT_PAGES}</a></li>' for d in (1, 2, 3)
        )
        ext = "".join(f'<li><a href="{other}/ext/{(i + d) % 10}.html">Partner {d}</a></li>' for d in (0, 1))
        (root / "img" / f"p{i:03d}.png").write_bytes(b"x")
        (root / f"p{i:03d}.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><title>Page {i}</title><link rel="stylesheet" href="css/site.css">'
            f'</head><body><main><h1>Page {i}</h1><img src="img/p{i:03d}.png" alt="Picture {i}"><ul>{pages}{ext}</ul>'
            "</main></body></html>",
            "utf-8",
        )
    every = "".join(f'<a href="p{i:03d}.html">{i}</a> ' for i in range(AUDIT_PAGES))  # within the depth limit
    (root / "index.html").write_text(f"<!DOCTYPE html><title>Start</title>{every}", "utf-8")
    (root / "ext").mkdir()
    for k in range(10):
        (root / "ext" / f"{k}.html").write_text(f"<!DOCTYPE html><title>Partner {k}</title>", "utf-8")


def audit_mode(qa_root: Path) -> dict:
    """A whole ``qa audit --only links`` of the audit site with the suite at ``qa_root``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        server, base = serve(root)
        other = ThreadingHTTPServer(("127.0.0.2", 0), functools.partial(Quiet, directory=str(root)))
        other.daemon_threads = True
        threading.Thread(target=other.serve_forever, daemon=True).start()
        make_audit_site(root, f"http://127.0.0.2:{other.server_address[1]}")
        out = Path(tmp) / "out"
        env = {**os.environ, "PYTHONPATH": str(qa_root)}
        cmd = [sys.executable, "-m", "qa", "audit", f"{base}/", "--only", "links", "--out", str(out), "--quiet"]
        started = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=qa_root, env=env, capture_output=True, text=True, timeout=1800)
        finally:
            server.shutdown()
            other.shutdown()
        wall = time.perf_counter() - started
        if proc.returncode not in (0, 1):
            raise SystemExit(f"qa audit failed: {proc.stderr.strip()[-500:]}")
        results = json.loads(next(out.glob("*/results.json")).read_text(encoding="utf-8"))
    lc = results["link_check"]
    return {
        "qa_root": str(qa_root),
        "pages": len(results["pages"]),
        "wall_seconds": round(wall, 1),
        "link_check_after_crawl_seconds": lc["seconds"],
        "unique_urls": lc["unique_urls"],
        "requested_urls": lc.get("requested_urls", lc["checked_urls"]),
        "counts": lc["counts"],
        "cpus": os.cpu_count(),
        "load": open("/proc/loadavg").read().split()[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="polite modes on every URL too")
    parser.add_argument("--sample", type=int, default=150, help="URLs for the polite modes (default 150)")
    parser.add_argument("--audit", action="store_true", help="time a whole `qa audit --only links` instead")
    parser.add_argument("--qa-root", type=Path, default=Path(__file__).resolve().parents[1], help="suite to audit with")
    args = parser.parse_args()
    if args.audit:
        summary = audit_mode(args.qa_root.resolve())
        print(json.dumps(summary, indent=1))
        out = Path(__file__).resolve().parents[1] / "reports_out" / "bench"
        out.mkdir(parents=True, exist_ok=True)
        (out / "bench_links_audit.json").write_text(json.dumps(summary, indent=1))
        return
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
