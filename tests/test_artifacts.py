"""Checks declare the artifacts they provide and require: selecting a check runs its providers, a requirement nobody
provides is a one-line error, an artifact missing on a page is a check error there, and `qa report --rejudge`
runs the site-level checks again over a finished run without a browser."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from qa.check import PageCheck, SiteCheck, select_checks
from qa.errors import ConfigError
from tests.conftest import run_qa

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")

# A provider that leaves the about page out, a site check and a page check that both require what it provides.
LANDMARK_CHECKS = """
from qa.check import PageCheck, SiteCheck
from qa.check._site import site_finding


class Landmarks(PageCheck):
    id = "landmark-gatherer"
    title = "Landmarks"
    primary_only = True
    provides = ("landmarks",)

    async def run(self, ctx):
        if not ctx.page.url.endswith("/about.html"):
            ctx.page.facts["landmarks"] = await ctx.session.evaluate(
                "() => document.querySelectorAll('header, nav, main, footer').length")
        return []


class LandmarkCount(SiteCheck):
    id = "landmark-count"
    title = "Pages have landmarks"
    requires = ("landmarks",)

    def run(self, results):
        return [site_finding(self.id, p, "landmark-count", "needs-review", [], str(p.facts["landmarks"]))
                for p in results.pages if "landmarks" in p.facts]


class LandmarkEcho(PageCheck):
    id = "landmark-echo"
    title = "Reads the landmarks on the page"
    primary_only = True
    order = 60
    requires = ("landmarks",)

    async def run(self, ctx):
        return []
