"""The published deliverables as a reviewer reads them on paper: the six-column checklist, Japanese throughout,
A4 landscape at a legible scale with a header and footer, the JB.3.1 items, an operation sheet that signs only
what the suite decided. Mostly on the demo site's run (fixture demo_run)."""

from __future__ import annotations

import ast
import json
import math
import os
import re
import shutil
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from qa.check import STORED_AS, builtin_checks
from qa.report._axe_ja import locale as axe_locale
from tests.conftest import QARun, run_qa

A4_LANDSCAPE_INCHES = 297 / 25.4
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
NOT_VERIFIED, REVIEW = "未検証（人による試験が必要）", "要確認（人の判定待ち）"
PICTURE_SHEETS = {"サムネイル"}  # browser-check.xlsx: thumbnails of every browser cell
RESULTS = {"適合", "不適合", REVIEW, NOT_VERIFIED, "適用なし", "適用なし（自動判定・要確認）", "廃止 (WCAG 2.2 で削除)"}


def scale_of(ws) -> int:  # noqa: ANN001 - an openpyxl worksheet
    """The scale at which the sheet's printed (not hidden) columns fit the printable width of A4 landscape, from
    the saved column widths (characters of a 7 px digit, plus 5 px padding) and the saved page margins."""
    printable = (A4_LANDSCAPE_INCHES - ws.page_margins.left - ws.page_margins.right) * 96
    total = 0
    for i in range(1, ws.max_column + 1):
        dim = ws.column_dimensions.get(get_column_letter(i))
        if dim is not None and dim.hidden:
            continue
        width = dim.width if dim is not None and dim.width else 8.43
        total += int(width * 7 + 5)
    return min(100, math.floor(printable / total * 100))


def visible_sheets(path: Path):  # noqa: ANN201
    return [ws for ws in load_workbook(path).worksheets if ws.sheet_state == "visible"]


def table(path: Path, sheet: str) -> list[dict[str, object]]:
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_every_printed_sheet_fits_a4_landscape_at_70_percent_with_header_and_footer(demo_run: QARun) -> None:
    books = sorted(demo_run.run_dir.glob("*.xlsx"))
    assert {"checklist-jis2016.xlsx", "operation-check.xlsx", "findings-by-template.xlsx"} <= {b.name for b in books}
    for book in books:
        for ws in visible_sheets(book):
            where = f"{book.name}: {ws.title}"
            assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, where
            # a picture sheet (one screenshot per browser cell side by side) is not text to read at 70 %
            assert scale_of(ws) >= 70 or ws.title in PICTURE_SHEETS, (where, scale_of(ws))
            assert ws.oddHeader.left.text and ws.oddHeader.center.text.startswith("http"), where  # title, site
            footer = ws.oddFooter.center.text
            assert "&P" in footer and "&N" in footer, where
            assert ws.oddFooter.right.text.endswith("JST"), where  # Japan time unless configured otherwise


def test_checklist_is_the_published_six_columns_with_every_row_applied(demo_run: QARun) -> None:
    for profile, count in (("jis2016", 38), ("wcag22", 56)):
        book = demo_run.run_dir / f"checklist-{profile}.xlsx"
        rows = list(load_workbook(book)["達成基準チェックリスト"].iter_rows(values_only=True))
        assert list(rows[0]) == ["番号", "達成基準", "適合レベル", "適用", "結果", "注記"]
        assert len(rows) - 1 == count
        for sc, name, level, applies, result, note in rows[1:]:
            assert applies in ("適用", "適用なし", "未判定"), sc
            assert result in RESULTS, (sc, result)
            assert level in ("A", "AA") and name and JAPANESE.search(name), sc
            if result != "廃止 (WCAG 2.2 で削除)":
                assert note and note.endswith("。") and note.count("。") <= 2, (sc, note)  # one short sentence
            if result == NOT_VERIFIED:
                assert applies == "未判定" or applies == "適用", sc
        # the JIS profile under the JIS 2016 names
        if profile == "jis2016":
            assert all(str(r[1]).endswith("の達成基準") for r in rows[1:])


