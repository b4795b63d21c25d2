"""JUnit XML for CI systems: one test case per page and check family, failures carrying the findings.

Suites: ``accessibility``, ``links`` (when the link check ran), ``javascript``, ``http`` (one case per page each),
``site`` (findings about the site rather than a page: 404 probe, sitemap) and ``gate`` (the publication gate as one
case). A case fails when it holds items that fail the gate (``judgement.gate.failing``), so the test report
and the exit code agree; findings that do not gate (needs review, accepted, under a threshold) go to system-out.
Validates against the Jenkins/Ant JUnit schema (tests/schemas/jenkins-junit.xsd).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from qa.judge.gate import GATE_OUTCOMES, HTTP, JS, LINK_CHECKS, LINKS, is_accepted
from qa.judge.inventory import inventory_of
from qa.judge.judgement import gate_of
from qa.model import Finding, Page, Results

NAME = "junit"
FILENAME = "junit.xml"
# Characters XML 1.0 cannot carry at all, even escaped.
_ILLEGAL = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_TEXT = 20_000
NOT_PAGE_CHECKS = ("screenshot", "site-probes", *LINK_CHECKS)


def clean(text: object) -> str:
    return _ILLEGAL.sub("", str(text))[:MAX_TEXT]


def suite_of(f: Finding, page_urls: set[str], families: dict[str, str]) -> str:
    family = families.get(f.id)
    if family == LINKS:
        return "links"
    if family == JS:
        return "javascript"
    if f.url not in page_urls:
        return "site"
    return "accessibility"


def describe(f: Finding) -> str:
    sc = f" SC {', '.join(f.sc)}" if f.sc else ""
    lines = [f"[{f.outcome}] {f.rule}{sc} ({f.impact or '-'}) in {', '.join(f.seen_in)}"]
    for label, value in (("target", f.target), ("html", f.html), ("message", f.message), ("help", f.help_url)):
        if value:
            lines.append(f"  {label}: {value}")
    if is_accepted(f):
        a = f.details["accepted"]
        lines.append(f"  accepted (entry {a['entry']}): {a['reason']} — {a['owner']}, until {a['expires']}")
    return "\n".join(lines)


class _Case:
    def __init__(self, name: str, classname: str, time_s: float = 0.0) -> None:
        self.name, self.classname, self.time = name, classname, time_s
        self.skipped = ""
        self.failures: list[tuple[str, str, str]] = []  # (message, type, text)
        self.out: list[str] = []

    def element(self) -> ET.Element:
        el = ET.Element("testcase", name=clean(self.name), classname=self.classname, time=f"{self.time:.3f}")
        if self.skipped:
            ET.SubElement(el, "skipped").text = clean(self.skipped)  # the Jenkins schema allows no attribute here
        for message, kind, text in self.failures:
            failure = ET.SubElement(el, "failure", message=clean(message), type=clean(kind))
            failure.text = clean(text)
        if self.out:
            ET.SubElement(el, "system-out").text = clean("\n".join(self.out))
        return el


def _page_cases(
    suite: str, pages: dict[str, list[Page]], findings: dict[str, list[Finding]], failing: set[str]
) -> list[_Case]:
    cases = []
    for url, visits in pages.items():
        case = _Case(url, f"qa.{suite}", max((p.load_ms or 0) for p in visits) / 1000)
        if all(p.error for p in visits):
            case.skipped = f"not audited: {visits[0].error}"
        _fill(case, findings.get(url, []), failing)
        cases.append(case)
    return cases


def _fill(case: _Case, findings: list[Finding], failing: set[str]) -> None:
    bad = [f for f in findings if f.id in failing]
    if bad:
        rules = sorted({f.rule for f in bad})
        case.failures.append(
            (f"{len(bad)} finding(s) fail the gate: {', '.join(rules)}", rules[0], "\n\n".join(map(describe, bad)))
        )
    case.out += [describe(f) for f in findings if f.id not in failing]


def build(results: Results) -> ET.Element:
    gate = gate_of(results)
    failing = set(gate.failing)
    failing_pages = {(family, url) for family, url in gate.failing_pages}
    families = gate.family_of()
    pages: dict[str, list[Page]] = defaultdict(list)
    page_of = inventory_of(results).alias_of()  # another address of a page is that page: one test case
    for p in results.pages:
        pages[page_of.get(p.url, p.url)].append(p)
    by_suite: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    page_urls = set(pages)
    for f in results.findings:
        by_suite[suite_of(f, page_urls, families)][f.url].append(f)

    suites: dict[str, list[_Case]] = {}
    if any(c.pages for c in results.checks if c.id not in NOT_PAGE_CHECKS) or by_suite["accessibility"]:
        suites["accessibility"] = _page_cases("accessibility", pages, by_suite["accessibility"], failing)
    if any(c.pages for c in results.checks if c.id in LINK_CHECKS) or by_suite["links"]:
        suites["links"] = _page_cases("links", pages, by_suite["links"], failing)
    js_cases = _page_cases("javascript", pages, by_suite["javascript"], failing)
    for case in js_cases:
        errors = [e for p in pages[case.name] for e in p.facts.get("js_errors") or []]
        text = "\n".join(f"{p.cell}: {e}" for p in pages[case.name] for e in p.facts.get("js_errors") or [])
        if errors and (JS, case.name) in failing_pages:
            case.failures.append((f"{len(errors)} JavaScript error(s)", "js-error", text))
        elif errors:
            case.out.append(text)
    suites["javascript"] = js_cases
    http_cases = []
    for url, visits in pages.items():
        case = _Case(url, "qa.http", max((p.load_ms or 0) for p in visits) / 1000)
        detail = "\n".join(f"{p.cell}: status {p.status} {p.error}".rstrip() for p in visits)
        if any(p.status != 200 for p in visits):
            if (HTTP, url) in failing_pages:
                case.failures.append((f"status {visits[0].status or 'none'}", "http-status", detail))
            else:
                case.out.append(detail)
        http_cases.append(case)
    suites["http"] = http_cases
    site_cases = []
    for url, found in by_suite["site"].items():
        case = _Case(url, "qa.site")
        _fill(case, found, failing)
        site_cases.append(case)
    if site_cases:
        suites["site"] = site_cases
    gate_case = _Case("publication gate", "qa.gate")
    if not gate.passed:
        gate_case.failures.append(("the publication gate failed", "gate", "\n".join(gate.reasons)))
    gate_case.out += [f"{fam}: {n} ({GATE_OUTCOMES[fam]})" for fam, n in gate.counts.items()] + gate.notes
    suites["gate"] = [gate_case]

    root = ET.Element("testsuites", name=clean(f"qa-suite {results.run.id}"))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for name, cases in suites.items():
        failed = sum(1 for c in cases if c.failures)
        skipped = sum(1 for c in cases if c.skipped)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=name,
            tests=str(len(cases)),
            failures=str(failed),
            errors="0",
            skipped=str(skipped),
            time=f"{sum(c.time for c in cases):.3f}",
            timestamp=results.run.started[:19],
        )
        for case in cases:
            suite.append(case.element())
        totals["tests"] += len(cases)
        totals["failures"] += failed
    for key, value in totals.items():
        root.set(key, str(value))
    return root


def render(results: Results, out_dir: Path) -> list[Path]:
    tree = ET.ElementTree(build(results))
    ET.indent(tree)
    path = out_dir / FILENAME
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return [path]
