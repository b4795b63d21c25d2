"""The newest axe-core from the engines cache, and the bundled one without it: the run records the version that
ran, its experimental rules of A/AA criteria report their failures as needs-review with the reason, and the
deliverables read the Japanese of the version that ran.

The newest axe comes from the engines cache (`qa setup`, or scripts/install-system-deps.sh under `nox -s tests`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qa.check._engines import engine_data, engine_folder, engine_script
from qa.demo.server import serve
from tests.conftest import SITES, QARun, run_qa

AXE_ONLY = ("--browser", "chromium", "--viewport", "desktop", "--only", "axe")
MARK = "【4.14.1 の ja.json】"


def audit(tmp_path: Path, engines: Path) -> QARun:
    with serve(SITES / "engines") as url:
        listing = tmp_path / "urls.txt"
        listing.write_text(f"{url}experimental.html\n{url}good.html\n", encoding="utf-8")
        return run_qa(
            "audit", "--urls", str(listing), *AXE_ONLY, out=tmp_path / "out", env={"QA_ENGINES_DIR": str(engines)}
        )


def by_rule(run: QARun, page: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in run.results["findings"]:
        if f["url"].endswith(page):
            out.setdefault(f["rule"], []).append(f)
    return out


def workbook_text(path: Path) -> str:
    book = load_workbook(path, read_only=True)
    return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)


def test_the_newest_axe_runs_with_its_experimental_rules_as_needs_review_and_its_own_japanese(tmp_path: Path) -> None:
    if engine_script("axe") is None:
        pytest.fail("the newest axe-core is not installed: run 'qa setup' (nox -s tests installs it)")
    # A copy of the engines cache whose Japanese locale carries a mark: the deliverables show it only if they read
    # the locale from the engine folder of the axe that ran.
    engines = tmp_path / "engines"
    axe = engines / engine_folder("axe").name
    shutil.copytree(engine_folder("axe"), axe)
    locale = axe / engine_data()["engines"]["axe"]["locale_ja"]
    texts = json.loads(locale.read_text(encoding="utf-8"))
    texts["rules"]["td-has-header"]["help"] = MARK + texts["rules"]["td-has-header"]["help"]
    locale.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")

    run = audit(tmp_path, engines)
    assert run.code in (0, 1), run.stderr
    results = run.results
    assert results["run"]["engines"]["axe-core"] == "4.14.1"
    found = by_rule(run, "/experimental.html")
    # Experimental in 4.14 (tags 'experimental' + wcag131): failures, reported for a person to confirm.
    for rule in ("td-has-header", "p-as-heading"):
        assert found.get(rule), f"{rule} not reported: {sorted(found)}"
        for f in found[rule]:
            assert f["outcome"] == "needs-review" and f["sc"] == ["1.3.1"] and f["details"]["experimental"] is True
            assert f["message"].startswith("axe-core's experimental rule"), f["message"]
    # label-content-name-mismatch left the experimental rules in axe 4.14: axe now vouches for it, a violation.
    [mismatch] = found["label-content-name-mismatch"]
    assert (
        mismatch["outcome"] == "violation" and mismatch["sc"] == ["2.5.3"] and "experimental" not in mismatch["details"]
    )
    assert by_rule(run, "/good.html") == {}
    axe = next(c for c in results["checks"] if c["id"] == "axe")
    assert axe["criteria"]["1.3.4"] == "partial"  # css-orientation-lock, experimental: switched on, still partial
    assert axe["criteria"]["2.5.3"] == "partial"
    words = workbook_text(run.run_dir / "findings-by-template.xlsx")
    assert MARK in words
    assert "axe-core の試験的ルール（精度が未確立のため人が確認）" in words


def test_without_the_newest_axe_the_bundled_one_runs_and_its_experimental_rules_need_review(tmp_path: Path) -> None:
    empty = tmp_path / "no-engines"
    empty.mkdir()
    run = audit(tmp_path, empty)
    assert run.code in (0, 1), run.stderr
    assert run.results["run"]["engines"]["axe-core"] == "4.12.1"
    found = by_rule(run, "/experimental.html")
    # In 4.12 the 2.5.3 rule is experimental: the same link is needs-review there, with the reason.
    [mismatch] = found["label-content-name-mismatch"]
    assert mismatch["outcome"] == "needs-review" and mismatch["details"]["experimental"] is True
    assert {f["outcome"] for f in found["td-has-header"]} == {"needs-review"}
    assert by_rule(run, "/good.html") == {}
    assert not any(f["outcome"] == "violation" for f in run.results["findings"])
    words = workbook_text(run.run_dir / "findings-by-template.xlsx")
    assert MARK not in words and "axe-core の試験的ルール" in words
