"""Checks that only read the page run side by side, their scripts sent to the page in one call (qa.visit.batch):
each keeps its own findings and errors, a script that throws fails its own check only, and a check's second call
comes back too."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.conftest import run_qa

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")

CHECKS = """
from qa.check import PageCheck


class Marker(PageCheck):
    id = "batch-marker"
    title = "Leaves a mark until the current script's microtasks run"
    order = 30
    reads_only = True

    async def run(self, ctx):
        await ctx.session.evaluate(
            "() => { window.__qaMark = 1; Promise.resolve().then(() => { delete window.__qaMark; }); }")
        return []


class Reader(PageCheck):
    id = "batch-reader"
    title = "Sees the mark (same call), then counts elements in a second call"
    order = 30
    reads_only = True

    async def run(self, ctx):
        same_call = await ctx.session.evaluate("() => window.__qaMark === 1")
        links = await ctx.session.evaluate("(sel) => document.querySelectorAll(sel).length", "html, body")
        ctx.page.facts["batch-reader"] = {"same_call": same_call, "links": links}
        return [ctx.finding("batch-reader-links", "needs-review", ["2.4.4"], details={"links": links})]


class Thrower(PageCheck):
    id = "batch-thrower"
    title = "Throws in the page"
    order = 30
    reads_only = True

    async def run(self, ctx):
        await ctx.session.evaluate("() => { throw new Error('thrown on purpose'); }")
        return []
"""


BUILT_IN = "alt-text,table-markup,form-grouping,presentational-markup,link-purpose"


def _findings(run) -> set[tuple[str, str, str, str]]:
    return {(f["url"].rsplit("/", 1)[1], f["check"], f["rule"], f.get("target", "")) for f in run.results["findings"]}


def test_reading_checks_share_one_call_and_keep_their_own_results(site, tmp_path: Path) -> None:
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "batch.py").write_text(textwrap.dedent(CHECKS), encoding="utf-8")
    config = tmp_path / "qa.yaml"
    config.write_text(f"checks_dir: {checks}\n", encoding="utf-8")
    url = site("heuristics")
    only = ("--only", f"{BUILT_IN},batch-marker,batch-reader,batch-thrower")
    run = run_qa("audit", url, *ONE_CELL, "--config", str(config), *only, out=tmp_path / "out")
    assert run.results["run"]["status"] == "complete", run.stderr
    pages = [p for p in run.results["pages"] if not p["error"]]
    assert len(pages) > 5
    checks_run = {c["id"]: c for c in run.results["checks"]}
    for page in pages:
        errors = page["facts"].get("check_errors", {})
        # the script that threw failed its own check, and no other
        assert list(errors) == ["batch-thrower"], errors
        assert "thrown on purpose" in errors["batch-thrower"]
        seen = page["facts"]["batch-reader"]
        assert seen["same_call"] is True  # the marker's script and the reader's first ran in one call
        assert seen["links"] == 2  # the reader's second call came back, with its own argument
    assert checks_run["batch-thrower"]["errors"] == len(pages)
    for check in [*BUILT_IN.split(","), "batch-marker", "batch-reader"]:
        assert (checks_run[check]["pages"], checks_run[check]["errors"]) == (len(pages), 0), check
    # every finding carries the id of the check that made it, though the checks ran side by side: the built-in
    # checks found exactly what they find without the others beside them
    found = _findings(run)
    assert {f[1] for f in found} >= {"alt-text", "table-markup", "form-grouping", "batch-reader"}
    assert {f[2] for f in found if f[1] == "batch-reader"} == {"batch-reader-links"}
    alone = run_qa("audit", url, *ONE_CELL, "--only", BUILT_IN, out=tmp_path / "alone")
    assert {f for f in found if not f[1].startswith("batch-")} == _findings(alone)