# ---- Japanese throughout (English with --lang en): a walk over every cell a reviewer reads -----------------------

# A cell a reviewer reads is in the deliverables' language unless it is data, recognised by one of these narrow rules.
DATA_VALUES = [
    re.compile(r"^(https?://\S+|/\S*)(\n(https?://\S+|/\S*|… \+\d+))*$"),  # URLs and paths, one a line
    re.compile(r"^[\d.,:/\-–+%×() ]+$"),  # numbers, criterion numbers, dates, ratios
    re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d [A-Z]{2,5}$"),  # a time with its zone
    re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$"),  # a run id
    re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$"),  # rule ids (kebab-case, at least one hyphen)
    re.compile(r"^(g|f)-[0-9a-f]{6,}$|^[0-9a-f]{12,}$"),  # group ids, fingerprints
    re.compile(r"^[a-z]+/[a-z]+(, [a-z]+/[a-z]+)*$"),  # browser/viewport cells
    re.compile(r"^\d+×\d+ CSS px$|^DPR [\d.]+$"),  # a viewport's size and pixel ratio
    re.compile(r"^(OK|NG|A|AA|AAA|No\.?|ID|URL|SC|HTTP|HTML|OS|Content-Type|DPR|—)$"),  # codes, column names, a dash
    re.compile(r"^(HTML|CSS|JavaScript|WAI-ARIA|SVG)([、,] ?(HTML|CSS|JavaScript|WAI-ARIA|SVG))*$"),  # technologies
    re.compile(r"^JIS X 8341-3:2016$|^WCAG 2\.[0-2]$"),  # standards
    # products, engines and tools, by name, with a version
    re.compile(
        r"^(Chromium|Firefox|WebKit|chromium|firefox|webkit|desktop|tablet|phone|axe-core|IBM Equal Access|"
        r"HTML_CodeSniffer|LinkChecker|linkchecker|qa-suite|Python|Linux|Debian|MiniBrowser|WebKitGTK)"
        r"([ \-/][\w.\-+()]+)*$"
    ),
    re.compile(r"^\S+ → https?://\S+$"),  # an element and the URL it loads
]
# Columns whose cells are copied from the site or the machine, by their header (both languages): the site's own
# words (titles, link texts), its markup and selectors, and machine values.
DATA_COLUMNS = {
    "タイトル", "Title", "ページタイトル", "Page title", "リンクテキスト", "Link text", "リンク元", "Linked from",
    "計画のタイトル", "Planned title", "実際のタイトル", "Actual title", "対象", "Target", "セレクタ", "Selector",
    "HTML の例", "Example HTML", "HTML の形", "HTML shape", "要素", "Element", "ルール", "Rule", "ID", "Content-Type",
    "投稿タイプ", "Post types", "Post type", "テンプレート", "Templates", "Template", "要素 (セレクタ)",
    "Element (selector)", "パス", "Path", "語", "Word", "サイトの綴りでは", "In the site's spelling",
    "Open Graph（欠落）", "Open Graph (missing)",
    # the security sheet: each HTTP header's value as the site sent it
    *(f"{h} {w}" for h in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                           "Permissions-Policy", "Strict-Transport-Security", "Server", "X-Powered-By")
      for w in ("ヘッダー", "header")),
}  # fmt: skip
JAPANESE_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# What a Japanese workbook shows in place of words nobody wrote in Japanese: English behind a note saying so. Only a
# project's own plug-in may do that (the issue: it "falls back to English and says so"); a rule of the suite's own
# checks or engines may not.
FALLBACKS = ("（日本語メッセージなし・英語のまま）", "（修正方法の日本語なし）", "（修正方法の記載なし）")


def plugin_ids() -> set[str]:
    """The check ids of the demo's plug-ins (the repository's checks/ folder, as the demo run loads it)."""
    from qa.check import project_checks

    return {c.id for c in project_checks(Path(__file__).resolve().parent.parent / "checks")}


