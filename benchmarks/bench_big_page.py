"""Time per check on one big page: 5,000 same-page anchor links, 5,000 ids and 2,000 images (``tests/navsite.py``).

One ``qa audit --urls`` of that page alone (Chromium, desktop, every family, screenshots on); prints the page's
``facts["timings_ms"]`` (navigation, facts, each check) and the whole visit as JSON. The target: the page audited
completely in under 15 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.navsite import BIG, BIG_IMAGES, BIG_LINKS, serve_nav  # noqa: E402

CONFIG = "timeouts: {navigation: 120, script: 600, page: 1800}\nlinks: {own_hosts: ['127.0.0.1'], timeout: 5}\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, serve_nav() as site:
        urls, config = Path(tmp) / "urls.txt", Path(tmp) / "qa.yaml"
        urls.write_text(site.url + BIG.lstrip("/") + "\n", encoding="utf-8")
        config.write_text(CONFIG, encoding="utf-8")
        cmd = [sys.executable, "-m", "qa", "audit", "--urls", str(urls), "--config", str(config), "--out", tmp]
        cmd += ["--browser", "chromium", "--viewport", "desktop", "--quiet"]
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        wall = time.monotonic() - started
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
        "timings_ms": timings,
        "sampled": page["facts"].get("sampled") or {},
    }
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "big_page.json").write_text(json.dumps(row, indent=2), encoding="utf-8")
    print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
