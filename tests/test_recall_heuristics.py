"""Heuristics added for recall (issue 21): CSS generated text (1.3.1, F87) and media that plays by itself (1.4.2),
each found as needs-review on a barrier page and silent on accessible pages. One real audit in Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qa.demo.server import serve
from tests.conftest import SITES, QARun, run_qa

CHECKS = ("css-content", "autoplay-media", "alt-text")
PAGES = ("css-content", "autoplay-audio", "good-media", "good-carousel", "good-skip-link", "good-disclosure")


@pytest.fixture(scope="module")
def recall_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    out = tmp_path_factory.mktemp("recall-heuristics")
    with serve(SITES) as url:
        listing = out / "urls.txt"
        listing.write_text("".join(f"{url}barriers/{p}.html\n" for p in PAGES), encoding="utf-8")
        run = run_qa(
            "audit", "--urls", str(listing), "--only", ",".join(CHECKS), "--browser", "chromium",
            "--viewport", "desktop", out=out,
        )  # fmt: skip
    assert (run.run_dir / "results.json").exists(), run.stderr
    assert all(not p["error"] for p in run.results["pages"]), run.results["pages"]
    yield run


def on(run: QARun, page: str, check: str) -> list[dict]:
    return [f for f in run.results["findings"] if f["check"] == check and f["url"].endswith(f"/{page}.html")]


def test_text_inserted_by_css_is_routed_to_a_person(recall_run: QARun) -> None:
    found = on(recall_run, "css-content", "css-content")
    assert {(f["details"]["pseudo"], f["details"]["text"]) for f in found} == {
        ("::after", "8:45 to 17:30"),
        ("::before", "Closed on:"),
        ("::before", "Map and access"),
    }
    assert {(f["rule"], f["outcome"], tuple(f["sc"])) for f in found} == {
        ("css-generated-text", "needs-review", ("1.3.1",))
    }


def test_a_link_named_by_generated_text_is_not_an_alt_text_violation(recall_run: QARun) -> None:
    # The image's empty alt is right: the link's text comes from ::before (the CSS finding covers that).
    assert [f["rule"] for f in on(recall_run, "css-content", "alt-text") if f["outcome"] == "violation"] == []


def test_audio_that_plays_by_itself_is_routed_to_a_person(recall_run: QARun) -> None:
    found = on(recall_run, "autoplay-audio", "autoplay-media")
    assert [(f["rule"], f["outcome"], f["sc"], f["target"]) for f in found] == [
        ("media-autoplay", "needs-review", ["1.4.2"], "#welcome")
    ]
    assert found[0]["details"]["loop"] is True and found[0]["details"]["controls"] is False


@pytest.mark.parametrize("page", ["good-media", "good-carousel", "good-skip-link", "good-disclosure"])
def test_accessible_pages_have_neither(recall_run: QARun, page: str) -> None:
    assert on(recall_run, page, "css-content") + on(recall_run, page, "autoplay-media") == []
