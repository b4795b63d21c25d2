"""Recall on the suite's own broken-page set, the noise on accessible pages, and the cost per engine.

``tests/sites/barriers/barriers.json`` lists pages of one barrier each with its known answer (the criteria it fails,
the topic), and accessible control pages. One ``qa audit --only a11y`` of them all (Chromium, desktop, one page at a
time so the timings are per page) gives, per engine (axe-core, IBM Equal Access, HTML_CodeSniffer, the suite's own
checks) and merged (the suite's findings, one per barrier):

- barriers flagged: a finding on the barrier's page, violation or needs-review, that names one of its criteria (an
  engine counts with its own rule's outcome and criteria, also where its finding was merged into another's);
- false violations: violations on the accessible pages (merged: the suite's findings, which count barriers);
- ms per page of each engine and of the suite's other checks (``pages[].facts["timings_ms"]``, median).

The same audit with the axe-core bundled with axe-playwright-python (an engines cache without the newest axe) is the
baseline, in the same sitting (``--no-baseline`` skips it); each runs ``--repeat`` times (default 2) in alternating
order, the timings pooled. Needs the engines installed (``qa setup``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa.check._engines import engine_data, engines_dir  # noqa: E402
from qa.demo.server import serve  # noqa: E402

SITES = REPO / "tests" / "sites"
ENGINES = {"axe": "axe-core", "ace": "IBM Equal Access", "htmlcs": "HTML_CodeSniffer"}
OWN = "suite's own checks"
NOT_CHECKS = {"navigation", "facts"}


def audit(urls: list[str], engines: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "urls.txt"
        listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "qa", "audit", "--urls", str(listing), "--browser", "chromium"]
        cmd += ["--viewport", "desktop", "--only", "a11y", "--concurrency", "1", "--out", tmp, "--quiet"]
        env = {**os.environ, **({"QA_ENGINES_DIR": str(engines)} if engines else {})}
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"audit failed: {proc.stderr.strip()}")
        return json.loads((Path(tmp) / "latest" / "results.json").read_text(encoding="utf-8"))


def evidence(f: dict) -> list[tuple[str, str, list[str]]]:
    """(engine, outcome, criteria) of every engine behind a finding; the suite's own checks are one 'engine'."""
    merged = f["details"].get("engines")
    if merged:
        names = {v: k for k, v in ENGINES.items()}
        return [(ENGINES[names[e["engine"]]], e["outcome"], e["sc"]) for e in merged]
    return [(ENGINES.get(f["check"], OWN), f["outcome"], f["sc"])]


def figures(runs: list[dict], base: str, manifest: dict) -> dict:
    """Recall and noise from the first run (the findings do not change between runs), timings from all."""
    results = runs[0]
    pages = {p["url"]: p for p in results["pages"]}
    by_page: dict[str, list[dict]] = {}
    for f in results["findings"]:
        by_page.setdefault(f["url"], []).append(f)
    who = [*ENGINES.values(), OWN, "merged"]
    flagged: dict[str, list[str]] = {w: [] for w in who}
    per_barrier = {}
    for barrier in manifest["barriers"]:
        url = base + barrier["page"]
        if pages.get(url, {}).get("error", "not audited"):
            raise SystemExit(f"{barrier['page']} was not audited: {pages.get(url, {}).get('error', 'missing')}")
        wanted = set(barrier["sc"])
        hits = set()
        for f in by_page.get(url, []):
            if wanted & set(f["sc"]):
                hits.add("merged")
            hits.update(e for e, _, sc in evidence(f) if wanted & set(sc))
        for w in hits:
            flagged[w].append(barrier["page"])
        per_barrier[barrier["page"]] = sorted(hits - {"merged"}) or ["missed"]
    false_violations: dict[str, list[str]] = {w: [] for w in who}
    for page in manifest["accessible"]:
        for f in by_page.get(base + page, []):
            if f["outcome"] == "violation":
                false_violations["merged"].append(f"{page}: {f['rule']}")
            for engine, outcome, _ in evidence(f):
                if outcome == "violation":
                    false_violations[engine].append(f"{page}: {f['rule']}")
    timings = [p["facts"]["timings_ms"] for run in runs for p in run["pages"] if not p["error"]]
    own = [sum(v or 0 for k, v in t.items() if k not in NOT_CHECKS and k not in ENGINES) for t in timings]
    ms = {ENGINES[k]: round(statistics.median(t.get(k) or 0 for t in timings), 1) for k in ENGINES}
    ms[OWN] = round(statistics.median(own), 1)
    ms["whole visit"] = round(statistics.median(sum(v or 0 for v in t.values()) for t in timings), 1)
    total = len(manifest["barriers"])
    # Barriers of AAA criteria only: the suite files them as best practice (no criterion), so they are missed above.
    beyond = [b for b in manifest["barriers"] if b.get("best_practice")]
    as_best_practice = [
        b["page"] for b in beyond if any(f["rule"] in b["best_practice"] for f in by_page.get(base + b["page"], []))
    ]
    return {
        "axe-core version": results["run"]["engines"].get("axe-core", ""),
        "barriers": total,
        "accessible pages": len(manifest["accessible"]),
        "runs": len(runs),
        "flagged": {w: f"{len(flagged[w])}/{total} ({len(flagged[w]) / total:.0%})" for w in who},
        "AAA barriers flagged as best practice": f"{len(as_best_practice)}/{len(beyond)}",
        "false violations on accessible pages": {w: len(v) for w, v in false_violations.items()},
        "false violations (which)": {w: v for w, v in false_violations.items() if v},
        "median ms per page": ms,
        "engines per barrier": per_barrier,
    }


def bundled_axe_cache(tmp: Path) -> Path:
    """An engines cache with the other engines but not the newest axe-core: the bundled axe runs."""
    keep = tmp / "engines"
    keep.mkdir()
    for key, spec in engine_data()["engines"].items():
        folder = engines_dir() / f"{spec['package']}-{spec['version']}"
        if key != "axe" and folder.is_dir():
            (keep / folder.name).symlink_to(folder)
    return keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip the run with the bundled axe-core")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, in alternating order (timings pooled)")
    args = parser.parse_args()
    manifest = json.loads((SITES / "barriers" / "barriers.json").read_text(encoding="utf-8"))
    with serve(SITES) as url, tempfile.TemporaryDirectory() as tmp:
        urls = [url + p for p in [*(b["page"] for b in manifest["barriers"]), *manifest["accessible"]]]
        variants: dict[str, Path | None] = {"newest axe": None}
        if not args.no_baseline:
            variants["bundled axe (baseline)"] = bundled_axe_cache(Path(tmp))
        runs: dict[str, list[dict]] = {name: [] for name in variants}
        for i in range(args.repeat):
            for name in list(variants) if i % 2 == 0 else list(reversed(variants)):
                runs[name].append(audit(urls, variants[name]))
        missing = [k for k, v in runs["newest axe"][0]["run"]["engines"].items() if v == ""]
        if missing:
            raise SystemExit(f"engine(s) not installed: {', '.join(missing)}; run 'qa setup' first")
        report = {name: figures(found, url, manifest) for name, found in runs.items()}
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "recall.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
