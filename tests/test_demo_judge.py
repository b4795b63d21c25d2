"""The demo site's conformance deliverables: one `qa audit` writes both profiles' workbooks, printable, honest."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.conftest import QARun

SEEDED = {"1.1.1", "1.4.3", "2.4.4", "4.1.2", "3.1.1", "2.4.2", "2.4.7"}


def rows(run: QARun, profile: str, sheet: str = "達成基準チェックリスト") -> list[dict]:
    values = list(load_workbook(run.run_dir / f"checklist-{profile}.xlsx")[sheet].iter_rows(values_only=True))
    keys = [str(h).split("\n")[0] for h in values[0]]
    return [dict(zip(keys, r, strict=True)) for r in values[1:]]


@pytest.mark.parametrize(("profile", "count"), [("wcag22", 56), ("jis2016", 38)])
def test_one_audit_writes_both_profiles_and_no_pass_without_evidence(demo_run: QARun, profile: str, count: int) -> None:
    body = rows(demo_run, profile)
    assert len(body) == count
    for r, d in zip(body, rows(demo_run, profile, "達成基準の詳細"), strict=True):  # evidence: the details sheet
        r.update({k: v for k, v in d.items() if k not in r})
    by_sc = {r["番号"]: r for r in body}
    for sc in SEEDED:
        assert by_sc[sc]["結果"] == "不適合", sc
    for r in body:
        if r["結果"] == "適合":
            assert "(全体)" in r["自動チェックの根拠"] or r["人による判定"], r
        if r["自動チェックの根拠"] == "自動チェックなし":
            assert r["結果"] in ("未検証（人による試験が必要）", "適用なし（自動判定・要確認）"), r
    summary = {r["項目"]: r["内容"] for r in rows(demo_run, profile, "試験結果")}
    assert (
        summary["満たしている適合レベル及び対応度"] == "適合レベルAAに配慮（自動試験のみ。人による試験は未完了）"
    )  # derived: failures and unverified criteria
    failing = sum(1 for r in body if r["結果"] == "不適合")
    assert failing >= len(SEEDED)
    assert f"不適合 {failing}" in summary["対応度の根拠"]  # the stated basis is the checklist itself


def test_jis_names_and_obsolete_parsing(demo_run: QARun) -> None:
    jis = {r["番号"]: r for r in rows(demo_run, "jis2016")}
    assert all(str(r["達成基準"]).endswith("の達成基準") for r in jis.values())
    assert jis["4.1.1"]["結果"] != "廃止 (WCAG 2.2 で削除)"
    wcag = {r["番号"]: r for r in rows(demo_run, "wcag22")}
    assert wcag["4.1.1"]["結果"] == "廃止 (WCAG 2.2 で削除)"


def test_workbooks_print_on_a4_landscape_with_filters_and_a_verdict_dropdown(demo_run: QARun) -> None:
    wb = load_workbook(demo_run.run_dir / "checklist-jis2016.xlsx")
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2" and ws.auto_filter.ref
    checklist = wb["達成基準の詳細"]  # the human verdict columns of the site-wide checklist
    [dv] = checklist.data_validations.dataValidation
    assert dv.formula1 == '"適合,不適合,適用なし"'
    assert str(dv.sqref) == "J2:J39"
    # the pins import reads (fingerprint, acknowledged) are hidden; "詳細" opens the criterion's page rows
    assert checklist.column_dimensions["N"].hidden and checklist.column_dimensions["O"].hidden
    pages = wb["ページ別判定"]
    linked = 0
    for row in range(2, checklist.max_row + 1):
        link = checklist.cell(row, 9).hyperlink
        if link is None:
            continue
        linked += 1
        sheet, _, cell = (link.location or link.target).lstrip("#").partition("!")
        assert sheet.strip("'") == "ページ別判定"
        assert pages[cell].value == checklist.cell(row, 1).value
    assert linked == checklist.max_row - 1  # every criterion of the JIS profile has page rows


def test_page_checklist_and_findings_cover_every_audited_page(demo_run: QARun) -> None:
    # every audited page once: /index.html is the same document as / (the inventory's alias), not a second page
    audited = {p["url"] for p in demo_run.results["inventory"]["pages"]}
    assert audited == {p["url"] for p in demo_run.results["pages"] if not p["error"]} - {
        a for p in demo_run.results["inventory"]["pages"] for a in p["aliases"]
    }
    assert set(demo_run.results["sample"]["urls"]) == audited
    pages = rows(demo_run, "wcag22", "ページ別判定")
    assert len(pages) == len(audited) * 55
    findings = rows(demo_run, "wcag22", "ページ別指摘事項一覧")
    contrast = next(r for r in findings if r["ルール"] == "color-contrast")
    assert "コントラスト比が不十分です" in contrast["メッセージ"]
    assert (demo_run.run_dir / contrast["スクリーンショット"]).is_file()
