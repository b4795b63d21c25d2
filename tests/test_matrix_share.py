"""The matrix does nothing twice: a cell whose rendered DOM equals another cell's takes the rule engines' DOM-only
findings from it (recorded with the cell they came from) and finds what a fresh run finds, apart from the layout
rules of the companion engines (IBM Equal Access, HTML_CodeSniffer), which run once per rendered DOM (axe-core's
layout rules run in every cell); a page whose DOM or rendered state differs by viewport is judged in full in each
cell, so a barrier of the narrow version is found in the narrow cell.

Two real Chromium cells (desktop, phone) over tests/sites/matrix-share, once with sharing (the default), once with
``share_rules: false`` (every rule in every cell) and once with ``companion_engines_every_cell: true``, compared
cell by cell.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from qa.check._engines import engine_data, engine_script
from qa.check._share import htmlcs_dom_only
from qa.demo.server import serve
from tests.conftest import SITES, QARun, run_qa

CELLS = ("--browser", "chromium", "--viewport", "desktop", "--viewport", "phone")
ENGINES = ("--only", "axe,ace,htmlcs")
ACE, HTMLCS = "IBM Equal Access", "HTML_CodeSniffer"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, QARun]]:
    if engine_script("ace") is None:
        pytest.fail("IBM Equal Access is not installed: run 'qa setup' (nox -s tests installs it)")
    fresh_env = {**os.environ, "QA_SHARE_RULES": "false"}
    full_env = {**os.environ, "QA_COMPANION_ENGINES_EVERY_CELL": "true"}
    with serve(SITES / "matrix-share") as url:
        shared = run_qa("audit", url, *CELLS, *ENGINES, out=tmp_path_factory.mktemp("shared"))
        fresh = run_qa("audit", url, *CELLS, *ENGINES, out=tmp_path_factory.mktemp("fresh"), env=fresh_env)
        full = run_qa("audit", url, *CELLS, *ENGINES, out=tmp_path_factory.mktemp("full"), env=full_env)
    for run in (shared, fresh, full):
        assert run.code in (0, 1), run.stderr
    yield {"shared": shared, "fresh": fresh, "full": full}


def page(run: QARun, path: str, cell: str) -> dict:
    base = run.results["run"]["start_url"].rstrip("/")
    return next(
        p
        for p in run.results["pages"]
        if p["url"].removeprefix(base) == path and f"{p['browser']}/{p['viewport']}" == cell
    )


def found(run: QARun, path: str, cell: str, markup_only: bool = False) -> set[tuple]:
    """What the cell found on the page, as its visit recorded it (records.jsonl): each finding with every engine's
    rule merged into it (``markup_only``: the companion engines' rules that read the layout left out, and the
    findings only they made)."""
    base = run.results["run"]["start_url"].rstrip("/")
    ace_dom = set(engine_data()["dom_only"]["ace"]["rules"])

    def kept(e: dict) -> bool:
        if not markup_only or e["engine"] not in (ACE, HTMLCS):
            return True
        return e["rule"] in ace_dom if e["engine"] == ACE else htmlcs_dom_only(e["rule"])

    out = set()
    for line in (run.run_dir / "records.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        visit = record.get("page") or {}
        if visit.get("url", "").removeprefix(base) != path or f"{visit['browser']}/{visit['viewport']}" != cell:
            continue
        for f in record["findings"]:
            rules = tuple(sorted(e["rule"] for e in f["details"].get("engines", []) if kept(e)))
            if rules or not f["details"].get("engines"):
                out.add((f["rule"], f["target"], f["outcome"], rules))
    return out


def test_a_dom_identical_across_viewports_is_judged_once_and_finds_what_a_fresh_run_finds(runs) -> None:
    shared, fresh = runs["shared"], runs["fresh"]
    cells = ("chromium/desktop", "chromium/phone")
    notes = {cell: page(shared, "/same.html", cell)["facts"].get("reuse") for cell in cells}
    reusing = [cell for cell, note in notes.items() if note and note.get("from")]
    assert len(reusing) == 1, notes  # one cell ran every rule, the other took the DOM-only ones from it
    note = notes[reusing[0]]
    assert note["from"] != reusing[0] and note["from"] in notes
    assert note["checks"]["axe"]["rules"] > 0 and note["checks"]["ace"]["rules"] > 0
    assert note["checks"]["axe"]["findings"] > 0  # the missing alt and the missing label, at least
    # The companion engines did not run in the reusing cell: their layout rules ran in the reference cell only.
    for check in ("ace", "htmlcs"):
        assert note["checks"][check]["layout_rules_in"] == note["from"], note
        assert note["checks"][check]["findings"] > 0, note  # the alt and the label, in their words too
    assert "layout_rules_in" not in note["checks"]["axe"]
    reference = note["from"]
    assert found(shared, "/same.html", reference) == found(fresh, "/same.html", reference)
    for cell in notes:
        assert found(shared, "/same.html", cell, True) == found(fresh, "/same.html", cell, True), cell
    # What the reusing cell lacks is the companions' layout evidence, which the reference cell has.
    missing = found(fresh, "/same.html", reusing[0]) - found(shared, "/same.html", reusing[0])
    layout = found(shared, "/same.html", reference) - found(shared, "/same.html", reference, True)
    assert missing and {m[:3] for m in missing} <= {m[:3] for m in layout}  # IBM's contrast rule on #note
    rules = {r for r, *_ in found(shared, "/same.html", reusing[0])}
    assert {"image-alt", "label", "color-contrast"} <= rules  # DOM-only ones reused, the layout one run here
    assert not any(page(fresh, "/same.html", c)["facts"].get("reuse") for c in notes)  # share_rules: false
    base = shared.results["run"]["start_url"].rstrip("/")
    taken = [
        f
        for f in shared.results["findings"]
        if f["url"].removeprefix(base) == "/same.html" and f["rule"] in ("image-alt", "label")
    ]
    assert taken and all(f["details"]["reused"] == {reusing[0]: note["from"]} for f in taken)
    assert not any(f["details"].get("reused") for f in fresh.results["findings"])


def test_a_barrier_only_the_narrow_markup_has_is_found_in_the_narrow_cell(runs) -> None:
    shared = runs["shared"]
    assert ("image-alt", "#festival-small") in {f[:2] for f in found(shared, "/narrow.html", "chromium/phone")}
    assert not found(shared, "/narrow.html", "chromium/desktop")
    for cell in ("chromium/desktop", "chromium/phone"):  # different DOMs: nothing taken from the other cell
        assert not (page(shared, "/narrow.html", cell)["facts"].get("reuse") or {}).get("from")
    assert found(shared, "/narrow.html", "chromium/phone") == found(runs["fresh"], "/narrow.html", "chromium/phone")


def test_a_control_a_media_query_shows_only_on_narrow_screens_is_judged_there(runs) -> None:
    shared = runs["shared"]
    phone = {f[:2] for f in found(shared, "/hidden.html", "chromium/phone")}
    assert ("button-name", "#menu") in phone
    assert ("button-name", "#menu") not in {f[:2] for f in found(shared, "/hidden.html", "chromium/desktop")}
    for cell in ("chromium/desktop", "chromium/phone"):  # same markup, another rendered state: not shared
        assert not (page(shared, "/hidden.html", cell)["facts"].get("reuse") or {}).get("from")


def test_the_clean_page_gets_nothing_in_either_cell_and_every_visit_was_judged(runs) -> None:
    shared = runs["shared"]
    for cell in ("chromium/desktop", "chromium/phone"):
        assert found(shared, "/clean.html", cell) == set()
    checks = {c["id"]: c for c in shared.results["checks"]}
    audited = len([p for p in shared.results["pages"] if not p["error"]])
    assert audited == len(shared.results["pages"]) >= 10  # five pages (and the start URL) in two cells
    for check in ("axe", "ace", "htmlcs"):
        assert checks[check]["pages"] == audited and checks[check]["errors"] == 0
    for f in shared.results["findings"]:  # a reused finding names a cell of the run that ran the rule itself
        for cell, source in f["details"].get("reused", {}).items():
            assert cell in f["seen_in"] and source in shared.results["run"]["cells"] and source != cell


def test_companion_engines_every_cell_runs_them_in_full_in_each_cell(runs) -> None:
    full, fresh = runs["full"], runs["fresh"]
    cells = ("chromium/desktop", "chromium/phone")
    notes = {cell: page(full, "/same.html", cell)["facts"].get("reuse") for cell in cells}
    reusing = [note for note in notes.values() if note and note.get("from")]
    assert len(reusing) == 1 and reusing[0]["checks"]["ace"]["rules"] > 0  # axe's and IBM's DOM-only rules shared
    assert not any("layout_rules_in" in c for c in reusing[0]["checks"].values())
    for cell in cells:  # the companions' layout rules ran in both cells: what a fresh run finds, evidence included
        assert found(full, "/same.html", cell) == found(fresh, "/same.html", cell), cell
