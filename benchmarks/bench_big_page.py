"""Time per check on one big page: 5,000 same-page anchor links, 5,000 ids and 2,000 images (``tests/navsite.py``).

One ``qa audit --urls`` of that page alone (Chromium, desktop, every family, screenshots on); prints the page's
``facts["timings_ms"]`` (navigation, facts, each check) and the whole visit as JSON. The target: the page audited
completely in under 15 s.

Wall time moves with the machine's load; CPU time much less. So the run also records the CPU seconds of the audit's
whole process tree (qa, Playwright's driver, every browser process) by process kind (renderer, browser,
gpu-process, ...: read from /proc every 0.2 s, each process's last reading) and in all, and the load average at the
start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_memory import kind_of, tree_pids  # noqa: E402
from tests.navsite import BIG, BIG_IMAGES, BIG_LINKS, serve_nav  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
SAMPLE_S = 0.2


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 when it has just exited)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def run_sampled(cmd: list[str]) -> tuple[subprocess.CompletedProcess[str], float, dict[str, float]]:
    """Run ``cmd``: (its result, wall seconds, CPU seconds of its process tree by process kind). Read from /proc, not
    from ``RUSAGE_CHILDREN``: the browser's processes are reaped by init when the driver that started them exits."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    last: dict[int, tuple[str, float]] = {}
    while proc.poll() is None:
        for pid in tree_pids(proc.pid):
            used = cpu_of(pid)
            if used:
                last[pid] = (last[pid][0] if pid in last else kind_of(pid), used)
        time.sleep(SAMPLE_S)
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - started
    kinds: dict[str, float] = {}
    for kind, used in last.values():
        kinds[kind] = round(kinds.get(kind, 0.0) + used, 1)
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr), wall, kinds


CONFIG = "timeouts: {navigation: 120, script: 600, page: 1800}\nlinks: {own_hosts: ['127.0.0.1'], timeout: 5}\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, serve_nav() as site:
        urls, config = Path(tmp) / "urls.txt", Path(tmp) / "qa.yaml"
        urls.write_text(site.url + BIG.lstrip("/") + "\n", encoding="utf-8")
        config.write_text(CONFIG, encoding="utf-8")
        cmd = [sys.executable, "-m", "qa", "audit", "--urls", str(urls), "--config", str(config), "--out", tmp]
        cmd += ["--browser", "chromium", "--viewport", "desktop", "--quiet"]
        load = os.getloadavg()[0]
        proc, wall, kinds = run_sampled(cmd)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"audit failed: {proc.stderr.strip()}")
        results = json.loads((Path(tmp) / "latest" / "results.json").read_text(encoding="utf-8"))
    page = results["pages"][0]
    timings = page["facts"].get("timings_ms") or {}
    row = {
        "page": {"links": BIG_LINKS, "ids": BIG_LINKS, "images": BIG_IMAGES},
        "error": page["error"],
        "check_errors": page["facts"].get("check_errors") or {},
        "visit_s": round(sum(timings.values()) / 1000, 1),
        "audit_wall_s": round(wall, 1),
        "audit_cpu_s": round(sum(kinds.values()), 1),
        "cpu_s_by_process": kinds,
        "load_average": round(load, 1),
        "timings_ms": timings,
        "sampled": page["facts"].get("sampled") or {},
    }
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "big_page.json").write_text(json.dumps(row, indent=2), encoding="utf-8")
    print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
