"""The 達成基準チェックリスト deliverable: one workbook per conformance profile (``checklist-<profile>.xlsx``).

Printed sheets, in the layout published 試験結果 pages and the WAIC template use (Japanese names and words in a
``ja`` workbook, English in an ``en`` one): 試験結果 (the JIS X 8341-3 附属書JB JB.3.1 items with the derived 対応度),
達成基準チェックリスト (exactly 番号 / 達成基準 / 適合レベル / 適用 / 結果 / 注記), ページ別指摘事項一覧 (one row per
finding, with the element's cropped screenshot), 試験対象ページ (the numbered URLs), 試験方法 (per criterion:
automatic, automatic + human or human only, with the tools) and 例外事項 (pages excluded or not auditable).

Work sheets for the people who finish the test: 達成基準の詳細 (evidence, counts and the site-wide human verdict
columns) and ページ別判定 (one row per judged page and criterion, with its human verdict columns). ``qa review
import`` reads those columns back (a hidden ``_qa`` sheet says where they are); the pins it needs (fingerprint,
acknowledged) and the machine values are hidden columns.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Worksheet
from openpyxl.worksheet.datavalidation import DataValidation

from qa.judge import sampling
from qa.judge.criteria import evidence_of, review_procedures
from qa.judge.inventory import inventory_of
from qa.judge.judgement import conformance_of, judgement_of, profiles_of, stored, trend_of
from qa.judge.profiles import Profile
from qa.judge.reviews import HUMAN_VERDICTS
from qa.judge.verdicts import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS, REVIEW, Judgement, Verdict
from qa.model import Results
from qa.report import _crops
from qa.report._axe_ja import Messages
from qa.report._inventory import reason_ja, skipped_browsers, skipped_text
from qa.report._parallel import run_jobs
from qa.report._vocab import (
    APPLIES,
    GUIDELINES,
    METHODS,
    OUTCOMES,
    PROVISIONAL_NA,
    REASONS,
    REVIEW_STATES,
    pick,
    verdict_labels,
)
from qa.report._xlsx import Link, PrintHeader, finish_print, local_time, save_workbook, write_table

NAME = "checklist"
FILENAMES = [f"checklist-{p}.xlsx" for p in ("wcag22", "jis2016", "wcag21")]  # for INDEX.md
META_SHEET = "_qa"
MAX_IMAGES = 400  # element crops cut and embedded per workbook
IMAGE_HEIGHT = 120  # px: the crop's height in the findings sheet (its row grows to fit)
# Each workbook process holds the run's judgement (2,000 visits, both workbooks at once: 276 MB, against 193 MB
# one after the other): above this many visits they are built one after the other, so the report phase stays
# within the crawl's memory (bench_memory.py: 790 MB at 2,000 pages).
PARALLEL_MAX_VISITS = 2000
OBSOLETE = ("廃止 (WCAG 2.2 で削除)", "Obsolete (removed in WCAG 2.2)")
HUMAN = ("applied", "unpinned")  # review states whose verdict the deliverable shows
# The kinds of evidence a check declares for a criterion (qa.check FULL / PARTIAL / AID).
EVIDENCE_WORDS = {"full": ("全体", "full"), "partial": ("一部", "partial"), "aid": ("確認補助", "review aid")}

SHEETS = {
    "summary": ("試験結果", "Summary"),
    "criteria": ("達成基準チェックリスト", "Checklist"),
    "pages": ("ページ別判定", "Page checklist"),
    "findings": ("ページ別指摘事項一覧", "Findings"),
    "urls": ("試験対象ページ", "Tested pages"),
    "details": ("達成基準の詳細", "Criteria details"),
    "method": ("試験方法", "Test method"),
    "exceptions": ("例外事項", "Exceptions"),
    "guide": ("確認ガイド", "Review guide"),
}
ORDER = 10  # first: its workbooks go to forked children while the other reports render here
GUIDE_ELEMENTS = 5  # elements named per page and criterion in the review guide
TITLE = ("達成基準チェックリスト", "Success-criteria checklist")


def filename(profile: Profile) -> str:
    return f"checklist-{profile.id}.xlsx"


def render(results: Results, out_dir: Path) -> list[Path]:
    lang = (results.run.config or {}).get("lang", "ja")
    level = stored(results)["level"]
    profiles = profiles_of(results)
    jobs = [partial(_save, results, profile, level, lang, out_dir) for profile in profiles]
    run_jobs(jobs, parallel=len(results.pages) <= PARALLEL_MAX_VISITS)
    return [out_dir / filename(profile) for profile in profiles]


def _save(results: Results, profile: Profile, level: str, lang: str, out_dir: Path) -> None:
    Deliverable(results, profile, level, lang, out_dir).save(out_dir / filename(profile))


def site_url(results: Results) -> str:
    """The public address the claim is about (``claim.site_url``), else the address that was tested."""
    return ((results.run.config or {}).get("claim") or {}).get("site_url") or results.run.start_url or ""


class Deliverable:
    def __init__(self, results: Results, profile: Profile, level: str, lang: str, run_dir: Path) -> None:
        self.results, self.profile, self.level, self.lang, self.run_dir = results, profile, level, lang, run_dir
        self.config = results.run.config or {}
        self.tz = self.config.get("timezone") or "Asia/Tokyo"
        self.j: Judgement = judgement_of(results, profile)
        self.labels = verdict_labels(self.config, lang)
        self.human = [self.labels[v] for v in HUMAN_VERDICTS]
        self.words = Messages(self.config, lang)
        # Streamed (write-only): the page checklist has a row per page and criterion, and a streamed sheet
        # writes it in half the time of an in-memory one, in a fraction of the memory.
        self.wb = Workbook(write_only=True)
        self.meta: dict[str, Any] = {"run": results.run.id, "profile": profile.id, "level": level, "lang": lang}
        self.page_rows: dict[str, int] = {}  # sc -> first row in the page checklist
        self.evidence = evidence_of(results.checks)

    def t(self, ja: str, en: str) -> str:
        return ja if self.lang == "ja" else en

    def name(self, key: str) -> str:
        return pick(SHEETS[key], self.lang)

    def save(self, path: Path) -> None:
        summary = self.wb.create_sheet(self.name("summary"))
        criteria = self.wb.create_sheet(self.name("criteria"))
        pages = self.wb.create_sheet(self.name("pages"))
        findings = self.wb.create_sheet(self.name("findings"))
        urls = self.wb.create_sheet(self.name("urls"))
        details = self.wb.create_sheet(self.name("details"))
        method = self.wb.create_sheet(self.name("method"))
        exceptions = self.wb.create_sheet(self.name("exceptions"))
        guide = self.wb.create_sheet(self.name("guide"))
        self.page_sheet(pages)  # first: the details link into it
        self.criteria_sheet(criteria)
        self.details_sheet(details)
        self.findings_sheet(findings)
        self.urls_sheet(urls)
        self.method_sheet(method)
        self.exceptions_sheet(exceptions)
        self.guide_sheet(guide)  # after the findings: it links the crops they cut
        self.summary_sheet(summary)
        meta = self.wb.create_sheet(META_SHEET)
        meta.append([json.dumps(self.meta, ensure_ascii=False)])
        meta.sheet_state = "hidden"
        run = self.results.run
        finish_print(
            self.wb,
            PrintHeader(
                title=pick(TITLE, self.lang),
                site=site_url(self.results),
                profile=f"{self.profile.standard} {self.t('適合レベル', 'level')} {self.level}",
                when=local_time(run.finished or run.started, self.tz),
                lang=self.lang,
                partial=run.status != "complete",  # on every page: a partial run must not pass for a full one
            ),
        )
        save_workbook(self.wb, path)

    # -- words ------------------------------------------------------------------------------------------
    def result(self, v: Verdict) -> str:
        """結果: a label a reader cannot mistake for another; an automatic 適用なし stays provisional until a
        person confirms it."""
        label = self.labels[v.verdict]
        if v.verdict == NOT_APPLICABLE and not (v.review_state in HUMAN and (v.review or {}).get("verdict")):
            return label + pick(PROVISIONAL_NA, self.lang)
        return label

    def applies(self, v: Verdict) -> str:
        """適用, on every row: 適用 / 適用なし / 未判定 (nobody has decided whether such content is there)."""
        if v.verdict == NOT_APPLICABLE:
            return pick(APPLIES[False], self.lang)
        if v.verdict in (PASS, FAIL) or v.applies:
            return pick(APPLIES[True], self.lang)
        return pick(APPLIES[None], self.lang)

    def note(self, v: Verdict) -> str:
        """注記: one short sentence, the human verdict when there is one, else why the checks decided so."""
        end = "。" if self.lang == "ja" else "."
        if v.review_state:
            r = v.review or {}
            text = pick(REVIEW_STATES[v.review_state], self.lang)
            if v.review_state in HUMAN:
                who = self.t("、", ", ").join(x for x in (r.get("reviewer", ""), r.get("date", "")) if x)
                text += self.t(f"（{who}）", f" ({who})") if who else ""
                if r.get("note"):
                    return f"{text}: {r['note']}".rstrip("。.") + end
            return text + end
        text = pick(REASONS.get(v.reason, (v.reason, v.reason)), self.lang)
        if v.unexamined:
            names = ", ".join(v.unexamined)
            text += self.t(
                f"。{names} はブラウザに調べる手段がなく検査できなかった（理由は実行記録）",
                f"; {names} could not examine it: the browser had no means to probe (the run log says why)",
            )
        if v.outside_sample:
            text += self.t(
                f"。試験対象外のページでも違反 {v.outside_sample} 件",
                f"; {v.outside_sample} violation(s) on audited pages outside the sample",
            )
        return text + end

    def evidence_text(self, v: Verdict) -> str:
        if not v.checks and not v.rules:
            return self.t("自動チェックなし", "no automated check")
        # Each check with the kind of evidence it declared for this criterion (qa.judge.criteria.evidence_of).
        kinds = self.evidence.get(v.sc, {})
        text = ", ".join(
            f"{ch} ({pick(EVIDENCE_WORDS.get(kinds.get(ch, ''), ('-', '-')), self.lang)})" for ch in v.checks
        )
        if v.coverage == "full" and "full" not in kinds.values():  # full by a set of rules (FULL_BY_RULES)
            text += f" ({pick(EVIDENCE_WORDS['full'], self.lang)})"
        if v.rules:
            text += "; " + ", ".join(f"{r} ({n})" for r, n in sorted(v.rules.items(), key=lambda kv: (-kv[1], kv[0])))
        return text

    def method(self, v: Verdict | None) -> str:
        """How the criterion is tested: by the checks alone, by the checks and a person, or by a person only."""
        if v is None or not v.checks:
            return pick(METHODS["human"], self.lang)
        return pick(METHODS["auto" if v.coverage == "full" else "auto+human"], self.lang)

    def human_cells(self, v: Verdict) -> list[str]:
        r = v.review if v.review_state in HUMAN else None
        if not r:
            return ["", "", "", ""]
        return [self.labels[r["verdict"]], r.get("note", ""), r.get("reviewer", ""), r.get("date", "")]

    # -- sheets -----------------------------------------------------------------------------------------
    def criteria_sheet(self, ws: Worksheet) -> None:
        """The published table: exactly 番号 / 達成基準 / 適合レベル / 適用 / 結果 / 注記."""
        rows = []
        for c, _ in self.profile.rows(self.level):
            head = [c.sc, self.profile.title_ja(c) if self.lang == "ja" else c.title_en, c.level]
            if c.sc not in self.j.site:  # listed as obsolete, never judged
                rows.append(head + [pick(APPLIES[False], self.lang), pick(OBSOLETE, self.lang), ""])
                continue
            v = self.j.site[c.sc]
            rows.append(head + [self.applies(v), self.result(v), self.note(v)])
        headers = [
            self.t("番号", "SC"),
            self.t("達成基準", "Success criterion"),
            self.t("適合レベル", "Level"),
            self.t("適用", "Applies"),
            self.t("結果", "Result"),
            self.t("注記", "Note"),
        ]
        write_table(ws, headers, rows, [7, 34, 9, 9, 26, 60])

    def details_sheet(self, ws: Worksheet) -> None:
        """Evidence and counts per criterion, and the columns a person fills in for a site-wide verdict."""
        rows = []
        for c, _ in self.profile.rows(self.level):
            head = [c.sc, self.profile.title_ja(c) if self.lang == "ja" else c.title_en]
            if c.sc not in self.j.site:
                rows.append(head + [pick(OBSOLETE, self.lang)] + [""] * 10 + ["", "", c.title_en, "obsolete"])
                continue
            v = self.j.site[c.sc]
            pages = self.t("、", ", ").join(f"{self.labels[k]} {n}" for k, n in sorted(v.pages.items()))
            rows.append(
                head
                + [self.result(v), self.method(v), v.violations, v.needs_review, pages, self.evidence_text(v)]
                + [self.details_link(c.sc)]
                + self.human_cells(v)
                + [v.fingerprint, " ".join(v.violation_ids)[:30000], c.title_en, v.verdict]
            )
        headers = [
            self.t("番号", "SC"),
            self.t("達成基準", "Success criterion"),
            self.t("結果", "Result"),
            self.t("試験方法", "Method"),
            self.t("違反", "Violations"),
            self.t("要確認", "To review"),
            self.t("ページ別の結果", "Pages by result"),
            self.t("自動チェックの根拠", "Automated evidence"),
            self.t("詳細", "Details"),
            self.t("人による判定", "Human verdict"),
            self.t("確認者の注記", "Reviewer note"),
            self.t("確認者", "Reviewer"),
            self.t("確認日", "Review date"),
            "fingerprint",
            "acknowledged",
            "Success criterion (English)",
            "verdict",
        ]
        widths = [7, 24, 20, 9, 6, 6, 20, 36, 6, 10, 18, 9, 11, 10, 10, 30, 13]
        first = 10
        n = write_table(ws, headers, rows, widths, hidden=(*self.pin_columns(first), 16, 17))
        self.inputs(ws, n, first=first, key="criteria")

    def details_link(self, sc: str) -> Link | str:
        """The criterion's first row in the page checklist (written before this sheet)."""
        text = self.t("詳細", "Details")
        if sc not in self.page_rows:
            return text
        return Link(text, f"#'{self.name('pages')}'!A{self.page_rows[sc]}")

    def page_sheet(self, ws: Worksheet) -> None:
        def rows() -> Iterator[list]:  # made as they are written: a row per page and criterion
            n = 0
            for c in self.profile.criteria(self.level):
                if c.sc not in self.j.site:
                    continue
                title = self.profile.title_ja(c) if self.lang == "ja" else c.title_en
                for url in self.j.urls:
                    v = self.j.pages[url][c.sc]
                    self.page_rows.setdefault(c.sc, n + 2)
                    n += 1
                    yield (
                        [c.sc, title, url, self.applies(v), self.result(v), self.note(v)]
                        + self.human_cells(v)
                        + [v.fingerprint, " ".join(v.violation_ids)]
                        + [v.violations, v.needs_review, self.evidence_text(v), v.verdict]
                    )

        headers = [
            self.t("番号", "SC"),
            self.t("達成基準", "Success criterion"),
            self.t("ページ", "Page"),
            self.t("適用", "Applies"),
            self.t("結果", "Result"),
            self.t("注記", "Note"),
            self.t("人による判定", "Human verdict"),
            self.t("確認者の注記", "Reviewer note"),
            self.t("確認者", "Reviewer"),
            self.t("確認日", "Review date"),
            "fingerprint",
            "acknowledged",
            self.t("違反", "Violations"),
            self.t("要確認", "To review"),
            self.t("自動チェックの根拠", "Automated evidence"),
            "verdict",
        ]
        widths = [7, 20, 34, 9, 20, 30, 10, 18, 9, 11, 10, 10, 6, 6, 40, 13]
        first = 7
        n = write_table(ws, headers, rows(), widths, hidden=(*self.pin_columns(first), 13, 14, 15, 16))
        self.inputs(ws, n, first=first, key="pages")

    @staticmethod
    def pin_columns(first: int) -> tuple[int, int]:
        """Fingerprint and acknowledged, after the four human columns from ``first``: hidden, read by import."""
        return first + 4, first + 5

    def inputs(self, ws: Worksheet, n: int, first: int, key: str) -> None:
        """Drop-down for the human verdict; where import finds the human columns."""
        col = get_column_letter
        dv = DataValidation(type="list", formula1='"' + ",".join(self.human) + '"', allow_blank=True)
        dv.error = self.t(f"{' / '.join(self.human)} から選んでください", "Pick a verdict from the list")
        dv.showErrorMessage = True
        ws.data_validations.append(dv)
        if n:
            dv.add(f"{col(first)}2:{col(first)}{n + 1}")
        self.meta[key] = {"sheet": ws.title, "first_input": first, "url_col": 3 if key == "pages" else 0}

    def findings_sheet(self, ws: Worksheet) -> None:
        words = self.words
        visits = {(p.url, p.browser, p.viewport): p for p in self.results.pages}
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
            fix = words.fix(f)
            link = words.help_url(f)
            rows.append(
                [i, f.url, words.sc_text(f), f.rule, pick(OUTCOMES.get(f.outcome, OUTCOMES["needs-review"]), self.lang)]
                + [words.impact(f), f.target, words.message(f), "\n".join(x for x in (fix, link) if x), ""]
                + [f.html, f.message, crop.relative_to(self.run_dir).as_posix() if crop else ""]
                + [", ".join(f.seen_in), f.check, f.id]
            )
        headers = [
            "No",
            self.t("ページ", "Page"),
            self.t("達成基準", "SC"),
            self.t("ルール", "Rule"),
            self.t("種別", "Outcome"),
            self.t("影響度", "Impact"),
            self.t("要素 (セレクタ)", "Element (selector)"),
            self.t("メッセージ", "Message"),
            self.t("修正方法", "How to fix"),
            self.t("要素の画像", "Element"),
            "HTML",
            "Message (English)",
            self.t("スクリーンショット", "Screenshot"),
            self.t("確認環境", "Seen in"),
            self.t("チェック", "Check"),
            "ID",
        ]
        image_col = get_column_letter(headers.index(self.t("要素の画像", "Element")) + 1)
        for row, crop in crops[:MAX_IMAGES]:  # row heights before the rows: a streamed sheet writes them in order
            image = XLImage(str(crop))
            height = min(image.height, IMAGE_HEIGHT)
            image.width, image.height = image.width * height / image.height, height
            if image.width > 160:  # the column is 22 characters (about 160 px) wide
                image.height, image.width = image.height * 160 / image.width, 160
            ws.add_image(image, f"{image_col}{row}")
            ws.row_dimensions[row].height = max(15, image.height * 0.75 + 4)
        widths = [5, 26, 8, 14, 7, 7, 18, 38, 28, 22, 40, 50, 30, 18, 10, 18]
        write_table(ws, headers, rows, widths, hidden=range(11, 17))

    def urls_sheet(self, ws: Worksheet) -> None:
        sample = self.results.extra.get(sampling.SECTION) or {}
        representative = set(sample.get("representative", []))
        titles = page_titles(self.results)
        kind = {True: ("代表", "Representative"), False: ("ランダム", "Random")}
        method = sample.get("method", "all")
        rows = [
            [i, url, titles.get(url, ""), pick(kind[url in representative], self.lang) if method != "all" else ""]
            for i, url in enumerate(self.j.urls, start=1)
        ]
        headers = ["No", "URL", self.t("ページタイトル", "Page title"), self.t("選択", "Selected as")]
        write_table(ws, headers, rows, [5, 70, 50, 10])

    def tools(self) -> dict[str, str]:
        """check id -> the tool and version that ran it."""
        run = self.results.run
        suite = f"qa-suite {run.tool.get('version', '')}".strip()
        out = {c.id: self.t(f"{suite} の {c.id} チェック", f"{suite} ({c.id})") for c in self.results.checks}
        out["axe"] = f"axe-core {run.engines.get('axe-core', '')}".strip()
        return out

    def method_sheet(self, ws: Worksheet) -> None:
        """The method statement: per criterion, automatic / automatic + human / human only, with the tools."""
        tools = self.tools()
        rows = []
        for c, judged in self.profile.rows(self.level):
            title = self.profile.title_ja(c) if self.lang == "ja" else c.title_en
            if not judged:  # obsolete in this profile: listed as 廃止 on the checklist, never tested or judged
                rows.append([c.sc, title, pick(OBSOLETE, self.lang), self.t("なし", "none"), self.t("不要", "none")])
                continue
            v = self.j.site.get(c.sc)
            used = "、".join(dict.fromkeys(tools.get(x, x) for x in v.checks)) if v else ""
            human = {
                "auto": self.t("不要（自動チェックが基準全体を確認）", "not needed (the checks cover it fully)"),
                "auto+human": self.t("必要（自動チェックは基準の一部のみ）", "needed (the checks cover only part)"),
                "human": self.t("必要（自動チェックなし）", "needed (no automated check)"),
            }
            key = "human" if v is None or not v.checks else ("auto" if v.coverage == "full" else "auto+human")
            rows.append([c.sc, title, pick(METHODS[key], self.lang), used or self.t("なし", "none"), human[key]])
        headers = [
            self.t("番号", "SC"),
            self.t("達成基準", "Success criterion"),
            self.t("試験方法", "Method"),
            self.t("自動チェック（ツールとバージョン）", "Automated checks (tool and version)"),
            self.t("人による試験", "Human test"),
        ]
        write_table(ws, headers, rows, [7, 34, 10, 60, 34])

    def guide_sheet(self, ws: Worksheet) -> None:
        """確認ガイド: page by page, every criterion a person still has to judge there (needs review or not verified,
        no human verdict yet), with the elements to inspect, their crop or the page screenshot, the test procedure in
        two or three steps, the answer options and a link to the row of ページ別判定 where the answer goes (``qa
        review import`` reads it from there)."""
        procedures = review_procedures()
        by_page_sc: dict[tuple[str, str], list] = {}
        for f in self.results.findings:
            for sc in f.sc:
                by_page_sc.setdefault((f.url, sc), []).append(f)
        shots = {p.url: p.facts.get("screenshot", "") for p in reversed(self.results.pages) if not p.error}
        order = {url: i for i, url in enumerate(self.j.urls)}
        criteria = self.profile.criteria(self.level)
        # What a criterion's rows share, made once (a large site has tens of thousands of these rows)
        titles = {c.sc: self.profile.title_ja(c) if self.lang == "ja" else c.title_en for c in criteria}
        steps = {
            c.sc: "\n".join(f"{i}. {s}" for i, s in enumerate(procedures.get(c.sc, {}).get(self.lang, []), start=1))
            for c in criteria
        }
        answers, answer = " / ".join(self.human), self.t("記入する", "Answer here")
        whole_page = self.t("ページ全体", "the whole page")
        pages = self.name("pages")

        def rows() -> Iterator[list]:  # made as they are written
            n = 0
            for url in self.j.urls:
                for c in criteria:
                    v = self.j.pages[url].get(c.sc)
                    if v is None or v.verdict not in (REVIEW, NOT_VERIFIED) or v.review_state in HUMAN:
                        continue
                    found = sorted(by_page_sc.get((url, c.sc), []), key=lambda f: (f.outcome != "violation", f.target))
                    targets = list(dict.fromkeys(f.target for f in found if f.target))
                    elements = "\n".join(targets[:GUIDE_ELEMENTS]) or whole_page
                    if len(targets) > GUIDE_ELEMENTS:
                        elements += self.t(
                            f"\nほか {len(targets) - GUIDE_ELEMENTS} 件", f"\nand {len(targets) - GUIDE_ELEMENTS} more"
                        )
                    crop = next((self.run_dir / _crops.FOLDER / f"{f.id}.png" for f in found), None)
                    image = self.file_link(crop if crop and crop.exists() else None, shots.get(url, ""))
                    # a cell of its own, not wrapped; linked to the criterion's row of the page checklist if it has one
                    row = self.page_rows.get(c.sc)
                    n += 1
                    yield (
                        [n, url, c.sc, titles[c.sc], self.result(v), elements, image, steps[c.sc], answers]
                        + [Link(answer, f"#'{pages}'!G{row + order[url]}" if row is not None else None)]
                        + [procedures.get(c.sc, {}).get("understanding", "")]
                    )

        headers = [
            "No",
            self.t("ページ", "Page"),
            self.t("番号", "SC"),
            self.t("達成基準", "Success criterion"),
            self.t("自動チェックの結果", "Automated result"),
            self.t("要素 (セレクタ)", "Element (selector)"),  # a data column (selectors), as in the findings sheet
            self.t("画像", "Image"),
            self.t("確認手順", "Procedure"),
            self.t("回答の選択肢", "Answers"),
            self.t("記入先 (ページ別判定)", "Answer in (page checklist)"),
            self.t("解説 (W3C)", "Understanding (W3C)"),
        ]
        write_table(ws, headers, rows(), [5, 28, 7, 18, 14, 26, 10, 50, 16, 10, 20])

    def file_link(self, crop: Path | None, screenshot: str) -> Link | str:
        """A link to the element's crop, else to the page's screenshot (files of the run folder)."""
        if crop is not None:
            return Link(self.t("要素の画像", "element crop"), crop.relative_to(self.run_dir).as_posix())
        if screenshot:
            return Link(self.t("ページの画像", "page screenshot"), screenshot)
        return ""

    def exceptions(self) -> list[tuple[str, str]]:
        """例外事項: every page the run could not audit, once, with the reason (the run's page inventory, which
        every other deliverable counts too)."""
        return [
            (e.url, self.t(reason_ja(e.kind, e.status, e.reason), e.reason))
            for e in inventory_of(self.results).exceptions
        ]

    def left_out(self) -> str:
        """The regions and rules the settings left out of the checks (results.json ``scope``), in one cell: what
        a reviewer must know was not checked."""
        scope = self.results.extra.get("scope") or {}
        words = {
            "excluded": ("除外した領域", "regions excluded"),
            "hidden": ("非表示にした要素", "elements hidden"),
            "removed": ("取り除いた要素", "elements removed"),
        }
        parts = [
            f"{self.t(*words[key])}: {', '.join(matched)}"
            for key, matched in (scope.get("matched") or {}).items()
            if matched and key in words
        ]
        if (scope.get("rules") or {}).get("disable"):
            parts.append(f"{self.t('無効にしたルール', 'rules disabled')}: {', '.join(scope['rules']['disable'])}")
        for o in scope.get("overrides") or []:
            if (o.get("rules") or {}).get("disable"):
                parts.append(
                    self.t(
                        f"{o['match']} に一致するページで無効にしたルール",
                        f"rules disabled on pages matching {o['match']}",
                    )
                    + f": {', '.join(o['rules']['disable'])}"
                )
        return self.t("。", "; ").join(parts)

    def exceptions_sheet(self, ws: Worksheet) -> None:
        rows = [[i, url, why] for i, (url, why) in enumerate(self.exceptions(), start=1)]
        write_table(ws, ["No", "URL", self.t("理由", "Reason")], rows, [5, 70, 70])

    def summary_sheet(self, ws: Worksheet) -> None:
        run, cfg = self.results.run, self.config
        claim = cfg.get("claim") or {}
        derived = conformance_of(self.results, self.profile)
        record = stored(self.results)["profiles"][self.profile.id]["conformance"]
        counts = derived.counts
        status = (record.get("wording") or {}).get(self.lang) or derived.wording(self.lang)
        detail = self.t("、", ", ").join(f"{self.labels[k]} {counts[k]}" for k in sorted(counts))
        guideline = pick(GUIDELINES["compliance"], self.lang)
        basis = self.t(
            f"達成基準チェックリストから算出（目標からの転記ではない）: {detail}。用語は WAIC「{guideline}」による",
            f"derived from the checklist, not copied from the target: {detail}; terms as in WAIC's {guideline}",
        )
        sample = self.results.extra.get(sampling.SECTION) or sampling.select(self.results, {})
        audited = len(sampling.audited_urls(self.results))
        public = site_url(self.results)
        scope = claim.get("scope") or self.t(
            f"{public} 以下のウェブページ（クロールで到達した {audited} ページを自動チェック）",
            f"the web pages under {public} ({audited} pages reached by crawling were checked automatically)",
        )
        if public != run.start_url:
            scope += self.t(f"。試験は検証環境 {run.start_url} で実施", f"; tested on the staging site {run.start_url}")
        start, end = self.period()
        tester = "、".join(x for x in (claim.get("tester"), claim.get("organisation")) if x)
        methods = Counter(self.method(self.j.site.get(c.sc)) for c, judged in self.profile.rows(self.level) if judged)
        method_text = self.t("、", ", ").join(f"{k} {n}" for k, n in methods.items())
        exceptions = self.exceptions()
        browsers = ", ".join(
            f"{b.get('product', n)} {b.get('version', '')}".strip()
            for n, b in (run.engines.get("browsers") or {}).items()
        )
        tools = self.t(
            f"qa-suite {run.tool.get('version', '')}（自動チェック）、axe-core {run.engines.get('axe-core', '')}、"
            f"ブラウザ: {browsers}",
            f"qa-suite {run.tool.get('version', '')} (automated checks), axe-core {run.engines.get('axe-core', '')}, "
            f"browsers: {browsers}",
        )
        items = [
            (
                "表明日",
                "Date of the claim",
                str(claim.get("date") or local_time(run.finished or run.started, self.tz, False)),
            ),
            ("規格の規格番号及び改正年", "Standard and year", self.profile.standard),
            ("目標とする適合レベル", "Target conformance level", self.level),
            ("満たしている適合レベル及び対応度", "Conformance level met and degree of conformance", status),
            ("対応度の根拠", "Basis of the degree of conformance", basis),
            ("対象となるウェブページ", "Scope", scope),
            ("依存したウェブコンテンツ技術", "Technologies relied upon", "、".join(self.technologies())),
            ("試験対象ページの選択方法及びページ数", "Page selection and count", sampling.describe(sample, self.lang)),
            (
                "試験を行ったウェブページの URI",
                "URIs of the tested pages",
                self.t(
                    f"「{self.name('urls')}」シート（{len(self.j.urls)} 件）",
                    f"sheet '{self.name('urls')}' ({len(self.j.urls)})",
                ),
            ),
            (
                "達成基準チェックリスト",
                "Success-criteria checklist",
                self.t(f"「{self.name('criteria')}」シート", f"sheet '{self.name('criteria')}'"),
            ),
            (
                "例外事項",
                "Exceptions",
                self.t(
                    f"{len(exceptions)} 件（「{self.name('exceptions')}」シート）",
                    f"{len(exceptions)} (sheet '{self.name('exceptions')}')",
                )
                if exceptions
                else self.t("なし", "none"),
            ),
            (
                "検査対象から除外した範囲・ルール",
                "Left out of the checks",
                self.left_out() or self.t("なし", "none"),
            ),
            (
                "試験方法",
                "Test method",
                self.t(
                    f"附属書JB及び WAIC「{pick(GUIDELINES['test'], 'ja')}」に基づく。達成基準ごとの方法: {method_text}"
                    f"（「{self.name('method')}」シート）",
                    f"JIS X 8341-3:2016 Annex JB and the {pick(GUIDELINES['test'], 'en')}; per criterion: "
                    f"{method_text} (sheet '{self.name('method')}')",
                ),
            ),
            ("試験実施期間", "Test period", f"{start} ～ {end}" if start != end else start),
            (
                "試験実施者",
                "Tester",
                tester or self.t("（未記入: qa.yaml の claim.tester）", "(not given: claim.tester in qa.yaml)"),
            ),
            ("使用したツール", "Tools", tools),
            *(
                ("検査しなかったブラウザ", "Browsers not tested", skipped_text(entry, self.lang))
                for entry in skipped_browsers(self.results)
            ),
            ("実行 ID", "Run id", run.id),
        ]
        rows = [[i, self.t(ja, en), value] for i, (ja, en, value) in enumerate(items, 1)]
        write_table(ws, ["No", self.t("項目", "Item"), self.t("内容", "Value")], rows, [5, 30, 100])

    def period(self) -> tuple[str, str]:
        """From the first run of the test (the trend's earliest) to the last human review."""
        run = self.results.run
        days = [local_time(run.started, self.tz, False), local_time(run.finished or run.started, self.tz, False)]
        days += [local_time(r.get("started"), self.tz, False) for r in trend_of(self.results).get("runs", [])]
        for v in [*self.j.site.values(), *(v for p in self.j.pages.values() for v in p.values())]:
            if v.review_state in HUMAN and (v.review or {}).get("date"):
                days.append(v.review["date"])
        days = [d for d in days if d]
        return min(days), max(days)

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


# -- the page list reads the run's page inventory (qa.judge.inventory) -----------------------------------------------
def page_titles(results: Results) -> dict[str, str]:
    """The title of every page of the inventory, by its canonical URL (the URLs the judgement lists)."""
    return {p.url: p.title for p in inventory_of(results).pages}
