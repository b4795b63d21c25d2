"""The built-in demo site: every seeded defect the suite's checks cover is found, and the clean page is clean.

The defects are listed in qa/demo/DEFECTS.md; the tests here grow as check families land.
"""

from __future__ import annotations

import pytest

from qa.model import SCHEMA_VERSION
from tests.conftest import QARun


def findings_on(run: QARun, path: str) -> list[dict]:
    return [f for f in run.results["findings"] if f["url"].endswith(path)]


def rules_on(run: QARun, path: str, outcome: str = "violation") -> set[str]:
    return {f["rule"] for f in findings_on(run, path) if f["outcome"] == outcome}


def test_demo_run_fails_the_gate_and_writes_results_and_checklist(demo_run: QARun) -> None:
    assert demo_run.code == 1, demo_run.stderr
    assert (demo_run.run_dir / "results.json").is_file()
    assert (demo_run.run_dir / "checklist-wcag22.xlsx").is_file()
    assert (demo_run.run_dir / "checklist-jis2016.xlsx").is_file()
    assert demo_run.results["run"]["status"] == "complete"
    assert "gate:     FAILED" in demo_run.stdout


@pytest.mark.parametrize(
    ("path", "rule", "sc"),
    [
        ("/", "image-alt", "1.1.1"),  # served at / and /index.html: one page, its findings under /
        ("/business-environment.html", "color-contrast", "1.4.3"),
        ("/industries/manufacturing.html", "link-name", "2.4.4"),
        ("/contact.html", "label", "4.1.2"),
        ("/news/seminar-2026.html", "html-has-lang", "3.1.1"),
    ],
)
def test_seeded_accessibility_defect_is_found(demo_run: QARun, path: str, rule: str, sc: str) -> None:
    hits = [f for f in findings_on(demo_run, path) if f["rule"] == rule and f["outcome"] == "violation"]
    assert hits, f"{rule} not reported on {path}"
    f = hits[0]
    assert sc in f["sc"]
    assert f["browser"] == "chromium" and f["viewport"] == "desktop"
    assert f["target"] and f["html"] and f["message"] and f["impact"]


def test_the_clean_page_has_no_violation(demo_run: QARun) -> None:
    assert rules_on(demo_run, "/privacy.html") == set()


def test_no_unseeded_wcag_violation_anywhere(demo_run: QARun) -> None:
    seeded = {
        ("/", "image-alt"),  # /index.html is the same document: its finding is folded onto / (qa.judge.inventory)
        ("/business-environment.html", "color-contrast"),
        ("/industries/manufacturing.html", "link-name"),
        ("/contact.html", "label"),
        ("/news/seminar-2026.html", "html-has-lang"),
        ("/news/seminar-2026.html", "page-title-duplicate"),
        ("/industries/it.html", "alt-file-name"),
        ("/interview.html", "focus-indicator-removed"),
    }
    base = demo_run.results["run"]["start_url"].rstrip("/")
    found = {
        (f["url"].removeprefix(base), f["rule"])
        for f in demo_run.results["findings"]
        if f["outcome"] == "violation" and f["sc"]
    }
    assert found == seeded


def test_orphan_page_found_through_the_sitemap_index(demo_run: QARun) -> None:
    assert any(p["url"].endswith("/news/press-release-2026-03.html") for p in demo_run.results["pages"])


def test_broken_link_target_recorded_with_its_status(demo_run: QARun) -> None:
    page = next(p for p in demo_run.results["pages"] if p["url"].endswith("/downloads/subsidy-guide.pdf"))
    assert page["status"] == 404 and "404" in page["error"]


def test_team_check_from_checks_folder_runs(demo_run: QARun) -> None:
    hits = [f for f in demo_run.results["findings"] if f["rule"] == "support-desk-link"]
    assert [f["url"].rsplit("/", 2)[-2:] for f in hits] == [["industries", "food.html"]]
    assert hits[0]["sc"] == [] and hits[0]["check"] == "support-desk-link"


def test_run_metadata_names_engine_and_axe_versions(demo_run: QARun) -> None:
    run = demo_run.results["run"]
    assert run["engines"]["axe-core"].startswith("4.")
    assert run["engines"]["browsers"]["chromium"]["product"] == "Chromium"
    assert run["engines"]["browsers"]["chromium"]["version"]
    assert demo_run.results["schema_version"] == SCHEMA_VERSION == "1.2"  # 1.1: the stored judgement; 1.2: run.shard


def test_every_audited_page_has_a_screenshot_and_violations_have_boxes(demo_run: QARun) -> None:
    for page in demo_run.results["pages"]:
        if not page["error"]:
            shot = demo_run.run_dir / page["facts"]["screenshot"]
            assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    contrast = next(f for f in demo_run.results["findings"] if f["rule"] == "color-contrast")
    box = contrast["details"]["bbox"]
    assert box["width"] > 100 and box["height"] > 10 and box["y"] > 0
