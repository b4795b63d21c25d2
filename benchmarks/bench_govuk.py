"""Recall on the GDS accessibility tool audit: 142 pages of one known barrier each, as published in 2017 with the
results of 13 tools (``alphagov/accessibility-tool-audit``; nothing is downloaded here).

Each page of the checkout's ``tests/`` folder shows one barrier under an ``<h1>`` naming it. ``govuk_barriers.json``
(beside this file) gives the success criteria each barrier fails, as judged here. The pages are served on loopback
with the checkout's assets and audited in one ``qa audit --only a11y`` (Chromium, desktop). A barrier is flagged
when a finding on its page, violation or needs-review, names one of its criteria; merged (the suite's findings) and
axe-core alone (axe's own evidence in those findings), beside the study's own results for axe-core in 2017 ("error"
or "warning" or "manual" counted as found, as the study does).

Usage: ``python benchmarks/bench_govuk.py --govuk PATH [--misses]`` (or ``QA_GOVUK_AUDIT=PATH``); without a checkout
it says so and does nothing. The figures go to ``reports_out/bench/govuk.json``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_act import audit  # noqa: E402
from benchmarks.bench_recall import evidence  # noqa: E402
from qa.demo.server import serve  # noqa: E402

H1 = re.compile(r"<h1>(.*?)</h1>", re.S)
# Barriers of a whole document (its lang, its title) are shown on an example page the test page links to; the
# study ran the tools on that page, and so does this benchmark.
EXAMPLE = re.compile(r'(?:href|src)="\.\./(example-pages/[\w.-]+\.html)"')
FOUND = ("error", "error_paid", "warning", "manual", "identified")


def barriers(checkout: Path) -> list[dict]:
    """Each test page with its barrier's name, category, criteria and the study's result for axe-core."""
    criteria = json.loads((Path(__file__).with_name("govuk_barriers.json")).read_text(encoding="utf-8"))
    study = json.loads((checkout / "tests.json").read_text(encoding="utf-8"))
    by_name = {name: (cat, t) for cat, tests in study.items() for name, t in tests.items()}
    out = []
    for page in sorted((checkout / "tests").glob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        found = H1.search(text)
        name = html.unescape(found.group(1)).strip() if found else ""
        if name not in by_name:
            raise SystemExit(f"{page.name}: its heading {name!r} is not a test of tests.json")
        cat, test = by_name[name]
        key = f"{cat} | {name}"
        if key not in criteria:
            raise SystemExit(f"{key!r} has no criteria in govuk_barriers.json")
        out.append(
            {
                "page": f"tests/{page.name}",
                "pages": [f"tests/{page.name}", *dict.fromkeys(EXAMPLE.findall(text))],
                "barrier": key,
                "sc": criteria[key],
                "axe_2017": test["results"].get("axe", "notfound") in FOUND,
            }
        )
    return out


def judge(rows: list[dict], results: dict, base: str) -> dict:
    by_url: dict[str, list[dict]] = {}
    for f in results["findings"]:
        by_url.setdefault(f["url"], []).append(f)
    audited = {p["url"] for p in results["pages"] if not p.get("error")}
    for row in rows:
        urls = [base + p for p in row["pages"]]
        row["audited"] = all(u in audited for u in urls)
        row["merged"] = row["axe"] = False
        row["by"] = []
        for f in (f for u in urls for f in by_url.get(u, [])):
            for engine, outcome, sc in evidence(f):
                if outcome in ("violation", "needs-review") and set(sc) & set(row["sc"]):
                    row["merged"] = True
                    row["axe"] = row["axe"] or engine == "axe-core"
                    row["by"].append(f"{engine}: {f['rule']}")
        row["by"] = sorted(set(row["by"]))
    return {
        "barriers": len(rows),
        "not_audited": sum(not r["audited"] for r in rows),
        "flagged": sum(r["merged"] for r in rows),
        "flagged_axe": sum(r["axe"] for r in rows),
        "axe_2017": sum(r["axe_2017"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--govuk",
        type=Path,
        default=Path(os.environ["QA_GOVUK_AUDIT"]) if os.environ.get("QA_GOVUK_AUDIT") else None,
        help="a checkout of alphagov/accessibility-tool-audit (default: $QA_GOVUK_AUDIT)",
    )
    parser.add_argument("--misses", action="store_true", help="list the barriers not flagged")
    parser.add_argument("--keep", type=Path, help="write the audit's results.json here")
    args = parser.parse_args()
    if args.govuk is None:
        print("bench_govuk: skipped: give --govuk PATH (or QA_GOVUK_AUDIT), a checkout of accessibility-tool-audit")
        return
    if not (args.govuk / "tests.json").is_file() or not (args.govuk / "tests").is_dir():
        raise SystemExit(f"{args.govuk} has no tests.json or tests folder: give a checkout of accessibility-tool-audit")
    rows = barriers(args.govuk)
    with serve(args.govuk) as base:
        results = audit([base + p for p in dict.fromkeys(p for r in rows for p in r["pages"])])
    if args.keep:
        args.keep.write_text(json.dumps(results), encoding="utf-8")
    fig = judge(rows, results, base)
    n = fig["barriers"]
    print(f"GDS accessibility tool audit: {n} barriers ({fig['not_audited']} not audited)")
    print(
        f"barriers flagged: merged {fig['flagged']}/{n} ({100 * fig['flagged'] / n:.0f} %), axe-core alone "
        f"{fig['flagged_axe']}/{n}; the study's axe-core in 2017 {fig['axe_2017']}/{n}"
    )
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "govuk.json").write_text(json.dumps({**fig, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    if args.misses:
        for r in rows:
            if not r["merged"]:
                print(f"  missed  {r['barrier']} ({', '.join(r['sc'])})")


if __name__ == "__main__":
    main()
