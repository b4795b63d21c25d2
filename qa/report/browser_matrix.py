"""The browser-check workbook (ブラウザチェック結果): pages × browser/viewport matrix with links to the screenshots,
the browser issues, the test environment and thumbnails. The screenshots stay in ``screenshots/`` beside it.

A row per page of the run's inventory (``qa.judge.inventory``); the pages that could not be audited are listed on
the 例外事項 sheet. A cell is NG when the page could not be loaded or has a browser-family violation there
(JavaScript error, failed resource, broken image, horizontal overflow) — found by the checks or recorded by the
visit —, 要確認 when only something for a person to judge remains (console error, rendering that differs from the
reference engine, no viewport meta), OK otherwise. When the browser checks did not run, every cell says 未実施.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from PIL import Image

from qa.check.browser_events import page_findings
from qa.check.screenshot import PNG_ONLY, THUMB_WIDTH, save_thumbnail, thumbnail_path
from qa.judge.inventory import NOT_RUN_JA, Inventory, inventory_of
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page, Results, merge_cells
from qa.report._axe_ja import Messages
from qa.report._inventory import exceptions_sheet, not_run_text, skipped_browsers, skipped_text
from qa.report._vocab import lang_of, pick
from qa.report._xlsx import finish_print, local_time, run_header, safe, save_workbook, setup_print, write_table

NAME = "browser_matrix"
FILENAME = "browser-check.xlsx"
BROWSER_CHECKS = ("browser", "browser-events", "render-diff")
TITLE = ("ブラウザチェック結果", "Browser check results")

OK, NG, REVIEW, ERROR, NOT_RUN = "OK", "NG", "要確認", "エラー", "—"
UNCHECKED = NOT_RUN_JA  # the browser checks did not run: nothing is claimed
FILLS = {
    OK: PatternFill("solid", fgColor="C6EFCE"),
    NG: PatternFill("solid", fgColor="FFC7CE"),
    REVIEW: PatternFill("solid", fgColor="FFEB9C"),
    ERROR: PatternFill("solid", fgColor="D9D9D9"),
    UNCHECKED: PatternFill("solid", fgColor="D9D9D9"),
}
# The cell words in English (the Japanese ones above are the cells' values with ``lang: ja``).
STATUS_EN = {REVIEW: "Review", ERROR: "Error", UNCHECKED: "Not run"}
RULES = {
    "js-error": ("JavaScriptエラー", "JavaScript error"),
    "console-error": ("コンソールエラー", "Console error"),
    "failed-request": ("読込失敗リソース", "Failed resource"),
    "broken-image": ("画像の表示不良", "Broken image"),
    "horizontal-overflow": ("横方向のはみ出し", "Horizontal overflow"),
    "viewport-meta-missing": ("viewport指定なし", "No viewport meta"),
    "render-difference": ("ブラウザ間の表示差異", "Rendering differs between engines"),
    "visual-change": ("前回からの表示変化", "Changed since the previous run"),
}
OUTCOMES = {VIOLATION: ("NG", "NG"), NEEDS_REVIEW: ("要確認", "Needs review")}
SHEETS = {
    "matrix": ("マトリクス", "Matrix"),
    "issues": ("問題一覧", "Issues"),
    "environment": ("環境", "Environment"),
    "thumbnails": ("サムネイル", "Thumbnails"),
}


def cell_status(page: Page | None, findings: list[Finding]) -> str:
    if page is None:
        return NOT_RUN
    if page.error:
        return ERROR if page.status is None or page.status < 400 else NG
    if any(f.outcome == VIOLATION for f in findings):
        return NG
    if findings:
        return REVIEW
    return OK


def browser_findings(results: Results) -> list[Finding]:
    """The browser checks' findings, plus every problem a visit recorded (JavaScript error, failed request, broken
    image) that no finding covers in its cell: a run with only some browser checks (``--only browser``) still
    shows them."""
    found = [f for f in results.findings if f.check in BROWSER_CHECKS]
    covered = {(f.rule, f.url, cell) for f in found for cell in f.seen_in}
    page_of = inventory_of(results).alias_of()
    recorded: list[Finding] = []
    for p in results.pages:
        if p.error:
            continue
        for f in [*page_findings(p), *_broken_images(p)]:
            f.url = page_of.get(f.url, f.url)
            if (f.rule, f.url, p.cell) not in covered:
                recorded.append(f)
    return found + merge_cells(recorded)


def _broken_images(page: Page) -> list[Finding]:
    return [
        Finding(
            "broken-image",
            VIOLATION,
            page.url,
            page.browser,
            page.viewport,
            check="browser",
            target=str(item.get("target", "")),
            html=str(item.get("html", "")),
            message=f"Image did not load: {item.get('src', '')}",
            details={"src": str(item.get("src", ""))},
        )
        for item in (page.facts.get("browser") or {}).get("broken_images") or []
        if isinstance(item, dict)
    ]


def _by_cell(findings: list[Finding]) -> dict[tuple[str, str], list[Finding]]:
    out: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        for cell in f.seen_in:
            out.setdefault((f.url, cell), []).append(f)
    return out


def _link(cell, target: str) -> None:
    if target:
        cell.hyperlink = target  # relative to the workbook: the screenshots folder beside it
        cell.font = Font(color="0563C1", underline="single")


def _matrix(wb: Workbook, results: Results, by_cell: dict, pages: dict, urls: list[str], ran: bool, lang: str) -> None:
    ws = wb.active
    ws.title = pick(SHEETS["matrix"], lang)
    skipped = skipped_browsers(results)
    not_started = [c for entry in skipped for c in entry["cells"]]  # columns of 未実施: never an empty pass
    cells = results.run.cells + not_started
    headers = [pick(("ページ", "Page"), lang), pick(("タイトル", "Title"), lang), *cells]
    write_table(ws, headers, [], [50, 30, *[14] * len(cells)])
    for r, url in enumerate(urls, start=2):
        first = next((pages[(url, c)] for c in cells if (url, c) in pages), None)
        ws.cell(r, 1, safe(url))
        ws.cell(r, 2, safe(first.title if first else ""))
        for c, cell_name in enumerate(cells, start=3):
            page = pages.get((url, cell_name))
            started = ran and cell_name not in not_started
            status = cell_status(page, by_cell.get((url, cell_name), [])) if started else UNCHECKED
            cell = ws.cell(r, c, status if lang == "ja" else STATUS_EN.get(status, status))
            cell.alignment = Alignment(horizontal="center")
            if status in FILLS:
                cell.fill = FILLS[status]
            if page is not None:
                _link(cell, page.facts.get("screenshot", ""))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(urls) + 1}"
    legend = len(urls) + 3
    notes = [
        ("OK: 問題なし", "OK: no browser problem found"),
        (
            "NG: 表示・動作の不具合（JavaScriptエラー、読込失敗リソース、画像の表示不良、横方向のはみ出し）",
            "NG: a browser problem (JavaScript error, failed resource, broken image, overflow)",
        ),
        (
            "要確認: 人による確認が必要（コンソールエラー、ブラウザ間の表示差異、viewport指定なし）",
            "Review: a person must look (console error, rendering differs, no viewport meta)",
        ),
        ("エラー: ページを読み込めず", "Error: the page could not be loaded"),
        (f"{UNCHECKED}: ブラウザチェックを実行していない", "Not run: the browser checks did not run"),
        ("監査できなかったページは「例外事項」シート", "Pages that could not be audited: sheet Exceptions"),
        (
            "各セルのリンク先はスクリーンショット（このファイルと同じ場所の screenshots フォルダー）",
            "Each cell links to its screenshot (screenshots/ beside this file)",
        ),
    ]
    for i, text in enumerate(notes):
        ws.cell(legend + i, 1, pick(text, lang))
    for i, entry in enumerate(skipped, start=legend + len(notes)):
        ws.cell(i, 1, safe(skipped_text(entry, lang)))


def _issues(wb: Workbook, results: Results, findings: list[Finding], inventory: Inventory, lang: str) -> None:
    ws = wb.create_sheet(pick(SHEETS["issues"], lang))
    if not inventory.ran("browsers"):
        ws.append([not_run_text(inventory, "browsers", lang)])
        ws.column_dimensions["A"].width = 100
        return
    words = Messages(results.run.config or {}, lang)
    shots = {(p.url, p.cell): p.facts.get("screenshot", "") for p in results.pages}
    rows = []
    links = []
    for f in sorted(findings, key=lambda f: (f.url, f.rule, f.target)):
        shot = shots.get((f.url, f.seen_in[0]), "")
        diff = str(f.details.get("diff_image") or "")
        rows.append(
            [
                f.url,
                pick(RULES[f.rule], lang) if f.rule in RULES else words.message(f).split("\n", 1)[0],
                f.rule,
                pick(OUTCOMES[f.outcome], lang) if f.outcome in OUTCOMES else f.outcome,
                words.sc_text(f),
                ", ".join(f.seen_in),
                f.target,
                words.message(f),
                pick(("スクリーンショット", "screenshot"), lang) if shot else "",
                pick(("差分画像", "diff image"), lang) if diff else "",
                f.id,
            ]
        )
        links.append((shot, diff))
    headers = [
        pick(pair, lang)
        for pair in (
            ("ページ", "Page"),
            ("問題", "Issue"),
            ("ルール", "Rule"),
            ("判定", "Outcome"),
            ("達成基準", "SC"),
            ("発生環境", "Seen in"),
            ("対象", "Target"),
            ("内容", "Message"),
            ("画面", "Screenshot"),
            ("差分", "Diff"),
            ("ID", "ID"),
        )
    ]
    if not rows:
        rows = [["", pick(("どのページにもブラウザの問題なし", "no browser problem on any page"), lang), *[""] * 9]]
    write_table(ws, headers, rows, [45, 30, 18, 16, 10, 36, 30, 60, 20, 16, 18])
    for r, (shot, diff) in enumerate(links, start=2):
        _link(ws.cell(r, 9), shot)
        _link(ws.cell(r, 10), diff)


def _environment(wb: Workbook, results: Results, lang: str) -> None:
    ws = wb.create_sheet(pick(SHEETS["environment"], lang))
    run = results.run
    zone = (run.config or {}).get("timezone")
    rows: list[list] = []
    for name, info in (run.engines.get("browsers") or {}).items():
        rows.append(
            [
                pick(("ブラウザ", "Browser"), lang),
                name,
                f"{info.get('product', '')} {info.get('version', '')}".strip(),
                f"{pick(('エンジン', 'engine'), lang)}: {info.get('engine', '')}",
            ]
        )
    for entry in skipped_browsers(results):
        rows.append(
            [
                pick(("ブラウザ", "Browser"), lang),
                entry["name"],
                pick((UNCHECKED, STATUS_EN[UNCHECKED]), lang),
                safe(skipped_text(entry, lang)),
            ]
        )
    if run.engines.get("axe-core"):
        rows.append([pick(("検査エンジン", "Rule engine"), lang), "axe-core", run.engines["axe-core"], ""])
    matrix = results.extra.get("matrix") or {}
    for vp in matrix.get("viewports") or []:
        note = f"DPR {vp.get('device_scale_factor', 1)}"
        if vp.get("device"):
            note += f"{pick(('、端末 ', ', device '), lang)}{vp['device']}"
        size = f"{vp.get('width')}×{vp.get('height')} CSS px"
        rows.append([pick(("画面サイズ", "Viewport"), lang), vp.get("name", ""), size, note])
    rows.append(["OS", "", run.tool.get("os", ""), ""])
    python = f"Python {run.tool.get('python', '')}"
    rows.append([pick(("ツール", "Tool"), lang), run.tool.get("name", ""), run.tool.get("version", ""), python])
    rows.append([pick(("対象サイト", "Site"), lang), "", run.start_url, ""])
    rows.append([pick(("実行ID", "Run"), lang), run.id, "", ""])
    rows.append([pick(("開始日時", "Started"), lang), "", local_time(run.started, zone), ""])
    rows.append([pick(("終了日時", "Finished"), lang), "", local_time(run.finished, zone), ""])
    full = [p for p in results.pages if "screenshot_full_page" in p.facts]
    for name in run.engines.get("browsers") or {}:
        mine = [p for p in full if p.browser == name]
        if mine and not all(p.facts["screenshot_full_page"] for p in mine):
            rows.append(
                [
                    pick(("スクリーンショット", "Screenshot"), lang),
                    name,
                    pick(("表示領域のみ", "viewport only"), lang),
                    pick(("このエンジンはページ全体を撮影できない", "the engine cannot capture the full page"), lang),
                ]
            )
    headers = [pick(p, lang) for p in (("項目", "Item"), ("名前", "Name"), ("値", "Value"), ("備考", "Note"))]
    write_table(ws, headers, rows, [28, 22, 40, 60])


def _thumbnail(run_dir: Path, page: Page) -> Path | None:
    source = run_dir / str(page.facts.get("screenshot", ""))
    if not page.facts.get("screenshot") or not source.is_file():
        return None
    target = thumbnail_path(run_dir, page)
    if not target.exists():
        try:
            with Image.open(source, formats=PNG_ONLY) as img:
                save_thumbnail(img, target)
        except (OSError, ValueError, Image.DecompressionBombError):  # damaged, or larger than Pillow reads
            return None
    return target


def _thumbnails(
    wb: Workbook,
    results: Results,
    run_dir: Path,
    pages: dict,
    urls: list[str],
    by_cell: dict,
    inventory: Inventory,
    lang: str,
) -> None:
    """Thumbnails of the pages with a problem in some cell, side by side for every cell."""
    ws = wb.create_sheet(pick(SHEETS["thumbnails"], lang))
    if not inventory.ran("browsers"):
        ws.append([not_run_text(inventory, "browsers", lang)])
        ws.column_dimensions["A"].width = 100
        return
    cells = results.run.cells
    ws.append([pick(("ページ", "Page"), lang), *cells])
    ws.column_dimensions["A"].width = 40
    for c in range(len(cells)):
        ws.column_dimensions[get_column_letter(c + 2)].width = THUMB_WIDTH / 7 + 2
    shown = [url for url in urls if any(by_cell.get((url, c)) for c in cells)]
    if not shown:
        ws.append([pick(("問題のあるページはありません", "no page has a browser problem: no thumbnail to show"), lang)])
    wanted = [pages[(url, c)] for url in shown for c in cells if (url, c) in pages]
    # Decoding each full-page screenshot is the work; Pillow lets other threads run meanwhile.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="thumbnails") as pool:
        thumbs = pool.map(lambda p: _thumbnail(run_dir, p), wanted)
        made = dict(zip([(p.url, p.cell) for p in wanted], thumbs, strict=True))
    row = 2
    for url in shown:
        ws.cell(row, 1, safe(url)).alignment = Alignment(wrap_text=True, vertical="top")
        tallest = 20
        for c, cell_name in enumerate(cells, start=2):
            thumb = made.get((url, cell_name))
            if thumb is None:
                continue
            image = XLImage(str(thumb))
            tallest = max(tallest, image.height)
            ws.add_image(image, f"{get_column_letter(c)}{row}")
        ws.row_dimensions[row].height = tallest * 0.75 + 4
        row += 1
    setup_print(ws)


def render(results: Results, out_dir: Path) -> list[Path]:
    if not results.pages:
        return []
    inventory = inventory_of(results)
    ran = inventory.ran("browsers")
    findings = browser_findings(results) if ran else []
    by_cell = _by_cell(findings)
    pages = {(p.url, p.cell): p for p in results.pages}
    urls = inventory.urls
    lang = lang_of(results)
    wb = Workbook()
    wb.properties.title = pick(TITLE, lang)
    _matrix(wb, results, by_cell, pages, urls, ran, lang)
    _issues(wb, results, findings, inventory, lang)
    _environment(wb, results, lang)
    _thumbnails(wb, results, out_dir, pages, urls, by_cell, inventory, lang)
    exceptions_sheet(wb, inventory, lang, partial=results.run.status != "complete")
    path = out_dir / FILENAME
    finish_print(wb, run_header(results, TITLE))
    save_workbook(wb, path)
    return [path]
