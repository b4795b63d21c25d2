"""The language family (issue 23) and 3.1.2 Language of Parts (issue 21), in one real audit in Chromium of an
English site with British spellings, a misspelling on two pages, a glossary term, Japanese text left without lang,
a Japanese page with an unmarked English passage, and a clean page where nothing must be found."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qa.demo.server import serve
from tests.conftest import SITES, QARun, run_qa

SITE = SITES / "prepublish-language"
ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")


@pytest.fixture(scope="module")
def language_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    out = tmp_path_factory.mktemp("language")
    glossary = out / "glossary.txt"
    glossary.write_text("# place names\nKasumigaseki\n", encoding="utf-8")
    config = out / "qa.yaml"
    config.write_text(f"language:\n  variant: en-US\n  glossary: {glossary}\n", encoding="utf-8")
    with serve(SITE) as url:
        only = ("--only", "language,language-of-parts", "--fail-on", "spelling")
        run = run_qa("audit", url, "--config", str(config), *only, *ONE_CELL, out=out)
    assert (run.run_dir / "results.json").exists(), run.stderr
    yield run


def findings(run: QARun, path: str, check: str) -> list[dict]:
    base = run.results["run"]["start_url"].rstrip("/")
    return [f for f in run.results["findings"] if f["check"] == check and f["url"].removeprefix(base) == path]


def test_british_spellings_are_violations_naming_the_american_form(language_run: QARun) -> None:
    found = {
        f["details"]["word"].lower(): f for f in language_run.results["findings"] if f["rule"] == "spelling-variant"
    }
    assert {w: found[w]["details"]["suggestion"].lower() for w in ("centre", "organise", "programme", "colour")} == {
        "centre": "center",
        "organise": "organize",
        "programme": "program",
        "colour": "color",
    }
    assert all(f["outcome"] == "violation" for f in found.values())
    assert set(found) <= {"centre", "organise", "programme", "colour"}, found


def test_an_unknown_word_is_one_finding_with_its_pages(language_run: QARun) -> None:
    unknown = [f for f in language_run.results["findings"] if f["rule"] == "spelling-unknown"]
    assert [f["details"]["word"] for f in unknown] == ["recieve"], unknown
    assert unknown[0]["outcome"] == "needs-review"
    assert sorted(u.rsplit("/", 1)[1] for u in unknown[0]["details"]["pages"]) == ["", "news.html"]


def test_glossary_terms_are_accepted_and_reported(language_run: QARun) -> None:
    rows = language_run.results["spelling"]
    assert [r["word"] for r in rows if r["kind"] == "glossary"] == ["Kasumigaseki"]
    assert not [f for f in language_run.results["findings"] if "asumigaseki" in str(f["details"].get("word"))]
    # code, URLs, e-mail addresses and acronyms are not spelt
    assert not {"fooBarBazQux", "NHK", "JR", "tickets", "jp"} & {r["word"] for r in rows}


def test_japanese_text_on_an_english_page_is_listed_and_lacks_lang(language_run: QARun) -> None:
    left = findings(language_run, "/", "page-text")
    assert [(f["rule"], f["details"]["text"]) for f in left] == [("foreign-script-text", "お問い合わせ")]
    parts = findings(language_run, "/", "language-of-parts")
    assert [(f["rule"], f["outcome"], f["sc"]) for f in parts] == [("lang-of-parts-missing", "needs-review", ["3.1.2"])]


def test_an_english_passage_on_a_japanese_page_lacks_lang(language_run: QARun) -> None:
    parts = findings(language_run, "/ja.html", "language-of-parts")
    assert [f["target"] for f in parts] == ["#unmarked"], parts
    assert not findings(language_run, "/ja.html", "page-text")


def test_the_clean_page_has_nothing(language_run: QARun) -> None:
    checks = ("page-text", "spelling", "language-of-parts")
    assert [f for c in checks for f in findings(language_run, "/clean.html", c)] == []


def test_the_workbook_has_the_spelling_sheet(language_run: QARun) -> None:
    wb = load_workbook(language_run.run_dir / "prepublish-check.xlsx", read_only=True)
    assert "スペル" in wb.sheetnames
    rows = [[c for c in r] for r in wb["スペル"].iter_rows(values_only=True)]
    assert any(r[0] and str(r[0]).lower() == "colour" and r[2] and str(r[2]).lower() == "color" for r in rows), rows
    summary = [r for r in wb["概要"].iter_rows(values_only=True) if r and r[0] == "スペル・言語"]
    assert summary and summary[0][1] == "実施" and summary[0][2] == 4
    assert Path(language_run.run_dir / "results.json").exists()


def test_a_new_glossary_applies_to_the_stored_run(language_run: QARun, tmp_path: Path) -> None:
    """qa report --rejudge: the words stored per page are judged again with the new glossary, no browser."""
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(language_run.run_dir, run_dir)
    glossary = tmp_path / "glossary.txt"
    glossary.write_text("Kasumigaseki\nrecieve  # (a test term)\n", encoding="utf-8")
    config = tmp_path / "qa.yaml"
    config.write_text(f"language:\n  glossary: {glossary}\n", encoding="utf-8")
    done = run_qa("report", "--rejudge", str(run_dir), "--config", str(config))
    assert done.code == 0, done.stderr
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert not [f for f in results["findings"] if f["rule"] == "spelling-unknown"]
    assert {r["word"] for r in results["spelling"] if r["kind"] == "glossary"} == {"Kasumigaseki", "recieve"}
    assert len([f for f in results["findings"] if f["rule"] == "spelling-variant"]) == 4


def test_british_spellings_fail_the_spelling_gate(language_run: QARun) -> None:
    assert language_run.code == 1, language_run.stdout
    wb = load_workbook(language_run.run_dir / "prepublish-check.xlsx", read_only=True)
    row = next(r for r in wb["概要"].iter_rows(values_only=True) if r and r[0] == "スペル・言語")
    assert str(row[5]).startswith("不合格")


def test_the_demo_site_is_spelt_as_a_reviewer_would(demo_run: QARun) -> None:
    """A site not written for this check: its British spellings found with the American form, its place names
    (no glossary given) routed to a person, once per word however many pages use it."""
    rows = {r["word"]: r for r in demo_run.results["spelling"]}
    assert (rows["harbour"]["kind"], rows["harbour"]["suggestion"]) == ("british", "harbor")
    assert (rows["centre"]["kind"], rows["centre"]["suggestion"]) == ("british", "center")
    assert rows["Kitami"]["kind"] == "unknown" and rows["Kitami"]["pages"] > 10
    kitami = [
        f for f in demo_run.results["findings"] if f["rule"] == "spelling-unknown" and f["details"]["word"] == "Kitami"
    ]
    assert len(kitami) == 1
