"""Scoping what is checked: regions excluded from every check, elements hidden or removed before the checks, rules
switched off by id for the run or for URL patterns, per-URL settings; never a silent pass.

The end-to-end run audits tests/sites/scope with axe-core, IBM Equal Access, HTML_CodeSniffer and one of the
suite's own checks (alt-text) in a real Chromium at two viewports.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from qa.check import load_checks
from qa.check._engines import engine_script
from qa.check._scope import validate_scope
from qa.config import Config, parse
from qa.demo.server import serve
from qa.errors import ConfigError
from qa.scope import PageScope, page_config
from tests.conftest import SITES, PageHandler, QARun, run_qa, serve_handler

SETTINGS = {
    "site_lang": "ja",
    "exclude_selectors": ["#embed"],
    "hide_selectors": ["#promo"],
    "remove_selectors": ["#ad"],
    "overrides": [
        {
            "match": "/news/",
            "rules": {"disable": ["html-has-lang", "html-lang-valid", "image-alt"]},
            "viewports": ["desktop"],
        }
    ],
}
CELLS = ("--browser", "chromium", "--viewport", "desktop", "--viewport", "phone")
CHECKS = ("--only", "axe,ace,htmlcs,alt-text")


# --- settings, without a browser ---------------------------------------------------------------------------------


def config(data: dict) -> Config:
    return parse(Config, data, "qa.yaml")


def test_overrides_add_selectors_and_rules_and_replace_viewports_and_timeouts() -> None:
    c = config(
        {
            "rules": {"disable": ["region"]},
            "exclude_selectors": ["#embed"],
            "timeouts": {"page": 50},
            "overrides": [
                {"match": "/news/", "rules": {"disable": ["image-alt"]}, "timeouts": {"navigation": 99}},
                {"match": r"\.html$", "exclude_selectors": ["#ad"], "viewports": ["desktop"]},
            ],
        }
    )
    news = page_config(c, "https://x.jp/news/a.html")
    assert news.rules.disable == ["region", "image-alt"]
    assert news.exclude_selectors == ["#embed", "#ad"] and news.viewports == ["desktop"]
    assert (news.timeouts.navigation, news.timeouts.page) == (99, 50)
    assert page_config(c, "https://x.jp/") is c  # no override matches: the run's own settings
    assert c.rules.disable == ["region"] and c.timeouts.navigation == 30  # the run's settings unchanged


def test_page_scope_adds_the_wordpress_admin_bar_unless_switched_off() -> None:
    assert "#wpadminbar" in PageScope.of(config({})).exclude
    assert PageScope.of(config({"exclude_wp_admin_bar": False})).exclude == ()


def test_a_criterion_disables_every_engines_and_checks_findings_on_it() -> None:
    scope = PageScope.of(config({"rules": {"disable": ["1.4.3"]}}))
    assert scope.disabled_by("text_contrast_sufficient", "ace", ["1.4.3"]) == "1.4.3"
    assert scope.is_disabled("color-contrast", "axe", ["1.4.3"])
    assert not scope.is_disabled("image-alt", "axe", ["1.1.1"])
    validate_scope(config({"rules": {"disable": ["1.4.3"]}}), load_checks(None), ["desktop"])
    with pytest.raises(ConfigError, match="a criterion can only be disabled"):
        validate_scope(config({"rules": {"enable": ["1.4.3"]}}), load_checks(None), ["desktop"])


def test_an_htmlcs_code_disables_the_codes_under_it_only() -> None:
    scope = PageScope.of(config({"rules": {"disable": ["WCAG2AA.Principle1.Guideline1_4.1_4_3", "alt-text"]}}))
    assert scope.is_disabled("WCAG2AA.Principle1.Guideline1_4.1_4_3.G18.Fail")
    assert not scope.is_disabled("WCAG2AA.Principle1.Guideline1_4.1_4_3_F24.F24.BGColour")  # another sniff
    assert scope.is_disabled("alt-file-name", check="alt-text")  # a whole check by its id
    assert not scope.is_disabled("image-alt", check="axe")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"exclude_selectors": ["#embed", "div[data-x"]}, "'exclude_selectors' has 'div[data-x', not a valid CSS"),
        ({"overrides": [{"rules": {"disable": ["region"]}}]}, "'overrides[0].match' is missing"),
        ({"overrides": [{"match": "(news"}]}, "'overrides[0].match' has '(news', not a valid regular expression"),
        ({"overrides": [{"match": "a", "timeouts": {"page": 0}}]}, "'overrides[0].timeouts.page' must be a number"),
    ],
)
def test_bad_scope_settings_are_one_line_each(data: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        config(data)
    assert expected in str(err.value) and len(str(err.value).splitlines()) == 1


def test_rule_ids_are_checked_against_every_engine_and_check() -> None:
    checks = load_checks(None)
    known = {
        "rules": {
            "disable": ["color-contrast", "img_alt_valid", "WCAG2AA.Principle1.Guideline1_1.1_1_1.H37", "alt-text"],
            "enable": ["alt-file-name", "WCAG2AA.Principle1"],
        }
    }
    validate_scope(config(known), checks, ["desktop"])  # axe, ACE, HTMLCS, a check id, a check's rule id
    bad = config(
        {
            "rules": {"disable": ["colour-contrast"]},
            "overrides": [{"match": "a", "rules": {"enable": ["alt-text"]}, "viewports": ["dekstop"]}],
        }
    )
    with pytest.raises(ConfigError) as err:
        validate_scope(bad, checks, ["desktop", "phone"], "site.yaml")
    lines = str(err.value).splitlines()
    assert lines == [
        "site.yaml: 'overrides[0].viewports' names unknown viewport 'dekstop' (did you mean 'desktop'?)",
        "site.yaml: 'overrides[0].rules.enable' names the check 'alt-text'; a check is switched on for the whole "
        "run: move it to rules.enable",
        "site.yaml: 'rules.disable' names unknown rule id 'colour-contrast' (did you mean 'color-contrast'?)",
    ]


# --- end to end, real browser --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scoped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    if engine_script("ace") is None or engine_script("htmlcs") is None:
        pytest.fail("the rule engines are not installed: run 'qa setup' (nox -s tests installs them)")
    folder = tmp_path_factory.mktemp("scope")
    (folder / "qa.yaml").write_text(yaml.safe_dump(SETTINGS), encoding="utf-8")
    with serve(SITES / "scope") as url:
        run = run_qa("audit", url, "--config", str(folder / "qa.yaml"), *CELLS, *CHECKS, out=folder / "out")
        assert run.code in (0, 1), run.stderr
        yield run


def on(run: QARun, path: str) -> list[dict]:
    base = run.results["run"]["start_url"].rstrip("/")
    return [f for f in run.results["findings"] if f["url"].removeprefix(base) == (path or "/")]


def rules_of(finding: dict) -> set[tuple[str, str]]:
    """(engine or check, rule) of a finding and of every engine's evidence merged into it."""
    found = {(finding["check"], finding["rule"])}
    return found | {(e["engine"], e["rule"]) for e in finding["details"].get("engines", [])}


