"""2.2.2 Pause, Stop, Hide: content that moves or updates by itself, found in a real Chromium audit of pages whose
scripts and styles do it (a ticker, a self-rescheduling clock, an endless CSS animation, carousels set to autoplay),
beside pages whose scripts change nothing a person sees again and again (a poll writing the same words, a one-off
change, a short animation, a loading spinner, a carousel without autoplay)."""

from __future__ import annotations

import pytest

from qa.demo.server import serve
from tests.conftest import QARun, run_qa

HEAD = '<!doctype html><html lang="en"><head><title>{title}</title><style>{style}</style></head><body><main>'
SLIDE = "@keyframes slide { from { transform: translateX(0) } to { transform: translateX(80px) } }"

PAGES = {
    "ticker.html": (
        "<h1>Prices</h1><p>Rate: <span id='rate'>1</span> yen</p>"
        "<script>setInterval(() => { document.getElementById('rate').textContent = Math.random(); }, 400);</script>"
    ),
    "clock.html": (
        "<h1>Clock</h1><div id='clock'>0</div>"
        "<script>let n = 0; function tick() { document.getElementById('clock').textContent = ++n;"
        " setTimeout(tick, 300); } addEventListener('load', () => setTimeout(tick, 300));</script>"
    ),
    "marquee.html": "<h1>News</h1><p id='news' style='animation: slide 4s linear infinite'>The office opens.</p>",
    "carousel.html": (
        "<h1>Slides</h1><div id='hero' data-bs-ride='carousel'><p>Slide one</p><button>Pause</button></div>"
        "<div id='tours' class='splide' data-splide='{\"autoplay\": true, \"interval\": 4000}'><p>Tour</p></div>"
    ),
    "quiet.html": (
        "<h1>Quiet</h1><p>Status: <span id='poll'>online</span></p><p id='once'>Loading</p>"
        "<p id='fade' style='animation: slide 1s linear 1'>Fades in once.</p>"
        "<div class='spinner' role='progressbar' style='width:20px;height:20px;animation: slide 1s infinite'></div>"
        "<div id='manual' data-bs-ride='carousel' data-bs-interval='false'><p>Manual</p></div>"
        "<script>setInterval(() => { document.getElementById('poll').textContent = 'online'; }, 200);"
        " setTimeout(() => { document.getElementById('once').textContent = 'Loaded'; }, 100);</script>"
    ),
}


@pytest.fixture(scope="module")
def moving(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    root = tmp_path_factory.mktemp("moving-site")
    links = "".join(f'<a href="{name}">{name}</a> ' for name in PAGES)
    (root / "index.html").write_text(
        HEAD.format(title="Home", style="") + f"<h1>Home</h1>{links}</main></body></html>", encoding="utf-8"
    )
    for name, body in PAGES.items():
        page = HEAD.format(title=name, style=SLIDE) + body + "</main></body></html>"
        (root / name).write_text(page, encoding="utf-8")
    with serve(root) as url:
        run = run_qa(
            "audit",
            url,
            "--only",
            "moving-content,key-shortcuts,pointer-inputs",
            "--browser",
            "chromium",
            "--viewport",
            "desktop",
            out=tmp_path_factory.mktemp("moving"),
        )
    assert (run.run_dir / "results.json").exists(), run.stderr
    return run


def found(run: QARun, page: str) -> list[tuple[str, str]]:
    return sorted(
        (f["rule"], f["target"])
        for f in run.results["findings"]
        if f["url"].endswith("/" + page) and f["check"] == "moving-content"
    )


def test_a_ticker_and_a_self_rescheduling_clock_are_auto_updating_content(moving: QARun) -> None:
    ticker = [f for f in moving.results["findings"] if f["url"].endswith("/ticker.html")]
    assert [(f["rule"], f["outcome"], f["sc"]) for f in ticker] == [
        ("auto-updating-content", "needs-review", ["2.2.2"])
    ], ticker
    # The changing span is inline: the finding points at the block a person sees change.
    assert ticker[0]["target"] == "body > main > p" and ticker[0]["details"]["changes"] >= 2
    assert found(moving, "clock.html") == [("auto-updating-content", "#clock")]


def test_an_endless_css_animation_is_long_animation(moving: QARun) -> None:
    assert found(moving, "marquee.html") == [("long-animation", "#news")]
    news = next(f for f in moving.results["findings"] if f["target"] == "#news")
    assert news["details"]["lasts"] == "endless"


def test_carousels_set_to_autoplay_are_found_from_their_settings(moving: QARun) -> None:
    assert found(moving, "carousel.html") == [("autoplay-carousel", "#hero"), ("autoplay-carousel", "#tours")]
    hero = next(f for f in moving.results["findings"] if f["target"] == "#hero")
    assert hero["details"]["library"] == "Bootstrap" and hero["details"]["control"] == "Pause"
    assert "Pause" in hero["message"]


def test_changes_a_person_does_not_see_move_are_not_reported(moving: QARun) -> None:
    assert found(moving, "quiet.html") == []
    assert found(moving, "index.html") == []
    # A page without short timers is not waited for.
    home = next(p for p in moving.results["pages"] if p["url"].endswith("/"))
    assert home["facts"]["moving_content"]["waited_ms"] == 0


def test_the_checklist_counts_the_check_for_2_2_2(moving: QARun) -> None:
    check = next(c for c in moving.results["checks"] if c["id"] == "moving-content")
    assert check["criteria"] == {"2.2.2": "partial"} and check["errors"] == 0


def test_the_recorder_adds_no_listener_the_other_checks_would_take_for_the_pages(moving: QARun) -> None:
    """No page here listens for keys or pointers: the preloaded recorder must not make them look as if they did."""
    for page in moving.results["pages"]:
        assert page["facts"]["key_shortcuts"]["listeners"] is False, page["url"]
    assert [f for f in moving.results["findings"] if f["check"] != "moving-content"] == []
