"""report.html, opened in real Chromium: the numbers a reader sees, the outlined element, keyboard use, the suite's own
accessibility check on the report, no request leaving the run folder, hostile site content kept as text, the sections
later stages add (links, groups, diff), the trend against earlier runs, and the English variant."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser, Page, sync_playwright

from qa.check.axe import RUN_JS, sc_from_tags
from qa.config import Config
from qa.demo.server import serve
from qa.judge.verdicts import FAIL, VERDICTS, judge_run
from qa.model import Results
from qa.report.html import FILENAME, catalogue
from qa.visit.playwright_driver import chromium_executable
from tests.conftest import QARun, run_qa

JA = catalogue()["ja"]
EN = catalogue()["en"]
VIEWS = ["#overview", "#pages", "#rules", "#rule/color-contrast", "#sc/1.4.3", "#links", "#matrix", "#review"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_executable(pw))
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def open_report(page: Page, run_dir: Path, view: str = "") -> None:
    page.goto((run_dir / FILENAME).resolve().as_uri() + view)
    page.locator("html[data-ready=true]").wait_for(state="attached")


def show(page: Page, view: str) -> None:
    page.evaluate("(h) => { location.hash = h; }", view)
    page.locator(f"#view-{view[1:].split('/')[0]}:not([hidden])").wait_for()


def until(page: Page, js: str, timeout: float = 30) -> None:
    """Poll a condition through page.evaluate: the report's CSP forbids Playwright's string predicates (eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(js):
        assert time.monotonic() < deadline, f"timed out waiting for {js}"
        time.sleep(0.05)


def open_page_view(page: Page, fragment: str, search_label: str) -> None:
    """As a reader does it: the page list, a search, the page's link."""
    show(page, "#pages")
    page.get_by_label(search_label).fill(fragment)
    until(page, "document.querySelectorAll('#view-pages tbody tr').length === 1")
    page.locator("#view-pages tbody a").first.click()
    page.locator("#view-page:not([hidden])").wait_for()


def copy_run(run: QARun, dest: Path) -> Path:
    shutil.copytree(run.run_dir, dest, ignore=shutil.ignore_patterns("*.html", "*.xlsx"))
    return dest


def edit_results(run_dir: Path, change) -> dict:
    path = run_dir / "results.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def unjudged(data: dict) -> None:
    """As a run written before schema 1.1: no stored judgement, so loading it judges it, with the trend from the run
    folders beside it (the way to put earlier runs beside a run after it was judged)."""
    data["schema_version"] = "1.0"
    del data["judgement"]


def stat(page: Page, key: str) -> int:
    return int(page.locator(f'[data-stat="{key}"] dd').inner_text().replace(",", ""))


def test_the_audit_writes_report_html_beside_the_results(demo_run: QARun) -> None:
    report = demo_run.run_dir / FILENAME
    assert report.is_file(), demo_run.stdout
    assert f"report:   {report}" in demo_run.stdout
    text = report.read_text(encoding="utf-8")
    assert str(demo_run.run_dir) not in text  # screenshots are referenced relative to the run folder
    assert '<html lang="ja">' in text  # the deliverables' default language


def test_overview_numbers_match_results_json(page: Page, demo_run: QARun) -> None:
    results = demo_run.results
    findings, pages = results["findings"], results["pages"]
    open_report(page, demo_run.run_dir)

    assert stat(page, "violations") == sum(1 for f in findings if f["outcome"] == "violation" and f["sc"]) >= 5
    assert stat(page, "other") == sum(1 for f in findings if f["outcome"] == "violation" and not f["sc"])
    assert stat(page, "review") == sum(1 for f in findings if f["outcome"] == "needs-review")
    # pages as the run's inventory counts them: /index.html is the same document as /, not a second page
    inventory = results["inventory"]
    not_audited = {p["url"] for p in pages if p["error"]}
    assert stat(page, "pages") == len(inventory["pages"]) == len({p["url"] for p in pages} - not_audited) - 1
    assert stat(page, "not-audited") == len(inventory["exceptions"]) == len(not_audited) >= 1  # the missing PDF
    assert stat(page, "visits") == len(pages)
    gate = page.locator("[data-gate]")
    assert gate.get_attribute("data-gate") == ("failed" if demo_run.code == 1 else "passed")
    assert gate.inner_text() == JA["gate_" + gate.get_attribute("data-gate")]

    # the verdicts shown are the ones the judge decides from results.json, counted per profile as its checklist
    site = judge_run(Results.from_dict(results)).site
    profiles = results["judgement"]["profiles"]
    for name, profile in profiles.items():
        tally = Counter(site[sc].verdict for sc in profile["criteria"])  # an obsolete criterion is not counted
        for verdict in VERDICTS:
            shown = page.locator(f'[data-profile="{name}"] [data-verdict="{verdict}"] dd').inner_text()
            assert int(shown) == tally[verdict] == profile["conformance"]["counts"].get(verdict, 0)
        assert tally[FAIL] >= 5  # the demo's seeded defects fail 1.1.1, 1.4.3, 2.4.4, 3.1.1 and 4.1.2
    verdict_rows = page.locator("#view-overview details").first.locator("tbody tr")
    assert verdict_rows.count() == len({sc for p in profiles.values() for sc in p["criteria"]})

    # the chart's table alternative: one row per criterion with findings, the same figures
    per_sc: dict[str, list[int]] = {}
    for f in findings:
        for sc in f["sc"]:
            per_sc.setdefault(sc, [0, 0])[0 if f["outcome"] == "violation" else 1] += 1
    rows = page.locator("tr[data-sc]")
    assert rows.count() == len(per_sc)
    for i in range(rows.count()):
        row = rows.nth(i)
        sc = row.get_attribute("data-sc")
        assert [int(x) for x in row.locator("td.num").all_text_contents()] == per_sc[sc]
    assert page.locator("svg[role=img] rect").count() >= len(per_sc)
    assert page.locator("svg[role=img]").get_attribute("aria-labelledby")

    impact = page.locator('tr[data-impact="critical"] td').inner_text()
    assert int(impact) == sum(1 for f in findings if f["outcome"] == "violation" and f["impact"] == "critical")
    for cell in results["run"]["cells"]:
        visits = page.locator(f'tr[data-cell="{cell}"] td').first.inner_text()
        assert int(visits) == sum(1 for p in pages if f"{p['browser']}/{p['viewport']}" == cell)


def test_page_view_outlines_the_failing_element(page: Page, demo_run: QARun) -> None:
    finding = next(
        f
        for f in demo_run.results["findings"]
        if f["rule"] == "color-contrast" and f["url"].endswith("/business-environment.html")
    )
    box = finding["details"]["bbox"]
    cell = f"{finding['browser']}/{finding['viewport']}"
    open_report(page, demo_run.run_dir)

    # the way a reader gets there: page list, search, the page's link, the cell the element was measured in
    page.get_by_role("link", name=JA["nav_pages"], exact=True).click()
    open_page_view(page, "business-environment", JA["search"])
    chosen = page.locator('nav.cells a[aria-current="page"]', has_text=cell)
    if page.locator("nav.cells").count() and not chosen.count():
        page.locator("nav.cells a", has_text=cell).click()
        # the view is drawn again for the chosen cell: wait for that, not for the old drawing's image.
        # (Clicking the cell already shown would redraw the same view, with nothing to wait for.)
        chosen.wait_for()
    img = page.locator("figure.screenshot img")
    img.scroll_into_view_if_needed()
    until(
        page,
        "(() => { const i = document.querySelector('figure.screenshot img'); "
        "return i && i.complete && i.naturalWidth > 0; })()",
    )

    item = page.locator("li.finding", has=page.locator("h4", has_text="color-contrast"))
    number = item.get_attribute("data-finding")
    outline = page.locator(f'.outline[data-finding="{number}"]')
    assert outline.count() == 1
    shown, natural = img.bounding_box(), img.evaluate("(i) => i.naturalWidth")
    page_facts = next(
        p for p in demo_run.results["pages"] if p["url"] == finding["url"] and f"{p['browser']}/{p['viewport']}" == cell
    )["facts"]
    scale = shown["width"] / natural * (natural / max(page_facts["scroll_width"], page_facts["client_width"]))
    got = outline.bounding_box()
    assert got["x"] == pytest.approx(shown["x"] + box["x"] * scale, abs=2)
    assert got["y"] == pytest.approx(shown["y"] + box["y"] * scale, abs=2)
    assert got["width"] == pytest.approx(box["width"] * scale, abs=2)
    assert got["height"] == pytest.approx(max(box["height"] * scale, 8), abs=2)
    assert outline.locator(".outline-label").inner_text() == number
    assert finding["target"] in item.inner_text()


def test_keyboard_skip_link_views_and_search(page: Page, demo_run: QARun) -> None:
    open_report(page, demo_run.run_dir)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == JA["skip"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.locator("nav.views a[href='#rules']").focus()
    page.keyboard.press("Enter")
    until(page, "document.activeElement && document.activeElement.id === 'h-rules'")  # a screen reader hears it
    assert page.locator("nav.views a[aria-current=page]").inner_text() == JA["nav_rules"]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "rules-q"
    page.keyboard.type("image-alt")  # one rule of the demo's: IBM's input_label_visible also matches "label" now
    until(page, "document.querySelectorAll('#view-rules tbody tr').length === 1")
    assert page.locator("#view-rules tbody tr a").inner_text() == "image-alt"
    assert page.get_by_role("status").first.inner_text()  # "showing 1–1 of 1" is announced


def test_the_report_passes_the_suite_s_own_accessibility_check(page: Page, demo_run: QARun, tmp_path: Path) -> None:
    # as a user would check any page: qa audit of report.html served on loopback
    with serve(demo_run.run_dir) as base:
        urls = tmp_path / "urls.txt"
        urls.write_text(base + FILENAME + "\n")
        run = run_qa("audit", "--urls", str(urls), "--browser", "chromium", "--viewport", "desktop", out=tmp_path / "o")
    assert run.code in (0, 1), run.stderr
    [audited] = run.results["pages"]
    assert audited["status"] == 200 and not audited["error"]
    assert "axe" not in audited["facts"].get("check_errors", {})
    wcag = [
        (f["rule"], f["target"], f["message"])
        for f in run.results["findings"]
        if f["outcome"] == "violation" and f["sc"]
    ]
    assert wcag == []
    assert run.code == 0

    # every other view is built by script after a click: the same axe run on each of them
    tags = Config().axe.tags
    open_report(page, demo_run.run_dir)
    for view in [*VIEWS, "#page/2"]:
        show(page, view)
        page.evaluate(AXE_SCRIPT)
        result = page.evaluate(RUN_JS, {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]})
        assert [(v["id"], sc_from_tags(v["tags"]), v["nodes"][0]["target"]) for v in result["violations"]] == [], view


def test_no_request_leaves_the_run_folder_and_a_moved_folder_still_works(
    page: Page, demo_run: QARun, tmp_path: Path
) -> None:
    moved = copy_run(demo_run, tmp_path / "moved")
    run_qa("report", str(moved))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_report(page, moved)
    for view in [*VIEWS, "#matrix", "#page/2"]:
        show(page, view)
    img = page.locator("figure.screenshot img")
    img.scroll_into_view_if_needed()
    until(
        page,
        "(() => { const i = document.querySelector('figure.screenshot img'); "
        "return i && i.complete && i.naturalWidth > 0; })()",
    )
    assert any(u.endswith(".png") for u in requests)
    outside = [u for u in requests if not u.startswith(moved.resolve().as_uri() + "/")]
    assert outside == []
    csp = page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp


HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_MESSAGE = "</script><script>alert(2)</script><!-- "


def test_hostile_site_content_stays_text(page: Page, demo_run: QARun, tmp_path: Path) -> None:
    run_dir = copy_run(demo_run, tmp_path / "hostile")

    def poison(data: dict) -> None:
        target = next(p for p in data["pages"] if p["url"].endswith("/business-environment.html"))
        target["title"] = HOSTILE_TITLE
        target["facts"]["screenshot"] = "../../../etc/passwd.png"
        other = next(p for p in data["pages"] if p["url"].endswith("/contact.html"))
        other["facts"]["screenshot"] = "http://evil.example/x.png"
        f = next(f for f in data["findings"] if f["url"] == target["url"])
        f.update(
            message=HOSTILE_MESSAGE,
            html="<img src=x onerror=alert(3)>",
            target='"><svg onload=alert(4)>',
            help_url="javascript:alert(5)",
        )
        data["run"]["notes"].append("<iframe src=javascript:alert(6)></iframe>")
        data["links"] = [
            {
                "url": "javascript:alert(7)",
                "source": target["url"],
                "text": "<img src=x onerror=alert(8)>",
                "result": "broken",
                "status": 404,
                "reason": "</script>",
                "redirects": [],
            }
        ]
        data["groups"] = {
            "items": [
                {
                    "selector": "<script>alert(9)</script>",
                    "rule": f["rule"],
                    "pages": [target["url"]],
                    "templates": {"<img src=x onerror=alert(10)>": 1},
                }
            ]
        }

    data = edit_results(run_dir, poison)
    assert run_qa("report", str(run_dir)).code == 0
    text = (run_dir / FILENAME).read_text(encoding="utf-8")
    assert text.count("</script>") == 3 and "alert(2)</script>" not in text and "<!-- " not in text

    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    open_report(page, run_dir)
    show(page, "#pages")
    page.get_by_label(JA["search"]).fill("business-environment")
    until(page, "document.querySelectorAll('#view-pages tbody tr').length === 1")
    assert HOSTILE_TITLE in page.locator("#view-pages tbody").inner_text()  # listed, as text
    page.locator("#view-pages tbody a").first.click()
    page.locator("#view-page:not([hidden])").wait_for()
    assert page.locator("#h-page").inner_text() == HOSTILE_TITLE
    body = page.locator("#view-page").inner_text()
    assert "alert(2)" in body and "onerror=alert(3)" in body and "onload=alert(4)" in body
    for view in ["#links", "#rules", f"#rule/{data['groups']['items'][0]['rule']}", "#matrix", "#review", "#overview"]:
        show(page, view)
        if view.startswith("#rule/"):
            page.locator("details summary", has_text="alert(9)").click()
    page.wait_for_timeout(300)
    assert dialogs == []
    injected = page.evaluate(
        """() => ({
          img: document.querySelectorAll('img[src="x"]').length,
          scripts: document.scripts.length,
          handlers: [...document.querySelectorAll('*')].filter((el) =>
              [...el.attributes].some((a) => a.name.startsWith('on'))).length,
          js_links: document.querySelectorAll('a[href^="javascript:" i]').length,
          iframes: document.querySelectorAll('iframe').length,
        })"""
    )
    assert injected == {"img": 0, "scripts": 3, "handlers": 0, "js_links": 0, "iframes": 0}
    assert all(u.startswith("file://") for u in requests)
    assert "evil.example" not in text and "passwd" not in text


def test_the_trend_reads_an_earlier_runs_trend_file_while_it_is_current(
    page: Page, demo_run: QARun, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    earlier = copy_run(demo_run, out / "20000101-000000-0000")
    edit_results(earlier, lambda data: data["run"].update(id=earlier.name))
    assert run_qa("report", str(earlier)).code == 0
    entry = json.loads((earlier / "trend.json").read_text(encoding="utf-8"))
    violations = [f for f in demo_run.results["findings"] if f["outcome"] == "violation" and f["sc"]]
    assert entry["id"] == earlier.name and entry["violations"] == len(violations)
    # Its results.json unreadable but older than the trend file: a later report shows the run from the trend file.
    results = earlier / "results.json"
    stamp = results.stat().st_mtime
    results.write_text("{", encoding="utf-8")
    os.utime(results, (stamp, stamp))
    current = copy_run(demo_run, out / demo_run.run_dir.name)
    edit_results(current, unjudged)
    assert run_qa("report", str(current)).code == 0
    open_report(page, current)
    assert page.locator("#view-overview table", has_text=earlier.name).count() == 1
    # Results changed after the trend file: they are read again (here unreadable, so the run drops out).
    os.utime(results, (stamp + 3600, stamp + 3600))
    assert run_qa("report", str(current)).code == 0
    open_report(page, current)
    assert page.locator("#view-overview table", has_text=earlier.name).count() == 0


def test_english_report_with_trend_links_groups_and_diff(page: Page, demo_run: QARun, tmp_path: Path) -> None:
    out = tmp_path / "out"
    current = copy_run(demo_run, out / demo_run.run_dir.name)
    earlier = copy_run(demo_run, out / "20000101-000000-0000")
    kept = demo_run.results["findings"]
    new_one = next(f for f in kept if f["rule"] == "color-contrast")

    def older(data: dict) -> None:
        data["run"]["id"] = earlier.name
        data["findings"] = [f for f in data["findings"] if f["id"] != new_one["id"]]
        data["findings"].append({**kept[0], "id": "fixed-since-then", "target": "#gone"})

    def english_with_sections(data: dict) -> None:
        unjudged(data)
        data["run"]["config"]["lang"] = "en"
        source = new_one["url"]
        data["links"] = [
            {"url": "https://example.org/ok", "source": source, "text": "fine", "result": "ok", "status": 200},
            {
                "url": "https://example.org/moved",
                "source": source,
                "text": "moved",
                "result": "warning",
                "status": 301,
                "reason": "redirect",
            },
            {
                "url": source + "missing.pdf",
                "source": source,
                "text": "subsidy guide",
                "result": "broken",
                "status": 404,
                "reason": "Not Found",
            },
        ]
        pages = [source, data["pages"][0]["url"]]
        group = {"selector": "p.note", "rule": "color-contrast", "pages": pages, "templates": {"page: business": 2}}
        data["groups"] = {"items": [group]}

    edit_results(earlier, older)
    edit_results(current, english_with_sections)
    assert run_qa("report", str(current)).code == 0
    open_report(page, current)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == EN["title"]
    trend = page.locator('[data-trend="previous"]').inner_text()
    assert trend == EN["trend_vs"].replace("{0}", earlier.name).replace("{1}", "1").replace("{2}", "1")
    assert page.locator("#view-overview table", has_text=earlier.name).count() == 1

    show(page, "#links")
    first = page.locator("#view-links tbody tr").first
    assert first.locator("td").first.inner_text() == EN["result_broken"]
    assert "missing.pdf" in first.inner_text()

    show(page, "#rule/color-contrast")
    summary = page.locator("#view-rule details summary")
    assert summary.inner_text() == "p.note (page: business) — Fix once: affects 2 pages"

    open_page_view(page, new_one["url"].rsplit("/", 1)[1], EN["search"])
    assert page.locator("li.finding", has_text="color-contrast").locator(".badge-new").inner_text() == EN["new_badge"]

    # a diff section written by the gate stage takes precedence for the "new" marks
    found = {"new": [], "fixed": [{"id": "a"}, {"id": "b"}], "unchanged": ["c", "d", "e", "f"]}
    edit_results(current, lambda d: d.update(diff={"against": {"run": "20260101-000000-abcd"}, "findings": found}))
    run_qa("report", str(current))
    open_report(page, current)
    text = page.locator('[data-trend="diff"]').inner_text()
    assert text == "Compared with run 20260101-000000-abcd (diff): 0 new, 2 fixed, 4 unchanged."
    open_page_view(page, new_one["url"].rsplit("/", 1)[1], EN["search"])
    assert page.locator("li.finding", has_text="color-contrast").locator(".badge-new").count() == 0


def test_a_partial_run_says_so(page: Page, demo_run: QARun, tmp_path: Path) -> None:
    run_dir = copy_run(demo_run, tmp_path / "partial")
    (run_dir / "results.json").unlink()  # as when a run is killed: only run.json and records.jsonl remain
    assert run_qa("report", str(run_dir)).code == 0
    open_report(page, run_dir)
    assert page.locator("[role=note]").inner_text() == JA["partial_note"]


def test_every_message_exists_in_both_languages() -> None:
    assets = Path(__file__).resolve().parent.parent / "qa" / "report"
    assert set(JA) == set(EN)
    js = (assets / "html_assets" / "report.js").read_text(encoding="utf-8")
    template = (assets / "html_assets" / "template.html").read_text(encoding="utf-8")
    python = (assets / "html.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\bt\('([a-z_]+)'", js)) | set(re.findall(r"@@t:([a-z_]+)@@", template))
    for a, b in re.findall(r'\bt\("([a-z_]+)"\)|msg\["([a-z_]+)"\]', python):
        used.add(a or b)
    assert used and used - set(JA) == set()
    for prefix in ("verdict_", "impact_", "result_", "gate_", "status_"):
        assert any(k.startswith(prefix) for k in JA)