def test_an_excluded_region_is_left_out_of_every_engine_and_check(scoped: QARun) -> None:
    findings = on(scoped, "/")
    by_target = {f["target"]: rules_of(f) for f in findings}
    # outside the embed: the same barriers are found by all three engines and the suite's own check
    assert {("alt-text", "alt-file-name")} <= by_target["#out-file"]
    engines = {engine for engine, _ in by_target["#out-noalt"]}
    assert {"axe", "IBM Equal Access", "HTML_CodeSniffer"} <= engines
    # inside it: nothing, from any of them
    assert not [f for f in findings if "#in-" in f["target"] or "embed" in f["target"]]
    visits = [p for p in scoped.results["pages"] if p["url"].endswith("/")]
    assert all(p["facts"]["scope"]["excluded"] == {"#embed": 1} for p in visits)
    # ACE's and HTML_CodeSniffer's (in the cell that ran them: the other may take their findings, qa.check._share)
    # and alt-text's (desktop, the first cell) findings in the embed were dropped
    assert sum(p["facts"]["scope"].get("dropped", 0) for p in visits) >= 3


def test_hidden_and_removed_elements_are_not_reported_in_any_engine(scoped: QARun) -> None:
    findings = on(scoped, "/hide.html")
    targets = {f["target"] for f in findings}
    assert "#visible-input" in targets  # the unlabelled field neither hidden nor removed
    assert not [t for t in targets if "promo" in t or "ad-" in t or "#ad" in t]
    assert not [t for t in targets if "wpadminbar" in t or "wp-logo" in t]  # the admin bar, left out by default


def test_a_rule_disabled_for_a_url_pattern_is_off_there_only(scoped: QARun) -> None:
    news = {r for f in on(scoped, "/news/item.html") for r in rules_of(f)}
    assert ("axe", "image-alt") not in news and ("axe-core", "image-alt") not in news
    assert ("ace", "img_alt_valid") in news  # the barrier is still there for the engines whose rule is on
    assert ("axe", "image-alt") in {r for f in on(scoped, "/") for r in rules_of(f)}  # on elsewhere
    # the override's viewports: the news page only at desktop, the others at both
    cells = {(p["url"].rsplit("/", 1)[-1], p["viewport"]) for p in scoped.results["pages"]}
    assert ("item.html", "phone") not in cells and ("plain.html", "phone") in cells