def unreadable_cells(run_dir: Path, lang: str) -> list[str]:
    """Every text cell of every visible sheet of every workbook of the run that is not in ``lang``, and is not a
    data value: ``book: sheet!A1 'value'``."""
    problems = []
    plugins = plugin_ids()
    for book in sorted(run_dir.glob("*.xlsx")):
        for ws in visible_sheets(book):
            if lang == "en" and JAPANESE_CHARS.search(ws.title):
                problems.append(f"{book.name}: sheet name {ws.title!r}")
            header = [str(c.value or "") for c in ws[1]]
            for row in ws.iter_rows():
                for c in row:
                    if not isinstance(c.value, str) or not c.value.strip():
                        continue
                    if ws.column_dimensions[c.column_letter].hidden:  # machine columns: not printed, not read
                        continue
                    if c.row > 1 and c.column <= len(header) and header[c.column - 1] in DATA_COLUMNS:
                        continue
                    if any(p.match(c.value) for p in DATA_VALUES):
                        continue
                    if lang == "ja" and c.value.startswith(FALLBACKS):
                        if not plugins & {str(v.value) for v in row}:  # the row is not a plug-in's finding
                            problems.append(f"{book.name}: {ws.title}!{c.coordinate} {c.value[:70]!r}")
                    elif bool(JAPANESE_CHARS.search(c.value)) != (lang == "ja"):
                        problems.append(f"{book.name}: {ws.title}!{c.coordinate} {c.value[:70]!r}")
    return problems


def test_a_japanese_run_reads_japanese_in_every_workbook(demo_run: QARun) -> None:
    books = {b.name for b in demo_run.run_dir.glob("*.xlsx")}
    assert {"browser-check.xlsx", "link-check.xlsx", "sitemap.xlsx", "run-log.xlsx"} <= books  # every family ran
    assert {"findings-by-template.xlsx", "operation-check.xlsx", "checklist-jis2016.xlsx"} <= books
    problems = unreadable_cells(demo_run.run_dir, "ja")
    assert not problems, f"{len(problems)} cell(s) not in Japanese:\n" + "\n".join(problems[:60])


