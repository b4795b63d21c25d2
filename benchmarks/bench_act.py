"""Recall and noise on the W3C ACT rules' test cases: failed examples flagged, passed examples wrongly failed.

The ACT Rules Community publishes, for each rule, examples that fail it, pass it or are inapplicable, each with the
WCAG success criteria the rule tests. This benchmark reads them from a checkout of the rules' repository
(``git clone https://github.com/act-rules/act-rules.github.io``; nothing is downloaded here), builds each example
into a page as the ACT tools do (a fragment goes into ``<html lang="en">`` with the example's heading as its title),
serves them with the repository's test assets on loopback, and audits them all in one ``qa audit --only a11y``
(Chromium, desktop). Counted over the rules that map to WCAG A/AA criteria (``failed: not satisfied``):

- a failed example is flagged when a finding on its page, violation or needs-review, names one of the rule's
  criteria; merged (the suite's findings) and axe-core alone (axe's own evidence in those findings);
- a passed example is wrongly failed when a violation on its page names one of the rule's criteria.

Usage: ``python benchmarks/bench_act.py --act PATH [--rules ID,ID] [--misses]`` (or ``QA_ACT_RULES=PATH``); without
a checkout it says so and does nothing. The figures go to ``reports_out/bench/act.json``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_recall import evidence  # noqa: E402
from qa.demo.server import serve  # noqa: E402
from qa.judge.criteria import by_sc  # noqa: E402

LEVELS_AA = ("A", "AA")
EXAMPLE = re.compile(r"^####\s+(Passed|Failed|Inapplicable) Example (\d+)\s*$", re.M)
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.M | re.S)
SC = re.compile(r"^wcag2\d:(\d+\.\d+\.\d+)$")
EXTENSIONS = {"html": "html", "xhtml": "xhtml", "svg": "svg"}


@dataclass
class Example:
    rule: str
    name: str
    expected: str  # passed | failed | inapplicable
    number: int
    criteria: list[str]
    path: str  # under the served root


def criteria_of(front: dict, levels: dict[str, str]) -> list[str]:
    """The WCAG A/AA criteria a failure of the rule does not satisfy."""
    out = []
    for key, value in (front.get("accessibility_requirements") or {}).items():
        m = SC.match(str(key))
        if m and isinstance(value, dict) and value.get("failed") == "not satisfied":
            if levels.get(m.group(1)) in LEVELS_AA:
                out.append(m.group(1))
    return out


def wrap(code: str, lang: str, title: str) -> str:
    """The ACT tools' template (act-tools, add-code-template.ts)."""
    if lang not in ("html", "xhtml") or re.search(r"<!doctype", code, re.I):
        return code
    doctype = (
        "<!DOCTYPE html>"
        if lang == "html"
        else ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">')
    )
    if re.search(r"<html", code, re.I):
        return f"{doctype}\n{code}"
    body = "\n".join("\t" + line for line in code.splitlines())
    head = f"<head>\n\t<title>{html.escape(title)}</title>\n</head>"
    return f'{doctype}\n<html lang="en">\n{head}\n<body>\n{body}\n</body>\n</html>\n'


def build(checkout: Path, site: Path, only: set[str], levels: dict[str, str]) -> list[Example]:
    shutil.copytree(checkout / "test-assets", site / "test-assets")
    examples = []
    for md in sorted((checkout / "_rules").glob("*.md")):
        text = md.read_text(encoding="utf-8")
        _, front_text, body = text.split("---", 2)
        front = yaml.safe_load(front_text)
        rule = str(front["id"])
        criteria = criteria_of(front, levels)
        if not criteria or (only and rule not in only):
            continue
        marks = list(EXAMPLE.finditer(body))
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
            fence = FENCE.search(body, m.end(), end)
            if not fence or fence.group(1) not in EXTENSIONS:
                continue
            lang, code = fence.group(1), fence.group(2)
            expected, number = m.group(1).lower(), int(m.group(2))
            title = f"{m.group(1)} Example {number}"
            path = f"testcases/{rule}/{expected}-{number}.{EXTENSIONS[lang]}"
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_text(wrap(code, lang, title), encoding="utf-8")
            examples.append(Example(rule, str(front["name"]), expected, number, criteria, path))
    return examples


