"""Single-character key shortcuts (2.1.4): real key presses in Chromium with nothing focused. A page that acts on a
bare letter, digit or punctuation key is needs-review with the keys; a shortcut that needs a modifier, works only
while its field has focus, or a script that only notes the keyboard is in use (or handles Escape and arrows) is not.
Where key listeners cannot be listed (Firefox) the page is recorded as not probed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qa.demo.server import serve
from tests.conftest import QARun, run_qa

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")


def page(title: str, body: str, script: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body><main>'
        f"<h1>{title}</h1>{body}</main><script>{script}</script></body></html>"
    )


PAGES = {
    # Acted on: a list item added on "+" (the W3C ACT rule's own case).
    "plus-adds.html": page(
        "Plus adds",
        '<label for="item">Item</label><input id="item"><ul id="list"></ul>',
        "document.body.addEventListener('keydown', (e) => { if (e.key === '+') {"
        " document.getElementById('list').innerHTML += '<li>new</li>'; e.preventDefault(); } });",
    ),
    # Acted on: "/" moves focus to the search field, as many sites do.
    "slash-search.html": page(
        "Slash search",
        '<form role="search"><label for="q">Search</label><input id="q"></form>',
        "document.addEventListener('keydown', (e) => { if (e.key === '/') { e.preventDefault();"
        " document.getElementById('q').focus(); } });",
    ),
    # Acted on: "?" opens a help panel, and the handler stops the event there.
    "question-help.html": page(
        "Question help",
        '<div id="help" hidden>Keyboard help</div>',
        "window.addEventListener('keyup', (e) => { if (e.key === '?') { e.stopPropagation();"
        " document.getElementById('help').hidden = false; } }, true);",
    ),
    # Not acted on: Ctrl+S only, a field's own shortcut, Escape and arrows, and an input-modality marker.
    "quiet.html": page(
        "Quiet",
        '<label for="note">Note</label><input id="note"><div id="out"></div><div id="menu" role="menu">Menu</div>',
        "document.addEventListener('keydown', (e) => { if (e.ctrlKey && e.key === 's') {"
        " e.preventDefault(); document.getElementById('out').textContent = 'saved'; } });"
        "document.addEventListener('keydown', (e) => { if (e.key === 'a'"
        " && document.activeElement === document.getElementById('note')) {"
        " document.getElementById('out').textContent = 'added'; } });"
        "document.addEventListener('keydown', (e) => { if (e.key === 'Escape' || e.key.startsWith('Arrow')) {"
        " document.getElementById('menu').hidden = true; } });"
        "document.addEventListener('keydown', () => { document.documentElement.setAttribute('data-whatinput',"
        " 'keyboard'); document.body.classList.add('keyboard-user'); });",
    ),
    "index.html": page(
        "Key shortcuts",
        '<a href="plus-adds.html">a</a> <a href="slash-search.html">b</a> <a href="question-help.html">c</a>'
        ' <a href="quiet.html">d</a>',
        "",
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("key-shortcuts-site")
    for name, html in PAGES.items():
        (root / name).write_text(html, encoding="utf-8")
    with serve(root) as url:
        yield url


@pytest.fixture(scope="module")
def keys_run(site: str, tmp_path_factory: pytest.TempPathFactory) -> QARun:
    run = run_qa("audit", site, "--only", "key-shortcuts", *ONE_CELL, out=tmp_path_factory.mktemp("keys"))
    assert (run.run_dir / "results.json").exists(), run.stderr
    return run


def on(run: QARun, name: str) -> tuple[dict, list[dict]]:
    path = "/" if name == "index.html" else "/" + name
    record = next(p for p in run.results["pages"] if p["url"].endswith(path))
    return record, [f for f in run.results["findings"] if f["url"] == record["url"] and f["check"] == "key-shortcuts"]


@pytest.mark.parametrize(
    ("name", "key", "effect"),
    [
        ("plus-adds.html", "+", "content"),
        ("slash-search.html", "/", "focus"),
        ("question-help.html", "?", "propagation_stopped"),
    ],
)
def test_a_page_acting_on_a_bare_key_is_needs_review_naming_the_key(
    keys_run: QARun, name: str, key: str, effect: str
) -> None:
    record, findings = on(keys_run, name)
    assert [f["rule"] for f in findings] == ["key-shortcut-single"], findings
    finding = findings[0]
    assert finding["outcome"] == "needs-review" and finding["sc"] == ["2.1.4"]
    assert finding["details"]["keys"].split() == [key] and effect in finding["details"]["effects"]
    assert f"\u201c{key}\u201d" in finding["message"]
    assert record["facts"]["key_shortcuts"]["acted_on"] == [key]


def test_modifier_shortcuts_focused_fields_escape_and_modality_markers_are_not_reported(keys_run: QARun) -> None:
    record, findings = on(keys_run, "quiet.html")
    assert findings == []
    assert record["facts"]["key_shortcuts"] == {"probed": True, "listeners": True, "keys": 42, "acted_on": []}
    # nothing was submitted or navigated away: the page is still the one audited, and no key reached the field
    assert not record["error"]


def test_a_page_without_key_listeners_is_not_pressed(keys_run: QARun) -> None:
    record, findings = on(keys_run, "index.html")
    assert findings == [] and record["facts"]["key_shortcuts"] == {"probed": True, "listeners": False, "keys": 0}


def test_where_listeners_cannot_be_listed_the_page_is_recorded_as_not_probed(site: str, tmp_path: Path) -> None:
    run = run_qa(
        "audit", site, "--only", "key-shortcuts", "--browser", "firefox", "--viewport", "desktop", out=tmp_path
    )
    assert (run.run_dir / "results.json").exists(), run.stderr
    record, findings = on(run, "plus-adds.html")
    assert findings == [] and record["facts"]["key_shortcuts"]["probed"] is False
    assert "listeners" in record["facts"]["not_examined"]["key-shortcuts"]["reason"]
    # a probe that never ran is no evidence: 2.1.4 is not machine-checked, and the check examined no page
    verdict = run.results["judgement"]["criteria"]["2.1.4"]
    assert verdict["verdict"] == "not-verified" and "key-shortcuts" not in verdict.get("checks", []), verdict
    (check,) = [c for c in run.results["checks"] if c["id"] == "key-shortcuts"]
    assert check["pages"] == 0 and check["errors"] == 0, check
    # the run says which evidence is missing and why, in the run log a reviewer reads
    notes = [n for n in run.results["run"]["notes"] if n.startswith("not examined: key-shortcuts")]
    assert notes == ["not examined: key-shortcuts on 5 visit(s): the browser cannot list the page's key listeners"]
    # and on the criterion's own row: the checklist's note names the check that could not examine it
    assert verdict["unexamined"] == ["key-shortcuts"], verdict
    sheet = load_workbook(run.run_dir / "checklist-wcag22.xlsx")["達成基準チェックリスト"]
    (row,) = [r for r in sheet.iter_rows(values_only=True) if r[0] == "2.1.4"]
    assert "key-shortcuts はブラウザに調べる手段がなく検査できなかった" in row[-1], row
