"""The 達成基準チェックリスト deliverable: one workbook per conformance profile (``checklist-<profile>.xlsx``).

Sheets (Japanese names in a ``ja`` workbook, English in an ``en`` one): 試験結果 (the JIS X 8341-3 附属書JB
JB.3.1 items with the derived 対応度), 達成基準チェックリスト (one row per criterion), ページ別判定 (one row per
judged page and criterion), ページ別指摘事項一覧 (one row per finding, with a cropped screenshot), 試験対象ページ
(the numbered URLs). Verdict, note, reviewer and date columns are for people; ``qa review import`` reads them
back (a hidden ``_qa`` sheet says where they are).
"""

from __future__ import annotations

import json
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.drawing.image import Image as XLImage
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Worksheet
from openpyxl.worksheet.datavalidation import DataValidation

from qa.judge import sampling
from qa.judge.judgement import conformance_of, judgement_of, profiles_of, stored
from qa.judge.profiles import Profile
from qa.judge.reviews import HUMAN_VERDICTS
from qa.judge.verdicts import Judgement, Verdict
from qa.model import VIOLATION, Results
from qa.report import _crops
from qa.report._axe_ja import message_ja
from qa.report._parallel import run_jobs
from qa.report._vocab import CONFORMANCE, REASONS, REVIEW_STATES, pick, verdict_labels
from qa.report._xlsx import save_workbook, write_table

NAME = "checklist"
FILENAMES = [f"checklist-{p}.xlsx" for p in ("wcag22", "jis2016", "wcag21")]  # for INDEX.md
META_SHEET = "_qa"
MAX_IMAGES = 400  # element crops cut and embedded per workbook
# Each workbook process holds the run's judgement (2,000 visits, both workbooks at once: 276 MB, against 193 MB
# one after the other): above this many visits they are built one after the other, so the report phase stays
# within the crawl's memory (bench_memory.py: 790 MB at 2,000 pages).
PARALLEL_MAX_VISITS = 2000
OBSOLETE = ("廃止 (WCAG 2.2 で削除)", "Obsolete (removed in WCAG 2.2)")

SHEETS = {
    "summary": ("試験結果", "Summary"),
    "criteria": ("達成基準チェックリスト", "Checklist"),
    "pages": ("ページ別判定", "Page checklist"),
    "findings": ("ページ別指摘事項一覧", "Findings"),
    "urls": ("試験対象ページ", "Tested pages"),
}


def filename(profile: Profile) -> str:
    return f"checklist-{profile.id}.xlsx"


def h(ja: str, en: str, lang: str) -> str:
    """A header: Japanese first with the English alongside in a ja workbook; English alone in an en one."""
    return f"{ja}\n{en}" if lang == "ja" else en


def render(results: Results, out_dir: Path) -> list[Path]:
    lang = (results.run.config or {}).get("lang", "ja")
    level = stored(results)["level"]
    profiles = profiles_of(results)
    jobs = [partial(_save, results, profile, level, lang, out_dir) for profile in profiles]
    run_jobs(jobs, parallel=len(results.pages) <= PARALLEL_MAX_VISITS)
    return [out_dir / filename(profile) for profile in profiles]


def _save(results: Results, profile: Profile, level: str, lang: str, out_dir: Path) -> None:
    Deliverable(results, profile, level, lang, out_dir).save(out_dir / filename(profile))


