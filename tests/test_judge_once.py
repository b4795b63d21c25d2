"""The judge runs once: the run stores its judgement (verdicts, 対応度, gate, trend) in results.json and every
deliverable shows what is stored there; a run written before schema 1.1 is judged once when it is loaded.

On a real audit of tests/sites/judge/ in Chromium (an image without alt on fail.html, duplicate ids on dup.html).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from qa.demo.server import serve
from qa.judge.judgement import load_run
from qa.model import SCHEMA_VERSION
from tests.conftest import SITES, QARun, run_qa


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    folder = tmp_path_factory.mktemp("judge-once")
    config = folder / "qa.yaml"
    config.write_text(yaml.safe_dump({"site_lang": "en-US", "reviews_file": str(folder / "reviews.yaml")}))
    with serve(SITES / "judge") as url:
        run = run_qa(
            "audit", url + "index.html", "--config", str(config), "--browser", "chromium", "--viewport", "desktop",
            out=folder / "out",
        )  # fmt: skip
    assert run.code == 1, run.stderr  # image-alt and duplicate-id fail the default gate
    return run


def copy_run(run: QARun, dest: Path) -> Path:
    shutil.copytree(run.run_dir, dest, ignore=shutil.ignore_patterns("*.html", "*.xlsx", "*.md", "*.xml"))
    return dest


def edit(run_dir: Path, change) -> dict:
    path = run_dir / "results.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def rows(book: Path, sheet: str) -> list[dict[str, object]]:
    values = list(load_workbook(book)[sheet].iter_rows(values_only=True))
    keys = [str(h).split("\n")[0] for h in values[0]]
    return [dict(zip(keys, r, strict=True)) for r in values[1:]]


def criterion_results(run_dir: Path, profile: str = "wcag22") -> dict[str, object]:
    return {r["番号"]: r["結果"] for r in rows(run_dir / f"checklist-{profile}.xlsx", "達成基準チェックリスト")}


def html_verdicts(run_dir: Path) -> tuple[dict[str, int], dict[str, str]]:
    """report.html's verdict counts and each criterion's badge, as its static overview shows them."""
    text = (run_dir / "report.html").read_text(encoding="utf-8")
    tally = {k: int(n) for k, n in re.findall(r'data-verdict="([a-z-]+)"><dt>[^<]*</dt><dd>([\d,]+)</dd>', text)}
    badges = dict(re.findall(r'<tr><th scope="row">(?:<a [^>]*>)?([\d.]+)(?:</a>)?</th>.*?badge-([a-z]+)"', text))
    return tally, badges


def test_what_the_reports_show_is_the_stored_judgement(judged: QARun, tmp_path: Path) -> None:
    stored = judged.results["judgement"]
    assert judged.results["schema_version"] == SCHEMA_VERSION
    assert stored["criteria"]["2.3.1"]["verdict"] == "not-verified"  # nothing checks flashing
    assert criterion_results(judged.run_dir)["2.3.1"] == "未検証（人による試験が必要）"
    fail_url = next(u for u in stored["urls"] if u.endswith("fail.html"))
    before, _ = html_verdicts(judged.run_dir)

    run_dir = copy_run(judged, tmp_path / judged.run_dir.name)

    def overrule(data: dict) -> None:
        j = data["judgement"]
        j["criteria"]["2.3.1"]["verdict"] = "pass"  # as if the judge had decided so, its counts included
        for profile in j["profiles"].values():
            if "2.3.1" in profile["criteria"]:
                counts = profile["conformance"]["counts"]
                counts["pass"] = counts.get("pass", 0) + 1
                counts["not-verified"] -= 1
        j["pages"][fail_url]["1.3.1"] = {"reason": "partial-clean", "verdict": "fail"}
        j["gate"].update(passed=True, reasons=[], failing=[])
        j["trend"] = {
            "runs": [{"id": "20000101-000000-aaaa", "started": "2000-01-01", "violations": 9, "review": 0, "pages": 6}],
            "previous": "20000101-000000-aaaa",
            "new": [],
            "fixed": 7,
        }

    edit(run_dir, overrule)
    report = run_qa("report", str(run_dir))
    assert report.code == 0, report.stderr

    assert criterion_results(run_dir)["2.3.1"] == "適合"
    page_rows = rows(run_dir / "checklist-wcag22.xlsx", "ページ別判定")
    edited = next(r for r in page_rows if r["番号"] == "1.3.1" and r["ページ"] == fail_url)
    assert edited["結果"] == "不適合"
    tally, badges = html_verdicts(run_dir)
    assert badges["2.3.1"] == "pass"
    assert tally["pass"] == before["pass"] + 1 and tally["not-verified"] == before["not-verified"] - 1
    text = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'data-gate="passed"' in text
    assert "20000101-000000-aaaa" in text  # a trend run with no folder anywhere: read, not looked up
    assert "ゲート合格" in (run_dir / "summary.md").read_text(encoding="utf-8")
    assert "the publication gate failed" not in (run_dir / "junit.xml").read_text(encoding="utf-8")
    gate = run_qa("gate", str(run_dir))
    assert gate.code == 0 and gate.stdout.startswith("gate:     passed")
    # other settings are evaluated again, from the findings
    assert run_qa("gate", str(run_dir), "--fail-on", "a11y-violations").code == 1


def test_a_run_of_the_older_schema_is_judged_once_on_loading(judged: QARun, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_dir = copy_run(judged, out / judged.run_dir.name)
    earlier = copy_run(judged, out / "20000101-000000-0000")
    dropped = judged.results["findings"][0]["id"]

    def older_run(data: dict) -> None:  # one finding fewer, a run of the same site
        data["run"]["id"] = earlier.name
        data["findings"] = [f for f in data["findings"] if f["id"] != dropped]

    def schema_1_0(data: dict) -> None:  # as qa wrote it before the judgement was stored
        data["schema_version"] = "1.0"
        del data["judgement"]
        data["gate"] = {k: data["gate"][k] for k in ("settings", "passed", "reasons", "notes", "counts")}

    edit(earlier, older_run)
    edit(earlier, schema_1_0)
    written = edit(run_dir, schema_1_0)

    loaded = load_run(run_dir).extra["judgement"]
    expected = judged.results["judgement"]
    assert {k: v for k, v in loaded.items() if k != "trend"} == {k: v for k, v in expected.items() if k != "trend"}
    assert loaded["trend"]["previous"] == earlier.name and loaded["trend"]["new"] == [dropped]

    report = run_qa("report", str(run_dir))
    assert report.code == 0, report.stderr
    assert criterion_results(run_dir, "jis2016") == criterion_results(judged.run_dir, "jis2016")
    assert criterion_results(run_dir) == criterion_results(judged.run_dir)
    assert html_verdicts(run_dir) == html_verdicts(judged.run_dir)
    text = (run_dir / "report.html").read_text(encoding="utf-8")
    assert earlier.name in text  # the trend, from the run folder beside it
    assert json.loads((run_dir / "results.json").read_text(encoding="utf-8")) == written  # not rewritten
    gate = run_qa("gate", str(run_dir))
    assert gate.code == 1 and "image-alt" in gate.stdout
