"""Heuristics that route to a person (issue 21): each rule found on a page seeded with it, as needs-review (never a
violation) with its success criteria, and silent on the page written correctly. One real audit in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.check.animated_images import animation_of
from qa.demo.server import serve
from tests.conftest import SITES, PageHandler, QARun, run_qa, serve_handler

SITE = SITES / "heuristics"
ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")
CHECKS = (
    "link-purpose",
    "keyboard-markup",
    "table-markup",
    "form-grouping",
    "presentational-markup",
    "animated-images",
    "alt-text",
    "page-titles",
    "text-direction",
    "reading-order",
    "dialogs",
    "frame-titles",
)


@pytest.fixture(scope="module")
def heuristics_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    out = tmp_path_factory.mktemp("heuristics")
    with serve(SITE) as url:
        run = run_qa("audit", url, "--only", ",".join(CHECKS), *ONE_CELL, out=out)
    assert (run.run_dir / "results.json").exists(), run.stderr
    yield run


def on_page(run: QARun, path: str) -> list[dict]:
    base = run.results["run"]["start_url"].rstrip("/")
    return [f for f in run.results["findings"] if f["check"] in CHECKS and f["url"].removeprefix(base) == path]


@pytest.mark.parametrize(
    ("path", "rule", "target", "sc"),
    [
        ("/links-bad.html", "link-text-generic", "#click-here", ["2.4.4"]),
        ("/links-bad.html", "link-text-generic", "#read-more", ["2.4.4"]),
        ("/links-bad.html", "link-text-generic", "#kochira", ["2.4.4"]),
        ("/links-bad.html", "link-text-generic", "#kuwashiku", ["2.4.4"]),
        ("/links-bad.html", "link-text-ambiguous", "#report-1", ["2.4.4"]),
        ("/links-bad.html", "link-text-ambiguous", "#report-2", ["2.4.4"]),
        ("/links-bad.html", "link-new-window-unwarned", "#blank", []),  # best practice: 3.2.5 is AAA
        ("/keyboard-bad.html", "tabindex-positive", "#jump", ["2.4.3"]),
        ("/keyboard-bad.html", "accesskey-present", "#save", ["2.1.4"]),
        ("/tables-bad.html", "table-no-headers", "#data", ["1.3.1"]),
        ("/tables-bad.html", "layout-table-not-presentational", "#layout", ["1.3.1"]),
        ("/forms-bad.html", "placeholder-only-label", "#query", ["1.3.1", "3.3.2"]),
        ("/forms-bad.html", "option-group-no-name", "#by-mail", ["1.3.1"]),
        ("/forms-bad.html", "legend-empty", "#empty-legend", ["1.3.1"]),
        ("/markup-bad.html", "presentational-element", "#centered", ["1.3.1"]),
        ("/markup-bad.html", "presentational-element", "#red", ["1.3.1"]),
        ("/markup-bad.html", "presentational-element", "#underlined", ["1.3.1"]),
        ("/markup-bad.html", "moving-element", "#ticker", ["1.3.1", "2.2.2"]),
        ("/markup-bad.html", "empty-paragraph", "main > p:nth-of-type(2)", ["1.3.1"]),
        ("/images-bad.html", "alt-empty-title-set", "#titled", ["1.1.1"]),
        ("/images-bad.html", "alt-title-differ", "#alt-title", ["1.1.1"]),
        ("/frames-bad.html", "frame-title-unlike-content", "#wrong-title", ["4.1.2"]),
        ("/frames-bad.html", "frame-title-generic", "#generic-title", ["4.1.2"]),
        ("/frames-bad.html", "frame-title-duplicate", "#hours-winter", ["4.1.2"]),
        ("/images-bad.html", "animated-image-long", "#spinner", ["2.2.2"]),
        ("/images-bad.html", "animated-image-long", "#slideshow", ["2.2.2"]),
        ("/images-bad.html", "animated-image-long", "#banner", ["2.2.2"]),
        ("/about.html", "page-title-generic", "title", ["2.4.2"]),
        ("/links-bad.html", "link-text-generic", "#hidden-more", ["2.4.4"]),  # hidden text is no one's link text
        ("/links-bad.html", "link-text-generic", "#full-stop", ["2.4.4"]),
        ("/links-bad.html", "link-no-destination", "#nowhere", ["4.1.2"]),
        ("/links-bad.html", "link-no-destination", "#script-link", ["4.1.2"]),
        ("/links-bad.html", "link-adjacent-same-destination", "#panda-text", ["2.4.4"]),
        ("/links-bad.html", "link-file-format-unstated", "#pdf", ["2.4.4"]),
        ("/links-bad.html", "link-to-media-file", "#movie", ["1.2.1", "1.2.2", "1.2.3", "1.2.5"]),
        ("/links-bad.html", "link-to-image-file", "#photo", ["1.1.1"]),
        ("/keyboard-bad.html", "focusable-without-role", "#car", ["2.4.3", "4.1.2"]),
        ("/keyboard-bad.html", "link-role-button", "#continue", ["2.1.1", "4.1.2"]),
        ("/forms-bad.html", "field-label-not-unique", "#name-1", ["2.4.6", "3.3.2"]),
        ("/forms-bad.html", "field-label-not-unique", "#name-2", ["2.4.6", "3.3.2"]),
        ("/images-bad.html", "alt-control-generic", "#click-button", ["1.1.1", "2.4.6"]),
        ("/direction-bad.html", "rtl-text-in-ltr", "#arabic", ["1.3.2"]),
        ("/links-bad.html", "link-colour-only", "#colour-only", ["1.4.1"]),
        ("/links-bad.html", "link-text-ambiguous", "#svg-north", ["2.4.4"]),  # SVG links are links too
        ("/links-bad.html", "link-text-ambiguous", "#svg-south", ["2.4.4"]),
        ("/forms-bad.html", "field-hint-not-tied", "#ni", ["1.3.1", "3.3.2"]),
        ("/forms-bad.html", "label-far-from-field", "#country", ["1.3.1", "3.3.2"]),
        ("/forms-bad.html", "error-not-tied-to-field", "#problem", ["3.3.1", "3.3.3"]),
        ("/direction-bad.html", "rtl-dir-on-ltr-text", "#backwards", ["1.3.2"]),
        ("/reading-bad.html", "visual-order-reversed", "#steps", ["1.3.2"]),
        ("/reading-bad.html", "visual-order-reversed", "#reversed-row", ["1.3.2"]),
        ("/dialog-bad.html", "dialog-focus-not-moved", "#open-box", ["2.4.3"]),
        ("/dialog-bad.html", "dialog-close-not-focusable", "#open-box", ["2.1.1"]),
        ("/dialog-bad.html", "dialog-escape-does-not-close", "#open-box", ["2.1.1"]),
    ],
)
def test_heuristic_routes_the_defect_to_a_person(
    heuristics_run: QARun, path: str, rule: str, target: str, sc: list[str]
) -> None:
    hits = [f for f in on_page(heuristics_run, path) if f["rule"] == rule and target in f["target"]]
    assert len(hits) == 1, (rule, target, on_page(heuristics_run, path))
    assert hits[0]["outcome"] == "needs-review" and hits[0]["sc"] == sc
    assert hits[0]["message"]


def test_a_placeholder_title_is_still_a_violation(heuristics_run: QARun) -> None:
    [hit] = on_page(heuristics_run, "/placeholder.html")
    assert (hit["rule"], hit["outcome"], hit["sc"]) == ("page-title-placeholder", "violation", ["2.4.2"])


@pytest.mark.parametrize(
    "path",
    ["/", "/links-good.html", "/keyboard-good.html", "/tables-good.html", "/forms-good.html", "/markup-good.html",
     "/images-good.html", "/direction-good.html", "/reading-good.html", "/dialog-good.html", "/frames-good.html"],
)  # fmt: skip
def test_heuristics_stay_silent_on_pages_written_correctly(heuristics_run: QARun, path: str) -> None:
    assert on_page(heuristics_run, path) == []


def test_the_dialogs_done_right_were_really_opened(heuristics_run: QARun) -> None:
    facts = {p["url"].rsplit("/", 1)[-1]: p["facts"] for p in heuristics_run.results["pages"]}
    # a native modal dialog and an aria-modal one, each opened with Enter, walked with Tab and closed with Escape
    assert facts["dialog-good.html"]["dialog_probe"] == {"verified": True, "openers": 2, "opened": 2}


def test_opening_a_dialog_sends_nothing_and_leaves_the_page(tmp_path: Path) -> None:
    """The page's own script posts when its lightbox opens: the probe lets no POST out and no form be sent."""
    page = (SITE / "dialog-bad.html").read_bytes()
    sent: list[str] = []

    class Recording(PageHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] in ("/", "/dialog-bad.html"):
                self.send_html(page)
            else:
                self.send_html(b"not here", status=404)

        def do_POST(self) -> None:
            sent.append(self.path)
            self.send_html(b"recorded")

    with serve_handler(Recording) as url:
        run = run_qa("audit", url + "dialog-bad.html", "--only", "dialogs", *ONE_CELL, "--max-pages", "1", out=tmp_path)
    assert {f["rule"] for f in run.results["findings"]} >= {"dialog-focus-not-moved", "dialog-escape-does-not-close"}
    assert sent == []
    assert run.results["pages"][0]["final_url"].endswith("/dialog-bad.html")