def test_a_criterion_whose_rules_were_disabled_is_never_a_pass(scoped: QARun) -> None:
    judgement = scoped.results["judgement"]
    page = {u.rsplit("/", 1)[-1]: by_sc.get("3.1.1", {}) for u, by_sc in judgement["pages"].items()}
    assert page["plain.html"].get("auto") == "pass"  # the clean page: html-has-lang and html-lang-valid passed
    assert page["item.html"].get("reason") == "rule-disabled" and page["item.html"].get("auto") != "pass"
    assert page[""].get("reason") == "region-excluded"  # part of the page went unchecked: no pass there either
    book = scoped.run_dir / "checklist-wcag22.xlsx"
    rows = list(load_workbook(book)["達成基準チェックリスト"].iter_rows(values_only=True))
    keys = [str(h).split("\n")[0] for h in rows[0]]
    site = {r[keys.index("番号")]: r[keys.index("結果")] for r in rows[1:]}
    assert site["3.1.1"] != "適合"
    rows = list(load_workbook(book)["ページ別判定"].iter_rows(values_only=True))
    keys = [str(h).split("\n")[0] for h in rows[0]]
    per_page = {(str(r[keys.index("ページ")]).rsplit("/", 1)[-1], r[keys.index("番号")]): r for r in rows[1:]}
    assert per_page["plain.html", "3.1.1"][keys.index("結果")] == "適合"
    assert per_page["item.html", "3.1.1"][keys.index("結果")] != "適合"


def test_what_was_not_checked_is_recorded_and_named_in_the_reports(scoped: QARun) -> None:
    scope = scoped.results["scope"]
    assert scope["matched"] == {
        "excluded": {"#embed": 2, "#wpadminbar": 2},
        "hidden": {"#promo": 2},
        "removed": {"#ad": 2},
    }
    assert scope["disabled_criteria"]["image-alt"] == ["1.1.1"]
    assert scope["disabled_criteria"]["html-has-lang"] == ["3.1.1"]
    # what each setting suppressed, and the ones that suppressed nothing (the page has its lang: nothing to drop)
    assert scope["suppressed"] == {"image-alt": 1}
    assert scope["unused"] == ["html-has-lang", "html-lang-valid"]
    notes = scoped.results["run"]["notes"]
    assert any("#embed" in n and n.startswith("Not checked") for n in notes)
    assert any("/news/" in n and "image-alt (1 finding(s) suppressed)" in n for n in notes)
    assert any(n.startswith("rules.disable: html-has-lang, html-lang-valid suppressed nothing") for n in notes)
    html = (scoped.run_dir / "report.html").read_text(encoding="utf-8")
    assert "Not checked: regions excluded from every check: #embed (2), #wpadminbar (2)" in html
    summary = load_workbook(scoped.run_dir / "checklist-jis2016.xlsx")["試験結果"]
    items = {r[1]: r[2] for r in summary.iter_rows(values_only=True)}
    left_out = items["検査対象から除外した範囲・ルール"]
    assert "除外した領域: #embed, #wpadminbar" in left_out and "非表示にした要素: #promo" in left_out
    assert "/news/ に一致するページで無効にしたルール: html-has-lang, html-lang-valid, image-alt" in left_out
    log = load_workbook(scoped.run_dir / "run-log.xlsx").active
    cells = [str(c) for row in log.iter_rows(values_only=True) for c in row if c]
    assert any("検査対象から除外" in c and "#embed" in c for c in cells)


def test_the_clean_page_has_no_finding(scoped: QARun) -> None:
    assert on(scoped, "/plain.html") == []


def test_an_unknown_rule_id_stops_before_the_crawl_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "qa.yaml"
    bad.write_text("rules:\n  disable: [colour-contrast]\n", encoding="utf-8")
    run = run_qa("audit", "http://127.0.0.1:9/", "--config", str(bad), out=tmp_path / "out")
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [
        f"qa: error: {bad}: 'rules.disable' names unknown rule id 'colour-contrast' (did you mean 'color-contrast'?)"
    ]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_override_gives_its_pages_their_own_timeouts(tmp_path: Path) -> None:
    """A page that never answers is abandoned after the override's navigation timeout, named in its error; the
    run's own timeout (60 s) applies elsewhere, where the pages answer at once."""
    stop = threading.Event()

    class Site(PageHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/slow/"):
                stop.wait(60)  # never answers within the test: only the timeout ends the visit
                return
            body = '<!DOCTYPE html><html lang="ja"><head><title>速い</title></head><body><main><h1>速い</h1>'
            self.send_html((body + '<a href="/slow/page.html">遅い</a></main></body></html>').encode())

    settings = {"timeouts": {"navigation": 60}, "overrides": [{"match": "/slow/", "timeouts": {"navigation": 2}}]}
    (tmp_path / "qa.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    try:
        with serve_handler(Site) as url:
            run = run_qa(
                "audit",
                url,
                "--config",
                str(tmp_path / "qa.yaml"),
                "--browser",
                "chromium",
                "--viewport",
                "desktop",
                "--only",
                "axe",
                out=tmp_path / "out",
            )
    finally:
        stop.set()
    assert run.code in (0, 1), run.stderr
    errors = {p["url"].rsplit("/", 1)[-1]: p.get("error", "") for p in run.results["pages"]}
    assert errors[""] == ""
    assert errors["page.html"].startswith("timeout:") and "within 2 s" in errors["page.html"]