def audit(urls: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "urls.txt"
        listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "qa", "audit", "--urls", str(listing), "--browser", "chromium"]
        cmd += ["--viewport", "desktop", "--only", "a11y", "--out", tmp, "--quiet", "--no-external-links"]
        cmd += ["--max-pages", str(len(urls))]
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"audit failed: {proc.stderr.strip()}")
        return json.loads((Path(tmp) / "latest" / "results.json").read_text(encoding="utf-8"))


def judge(examples: list[Example], results: dict, base: str) -> dict:
    by_url: dict[str, list[dict]] = {}
    for f in results["findings"]:
        by_url.setdefault(f["url"], []).append(f)
    audited = {p["url"] for p in results["pages"] if not p.get("error")}
    rows = []
    for ex in examples:
        url = base + ex.path
        merged = axe = violation = axe_violation = False
        for f in by_url.get(url, []):
            for engine, outcome, sc in evidence(f):
                if not set(sc) & set(ex.criteria) or outcome not in ("violation", "needs-review"):
                    continue
                merged = True
                violation = violation or outcome == "violation"
                if engine == "axe-core":
                    axe = True
                    axe_violation = axe_violation or outcome == "violation"
        rows.append(
            {
                "example": ex,
                "audited": url in audited,
                "merged": merged,
                "axe": axe,
                "violation": violation,
                "axe_violation": axe_violation,
            }
        )
    failed = [r for r in rows if r["example"].expected == "failed"]
    passed = [r for r in rows if r["example"].expected == "passed"]
    return {
        "rules": len({ex.rule for ex in examples}),
        "failed": len(failed),
        "failed_flagged": sum(r["merged"] for r in failed),
        "failed_flagged_axe": sum(r["axe"] for r in failed),
        "passed": len(passed),
        "passed_wrongly_failed": sum(r["violation"] for r in passed),
        "passed_wrongly_failed_axe": sum(r["axe_violation"] for r in passed),
        "not_audited": sum(not r["audited"] for r in rows),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--act",
        type=Path,
        default=Path(os.environ["QA_ACT_RULES"]) if os.environ.get("QA_ACT_RULES") else None,
        help="a checkout of act-rules/act-rules.github.io (default: $QA_ACT_RULES)",
    )
    parser.add_argument("--rules", default="", help="only these rule ids, comma-separated")
    parser.add_argument("--misses", action="store_true", help="list the failed examples not flagged")
    parser.add_argument("--keep", type=Path, help="write the audit's results.json here")
    args = parser.parse_args()
    if args.act is None:
        print("bench_act: skipped: give --act PATH (or QA_ACT_RULES), a checkout of act-rules/act-rules.github.io")
        return
    if not (args.act / "_rules").is_dir():
        raise SystemExit(f"{args.act} has no _rules folder: give a checkout of act-rules/act-rules.github.io")
    levels = {sc: c.level for sc, c in by_sc().items()}
    with tempfile.TemporaryDirectory(prefix="qa-act-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        examples = build(args.act, site, set(filter(None, args.rules.split(","))), levels)
        with serve(site) as base:
            results = audit([base + ex.path for ex in examples])
    if args.keep:
        args.keep.write_text(json.dumps(results), encoding="utf-8")
    fig = judge(examples, results, base)
    print(
        f"ACT rules mapped to WCAG A/AA: {fig['rules']}, examples: {len(examples)} ({fig['not_audited']} not audited)"
    )
    print(
        f"failed examples flagged:       merged {fig['failed_flagged']}/{fig['failed']}, "
        f"axe-core alone {fig['failed_flagged_axe']}/{fig['failed']}"
    )
    print(
        f"passed examples wrongly failed: merged {fig['passed_wrongly_failed']}/{fig['passed']}, "
        f"axe-core alone {fig['passed_wrongly_failed_axe']}/{fig['passed']}"
    )
    figures = {k: v for k, v in fig.items() if k != "rows"}
    out = REPO / "reports_out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "act.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if args.misses:
        for r in fig["rows"]:
            ex = r["example"]
            if ex.expected == "failed" and not r["merged"]:
                print(f"  missed  {ex.rule} {ex.name} — failed {ex.number} ({', '.join(ex.criteria)})")
            if ex.expected == "passed" and r["violation"]:
                print(f"  wrongly {ex.rule} {ex.name} — passed {ex.number} ({', '.join(ex.criteria)})")


if __name__ == "__main__":
    main()