"""


def _site(site) -> str:
    return site("a11y-site-bad")


def _checks_config(folder: Path, source: str, extra: str = "") -> Path:
    checks = folder / "checks"
    checks.mkdir()
    (checks / "mine.py").write_text(textwrap.dedent(source), encoding="utf-8")
    config = folder / "qa.yaml"
    config.write_text(f"checks_dir: {checks}\n{extra}", encoding="utf-8")
    return config


def test_only_a_site_check_runs_the_check_providing_its_artifact(site, tmp_path: Path) -> None:
    run = run_qa("audit", _site(site), *ONE_CELL, "--only", "consistent-help", out=tmp_path)
    assert run.results["run"]["status"] == "complete", run.stderr
    checks = {c["id"]: c for c in run.results["checks"]}
    audited = len({p["url"] for p in run.results["pages"] if not p["error"]})
    assert checks["page-structure"]["pages"] == audited
    assert checks["consistent-help"] == {**checks["consistent-help"], "pages": audited, "errors": 0}
    found = [f for f in run.results["findings"] if f["rule"] == "help-location"]
    assert [f["url"].rsplit("/", 1)[1] for f in found] == ["contact.html"]
    assert {f["check"] for f in run.results["findings"]} == {"consistent-help"}  # nothing else was selected


def test_a_requirement_nobody_provides_is_a_one_line_error(site, tmp_path: Path) -> None:
    source = """
        from qa.check import SiteCheck

        class Orphan(SiteCheck):
            id = "needs-landmarks"
            title = "Needs landmarks"
            requires = ("landmarks",)

            def run(self, results):
                return []
        """
    config = _checks_config(tmp_path, source)
    run = run_qa("audit", _site(site), *ONE_CELL, "--config", str(config), out=tmp_path / "out")
    assert run.code == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert "'needs-landmarks'" in lines[0] and "'landmarks'" in lines[0] and "no check provides" in lines[0]
    assert not (tmp_path / "out" / "latest").exists()  # stopped before the crawl


def test_an_artifact_missing_on_a_page_is_a_check_error_there(site, tmp_path: Path) -> None:
    config = _checks_config(tmp_path, LANDMARK_CHECKS)
    only = ("--only", "landmark-count,landmark-echo")
    run = run_qa("audit", _site(site), *ONE_CELL, "--config", str(config), *only, out=tmp_path / "out")
    assert run.results["run"]["status"] == "complete", run.stderr
    pages = {p["url"].rsplit("/", 1)[1]: p for p in run.results["pages"] if not p["error"]}
    checks = {c["id"]: c for c in run.results["checks"]}
    # the provider was selected through the requirement and ran everywhere; it left the about page out
    assert checks["landmark-gatherer"]["pages"] == len(pages)
    for check in ("landmark-count", "landmark-echo"):
        assert (checks[check]["pages"], checks[check]["errors"]) == (len(pages) - 1, 1), check
        assert "landmarks" in pages["about.html"]["facts"]["check_errors"][check]
    assert "landmark-count" not in pages["index.html"]["facts"].get("check_errors", {})
    counted = {f["url"].rsplit("/", 1)[1] for f in run.results["findings"] if f["check"] == "landmark-count"}
    # index.html is the home page's other address (qa.judge.inventory): its findings are the home page's ("")
    assert counted == set(pages) - {"about.html", "index.html"}
    assert any(n.startswith("check landmark-count:") and "about.html" in n for n in run.results["run"]["notes"])


def test_rejudge_applies_a_changed_setting_without_a_browser(site, tmp_path: Path) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text("site_lang: en-US\n", encoding="utf-8")
    run = run_qa("audit", _site(site), *ONE_CELL, "--config", str(config), "--only", "site-language", out=tmp_path)
    assert run.results["run"]["status"] == "complete", run.stderr

    def differing(results: dict) -> set[str]:
        return {f["url"].rsplit("/", 1)[1] for f in results["findings"] if f["rule"] == "lang-differs-from-site"}

    assert differing(run.results) == {"fr.html"}
    before = json.loads((run.run_dir / "results.json").read_text(encoding="utf-8"))
    report = run.run_dir / "report.html"
    report.unlink()

    # The browsers are out of reach: any attempt to drive one fails on importing Playwright.
    broken = tmp_path / "no-browsers"
    (broken / "playwright").mkdir(parents=True)
    (broken / "playwright" / "__init__.py").write_text("raise ImportError('browsers are not available here')\n")
    blocked = run_qa("audit", _site(site), *ONE_CELL, out=tmp_path / "blocked", env={"PYTHONPATH": str(broken)})
    assert blocked.code != 0 and "browsers are not available here" in blocked.stderr
    config.write_text("site_lang: fr\n", encoding="utf-8")
    again = run_qa("report", "--rejudge", str(run.run_dir), "--config", str(config), env={"PYTHONPATH": str(broken)})
    assert again.code == 0, again.stderr
    assert "rejudged: site-language" in again.stdout
    after = json.loads((run.run_dir / "results.json").read_text(encoding="utf-8"))
    assert after["run"]["config"]["site_lang"] == "fr"
    # the home page ("", also served as index.html: one page, qa.judge.inventory) now differs from the site's language
    assert "fr.html" not in differing(after) and "" in differing(after)
    assert [f for f in after["findings"] if f["check"] != "site-language"] == [
        f for f in before["findings"] if f["check"] != "site-language"
    ]
    assert [c["id"] for c in after["checks"]] == [c["id"] for c in before["checks"]]
    assert report.is_file()  # every deliverable rebuilt
    assert after["pages"] == before["pages"]
    # judged again too: the stored verdicts follow the new findings, the old ones do not linger
    page_verdicts = {u.rsplit("/", 1)[1]: v.get("3.1.1", {}) for u, v in after["judgement"]["pages"].items()}
    old_verdicts = {u.rsplit("/", 1)[1]: v.get("3.1.1", {}) for u, v in before["judgement"]["pages"].items()}
    assert page_verdicts[""] != old_verdicts[""], (page_verdicts, old_verdicts)


class _Provider(PageCheck):
    id = "provider"
    order = 50
    primary_only = True
    provides = ("landmarks",)


class _Early(PageCheck):
    id = "early"
    order = 40
    primary_only = True
    requires = ("landmarks",)


class _EveryCell(PageCheck):
    id = "every-cell"
    order = 60
    requires = ("landmarks",)


class _Reader(SiteCheck):
    id = "reader"
    requires = ("landmarks",)


@pytest.mark.parametrize(
    ("reader", "problem"),
    [(_Early(), "give 'early' an order above 50"), (_EveryCell(), "make 'every-cell' primary_only too")],
)
def test_a_page_check_must_run_after_and_where_its_provider_does(reader: PageCheck, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        select_checks([_Provider(), reader], [reader.id])


def test_selection_pulls_in_providers_and_only_them() -> None:
    checks = [_Provider(), _Reader()]
    assert [c.id for c in select_checks(checks, ["reader"])] == ["provider", "reader"]
    assert [c.id for c in select_checks(checks, ["provider"])] == ["provider"]
