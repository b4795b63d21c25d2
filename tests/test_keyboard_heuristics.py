"""Keyboard traps found with real Tab presses (2.1.2) and mouse-only controls (2.1.1), both needs-review, in a real
Chromium against pages served on loopback: a trapping field and widget, div controls with onclick or a click
listener, and control pages (an accessible modal closed by Escape, a plain form) where nothing is found.
"""

from __future__ import annotations

import pytest

from qa.demo.server import serve
from tests.conftest import SITES, QARun, run_qa

PAGES = ["keyboard/widget-trap.html", "keyboard/listener-only.html", "keyboard/modal.html", "keyboard/clean.html"]
PAGES += ["barriers/keyboard-trap.html", "barriers/mouse-only.html", "barriers/good-keyboard.html"]
PAGES += ["keyboard/blur-trap.html", "keyboard/blur-redirect.html", "keyboard/blur-harmless.html"]
# Pages written for other checks, not for these rules: nothing of theirs may be flagged.
OTHERS = ["a11y-site-bad/index.html", "a11y-site-good/index.html", "heuristics/keyboard-bad.html"]


def audit(tmp_path_factory: pytest.TempPathFactory, browser: str, pages: list[str]) -> tuple[QARun, str]:
    out = tmp_path_factory.mktemp(browser)
    with serve(SITES) as url:
        listing = out / "urls.txt"
        listing.write_text("".join(f"{url}{p}\n" for p in pages), encoding="utf-8")
        run = run_qa("audit", "--urls", str(listing), "--browser", browser, "--viewport", "desktop", out=out)
    assert run.code in (0, 1), run.stderr
    return run, url


@pytest.fixture(scope="module")
def keyboard_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[QARun, str]:
    return audit(tmp_path_factory, "chromium", PAGES + OTHERS)


def found(run: QARun, url: str, rule: str) -> list[dict]:
    return [f for f in run.results["findings"] if f["url"] == url and f["rule"] == rule]


def page_facts(run: QARun, url: str) -> dict:
    return next(p["facts"] for p in run.results["pages"] if p["url"] == url)


def test_keyboard_traps_are_found_with_real_tab_presses(keyboard_run: tuple[QARun, str]) -> None:
    run, base = keyboard_run
    field = found(run, base + "barriers/keyboard-trap.html", "keyboard-trap")
    assert [(f["target"], f["outcome"], f["sc"]) for f in field] == [("#comment", "needs-review", ["2.1.2"])]
    # A toolbar whose keydown handler sends focus round its own buttons: one finding naming the region.
    widget = found(run, base + "keyboard/widget-trap.html", "keyboard-trap")
    assert len(widget) == 1 and widget[0]["details"]["region"] == "#editor", widget
    assert widget[0]["outcome"] == "needs-review"


def test_blur_handlers_that_hold_focus_are_traps(keyboard_run: tuple[QARun, str]) -> None:
    """Focus taken back by a blur handler's timer, and two buttons sending focus to each other on blur, with the
    rest of the page at the same level of the document: the real presses never get past them."""
    run, base = keyboard_run
    timer = found(run, base + "keyboard/blur-trap.html", "keyboard-trap")
    assert [(f["target"], f["outcome"], f["sc"]) for f in timer] == [("#name", "needs-review", ["2.1.2"])]
    redirect = found(run, base + "keyboard/blur-redirect.html", "keyboard-trap")
    assert redirect and {f["target"] for f in redirect} <= {"#mon", "#tue", "main"}, redirect
    assert all(f["outcome"] == "needs-review" for f in redirect)
    # Blur handlers that show a hint or tidy the value: no trap.
    assert found(run, base + "keyboard/blur-harmless.html", "keyboard-trap") == []


def test_a_modal_closed_by_escape_and_plain_pages_are_no_trap(keyboard_run: tuple[QARun, str]) -> None:
    run, base = keyboard_run
    for page in ("keyboard/modal.html", "keyboard/clean.html", "barriers/good-keyboard.html"):
        assert found(run, base + page, "keyboard-trap") == [], page
    # The modal kept focus under Tab (a suspect, pressed for real) and Escape released it: the rule, not luck.
    facts = page_facts(run, base + "keyboard/modal.html")["focus"]
    assert facts["trap_suspects"] >= 1 and facts["traps_released_by_escape"] >= 1, facts


def test_mouse_only_controls_are_routed_to_a_person(keyboard_run: tuple[QARun, str]) -> None:
    run, base = keyboard_run
    onclick = found(run, base + "barriers/mouse-only.html", "mouse-only-control")
    assert [(f["target"], f["outcome"], f["sc"]) for f in onclick] == [("body > main > div", "needs-review", ["2.1.1"])]
    # Listeners added by script are listed in Chromium; the delegating list of links is left alone.
    listeners = found(run, base + "keyboard/listener-only.html", "mouse-only-control")
    assert sorted(f["target"] for f in listeners) == ["#weekdays", "#weekend"]
    assert page_facts(run, base + "keyboard/listener-only.html")["mouse_only"]["listeners_checked"] is True
    for page in ("keyboard/modal.html", "keyboard/clean.html", "barriers/good-keyboard.html"):
        assert found(run, base + page, "mouse-only-control") == [], page


def test_the_heuristics_never_claim_a_violation(keyboard_run: tuple[QARun, str]) -> None:
    run, _ = keyboard_run
    ours = [f for f in run.results["findings"] if f["rule"] in ("keyboard-trap", "mouse-only-control")]
    assert ours and {f["outcome"] for f in ours} == {"needs-review"}


def test_pages_written_for_other_checks_get_none_of_these(keyboard_run: tuple[QARun, str]) -> None:
    run, base = keyboard_run
    for page in OTHERS:
        assert found(run, base + page, "keyboard-trap") + found(run, base + page, "mouse-only-control") == [], page


def test_firefox_presses_tab_for_real_but_cannot_list_listeners(tmp_path_factory: pytest.TempPathFactory) -> None:
    run, base = audit(tmp_path_factory, "firefox", ["barriers/keyboard-trap.html", "keyboard/listener-only.html"])
    assert [f["target"] for f in found(run, base + "barriers/keyboard-trap.html", "keyboard-trap")] == ["#comment"]
    # Listeners added by script are invisible without Chromium's console API: said so, not passed.
    assert found(run, base + "keyboard/listener-only.html", "mouse-only-control") == []
    assert page_facts(run, base + "keyboard/listener-only.html")["mouse_only"]["listeners_checked"] is False


def test_webkit_trap_suspects_are_not_verified(tmp_path_factory: pytest.TempPathFactory) -> None:
    run, base = audit(tmp_path_factory, "webkit", ["barriers/keyboard-trap.html"])
    url = base + "barriers/keyboard-trap.html"
    assert found(run, url, "keyboard-trap") == []
    assert page_facts(run, url)["focus"]["trap_suspects_not_verified"] == 1
