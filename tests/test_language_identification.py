"""3.1.2 Language of Parts and 3.1.1 Language of Page within one script (issue 21): py3langid tells French from
English. One real audit in Chromium of pages written for it: a French paragraph on an English page and an English
one on a French page (found), a French brand name, a list of names and a short quote on an English page, and a French
passage marked lang="fr" (not found), a French page declaring lang="en" and a page of one English sentence declaring
lang="fr" (one page finding, not one per paragraph), a German passage marked lang="fr" (found),
and a Japanese page whose English passage the script check already finds (found once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qa.demo.server import serve
from tests.conftest import SITES, QARun, run_qa

SITE = SITES / "language-id"
PAGES = (
    "french-passage",
    "brand-and-quote",
    "marked",
    "english-on-french",
    "declared-english",
    "japanese",
    "one-sentence",
    "marked-wrong",
)


@pytest.fixture(scope="module")
def langid_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    out = tmp_path_factory.mktemp("langid")
    with serve(SITE) as url:
        listing = out / "urls.txt"
        listing.write_text("".join(f"{url}{page}.html\n" for page in ("index", *PAGES)), encoding="utf-8")
        run = run_qa(
            "audit", "--urls", str(listing), "--only", "language-of-parts", "--browser", "chromium",
            "--viewport", "desktop", out=out,
        )  # fmt: skip
    assert (run.run_dir / "results.json").exists(), run.stderr
    yield run


def found(run: QARun, page: str) -> list[tuple[str, str, list[str], str]]:
    return [
        (f["rule"], f["outcome"], f["sc"], f["details"].get("found", ""))
        for f in run.results["findings"]
        if f["check"] == "language-of-parts" and f["url"].endswith(f"/{page}.html")
    ]


def test_a_french_paragraph_on_an_english_page_is_found(langid_run: QARun) -> None:
    assert found(langid_run, "french-passage") == [("lang-of-parts-identified", "needs-review", ["3.1.2"], "fr")]
    finding = next(f for f in langid_run.results["findings"] if f["url"].endswith("/french-passage.html"))
    assert finding["details"]["text"].startswith("Nous remercions")
    assert float(finding["details"]["probability"]) >= 0.95


def test_an_english_paragraph_on_a_french_page_is_found(langid_run: QARun) -> None:
    assert found(langid_run, "english-on-french") == [("lang-of-parts-identified", "needs-review", ["3.1.2"], "en")]


def test_brand_names_a_list_of_names_and_a_short_quote_are_not_found(langid_run: QARun) -> None:
    assert found(langid_run, "brand-and-quote") == []


def test_a_passage_marked_with_its_language_is_not_found(langid_run: QARun) -> None:
    assert found(langid_run, "marked") == []


def test_a_german_passage_marked_as_french_is_found(langid_run: QARun) -> None:
    assert found(langid_run, "marked-wrong") == [("lang-of-parts-identified-mismatch", "needs-review", ["3.1.2"], "de")]


def test_a_french_page_declared_english_is_one_page_finding(langid_run: QARun) -> None:
    assert found(langid_run, "declared-english") == [("lang-page-text-identified", "needs-review", ["3.1.1"], "fr")]


def test_a_page_of_one_english_sentence_declared_french_is_a_page_finding(langid_run: QARun) -> None:
    assert found(langid_run, "one-sentence") == [("lang-page-text-identified", "needs-review", ["3.1.1"], "en")]


def test_an_english_passage_on_a_japanese_page_is_found_once_by_its_script(langid_run: QARun) -> None:
    assert found(langid_run, "japanese") == [("lang-of-parts-missing", "needs-review", ["3.1.2"], "")]


def test_the_clean_page_has_nothing(langid_run: QARun) -> None:
    assert found(langid_run, "index") == []
    assert all(not p["error"] for p in langid_run.results["pages"]), langid_run.results["pages"]