def test_the_same_run_in_english_reads_english_in_every_workbook(demo_run: QARun, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(demo_run.run_dir, run_dir, ignore=shutil.ignore_patterns("screenshots", "crops"))
    shutil.copytree(demo_run.run_dir / "screenshots", run_dir / "screenshots", copy_function=os.link)
    rerun = run_qa("report", str(run_dir), "--lang", "en")
    assert rerun.code == 0, rerun.stderr
    problems = unreadable_cells(run_dir, "en")
    assert not problems, f"{len(problems)} cell(s) with Japanese:\n" + "\n".join(problems[:60])


def test_findings_have_japanese_words_a_fix_and_an_outlined_crop(demo_run: QARun) -> None:
    book = demo_run.run_dir / "checklist-wcag22.xlsx"
    rows = table(book, "ページ別指摘事項一覧")
    assert len(rows) == len(demo_run.results["findings"])
    for r in rows:
        assert JAPANESE.search(str(r["メッセージ"])), r["ルール"]
        assert r["影響度"] in (None, "重大", "深刻", "中程度", "軽微"), r["影響度"]
        assert JAPANESE.search(str(r["修正方法"])), r["ルール"]
    alt = next(r for r in rows if r["ルール"] == "alt-file-name")  # one of the suite's own checks
    assert alt["メッセージ"] == "代替テキスト「IMG_2041.jpg」がファイル名になっています (F30)。"
    assert "https://www.w3.org/WAI/WCAG22/Techniques/failures/F30" in alt["修正方法"]
    # the demo's plug-in declares no criterion and no Japanese message: site-specific, English, and says so
    plugin = next(r for r in rows if r["ルール"] == "support-desk-link")
    assert plugin["達成基準"] == "サイト独自"
    assert plugin["メッセージ"].startswith("（日本語メッセージなし・英語のまま）The page content has no link")
    # the element crops are embedded in the sheet, and show the element outlined
    ws = load_workbook(book)["ページ別指摘事項一覧"]
    assert len(ws._images) >= 5
    from PIL import Image

    contrast = next(r for r in rows if r["ルール"] == "color-contrast")
    with Image.open(demo_run.run_dir / contrast["スクリーンショット"]) as img:
        rgb = img.convert("RGB")
        edge = [rgb.getpixel((x, y)) for x in range(rgb.width) for y in range(rgb.height)]
    assert sum(1 for r, g, b in edge if r > 180 and g < 60 and b < 60) > rgb.width  # the red outline


def test_every_rule_of_the_suite_has_japanese_words() -> None:
    """Each rule id a built-in check can report (its string literals named like rules) has a Japanese message and
    a fix in both languages."""
    checks = builtin_checks()
    not_rules = set(STORED_AS) | {a for c in checks for a in (*c.provides, *c.requires)} | {c.id for c in checks}
    not_rules |= {"axe-core", "best-practice", "re-judged", "utf-8", "front-page", "post-type-archive"}
    not_rules |= {"qa-suite", "client-side-script"}  # a cache folder name, a WCAG technique folder
    not_rules |= {"data-qa-excluded"}  # the attribute marking the regions excluded from the checks (qa.check._scope)
    not_rules |= set(axe_locale()["rules"])  # axe-core's own rules (named where axe samples): Japanese from its locale
    texts = {rule: t for c in checks for rule, t in c.messages.items()}
    rule_like = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
    missing = []
    for path in sorted(Path(__import__("qa.check").check.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and rule_like.match(node.value):
                if node.value not in not_rules and node.value not in texts:
                    missing.append(f"{path.name}: {node.value}")
    assert not missing, missing
    for rule, t in texts.items():
        assert JAPANESE.search(t["ja"]) and JAPANESE.search(t["fix_ja"]) and t["fix_en"], rule


def test_operation_sheet_signs_only_what_the_suite_decided_and_has_an_approval_block(demo_run: QARun) -> None:
    book = demo_run.run_dir / "operation-check.xlsx"
    rows = table(book, "検証完了チェックシート")
    for r in rows:
        if r["区分"] == "手動" or r["結果"] == "未確認":  # nobody decided it yet: no date, no checker
            assert r["確認日"] is None and r["確認者"] is None, r
        else:
            assert r["確認日"] and str(r["確認者"]).startswith("qa-suite"), r
        assert r["根拠・備考"] is None or JAPANESE.search(str(r["根拠・備考"])), r
    approval = [r for r in load_workbook(book)["承認"].iter_rows(values_only=True)]
    assert approval[1][:3] == ("役割", "氏名", "日付")
    assert [r[0] for r in approval[2:5]] == ["作成", "確認", "承認"]
    assert all(r[1] is None and r[2] is None for r in approval[2:5])  # names and dates are the signers' own


def summary(run_dir: Path, profile: str = "jis2016") -> dict[str, object]:
    return {r["項目"]: r["内容"] for r in table(run_dir / f"checklist-{profile}.xlsx", "試験結果")}


def test_jb31_items_from_the_run_and_the_config(demo_run: QARun, tmp_path: Path) -> None:
    items = summary(demo_run.run_dir)
    for key in (
        "表明日",
        "規格の規格番号及び改正年",
        "満たしている適合レベル及び対応度",
        "対象となるウェブページ",
        "依存したウェブコンテンツ技術",
        "試験対象ページの選択方法及びページ数",
        "試験を行ったウェブページの URI",
        "達成基準チェックリスト",
        "例外事項",
        "試験方法",
        "試験実施期間",
        "試験実施者",
        "使用したツール",
    ):
        assert items.get(key), key
    assert items["満たしている適合レベル及び対応度"] == "適合レベルAAに配慮（自動試験のみ。人による試験は未完了）"
    assert "試験実施ガイドライン 2020年12月版" in items["試験方法"]
    assert f"axe-core {demo_run.results['run']['engines']['axe-core']}" in items["使用したツール"]
    # the page the demo links to but cannot serve is an exception, with its reason
    exceptions = table(demo_run.run_dir / "checklist-jis2016.xlsx", "例外事項")
    assert any(str(r["URL"]).endswith("subsidy-guide.pdf") and "404" in str(r["理由"]) for r in exceptions)
    method = {r["番号"]: r for r in table(demo_run.run_dir / "checklist-jis2016.xlsx", "試験方法")}
    assert method["2.3.1"]["試験方法"] == "自動＋人" and method["1.1.1"]["試験方法"] == "自動＋人"
    # every row of the demo has some automated evidence; "人のみ" is tested where a check is left out
    # (tests/test_judge_deliverables.py)

    # The claim names the public site (not the staging address tested), the tester and organisation; the
    # inventory's exceptions replace the derived ones; a human review extends the test period; UTC on request.
    run_dir = tmp_path / demo_run.run_dir.name
    shutil.copytree(demo_run.run_dir, run_dir, symlinks=True)
    path = run_dir / "results.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["run"]["config"]["claim"].update(site_url="https://www.city.example.jp/", tester="山田太郎")
    data["run"]["config"]["claim"]["organisation"] = "札幌市 広報部"
    data["run"]["config"]["timezone"] = "UTC"
    data["inventory"] = {
        "exceptions": [{"url": "https://www.city.example.jp/old/", "reason": "旧システムのため対象外"}]
    }
    data["reviews"] = {
        "items": [{"sc": "2.3.1", "url": "", "verdict": "pass", "reviewer": "山田", "date": "2027-01-15", "note": ""}]
    }
    data["reviews"]["items"][0].update(fingerprint="", acknowledged=[])
    del data["judgement"]  # judged again from the reviews when the report loads the run
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run_qa("report", str(run_dir)).code == 0
    items = summary(run_dir)
    assert items["対象となるウェブページ"].startswith("https://www.city.example.jp/ 以下のウェブページ")
    assert demo_run.results["run"]["start_url"] in items["対象となるウェブページ"]  # tested on staging, said so
    assert items["試験実施者"] == "山田太郎、札幌市 広報部"
    assert items["例外事項"].startswith("1 件")
    assert items["試験実施期間"].endswith("～ 2027-01-15")
    assert "人による試験が未完了" in items["満たしている適合レベル及び対応度"]
    ws = visible_sheets(run_dir / "checklist-jis2016.xlsx")[0]
    assert ws.oddHeader.center.text == "https://www.city.example.jp/" and ws.oddFooter.right.text.endswith("UTC")


def test_an_english_operation_sheet_is_english_and_imports_back(tmp_path: Path) -> None:
    from qa.judge.operations import load_manual_checklist
    from qa.model import Page, Results, RunInfo
    from qa.report import operation_sheet

    source, manual = load_manual_checklist(None)
    base = "http://127.0.0.1:1/"
    page = Page(base, "chromium", "desktop", final_url=base, status=200, title="T")
    run = RunInfo("r", "2026-01-01T00:00:00", status="complete", start_url=base, config={"lang": "en"})
    results = Results(run, pages=[page], extra={"operation_checks": {"source": source, "manual": manual}})
    [book] = operation_sheet.render(results, tmp_path)
    wb = load_workbook(book)
    assert wb.sheetnames == ["Operation check", "Run", "Sign-off"]
    ws = wb["Operation check"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:6] == ["No", "Type", "Item (Japanese)", "Check", "How", "Result"]
    assert ws.column_dimensions["C"].hidden and not ws.column_dimensions["D"].hidden  # the English item is read
    mail = next(r for r in rows if r[9] == "contact-form-mail")
    assert mail[1:6] == [
        "Manual",
        "お問い合わせフォームから送信したメールが届く",
        "The contact form delivers mail",
        "Send a test message and confirm both the office and the sender receive it",
        "Unchecked",
    ]
    https = next(r for r in rows if r[9] == "https")
    assert https[1] == "Automated" and https[5] == "NG" and not JAPANESE.search(str(https[6])), https
    # a person fills a manual row in English; the import reads it as the machine value
    ws.cell(rows.index(mail) + 1, 6, "N/A")
    ws.cell(rows.index(mail) + 1, 8, "2026-01-05")
    wb.save(book)
    filled = {r["id"]: r for r in operation_sheet.read_filled(book)}
    assert filled["contact-form-mail"]["result"] == "対象外" and filled["contact-form-mail"]["date"] == "2026-01-05"
