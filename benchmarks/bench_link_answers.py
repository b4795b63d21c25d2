"""Right answers of the link check on an answer-key site: 256 references of many kinds (``<a>``, images, srcset,
media, SVG, CSS in every place a URL can hide, ``<base href>``, redirects, odd HTTP answers, schemes, another origin
with a robots.txt, content added or changed by script), each with the answer expected of a link check
(``benchmarks/link_answers_site.py``, designed by someone who did not write the suite).

    python benchmarks/bench_link_answers.py                   # qa, and LinkChecker if it is installed
    python benchmarks/bench_link_answers.py --no-linkchecker  # qa only (LinkChecker's run takes over a minute)
    python benchmarks/bench_link_answers.py --qa-root /tmp/older-checkout   # another version of the suite

The site is served by threads of this process on free ports (127.0.0.1, and 127.0.0.2 as the other origin). qa runs
``qa audit START --only links`` in one cell (Chromium, desktop); the ``linkchecker`` program runs with its checking
defaults (``-v`` only makes its CSV list every URL it checked, not only the failures). For each tool it prints the
expected-broken references reported broken, the working references reported broken, every discrepancy with the key
(kind, URL with the origins written ``{OWN}``/``{OTHER}``, expected, got) and the wall seconds of its run.

How a key row is judged: ``broken`` must be reported broken; ``ok`` must be reported, neither broken nor with a
missing anchor; ``info`` (a redirect to a working page) must be reported as a redirect; ``warning`` (a missing anchor)
as a warning; ``notbroken`` anything but broken; ``notbroken-or-broken`` is never a discrepancy.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.link_answers_site import ProbeSite, served_probe_site  # noqa: E402

RANK = {"broken": 4, "warning": 3, "info": 2, "ok": 1, "ignored": 0}  # the worst answer for a URL wins
WORKING = ("ok", "info", "warning", "notbroken")  # expectations that a "broken" answer contradicts


def _query(query: str) -> str:
    # the Shift_JIS page's query is percent-encoded Shift_JIS: decoded as such so it matches the key's spelling
    raw = unquote_to_bytes(query)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("shift_jis", "replace")


def norm(url: str) -> str:
    """The form in which a tool's URL and the key's are compared: no fragment, no user:password@, scheme and host in
    lower case, path and query decoded, except where the encoded bytes are the point of the case (%2F, Shift_JIS)."""
    url = url.split("#", 1)[0]
    if url.startswith(("http://", "https://")):
        p = urlsplit(url)
        path = p.path if "%2F" in p.path or "%93" in p.path else unquote(p.path)
        host = p.netloc.rpartition("@")[2].lower()  # user:pw@ is not sent as part of the request's address
        return urlunsplit((p.scheme.lower(), host, path or "/", _query(p.query), ""))
    return unquote(url)


def answers(key: list[dict[str, str]], rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """For each key row, the worst answer a tool gave for its URL (``NOT-REPORTED`` if none) and the rows behind it.
    A key URL with a fragment is matched only by rows with that fragment (the anchor is what the case tests); one
    without is matched by rows that are not about a missing anchor (another link to the same page may lack one)."""
    by_url: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_url.setdefault(norm(row["url"]), []).append(row)
    out = []
    for k in key:
        got = by_url.get(norm(k["url"]), [])
        if "#" in k["url"]:
            got = [r for r in got if unquote(r["url"]) == unquote(k["url"])]
        else:
            got = [r for r in got if "missing-anchor" not in r.get("issues", [])]
        results = sorted({r["result"] for r in got}, key=lambda x: -RANK.get(x, 0))
        out.append((results[0] if results else "NOT-REPORTED", got))
    return out


def wrong(expected: str, got: str) -> bool:
    if expected == "broken":
        return got != "broken"
    if expected == "notbroken":
        return got == "broken"
    if expected == "ok":
        return got in ("broken", "warning", "NOT-REPORTED")
    if expected in ("warning", "info"):
        return got != expected
    return False  # notbroken-or-broken: either answer is defensible


def score(site: ProbeSite, got: list[tuple[str, list[dict[str, Any]]]], seconds: float) -> dict[str, Any]:
    key = site.key
    found = sum(1 for k, (g, _) in zip(key, got, strict=True) if k["expected"] == "broken" and g == "broken")
    false = sum(1 for k, (g, _) in zip(key, got, strict=True) if k["expected"] in WORKING and g == "broken")

    def portable(url: str) -> str:
        # the ports change from run to run: written as placeholders so two runs' outputs can be diffed
        return url.replace(site.own, "{OWN}").replace(site.other, "{OTHER}")

    discrepancies = [
        {"kind": k["kind"], "url": portable(k["url"]), "expected": k["expected"], "got": g}
        for k, (g, _) in zip(key, got, strict=True)
        if wrong(k["expected"], g)
    ]
    return {
        "wall_seconds": round(seconds, 1),
        "expected_broken_reported_broken": found,
        "working_reported_broken": false,
        "discrepancy_count": len(discrepancies),
        "discrepancies": discrepancies,
    }


def run_qa(qa_root: Path, start: str, out: Path) -> tuple[float, list[dict[str, Any]]]:
    """``qa audit START --only links`` in one cell; its results.json ``links[]``."""
    env = {**os.environ, "PYTHONPATH": str(qa_root)}  # the suite at qa_root, not whichever one is installed
    cmd = [sys.executable, "-m", "qa", "audit", start, "--only", "links", "--browser", "chromium"]
    cmd += ["--viewport", "desktop", "--out", str(out), "--quiet"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=qa_root, env=env, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # 1 is a failed gate: the site has broken links on purpose
        raise SystemExit(f"qa audit failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    results = json.loads((out / "latest" / "results.json").read_text(encoding="utf-8"))
    return seconds, results.get("links", [])


def find_linkchecker() -> str | None:
    """The ``linkchecker`` program beside this interpreter (a venv's bin/ is often not on PATH), or on PATH."""
    beside = Path(sys.executable).parent / "linkchecker"
    return str(beside) if beside.is_file() else shutil.which("linkchecker")


def linkchecker_rows(csv_text: str) -> list[dict[str, Any]]:
    """LinkChecker's CSV as rows in qa's vocabulary (url, result)."""
    lines = [line for line in csv_text.splitlines(keepends=True) if not line.startswith("#")]
    rows: list[dict[str, Any]] = []
    for r in csv.DictReader(lines, delimiter=";"):
        if r["valid"] == "False":
            result = "broken"
        elif "outside of the domain filter" in (r["infostring"] or ""):
            result = "ignored"  # by default it checks only the syntax of URLs on other hosts
        elif "Redirected to" in (r["warningstring"] or ""):
            result = "info"
        elif "anchor" in (r["warningstring"] or "").lower():
            result = "warning"  # the key's "warning" is a missing anchor; its other warnings are not about that
        else:
            result = "ok"
        # "url" is where it ended up (after redirects): the reference itself is urlname, resolved as a browser
        # would (tabs and newlines dropped, backslashes as slashes); both are kept so either can match the key
        name = "".join(ch for ch in (r["urlname"] or "") if ch not in "\t\r\n").strip().replace("\\", "/")
        written = urljoin(r["base"] or r["parentname"] or "", name) if name else ""
        for url in {r["url"], written} - {""}:
            rows.append({"url": url, "result": result, "issues": []})
    return rows


def run_linkchecker(program: str, start: str) -> tuple[float, list[dict[str, Any]]]:
    cmd = [program, "-v", "-o", "csv", start]
    started = time.perf_counter()
    # its working directory is the shared temp dir: run as root, it drops to "nobody", who cannot enter our own
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=tempfile.gettempdir())
    seconds = time.perf_counter() - started
    if "urlname;" not in proc.stdout:  # it exits 1 when it found broken links, so the output is the test
        raise SystemExit(f"linkchecker failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return seconds, linkchecker_rows(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--linkchecker",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the linkchecker program too (default: if it is installed)",
    )
    parser.add_argument("--qa-root", type=Path, default=ROOT, help="suite to audit with (default: this checkout)")
    args = parser.parse_args()
    program = find_linkchecker() if args.linkchecker is not False else None
    if args.linkchecker and not program:
        raise SystemExit("--linkchecker: no linkchecker program next to this Python or on PATH")
    tools: dict[str, dict[str, Any]] = {}
    # a fresh site for each tool: the 429/503 cases answer by request count, so the first tool must not use them up
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp, served_probe_site() as site:
        seconds, rows = run_qa(args.qa_root.resolve(), site.own + "/", Path(tmp) / "out")
        tools["qa"] = score(site, answers(site.key, rows), seconds)
        key = site.key
    if program:
        with served_probe_site() as site:
            seconds, rows = run_linkchecker(program, site.own + "/")
            tools["linkchecker"] = score(site, answers(site.key, rows), seconds)
    expected: dict[str, int] = {}
    for k in key:
        expected[k["expected"]] = expected.get(k["expected"], 0) + 1
    summary = {
        "key_rows": len(key),
        "expected": expected,
        "tools": tools,
        "qa_root": str(args.qa_root.resolve()),
        "cpus": os.cpu_count(),
        "load": Path("/proc/loadavg").read_text().split()[:3],
    }
    text = json.dumps(summary, indent=1, ensure_ascii=False)
    out = ROOT / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "link_answers.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
