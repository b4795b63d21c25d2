"""Machine evidence for more success criteria (1.2.x, 1.3.3, 1.3.4, 1.4.1, 1.4.4, 1.4.11, 1.4.13, 2.4.3, 2.5.x,
3.2.1, 3.2.2, 3.3.7, 3.3.8, 4.1.3), each against a page showing the problem and one that does not, in a real
browser; a realistic page not written for the checks; the kinds of evidence the checks declare; and the checklist's
review guide."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from qa.check.focus import order_jumps
from qa.demo.server import serve
from qa.judge.criteria import catalogue, review_procedures
from tests.conftest import SITES, QARun, run_qa

CHECKS = (
    "hover-content",
    "context-change",
    "status-messages",
    "pointer-inputs",
    "authentication",
    "focus",
    "orientation",
    "resize-text",
    "nontext-contrast",
    "media-review",
    "sensory-words",
)
NEW = set(CHECKS) - {"focus"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    out = tmp_path_factory.mktemp("criteria")
    with serve(SITES / "criteria") as url:
        yield run_qa(
            "audit", url, "--browser", "chromium", "--viewport", "desktop", "--only", ",".join(CHECKS), out=out
        )


def findings(run: QARun, path: str, checks: set[str] = NEW) -> list[dict]:
    base = run.results["run"]["start_url"].rstrip("/")
    return [f for f in run.results["findings"] if f["check"] in checks and f["url"].removeprefix(base) == path]


@pytest.mark.parametrize(
    ("path", "rule", "target", "outcome", "sc"),
    [
        ("/hover-bad.html", "hover-content-not-hoverable", "#gap-trigger", "violation", ["1.4.13"]),
        ("/hover-bad.html", "hover-content-not-dismissible", "#no-escape", "needs-review", ["1.4.13"]),
        ("/hover-bad.html", "hover-only-controls", "#hover-menu", "needs-review", ["2.1.1"]),
        ("/context-bad.html", "context-change-on-focus", "#promo", "violation", ["3.2.1"]),
        ("/context-bad.html", "focus-change-review", "#bounce", "needs-review", ["3.2.1"]),
        ("/context-bad.html", "context-change-on-input", "#jump", "needs-review", ["3.2.2"]),
        ("/context-bad.html", "context-change-on-input", "#auto-submit", "needs-review", ["3.2.2"]),
        ("/status-bad.html", "status-message-not-announced", "#count", "needs-review", ["4.1.3"]),
        ("/status-bad.html", "status-message-not-announced", "#saved", "needs-review", ["4.1.3"]),
        ("/pointer-bad.html", "pointer-gesture-handler", "#slider", "needs-review", ["2.5.1"]),
        ("/pointer-bad.html", "pointer-down-action", "#buy", "needs-review", ["2.5.2"]),
        ("/pointer-bad.html", "drag-handler", "#map", "needs-review", ["2.5.7"]),
        ("/pointer-bad.html", "drag-handler", "#sortable", "needs-review", ["2.5.7"]),
        ("/pointer-bad.html", "motion-handler", "window", "needs-review", ["2.5.4"]),
        ("/words-bad.html", "colour-reference", "#colour-note", "needs-review", ["1.4.1"]),
        ("/words-bad.html", "sensory-reference", "#position-note", "needs-review", ["1.3.3"]),
        ("/auth-bad.html", "password-paste-blocked", "#pw", "violation", ["3.3.8"]),
        ("/auth-bad.html", "password-paste-review", "#new-pw", "needs-review", ["3.3.8"]),
        ("/auth-bad.html", "password-autocomplete-off", "#new-pw", "needs-review", ["3.3.8"]),
        ("/auth-bad.html", "captcha-present", "#captcha-img", "needs-review", ["3.3.8"]),
        ("/auth-bad.html", "redundant-entry", "#email2", "needs-review", ["3.3.7"]),
        ("/order-bad.html", "focus-order-jump", "#moved", "needs-review", ["2.4.3"]),
        ("/orientation-bad.html", "orientation-locked", "html", "violation", ["1.3.4"]),
        ("/layout-bad.html", "resize-text-clipped", "#tab", "needs-review", ["1.4.4"]),
        ("/layout-bad.html", "text-cut-off", "#notice", "needs-review", ["1.4.4"]),
        ("/layout-bad.html", "field-boundary-contrast", "#faint", "needs-review", ["1.4.11"]),
        ("/layout-bad.html", "icon-contrast", "#pale-icon", "needs-review", ["1.4.11"]),
        (
            "/layout-bad.html",
            "media-alternatives-review",
            "#film",
            "needs-review",
            ["1.2.1", "1.2.2", "1.2.3", "1.2.5"],
        ),
        (
            "/layout-bad.html",
            "media-alternatives-review",
            "#player",
            "needs-review",
            ["1.2.1", "1.2.2", "1.2.3", "1.2.5"],
        ),
    ],
)
def test_the_problem_is_found(run: QARun, path: str, rule: str, target: str, outcome: str, sc: list[str]) -> None:
    hits = [f for f in findings(run, path, NEW | {"focus"}) if f["rule"] == rule and f["target"] == target]
    assert len(hits) == 1, f"{rule} on {target} of {path}: {findings(run, path)}"
    assert hits[0]["outcome"] == outcome and hits[0]["sc"] == sc
    assert hits[0]["message"]  # English message; the Japanese one comes from the check's messages


@pytest.mark.parametrize(
    "path",
    [
        "/hover-good.html",
        "/context-good.html",
        "/status-good.html",
        "/pointer-good.html",
        "/auth-good.html",
        "/layout-good.html",
        "/order-good.html",
        "/words-good.html",
    ],
)
def test_nothing_is_found_on_the_page_done_well(run: QARun, path: str) -> None:
    assert findings(run, path) == []
    assert [f for f in findings(run, path, {"focus"}) if f["rule"] == "focus-order-jump"] == []


def test_the_pages_were_really_probed(run: QARun) -> None:
    """The good pages pass because they were examined, not skipped: the facts count what each check looked at."""
    facts = {p["url"].rsplit("/", 1)[-1]: p["facts"] for p in run.results["pages"]}
    assert facts["hover-good.html"]["hover_content"]["revealing"] == 2
    assert facts["context-good.html"]["context_change"] == {
        "verified": True,
        "controls": 6,
        "focused": 6,
        "changed": 3,
        "focus_events": 6,
    }
    assert facts["status-good.html"]["status_messages"]["announced"] == 2
    assert facts["layout-good.html"]["nontext_contrast"]["fields"] == 1
    # Turned only where something can react to the turn: the locked page's orientation media query.
    assert facts["orientation-bad.html"]["orientation"]["why"] == "style sheet"
    assert facts["orientation-bad.html"]["orientation"]["landscape"]["chars"] > 100
    assert facts["layout-good.html"]["orientation"]["turned"] is False
    for page in run.results["pages"]:
        assert not page["facts"].get("check_errors"), page["url"]
        assert page["final_url"] == page["url"]  # no probe navigated away


def test_a_realistic_page(run: QARun) -> None:
    """A city page written as such pages are: a hover menu without Escape or a keyboard way in, a clipped one-line
    notice, a video, an update shown by script; its select, search form and news links cause nothing."""
    got = {(f["rule"], f["target"], f["outcome"]) for f in findings(run, "/city.html")}
    assert got == {
        ("hover-content-not-dismissible", "body > header > nav > ul > li:nth-of-type(1)", "needs-review"),
        ("hover-only-controls", "body > header > nav > ul > li:nth-of-type(1)", "needs-review"),  # no keyboard way in
        ("resize-text-clipped", "body > main > p:nth-of-type(1)", "needs-review"),
        ("media-alternatives-review", "body > main > video", "needs-review"),
        ("status-message-not-announced", "#updated", "needs-review"),
    }


def test_checks_declare_the_kind_of_evidence(run: QARun) -> None:
    checks = {c["id"]: c["criteria"] for c in run.results["checks"]}
    assert checks["media-review"] == dict.fromkeys(("1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5"), "aid")
    assert checks["pointer-inputs"] == dict.fromkeys(("2.5.1", "2.5.2", "2.5.4", "2.5.7"), "aid")
    assert checks["hover-content"] == {"1.4.13": "partial", "2.1.1": "aid"}
    assert checks["context-change"] == {"3.2.1": "partial", "3.2.2": "partial"}
    assert checks["authentication"] == {"3.3.7": "aid", "3.3.8": "partial"}
    assert checks["status-messages"] == {"4.1.3": "aid"}
    site = run.results["judgement"]["criteria"]
    assert site["2.5.1"]["coverage"] == "aid" and site["1.4.13"]["coverage"] == "partial"


def test_the_review_guide_goes_page_by_page(run: QARun) -> None:
    wb = load_workbook(run.run_dir / "checklist-wcag22.xlsx")
    guide = wb["確認ガイド"]
    rows = list(guide.iter_rows(min_row=2, values_only=True))
    urls = [r[1] for r in rows]
    assert urls == sorted(urls, key=urls.index)  # each page's rows together
    assert len(set(urls)) == len(run.results["judgement"]["urls"])
    status = next(r for r in rows if r[1].endswith("/status-bad.html") and r[2] == "4.1.3")
    assert status[5] == "#count\n#saved" and status[6] in ("要素の画像", "ページの画像")
    assert status[7].startswith("1. ") and "role=status" in status[7] and status[8] == "適合 / 不適合 / 適用なし"
    # The answer goes where `qa review import` reads it: the page checklist row of this page and criterion.
    link = next(c.hyperlink.location for c in guide[rows.index(status) + 2] if c.column == 10)
    sheet, cell = link.split("!")  # a place in the workbook (location), not a file or URL
    target = wb[sheet.strip("'")][cell.replace("G", "A")].row
    page_row = [c.value for c in wb[sheet.strip("'")][target]]
    assert page_row[0] == "4.1.3" and page_row[2].endswith("/status-bad.html")
    # A criterion the checks decided (a violation) is not in the guide for that page; one left unverified is.
    assert not [r for r in rows if r[1].endswith("/hover-bad.html") and r[2] == "1.4.13"]
    assert [r[5] for r in rows if r[1].endswith("/hover-good.html") and r[2] == "1.4.13"] == ["ページ全体"]


def test_every_criterion_has_a_review_procedure() -> None:
    procedures = review_procedures()
    assert set(procedures) == {c.sc for c in catalogue()}
    for sc, p in procedures.items():
        assert 2 <= len(p["ja"]) == len(p["en"]) <= 3, sc
        assert p["understanding"].startswith("https://www.w3.org/WAI/"), sc


def test_focus_order_jumps() -> None:
    def stop(name: str, top: int, left: int = 0) -> dict:
        return {"target": name, "pos": [top, left, 20]}

    detour = [stop("a", 100), stop("b", 900), stop("c", 140)]
    assert [j[1]["target"] for j in order_jumps(detour)] == ["b"]
    columns = [stop("main-end", 900), stop("aside-1", 100, 700), stop("aside-2", 140, 700)]
    assert order_jumps(columns) == []
    row = [stop("one", 100, 0), stop("three", 100, 400), stop("two", 100, 200)]
    assert [j[1]["target"] for j in order_jumps(row)] == ["three"]  # on one line, out of the left-to-right order
    in_order = [stop("one", 100, 0), stop("two", 100, 200), stop("three", 100, 400), stop("next", 160, 0)]
    assert order_jumps(in_order) == []
