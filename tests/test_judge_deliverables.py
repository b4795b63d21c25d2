"""Verdicts, profiles, human reviews, sampling and the 達成基準チェックリスト workbooks, on real pages in a browser.

The fixture site tests/sites/judge/ has one known property per page: an image without alt (fail.html), text on a
gradient axe cannot judge (review.html), only text (plain.html), a labelled form (form.html), duplicate ids
(dup.html, a JIS 2016 4.1.1 failure) and a page linked from nowhere (orphan.html).
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from qa.demo.server import serve
from qa.judge import sampling
from qa.judge.profiles import PROFILES
from qa.judge.verdicts import judge_run
from qa.store import load_results
from tests.conftest import SITES, QARun, run_qa
from tests.test_xlsx import inline_shared

CHROMIUM = ("--browser", "chromium", "--viewport", "desktop")


def write_config(folder: Path, **extra: object) -> Path:
    config = {"site_lang": "en-US", "reviews_file": str(folder / "reviews.yaml"), **extra}
    path = folder / "qa.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def audit(url: str, folder: Path, config: Path, *args: str) -> QARun:
    run = run_qa("audit", url, "--config", str(config), *CHROMIUM, *args, out=folder / "out")
    assert run.code in (0, 1), run.stderr
    return run


def table(path: Path, sheet: str) -> list[dict[str, object]]:
    """Rows of a sheet as dicts keyed by the header's first line (the Japanese header in a ja workbook)."""
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    keys = [str(h).split("\n")[0] for h in rows[0]]
    return [dict(zip(keys, r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    folder = tmp_path_factory.mktemp("judge")
    with serve(SITES / "judge") as url:
        return audit(url + "index.html", folder, write_config(folder))


def page_verdicts(run: QARun, profile: str = "wcag22") -> dict[tuple[str, str], tuple[str, str]]:
    j = judge_run(load_results(run.run_dir), PROFILES[profile], "AA")
    return {(u.rsplit("/", 1)[-1], sc): (v.verdict, v.reason) for u, vs in j.pages.items() for sc, v in vs.items()}


def test_every_verdict_path_on_real_pages(judged: QARun) -> None:
    v = page_verdicts(judged)
    assert v["fail.html", "1.1.1"] == ("fail", "violation")
    assert v["review.html", "1.4.3"] == ("needs-review", "flagged")
    # 3.1.1 is the criterion automated rules decide fully: lang present, valid, and the site's declared language.
    assert v["plain.html", "3.1.1"] == ("pass", "full")
    # proven absence: no media, no images, no form controls on the plain page
    assert v["plain.html", "1.2.2"] == ("not-applicable", "no-media")
    assert v["plain.html", "1.1.1"] == ("not-applicable", "no-images")
    assert v["plain.html", "3.3.2"] == ("not-applicable", "no-forms")
    assert v["form.html", "3.3.2"] == ("not-verified", "partial-clean")  # a form is there: a person must judge
    assert v["fail.html", "1.4.5"][0] == "not-verified"  # an image is there: it could be an image of text
    # clean but partially covered is not a pass
    assert v["plain.html", "1.3.1"] == ("not-verified", "partial-clean")
    assert v["plain.html", "2.3.1"] == ("not-verified", "partial-clean")  # animated images only
    # a criterion no check that ran covers is "unchecked": the same results without the flash measurement
    results = load_results(judged.run_dir)
    results.checks = [c for c in results.checks if c.id != "animated-images"]
    j = judge_run(results, PROFILES["wcag22"], "AA")
    plain = next(vs for u, vs in j.pages.items() if u.endswith("/plain.html"))
    assert (plain["2.3.1"].verdict, plain["2.3.1"].reason) == ("not-verified", "unchecked")


def test_pass_needs_the_declared_site_language(judged: QARun) -> None:
    results = load_results(judged.run_dir)
    results.run.config["site_lang"] = None
    j = judge_run(results, PROFILES["wcag22"], "AA")
    assert j.site["3.1.1"].verdict == "not-verified"
    results.run.config["site_lang"] = "ja"  # pages say en-US: not the language the site declares
    assert judge_run(results, PROFILES["wcag22"], "AA").site["3.1.1"].verdict == "not-verified"


def test_both_profiles_workbooks_with_their_names_and_rows(judged: QARun) -> None:
    jis = table(judged.run_dir / "checklist-jis2016.xlsx", "達成基準チェックリスト")
    wcag = table(judged.run_dir / "checklist-wcag22.xlsx", "達成基準チェックリスト")
    assert len(jis) == 38 and len(wcag) == 56
    # the evidence, machine values and human verdict columns are in the details sheet, row for row
    for book, rows in (("jis2016", jis), ("wcag22", wcag)):
        details = table(judged.run_dir / f"checklist-{book}.xlsx", "達成基準の詳細")
        for r, d in zip(rows, details, strict=True):
            r.update({k: v for k, v in d.items() if k not in r})
    jis_by, wcag_by = {r["番号"]: r for r in jis}, {r["番号"]: r for r in wcag}
    assert jis_by["2.4.1"]["達成基準"] == "ブロックスキップの達成基準"
    assert wcag_by["2.4.1"]["達成基準"] == "ブロックのバイパス"
    assert "2.5.8" not in jis_by
    # JIS 2016 keeps 4.1.1 and axe's duplicate-id rule judges it; WCAG 2.2 lists it as obsolete
    assert jis_by["4.1.1"]["結果"] == "不適合" and "duplicate-id" in jis_by["4.1.1"]["自動チェックの根拠"]
    assert wcag_by["4.1.1"]["verdict"] == "obsolete" and wcag_by["4.1.1"]["人による判定"] is None
    assert jis_by["1.1.1"]["結果"] == "不適合" and jis_by["1.4.3"]["結果"] == "要確認（人の判定待ち）"
    # an automatic 適用なし stays provisional until a person confirms it
    assert jis_by["1.2.2"]["結果"] == "適用なし（自動判定・要確認）" and jis_by["1.2.2"]["適用"] == "適用なし"
    assert jis_by["3.1.1"]["結果"] == "適合" and "(全体)" in jis_by["3.1.1"]["自動チェックの根拠"]
    assert (
        jis_by["2.3.1"]["結果"] == "未検証（人による試験が必要）"
        and jis_by["2.3.1"]["自動チェックの根拠"] == "animated-images (一部)"
    )


def test_summary_derives_the_conformance_claim(judged: QARun) -> None:
    rows = {r["項目"]: r["内容"] for r in table(judged.run_dir / "checklist-jis2016.xlsx", "試験結果")}
    assert rows["規格の規格番号及び改正年"] == "JIS X 8341-3:2016"
    assert rows["目標とする適合レベル"] == "AA"
    # unverified criteria remain, so the test is not complete: neither 準拠 nor 一部準拠
    assert rows["満たしている適合レベル及び対応度"] == "適合レベルAAに配慮（自動試験のみ。人による試験は未完了）"
    assert "JB.1.2 a)" in rows["試験対象ページの選択方法及びページ数"]
    urls = table(judged.run_dir / "checklist-jis2016.xlsx", "試験対象ページ")
    assert [r["No"] for r in urls] == list(range(1, 7))
    assert "orphan.html" not in " ".join(str(r["URL"]) for r in urls)


def test_report_html_tallies_the_verdicts_of_each_checklist(judged: QARun) -> None:
    """report.html counts the verdicts per profile as its checklist does: 4.1.1, obsolete in WCAG 2.2 and failed
    under JIS 2016 here, is counted in the JIS tally only, and no tally counts a criterion no profile judges."""
    text = (judged.run_dir / "report.html").read_text(encoding="utf-8")
    overview = text[text.index('id="view-overview"') :]
    for profile in ("wcag22", "jis2016"):
        details = table(judged.run_dir / f"checklist-{profile}.xlsx", "達成基準の詳細")
        sheet = Counter(str(r["verdict"]) for r in details if r["verdict"] != "obsolete")
        block = re.search(rf'<dl class="stats" data-profile="{profile}">(.*?)</dl>', overview, re.S)
        assert block, f"report.html has no verdict tally for {profile}"
        shown = {k: int(n) for k, n in re.findall(r'data-verdict="([a-z-]+)"><dt>[^<]*</dt><dd>(\d+)</dd>', block[1])}
        assert {k: n for k, n in shown.items() if n} == dict(sheet), profile


def test_the_method_sheet_counts_as_the_summary_and_tests_no_obsolete_criterion(judged: QARun) -> None:
    """試験方法 has one row per criterion the 試験結果 sheet counts; 4.1.1, obsolete in WCAG 2.2 (廃止 on the
    checklist, never judged), is not a criterion a person must test."""
    for profile in ("wcag22", "jis2016"):
        book = judged.run_dir / f"checklist-{profile}.xlsx"
        summary = {r["項目"]: r["内容"] for r in table(book, "試験結果")}["試験方法"]
        checklist = {r["番号"]: r["結果"] for r in table(book, "達成基準チェックリスト")}
        methods = table(book, "試験方法")
        judged_rows = [r for r in methods if not str(checklist[r["番号"]]).startswith("廃止")]
        for method, n in Counter(r["試験方法"] for r in judged_rows).items():
            assert f"{method} {n}" in summary, (profile, summary)
        for r in methods:
            if str(checklist[r["番号"]]).startswith("廃止"):
                assert r["試験方法"] not in ("自動", "自動＋人", "人のみ") and not str(r["人による試験"]).startswith(
                    "必要"
                )
    assert any(
        str(v).startswith("廃止")
        for v in {
            r["番号"]: r["結果"] for r in table(judged.run_dir / "checklist-wcag22.xlsx", "達成基準チェックリスト")
        }.values()
    )


def test_findings_sheet_has_japanese_message_and_element_crop(judged: QARun) -> None:
    rows = table(judged.run_dir / "checklist-wcag22.xlsx", "ページ別指摘事項一覧")
    alt = next(r for r in rows if r["ルール"] == "image-alt")
    assert alt["メッセージ"].startswith("画像には代替テキストがなければなりません")
    assert "alt" in alt["Message (English)"]
    crop = judged.run_dir / alt["スクリーンショット"]
    from PIL import Image

    with Image.open(crop) as img:  # the 120×40 green image plus a margin, not the whole page
        assert 120 <= img.width <= 160 and 40 <= img.height <= 70
        assert img.getpixel((img.width // 2, img.height // 2))[:3] == (0x22, 0xAA, 0x66)


def test_a_crop_appears_under_its_name_only_once_complete(
    judged: QARun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two checklist workbooks are built in parallel processes sharing the crops: one embedding a crop the
    other was still writing failed a whole run (UnidentifiedImageError). A stalled writer can't be produced on
    demand, so this looks at the folder at the moment each crop's bytes are written."""
    from PIL import Image

    from qa.report import _crops

    run_dir = tmp_path / "run"
    shutil.copytree(judged.run_dir, run_dir, symlinks=True)
    shutil.rmtree(run_dir / _crops.FOLDER)
    results = load_results(run_dir)
    visits = {(p.url, p.browser, p.viewport): p for p in results.pages}
    findings = [f for f in results.findings if f.details.get("bbox") and (f.url, f.browser, f.viewport) in visits]
    visible_while_writing = []
    real_save = Image.Image.save

    def save(image: Image.Image, fp: Path, *args: object, **kwargs: object) -> None:
        real_save(image, fp, *args, **kwargs)
        names = {p.name for p in (run_dir / _crops.FOLDER).iterdir()}
        visible_while_writing.extend(f"{f.id}.png" for f in findings if f"{f.id}.png" in names)

    monkeypatch.setattr(Image.Image, "save", save)
    cut = _crops.crops_for(findings[:20], visits, run_dir)
    n = len(cut)
    assert n >= 3
    # Each crop shows up under its name only after its own save returned, never while its bytes are going in: at
    # the k-th save the folder holds the k-1 crops before it.
    assert len(visible_while_writing) == n * (n - 1) // 2, visible_while_writing
    assert not [p for p in (run_dir / _crops.FOLDER).iterdir() if p.name.startswith(".")]


def fill(path: Path, sheet: str, match: dict[str, str], values: dict[str, str]) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    keys = [str(c.value).split("\n")[0] for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        cells = {k: row[keys.index(k)].value for k in match}
        if all(cells[k] is not None and str(cells[k]).endswith(v) for k, v in match.items()):
            for k, v in values.items():
                row[keys.index(k)].value = v
            wb.save(path)
            return
    raise AssertionError(f"no row {match} in {sheet}")


def test_review_import_round_trip_and_staleness(tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    shutil.copytree(SITES / "judge", site_dir)
    config = write_config(tmp_path)
    with serve(site_dir) as url:
        first = audit(url + "index.html", tmp_path, config)
        book = first.run_dir / "checklist-wcag22.xlsx"
        person = {"人による判定": "適合", "確認者": "山田", "確認日": "2026-11-20"}
        fill(book, "達成基準の詳細", {"番号": "2.3.1"}, {**person, "確認者の注記": "点滅なし"})
        fill(book, "ページ別判定", {"番号": "1.3.1", "ページ": "plain.html"}, person)
        fill(book, "ページ別判定", {"番号": "1.3.1", "ページ": "form.html"}, person)
        imported = run_qa("review", "import", str(book), "--config", str(config))
        assert imported.code == 0, imported.stderr
        assert "3 verdict(s) read" in imported.stdout
        saved = yaml.safe_load((tmp_path / "reviews.yaml").read_text(encoding="utf-8"))["reviews"]
        assert {(r["sc"], r["url"].rsplit("/", 1)[-1] if r.get("url") else "") for r in saved} == {
            ("2.3.1", ""),
            ("1.3.1", "plain.html"),
            ("1.3.1", "form.html"),
        }
        # the run the workbook came from is re-judged: the human verdict replaces "not verified"
        again = {r["番号"]: r for r in table(book, "達成基準チェックリスト")}
        assert again["2.3.1"]["結果"] == "適合" and "人による判定" in again["2.3.1"]["注記"]
        again = {r["番号"]: r for r in table(book, "達成基準の詳細")}
        assert again["2.3.1"]["人による判定"] == "適合" and again["2.3.1"]["確認者"] == "山田"
        assert first.results["reviews"]["items"][0]["reviewer"] == "山田"

        # the next run keeps them; the page whose text changed goes back to a person
        plain = site_dir / "plain.html"
        plain.write_text(plain.read_text().replace("Only text", "Only new text"), encoding="utf-8")
        second = audit(url + "index.html", tmp_path, config)
    v = page_verdicts(second)
    assert v["form.html", "1.3.1"] == ("pass", "partial-clean")  # unchanged page: the person's verdict stands
    assert v["plain.html", "1.3.1"][0] == "needs-review"  # changed page: stale
    site = {r["番号"]: r for r in table(second.run_dir / "checklist-wcag22.xlsx", "達成基準チェックリスト")}
    assert (
        site["2.3.1"]["結果"] == "要確認（人の判定待ち）" and "内容変更" in site["2.3.1"]["注記"]
    )  # site-wide review: stale too
    site = {r["番号"]: r for r in table(second.run_dir / "checklist-wcag22.xlsx", "達成基準の詳細")}
    assert site["2.3.1"]["人による判定"] is None  # a stale verdict is not offered for re-import unchanged
    pages = table(second.run_dir / "checklist-wcag22.xlsx", "ページ別判定")
    form_row = next(r for r in pages if r["番号"] == "1.3.1" and str(r["ページ"]).endswith("form.html"))
    assert form_row["結果"] == "適合" and form_row["人による判定"] == "適合"


def test_a_human_pass_never_hides_an_automated_failure(judged: QARun, tmp_path: Path) -> None:
    url = next(p["url"] for p in judged.results["pages"] if p["url"].endswith("fail.html"))
    reviews = tmp_path / "reviews.yaml"
    review = {"sc": "1.1.1", "url": url, "verdict": "pass", "reviewer": "x", "date": "2026-11-20"}
    reviews.write_text(yaml.safe_dump({"reviews": [review]}))
    run_dir = tmp_path / "run"
    shutil.copytree(judged.run_dir, run_dir)
    results = load_results(run_dir)
    from qa.judge.reviews import load_reviews

    results.extra["reviews"] = {"items": load_reviews(reviews)}
    j = judge_run(results, PROFILES["wcag22"], "AA")
    assert j.pages[url]["1.1.1"].verdict == "fail" and j.pages[url]["1.1.1"].review_state == "new-failure"
    assert j.site["1.1.1"].verdict == "fail"


def test_bad_reviews_file_is_one_line_naming_entry_and_fix(tmp_path: Path, judged: QARun) -> None:
    config = write_config(tmp_path)
    (tmp_path / "reviews.yaml").write_text("reviews:\n  - {sc: '1.4.3', verdict: passs}\n")
    run = run_qa("audit", judged.results["run"]["start_url"], "--config", str(config), *CHROMIUM, out=tmp_path)
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.code == 2 and len(lines) == 1
    assert "reviews.yaml: reviews[0]: verdict 'passs'" in lines[0] and "pass, fail, not-applicable" in lines[0]


def test_sampling_is_recorded_printed_and_reproducible(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, sampling={"method": "mixed", "representative": ["orphan.html"], "random": 2, "seed": 7}
    )
    with serve(SITES / "judge") as url:
        run = audit(url + "index.html", tmp_path, config)
    sample = run.results["sample"]
    assert sample["jb"] == "JB.1.2 d)" and sample["seed"] == 7
    assert sample["representative"] == [url + "orphan.html"]  # linked from nowhere, audited because it is listed
    assert len(sample["random"]) == 2 and url + "orphan.html" not in sample["random"]
    assert sample["urls"] == sample["representative"] + sample["random"]
    assert "representative 1 + random 2 (seed 7)" in run.stdout
    for u in sample["urls"]:
        assert u in run.stdout
    # the same seed over the same pages draws the same pages, whatever order the crawl finished them in
    results = load_results(run.run_dir)
    cfg = results.run.config
    results.pages.reverse()
    assert sampling.select(results, cfg)["urls"] == sample["urls"]
    # the checklist judges exactly the sample
    urls = [r["URL"] for r in table(run.run_dir / "checklist-jis2016.xlsx", "試験対象ページ")]
    assert urls == sample["urls"]


def test_english_workbooks_on_request(judged: QARun, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(judged.run_dir, run_dir)
    assert run_qa("report", str(run_dir), "--lang", "en").code == 0
    wb = load_workbook(run_dir / "checklist-wcag22.xlsx")
    assert wb.sheetnames[:5] == ["Summary", "Checklist", "Page checklist", "Findings", "Tested pages"]
    rows = {r["SC"]: r for r in table(run_dir / "checklist-wcag22.xlsx", "Checklist")}
    assert rows["1.1.1"]["Result"] == "Fail" and rows["2.3.1"]["Result"] == "Not verified (human test needed)"


def test_a_mistyped_verdict_in_the_workbook_is_one_line_naming_sheet_and_row(judged: QARun, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(judged.run_dir, run_dir)
    book = run_dir / "checklist-jis2016.xlsx"
    fill(book, "達成基準の詳細", {"番号": "2.4.6"}, {"人による判定": "たぶん適合"})
    config = write_config(tmp_path)
    run = run_qa("review", "import", str(book), "--config", str(config))
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.code == 2 and len(lines) == 1, run.stderr
    assert "sheet '達成基準の詳細' row " in lines[0] and "'たぶん適合'" in lines[0]
    assert not (tmp_path / "reviews.yaml").exists()


def test_conformance_is_derived_from_the_verdicts(judged: QARun) -> None:
    from qa.judge.conformance import derive

    results = load_results(judged.run_dir)
    profile = PROFILES["jis2016"]
    assert derive(judge_run(results, profile, "AA")).status == "considered"  # undecided criteria remain
    # a person judges every criterion the checks left open, site-wide: the failures found stay failures
    undecided = [sc for sc, v in judge_run(results, profile, "AA").site.items() if v.verdict != "fail"]
    day = {"reviewer": "山田", "date": "2026-11-20", "note": "", "fingerprint": "", "acknowledged": []}
    results.extra["reviews"] = {"items": [{"sc": sc, "url": "", "verdict": "pass", **day} for sc in undecided]}
    judged_all = judge_run(results, profile, "AA")
    assert judged_all.site["1.1.1"].verdict == "fail"
    assert derive(judged_all).status == "partial"  # 一部準拠
    # only the plain page judged (a representative sample of one) and a person decides the rest: 準拠
    plain = next(u for u in judged_all.urls if u.endswith("plain.html"))
    results.extra["sample"] = {"method": "representative", "jb": "JB.1.2 c)", "urls": [plain]}
    results.extra["reviews"] = {"items": []}
    left = [
        sc for sc, v in judge_run(results, profile, "AA").site.items() if v.verdict not in ("pass", "not-applicable")
    ]
    assert "3.1.1" not in left and "1.2.2" not in left  # decided by the checks
    results.extra["reviews"] = {"items": [{"sc": sc, "url": "", "verdict": "pass", **day} for sc in left]}
    assert derive(judge_run(results, profile, "AA")).status == "full"


def _cells(path: Path) -> dict[str, object]:
    """What a reader sees of a workbook, cell by cell: values, styles, links, row heights, columns and printing."""
    wb = load_workbook(path)
    seen: dict[str, object] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                link = (c.hyperlink.target or c.hyperlink.location) if c.hyperlink else None
                style = (c.font, c.fill, c.alignment, c.border, c.number_format, c.protection)
                seen[f"{ws.title}!{c.coordinate}"] = (c.value, c.data_type, link, repr(style))
        seen[f"{ws.title} rows"] = {i: d.height for i, d in ws.row_dimensions.items() if d.height}
        seen[f"{ws.title} columns"] = {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()}
        setup = ws.page_setup
        seen[f"{ws.title} print"] = (
            setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight, setup.scale,
            ws.print_title_rows, ws.oddHeader.center.text, ws.oddFooter.center.text, ws.freeze_panes,
            ws.auto_filter.ref, repr(ws.page_margins),
        )  # fmt: skip
    return seen


def test_deliverables_are_the_same_on_the_fast_path_as_through_openpyxl(
    judged: QARun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streamed rows, links and relationships the workbooks write themselves (qa/report/_xlsx.py) against the
    same run rendered with openpyxl writing every row that carries a styled or linked cell, its links and the
    sheets' relationships: every workbook equal cell by cell and byte for byte (the fast path's shared strings put
    back inline, as openpyxl writes text), every other deliverable equal."""
    from lxml import etree

    from qa.judge.judgement import load_run
    from qa.report import _xlsx, render_all

    fast, slow = tmp_path / "fast", tmp_path / "openpyxl"
    for folder in (fast, slow):
        shutil.copytree(judged.run_dir, folder)
    render_all(load_run(fast), fast)

    plain_rows_only = _xlsx._row_xml

    def row_xml(values: list, *args: object) -> str | None:
        linked = isinstance(values, _xlsx._Wrapped) or any(isinstance(v, _xlsx.Cell | _xlsx.Link) for v in values)
        return None if linked else plain_rows_only(values, *args)

    def parsed(self: object, xf: etree.xmlfile, xml: str) -> None:
        for row in etree.fromstring(f"<rows>{xml}</rows>"):
            xf.write(row)

    monkeypatch.setattr(_xlsx, "_row_xml", row_xml)
    monkeypatch.setattr(_xlsx, "_fast_links", lambda ws, raw: None)
    monkeypatch.setattr(_xlsx._RawRows, "write", parsed)
    render_all(load_run(slow), slow)

    books = sorted(p.name for p in fast.glob("*.xlsx"))
    assert "checklist-wcag22.xlsx" in books and "checklist-jis2016.xlsx" in books
    guide = load_workbook(fast / "checklist-wcag22.xlsx")["確認ガイド"]
    assert any(c.hyperlink for row in guide.iter_rows(min_row=2) for c in row)  # rows that took the linked path
    for name in books:
        assert _cells(fast / name) == _cells(slow / name), name
        with zipfile.ZipFile(fast / name) as a, zipfile.ZipFile(slow / name) as b:
            parts = [inline_shared({n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}) for z in (a, b)]
            for part in parts[0].keys() | parts[1].keys():  # but their creation time; the shared strings inline
                assert parts[0].get(part) == parts[1].get(part), f"{name} {part}"
    for path in fast.rglob("*"):
        if path.is_file() and path.suffix != ".xlsx":
            twin = slow / path.relative_to(fast)
            assert path.read_bytes().replace(bytes(fast), b"RUN") == twin.read_bytes().replace(bytes(slow), b"RUN")


def test_a_criterion_no_check_covers_is_written_as_for_a_person_only(judged: QARun, tmp_path: Path) -> None:
    """The same run without the flash measurement, judged again from results.json: 2.3.1 has no automated
    evidence, and both workbooks say so (自動チェックなし; 試験方法 人のみ) instead of naming a check."""
    run_dir = tmp_path / "run"
    shutil.copytree(judged.run_dir, run_dir)
    data = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    data["checks"] = [c for c in data["checks"] if c["id"] != "animated-images"]
    (run_dir / "results.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rejudged = run_qa("report", str(run_dir), "--rejudge")
    assert rejudged.code in (0, 1), rejudged.stderr
    detail = {r["番号"]: r for r in table(run_dir / "checklist-jis2016.xlsx", "達成基準の詳細")}
    assert detail["2.3.1"]["自動チェックの根拠"] == "自動チェックなし"
    method = {r["番号"]: r for r in table(run_dir / "checklist-jis2016.xlsx", "試験方法")}
    assert method["2.3.1"]["試験方法"] == "人のみ" and method["1.1.1"]["試験方法"] == "自動＋人"