class Deliverable:
    def __init__(self, results: Results, profile: Profile, level: str, lang: str, run_dir: Path) -> None:
        self.results, self.profile, self.level, self.lang, self.run_dir = results, profile, level, lang, run_dir
        self.config = results.run.config or {}
        self.j: Judgement = judgement_of(results, profile)
        self.labels = verdict_labels(self.config, lang)
        self.human = [self.labels[v] for v in HUMAN_VERDICTS]
        # Streamed (write-only): the page checklist has a row per page and criterion, and a streamed sheet
        # writes it in half the time of an in-memory one, in a fraction of the memory.
        self.wb = Workbook(write_only=True)
        self.meta: dict[str, Any] = {"run": results.run.id, "profile": profile.id, "level": level, "lang": lang}
        self.page_rows: dict[str, int] = {}  # sc -> first row in the page checklist

    def name(self, key: str) -> str:
        return pick(SHEETS[key], self.lang)

    def save(self, path: Path) -> None:
        summary = self.wb.create_sheet(self.name("summary"))
        pages = self.wb.create_sheet(self.name("pages"))
        self.page_sheet(pages)  # first: the checklist links into it
        criteria = self.wb.create_sheet(self.name("criteria"), 1)
        self.criteria_sheet(criteria)
        self.findings_sheet(self.wb.create_sheet(self.name("findings")))
        self.urls_sheet(self.wb.create_sheet(self.name("urls")))
        self.summary_sheet(summary)
        meta = self.wb.create_sheet(META_SHEET)
        meta.append([json.dumps(self.meta, ensure_ascii=False)])
        meta.sheet_state = "hidden"
        if self.results.run.status != "complete":  # printed on every page: a partial run must not pass for a full one
            for sheet in self.wb.worksheets:
                sheet.oddHeader.center.text = "PARTIAL RUN (interrupted) / 部分的な結果（中断）"
        save_workbook(self.wb, path)

    # -- text -------------------------------------------------------------------------------------------
    def note(self, v: Verdict) -> str:
        parts = [pick(REASONS.get(v.reason, (v.reason, v.reason)), self.lang)]
        if v.outside_sample:
            parts.append(
                f"試験対象外のページで違反 {v.outside_sample} 件"
                if self.lang == "ja"
                else f"{v.outside_sample} violation(s) on audited pages outside the sample"
            )
        if v.review_state:
            r = v.review or {}
            who = ", ".join(x for x in (r.get("reviewer", ""), r.get("date", "")) if x)
            text = f"{pick(REVIEW_STATES[v.review_state], self.lang)}: {self.labels[r['verdict']]}"
            parts.append(text + (f" ({who})" if who else "") + (f" {r['note']}" if r.get("note") else ""))
        return "; ".join(parts)

    def evidence(self, v: Verdict) -> str:
        if not v.checks and not v.rules:
            return "自動チェックなし" if self.lang == "ja" else "no automated check"
        cov = {"full": "全体", "partial": "一部"} if self.lang == "ja" else {"full": "full", "partial": "partial"}
        text = f"{', '.join(v.checks)} ({cov.get(v.coverage, '-')})"
        if v.rules:
            text += "; " + ", ".join(f"{r} ({n})" for r, n in sorted(v.rules.items(), key=lambda kv: (-kv[1], kv[0])))
        return text

    def applies(self, v: Verdict) -> str:
        a = v.applies
        return (
            ("○" if a else "－" if a is False else "")
            if self.lang == "ja"
            else ("Yes" if a else "No" if a is False else "")
        )

    def human_cells(self, v: Verdict) -> list[str]:
        r = v.review if v.review_state in ("applied", "unpinned") else None
        if not r:
            return ["", "", "", ""]
        return [self.labels[r["verdict"]], r.get("note", ""), r.get("reviewer", ""), r.get("date", "")]

    # -- sheets -----------------------------------------------------------------------------------------
    def criteria_sheet(self, ws: Worksheet) -> None:
        lang, rows = self.lang, []
        for c, _ in self.profile.rows(self.level):
            title = self.profile.title_ja(c)
            head = [c.sc, title, c.title_en, c.level]
            if c.sc not in self.j.site:  # listed as obsolete, never judged
                rows.append(head + ["", pick(OBSOLETE, lang), "", 0, 0, "", "", "", "obsolete", "", "", "", "", "", ""])
                continue
            v = self.j.site[c.sc]
            pages = " / ".join(f"{self.labels[k]} {n}" for k, n in sorted(v.pages.items()))
            rows.append(
                head
                + [self.applies(v), self.labels[v.verdict], self.note(v), v.violations, v.needs_review, pages]
                + [self.evidence(v), self.details_link(ws, c.sc), v.verdict]
                + self.human_cells(v)
                + [v.fingerprint, " ".join(v.violation_ids)[:30000]]
            )
        headers = [
            h("番号", "SC", lang),
            h("達成基準", "Success criterion (ja)", lang),
            "Success criterion",
            h("レベル", "Level", lang),
            h("適用", "Applies", lang),
            h("結果", "Result", lang),
            h("注記", "Note", lang),
            h("違反", "Violations", lang),
            h("要確認", "Needs review", lang),
            h("ページ別の結果", "Pages by result", lang),
            h("自動チェックの根拠", "Automated evidence", lang),
            h("詳細", "Details", lang),
            "verdict",
            h("人による判定", "Human verdict", lang),
            h("確認者の注記", "Reviewer note", lang),
            h("確認者", "Reviewer", lang),
            h("確認日", "Review date", lang),
            "fingerprint",
            "acknowledged",
        ]
        widths = [8, 34, 30, 6, 6, 12, 44, 8, 8, 22, 50, 8, 13, 14, 30, 12, 12, 10, 10]
        n = write_table(ws, headers, rows, widths, hidden=self.pin_columns(14))
        self.inputs(ws, n, first=14, key="criteria")

    def details_link(self, ws: Worksheet, sc: str) -> Cell | str:
        """The criterion's first row in the page checklist (written before this sheet)."""
        text = "詳細" if self.lang == "ja" else "Details"
        if sc not in self.page_rows:
            return text
        cell = WriteOnlyCell(ws, text)
        cell.hyperlink = f"#'{self.name('pages')}'!A{self.page_rows[sc]}"
        return cell

    def page_sheet(self, ws: Worksheet) -> None:
        lang, rows = self.lang, []
        titles = {p.url: p.title for p in self.results.pages}
        for c in self.profile.criteria(self.level):
            if c.sc not in self.j.site:
                continue
            for url in self.j.urls:
                v = self.j.pages[url][c.sc]
                self.page_rows.setdefault(c.sc, len(rows) + 2)
                rows.append(
                    [c.sc, self.profile.title_ja(c), url, titles.get(url, ""), self.applies(v), self.labels[v.verdict]]
                    + [self.note(v), v.violations, v.needs_review, self.evidence(v), v.verdict]
                    + self.human_cells(v)
                    + [v.fingerprint, " ".join(v.violation_ids)]
                )
        headers = [
            h("番号", "SC", lang),
            h("達成基準", "Success criterion", lang),
            h("ページ", "Page", lang),
            h("ページタイトル", "Page title", lang),
            h("適用", "Applies", lang),
            h("結果", "Result", lang),
            h("注記", "Note", lang),
            h("違反", "Violations", lang),
            h("要確認", "Needs review", lang),
            h("自動チェックの根拠", "Automated evidence", lang),
            "verdict",
            h("人による判定", "Human verdict", lang),
            h("確認者の注記", "Reviewer note", lang),
            h("確認者", "Reviewer", lang),
            h("確認日", "Review date", lang),
            "fingerprint",
            "acknowledged",
        ]
        widths = [8, 30, 50, 30, 6, 12, 40, 8, 8, 44, 13, 14, 30, 12, 12, 10, 10]
        n = write_table(ws, headers, rows, widths, hidden=self.pin_columns(12))
        self.inputs(ws, n, first=12, key="pages")

    @staticmethod
    def pin_columns(first: int) -> tuple[int, int]:
        """Fingerprint and acknowledged, after the four human columns from ``first``: hidden, read by import."""
        return first + 4, first + 5

    def inputs(self, ws: Worksheet, n: int, first: int, key: str) -> None:
        """Drop-down for the human verdict; where import finds the human columns."""
        col = get_column_letter
        dv = DataValidation(type="list", formula1='"' + ",".join(self.human) + '"', allow_blank=True)
        dv.error = (
            "適合 / 不適合 / 適用なし から選んでください" if self.lang == "ja" else "Pick a verdict from the list"
        )
        dv.showErrorMessage = True
        ws.data_validations.append(dv)
        if n:
            dv.add(f"{col(first)}2:{col(first)}{n + 1}")
        self.meta[key] = {"sheet": ws.title, "first_input": first, "url_col": 3 if key == "pages" else 0}

    def findings_sheet(self, ws: Worksheet) -> None:
        lang = self.lang
        visits = {(p.url, p.browser, p.viewport): p for p in self.results.pages}
        outcome = {VIOLATION: ("違反", "Violation")}
        findings = sorted(self.results.findings, key=lambda f: (f.url, f.sc[:1], f.rule, f.target))
        crops: list[tuple[int, Path]] = []
        rows = []
        # Crops only for the findings whose crop the sheet embeds: cutting thousands nobody sees took longer
        # than writing the workbook; report.html outlines every finding on its page's screenshot instead.
        croppable = [f for f in findings if f.details.get("bbox") and visits.get((f.url, f.browser, f.viewport))]
        cut = _crops.crops_for(croppable[:MAX_IMAGES], visits, self.run_dir)
        for i, f in enumerate(findings, start=1):
            crop = cut.get(f.id)
            if crop:
                crops.append((i + 1, crop))
            rows.append(
                [i, f.url, ", ".join(f.sc), f.rule, pick(outcome.get(f.outcome, ("要確認", "Needs review")), lang)]
                + [f.impact or "", f.target, f.html, message_ja(f), f.message]
                + [crop.relative_to(self.run_dir).as_posix() if crop else "", ", ".join(f.seen_in), f.check, f.id]
            )
        headers = [
            "No",
            h("ページ", "Page", lang),
            h("達成基準", "SC", lang),
            h("ルール", "Rule", lang),
            h("種別", "Outcome", lang),
            h("影響度", "Impact", lang),
            h("要素 (セレクタ)", "Element (selector)", lang),
            "HTML",
            h("メッセージ (日本語)", "Message (Japanese)", lang),
            "Message (English)",
            h("スクリーンショット", "Screenshot", lang),
            h("確認環境", "Seen in", lang),
            h("チェック", "Check", lang),
            "ID",
        ]
        for row, crop in crops[:MAX_IMAGES]:  # row heights before the rows: a streamed sheet writes them in order
            image = XLImage(str(crop))
            ws.add_image(image, f"K{row}")
            ws.row_dimensions[row].height = max(15, min(image.height, 240) * 0.75 + 4)
            image.height, image.width = (min(image.height, 240), image.width * min(image.height, 240) / image.height)
        write_table(ws, headers, rows, [5, 45, 9, 22, 9, 9, 30, 40, 50, 50, 34, 18, 10, 18])

    def urls_sheet(self, ws: Worksheet) -> None:
        sample = self.results.extra.get(sampling.SECTION) or {}
        representative = set(sample.get("representative", []))
        titles = {p.url: p.title for p in self.results.pages}
        kind = {True: ("代表", "Representative"), False: ("ランダム", "Random")}
        method = sample.get("method", "all")
        rows = [
            [i, url, titles.get(url, ""), pick(kind[url in representative], self.lang) if method != "all" else ""]
            for i, url in enumerate(self.j.urls, start=1)
        ]
        lang = self.lang
        write_table(
            ws,
            ["No", "URL", h("ページタイトル", "Page title", lang), h("選択", "Selected as", lang)],
            rows,
            [5, 70, 40, 14],
        )

    def summary_sheet(self, ws: Worksheet) -> None:
        lang, run, cfg = self.lang, self.results.run, self.config
        claim = cfg.get("claim") or {}
        derived = conformance_of(self.results, self.profile)
        counts = derived.counts
        status = f"{self.level} {pick(CONFORMANCE[derived.status], lang)}"
        detail = ", ".join(f"{self.labels[k]} {counts[k]}" for k in sorted(counts))
        basis = (
            f"達成基準チェックリストから算出 (目標からの転記ではない): {detail}。"
            "用語は WAIC「ウェブコンテンツの JIS X 8341-3:2016 対応度表記ガイドライン」による"
            if lang == "ja"
            else f"derived from the checklist, not copied from the target: {detail}; terms as in WAIC's "
            "JIS X 8341-3:2016 conformance-claim guideline"
        )
        sample = self.results.extra.get(sampling.SECTION) or sampling.select(self.results, {})
        audited = len(sampling.audited_urls(self.results))
        start, end = self.period()
        scope = claim.get("scope") or (
            f"{run.start_url} 以下でクロールにより到達したウェブページ ({audited} ページを自動チェック)"
            if lang == "ja"
            else f"pages reached by crawling from {run.start_url} ({audited} pages checked automatically)"
        )
        tools = f"qa-suite {run.tool.get('version', '')}, axe-core {run.engines.get('axe-core', '')}, " + ", ".join(
            f"{b.get('product', n)} {b.get('version', '')}" for n, b in (run.engines.get("browsers") or {}).items()
        )
        items = [
            ("表明日", "Date of the claim", str(claim.get("date") or (run.finished or run.started)[:10])),
            ("規格の規格番号及び改正年", "Standard and year", self.profile.standard),
            ("目標とする適合レベル", "Target conformance level", self.level),
            ("満たしている適合レベル及び対応度", "Conformance level met and 対応度", status),
            ("対応度の根拠", "Basis of the 対応度", basis),
            ("対象となるウェブページ", "Scope", scope),
            ("依存したウェブコンテンツ技術", "Technologies relied upon", ", ".join(self.technologies())),
            ("試験対象ページの選択方法及びページ数", "Page selection and count", sampling.describe(sample, lang)),
            (
                "試験を行ったウェブページの URI",
                "URIs of the tested pages",
                f"「{self.name('urls')}」シート ({len(self.j.urls)} 件)"
                if lang == "ja"
                else f"sheet '{self.name('urls')}' ({len(self.j.urls)})",
            ),
            ("達成基準チェックリスト", "Success-criteria checklist", f"「{self.name('criteria')}」"),
            ("試験実施期間", "Test period", f"{start} – {end}" if start != end else start),
            ("試験実施者", "Tester", claim.get("tester") or ""),
            ("使用したツール", "Tools", tools),
            ("実行 ID", "Run id", run.id),
        ]
        rows = [
            [i, ja if lang == "ja" else en, value] + ([en] if lang == "ja" else [])
            for i, (ja, en, value) in enumerate(items, 1)
        ]
        headers = ["No", h("項目", "Item", lang), h("内容", "Value", lang)] + (["Item"] if lang == "ja" else [])
        write_table(ws, headers, rows, [5, 34, 90, 30], wrap=True)

    def period(self) -> tuple[str, str]:
        run = self.results.run
        dates = [run.started[:10], (run.finished or run.started)[:10]]
        for v in [*self.j.site.values(), *(v for p in self.j.pages.values() for v in p.values())]:
            if v.review_state in ("applied", "unpinned") and (v.review or {}).get("date"):
                dates.append(v.review["date"])
        return min(dates), max(dates)

    def technologies(self) -> list[str]:
        listed = (self.config.get("claim") or {}).get("technologies")
        if listed:
            return list(listed)
        found: Counter = Counter()
        for p in self.results.pages:
            inv = p.facts.get("inventory") or {}
            for key, tech in (("stylesheets", "CSS"), ("scripts", "JavaScript"), ("aria", "WAI-ARIA"), ("svg", "SVG")):
                if inv.get(key):
                    found[tech] += 1
        return ["HTML", *(t for t in ("CSS", "JavaScript", "WAI-ARIA", "SVG") if found[t])]
