"""The publication gate, accepted issues and the CI outputs, on one real audit of the demo site (chromium/desktop).

The audit runs with an accepted-issues file holding one active, one expired and one stale entry; `qa gate` then
re-evaluates the stored run under other settings, as a CI job would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook

from qa.demo.server import serve
from qa.judge.criteria import by_sc
from tests.conftest import QARun, run_qa

SCHEMA = Path(__file__).parent / "schemas" / "jenkins-junit.xsd"
ACCEPTED = """\
accepted:
  - rule: color-contrast
    url: /business-environment.html
    reason: brand grey, redesign booked for the next release
    owner: web team (Tanaka)
    expires: 2099-12-31
  - rule: link-name
    url: /industries/*
    reason: icon font replacement pending
    owner: vendor
    expires: 2020-01-01
  - sc: "1.1.1"
    url: /privacy.html
    selector: img.hero
    reason: decorative image, alt pending
    owner: editor
    expires: 2099-12-31
"""


@pytest.fixture(scope="module")
def gate_run(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    out = tmp_path_factory.mktemp("gate-run")
    accepted = out / "accepted.yaml"
    accepted.write_text(ACCEPTED, encoding="utf-8")
    with serve() as url:
        return run_qa(
            "audit", url, "--browser", "chromium", "--viewport", "desktop", "--accepted", str(accepted), out=out
        )


def findings(run: QARun, rule: str) -> list[dict]:
    return [f for f in run.results["findings"] if f["rule"] == rule]


def a11y_violations(results: dict, accepted_count: bool = False) -> list[dict]:
    criteria = by_sc()
    return [
        f
        for f in results["findings"]
        if f["outcome"] == "violation"
        and any(sc in criteria for sc in f["sc"])
        and (accepted_count or not f["details"].get("accepted"))
        and f["check"] not in ("links",)
    ]


def gate(run: QARun, *args: str) -> QARun:
    return run_qa("gate", str(run.run_dir), *args)


@pytest.fixture(scope="module")
def no_accepted(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("acc") / "none.yaml"
    path.write_text("accepted: []\n")
    return str(path)


# --- accepted issues ---------------------------------------------------------------------------------------------


def test_accepted_finding_stays_visible_and_does_not_gate(gate_run: QARun) -> None:
    contrast = [f for f in findings(gate_run, "color-contrast") if f["url"].endswith("/business-environment.html")]
    assert contrast and contrast[0]["outcome"] == "violation"
    accepted = contrast[0]["details"]["accepted"]
    assert accepted["owner"] == "web team (Tanaka)" and accepted["expires"] == "2099-12-31"
    # Not counted by the gate, but still in the results and reported as accepted.
    counts = gate_run.results["gate"]["counts"]
    assert counts["a11y-violations"] == len(a11y_violations(gate_run.results))
    assert len(a11y_violations(gate_run.results, accepted_count=True)) == counts["a11y-violations"] + 1
    summary = (gate_run.run_dir / "summary.md").read_text(encoding="utf-8")
    assert "| 既知の問題として受け入れ済み | 1 |" in summary
    junit = etree.parse(str(gate_run.run_dir / "junit.xml"))
    case = junit.xpath("//testsuite[@name='accessibility']/testcase[contains(@name, '/business-environment.html')]")[0]
    assert not case.findall("failure")
    assert "accepted (entry 1)" in case.findtext("system-out")


def test_expired_entry_fails_the_gate_and_stale_entry_is_reported(gate_run: QARun) -> None:
    entries = gate_run.results["accepted"]["entries"]
    assert [e["status"] for e in entries] == ["active", "expired", "stale"]
    assert [e["matched"] for e in entries] == [1, 1, 0]
    # The expired entry accepts nothing: the link-name violation still counts.
    assert all("accepted" not in f["details"] for f in findings(gate_run, "link-name"))
    assert gate_run.code == 1, gate_run.stderr
    assert "entry 2 (link-name on /industries/*) expired on 2020-01-01" in gate_run.stdout
    assert "note: accepted.yaml: entry 3" in gate_run.stdout and "matched nothing" in gate_run.stdout


def test_accepting_every_violation_passes_the_gate(gate_run: QARun, tmp_path: Path) -> None:
    rules = sorted({f["rule"] for f in a11y_violations(gate_run.results, accepted_count=True)})
    entries = "".join(f"  - {{rule: {r}, url: '*', reason: known, owner: qa, expires: 2099-01-01}}\n" for r in rules)
    (tmp_path / "all.yaml").write_text("accepted:\n" + entries)
    run = gate(gate_run, "--accepted", str(tmp_path / "all.yaml"))
    assert run.code == 0, run.stdout + run.stderr
    assert "gate:     passed" in run.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("accepted:\n  - {rule: label, url: /x, reason: r, expires: 2030-01-01}\n", "'accepted[0].owner' is missing"),
        ("accepted:\n  - {rule: label, url: /x, reason: r, owner: o, expires: soon}\n", "'accepted[0].expires' must"),
        ("accepted:\n  - {rule: label, url: x.html, reason: r, owner: o, expires: 2030-01-01}\n", "must be a path"),
        ("accepted:\n  - {url: /x, reason: r, owner: o, expires: 2030-01-01}\n", "names neither a rule nor an sc"),
        ("accepted:\n  - {rule: label, url: /x, reson: r, owner: o, expires: 2030-01-01}\n", "did you mean 'reason'"),
    ],
)
def test_invalid_accepted_file_is_one_line_naming_file_key_and_fix(
    gate_run: QARun, tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "accepted.yaml"
    path.write_text(content)
    run = gate(gate_run, "--accepted", str(path))
    assert run.code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qa: error: ") and str(path) in lines[0], run.stderr
    assert expected in lines[0]


# --- the gate's outcomes and thresholds ---------------------------------------------------------------------------


def test_default_gate_is_any_wcag_a_aa_violation(gate_run: QARun, no_accepted: str) -> None:
    n = len(a11y_violations(gate_run.results, accepted_count=True))
    run = gate(gate_run, "--accepted", no_accepted)
    assert run.code == 1
    assert f"a11y-violations: {n} WCAG A/AA violation(s)" in run.stdout
    assert gate(gate_run, "--accepted", no_accepted, "--max", f"a11y-violations={n}").code == 0
    assert gate(gate_run, "--accepted", no_accepted, "--max", f"a11y-violations={n - 1}").code == 1


def test_gate_fails_on_javascript_errors_and_pages_not_200_when_asked(gate_run: QARun, no_accepted: str) -> None:
    run = gate(gate_run, "--accepted", no_accepted, "--fail-on", "js-errors")
    assert run.code == 1 and "js-errors: 1 page(s) with JavaScript errors" in run.stdout
    assert "/news/seminar-2026.html" in run.stdout
    assert "a11y-violations" not in run.stdout  # only the outcomes asked for gate
    run = gate(gate_run, "--accepted", no_accepted, "--fail-on", "http-errors")
    assert run.code == 1 and "/downloads/subsidy-guide.pdf" in run.stdout
    # A rule threshold: the one known 404 is tolerated.
    assert gate(gate_run, "--accepted", no_accepted, "--fail-on", "http-errors", "--max", "http-404=1").code == 0


def test_rule_and_criterion_thresholds_take_their_findings_out_of_the_family(gate_run: QARun, no_accepted: str) -> None:
    all_a11y = a11y_violations(gate_run.results, accepted_count=True)
    alt = [f for f in all_a11y if "1.1.1" in f["sc"]]
    assert len(alt) >= 2  # the demo's hero image, on / and /index.html
    run = gate(gate_run, "--accepted", no_accepted, "--max", f"1.1.1={len(alt) - 1}")
    assert run.code == 1
    assert f"1.1.1: {len(alt)} finding(s) of 1.1.1" in run.stdout and f"{len(alt) - 1} allowed" in run.stdout
    assert f"a11y-violations: {len(all_a11y) - len(alt)} WCAG" in run.stdout
    run = gate(gate_run, "--accepted", no_accepted, "--max", f"1.1.1={len(alt)}")
    assert "1.1.1:" not in run.stdout and f"a11y-violations: {len(all_a11y) - len(alt)} WCAG" in run.stdout


def test_needs_review_threshold(gate_run: QARun, no_accepted: str) -> None:
    review = [f for f in gate_run.results["findings"] if f["outcome"] == "needs-review"]
    ok = gate(gate_run, "--accepted", no_accepted, "--fail-on", "needs-review", "--max", f"needs-review={len(review)}")
    assert ok.code == 0, ok.stdout
    if review:
        over = gate(
            gate_run, "--accepted", no_accepted, "--fail-on", "needs-review", "--max", f"needs-review={len(review) - 1}"
        )
        assert over.code == 1 and f"needs-review: {len(review)} finding(s) needing review" in over.stdout


def test_gate_settings_come_from_qa_yaml(gate_run: QARun, no_accepted: str, tmp_path: Path) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text("gate:\n  fail_on: [js-errors, http-errors]\n  max: {http-errors: 1}\n")
    run = gate(gate_run, "--config", str(config), "--accepted", no_accepted)
    assert run.code == 1 and "js-errors" in run.stdout and "http-errors" not in run.stdout
    config.write_text("gate:\n  fail_on: [js-error]\n")
    run = gate(gate_run, "--config", str(config))
    assert run.code == 2 and "'gate.fail_on'" in run.stderr and "js-errors" in run.stderr
    config.write_text("gate:\n  max: {color-contrast: -1}\n")
    assert gate(gate_run, "--config", str(config)).code == 2


def test_bad_gate_flags_are_usage_errors(gate_run: QARun) -> None:
    run = gate(gate_run, "--max", "color-contrast")
    assert run.code == 2 and "write NAME=N" in run.stderr
    run = gate(gate_run, "--fail-on", "broken-link")
    assert run.code == 2 and "did you mean 'broken-links'" in run.stderr


# --- JUnit ---------------------------------------------------------------------------------------------------------


def test_junit_validates_and_counts_failures_right(gate_run: QARun) -> None:
    doc = etree.parse(str(gate_run.run_dir / "junit.xml"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(doc), schema.error_log
    root = doc.getroot()
    total_tests = total_failures = 0
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("skipped")) == sum(1 for c in cases if c.find("skipped") is not None)
        total_tests += len(cases)
        total_failures += int(suite.get("failures"))
    assert (int(root.get("tests")), int(root.get("failures"))) == (total_tests, total_failures)
    # One case per page and family; the failing accessibility cases are exactly the pages with gating violations.
    # every page of the inventory (another address of a page is that page) and every page not audited
    inventory = gate_run.results["inventory"]
    pages = {p["url"] for p in inventory["pages"]} | {e["url"] for e in inventory["exceptions"]}
    accessibility = root.find("testsuite[@name='accessibility']")
    assert {c.get("name") for c in accessibility.findall("testcase")} == pages
    failing = {c.get("name") for c in accessibility.findall("testcase") if c.find("failure") is not None}
    assert failing == {f["url"] for f in a11y_violations(gate_run.results)}
    contact = next(u for u in pages if u.endswith("/contact.html"))
    label = accessibility.find(f"testcase[@name='{contact}']")
    assert "label" in label.find("failure").get("message") and "4.1.2" in label.find("failure").text
    # The gate case fails because the gate failed; the 404 page is skipped by the accessibility suite.
    assert root.find("testsuite[@name='gate']/testcase/failure") is not None
    pdf = next(u for u in pages if u.endswith(".pdf"))
    assert accessibility.find(f"testcase[@name='{pdf}']/skipped") is not None


def test_summary_and_index_list_the_deliverables(gate_run: QARun) -> None:
    summary = (gate_run.run_dir / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## qa: ❌ ゲート不合格")
    assert "**主な問題**" in summary and "| image-alt | 1.1.1 |" in summary
    assert (
        "[checklist-wcag22.xlsx](checklist-wcag22.xlsx)" in summary
        and "[operation-check.xlsx](operation-check.xlsx)" in summary
    )
    index = (gate_run.run_dir / "INDEX.md").read_text(encoding="utf-8")
    for name in (
        "results.json",
        "checklist-wcag22.xlsx",
        "checklist-jis2016.xlsx",
        "junit.xml",
        "summary.md",
        "operation-check.xlsx",
        "screenshots/",
    ):
        assert f"[{name}]({name})" in index, name


def test_report_regenerates_ci_outputs_from_results_alone(gate_run: QARun, tmp_path: Path) -> None:
    before = {n: (gate_run.run_dir / n).read_text(encoding="utf-8") for n in ("junit.xml", "summary.md")}
    for name in before:
        (gate_run.run_dir / name).unlink()
    assert run_qa("report", str(gate_run.run_dir)).code == 0
    assert {n: (gate_run.run_dir / n).read_text(encoding="utf-8") for n in before} == before


# --- operation-check sheet on the demo site -------------------------------------------------------------------------


def sheet_rows(path: Path) -> dict[str, dict]:
    ws = load_workbook(path)["検証完了チェックシート"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return {r[header.index("ID")]: dict(zip(header, r, strict=True)) for r in rows[1:]}


def test_operation_sheet_on_the_demo_site(gate_run: QARun) -> None:
    rows = sheet_rows(gate_run.run_dir / "operation-check.xlsx")
    assert rows["https"]["結果"] == "NG"  # served over http on loopback
    assert rows["status-200"]["結果"] == "NG" and "subsidy-guide.pdf (404)" in rows["status-200"]["根拠・備考"]
    assert rows["no-js-errors"]["結果"] == "NG" and "seminar-2026.html" in rows["no-js-errors"]["根拠・備考"]
    assert rows["custom-404"]["結果"] == "OK" and "→ 404" in rows["custom-404"]["根拠・備考"]
    assert rows["form-labels"]["結果"] == "NG" and "contact.html" in rows["form-labels"]["根拠・備考"]
    assert rows["resources"]["結果"] == "NG" and "access.html" in rows["resources"]["根拠・備考"]
    assert {r["区分"] for r in rows.values()} == {"自動", "手動"}
    assert json.loads((gate_run.run_dir / "results.json").read_text())["site_probes"]["not_found"]["status"] == 404