def test_the_new_window_finding_is_kept_out_of_the_a_and_aa_counts(heuristics_run: QARun) -> None:
    blank = [f for f in heuristics_run.results["findings"] if f["rule"] == "link-new-window-unwarned"]
    assert blank and all(f["sc"] == [] for f in blank)


def test_animation_parser_reads_frames_and_loops() -> None:
    img = SITE / "img"
    forever = animation_of((img / "spinner-forever.gif").read_bytes())
    assert forever and forever.frames == 4 and forever.plays == 0 and forever.loop_s == pytest.approx(2.0)
    once = animation_of((img / "blink-once.gif").read_bytes())
    assert once and once.total_s == pytest.approx(0.8)
    apng = animation_of((img / "slideshow.png").read_bytes())
    assert apng and apng.total_s == pytest.approx(12.0)
    webp = animation_of((img / "banner.webp").read_bytes())
    assert webp and webp.frames == 4 and webp.plays == 0
    assert animation_of((img / "still.png").read_bytes()) is None
    assert animation_of(b"GIF89a") is None or animation_of(b"GIF89a").frames == 0  # truncated: no crash


def test_animation_parser_survives_truncated_files() -> None:
    data = (SITE / "img" / "spinner-forever.gif").read_bytes()
    for cut in range(0, len(data), 7):
        animation_of(data[:cut])
    apng = (SITE / "img" / "slideshow.png").read_bytes()
    for cut in range(0, len(apng), 7):
        animation_of(apng[:cut])


def test_a_page_of_5000_links_is_judged_in_one_pass_and_capped(tmp_path: Path) -> None:
    items = "".join(
        f'<li><a href="p{i}.html" target="_blank">Item {i % 50}</a> <a href="q{i}.html">more</a> <font>x</font>'
        f'<label><input type="radio" name="r{i % 100}"> {i}</label></li>'
        for i in range(2500)
    )
    body = f'<!doctype html><html lang="en"><title>Big</title><main><h1>Big</h1><ul>{items}</ul></main>'.encode()

    class Big(PageHandler):
        def do_GET(self) -> None:
            self.send_html(body)

    with serve_handler(Big) as url:
        only = ",".join(CHECKS[:6])
        run = run_qa("audit", url, "--only", only, *ONE_CELL, "--max-pages", "1", out=tmp_path, timeout=120)
    assert run.results["pages"][0]["facts"].get("check_errors") is None, run.stderr
    rules = [f["rule"] for f in run.results["findings"]]
    for rule in ("link-text-generic", "link-text-ambiguous", "link-new-window-unwarned", "option-group-no-name"):
        assert rules.count(rule) == 50, rule  # one look at the template, not 2,500 findings
    assert rules.count("presentational-element") == 10
    assert all(f["target"] for f in run.results["findings"])
