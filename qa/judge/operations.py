"""The operation checks behind the 検証完了チェックシート (operation-check completion sheet).

Automated rows are a pure function of the results (pages, findings, ``site_probes``). Manual rows come from a YAML
checklist (the project's ``operation-checks.yaml``, else the built-in list) and keep their results in results.json
(``operation_checks``): filled in the workbook (or the YAML) and imported with ``qa ops import``, carried into the
next run by row id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import BeforeValidator, ConfigDict, Field

from qa.config import Section, Text, checked, parse, read_yaml, to_date
from qa.errors import ConfigError
from qa.judge.gate import LINK_CHECKS, LINKS, finding_family, is_accepted
from qa.judge.inventory import COMMANDS, NOT_RUN_JA, family_of, inventory_of
from qa.model import NEEDS_REVIEW, VIOLATION, Results

OK, NG, NOT_APPLICABLE, UNCHECKED = "OK", "NG", "対象外", "未確認"
RESULTS = (OK, NG, NOT_APPLICABLE, UNCHECKED)
LABEL_RULES = ("label", "select-name", "input-button-name", "aria-input-field-name", "aria-toggle-field-name")
EVIDENCE_URLS = 10
NOT_PROBED = (
    "この実行では確認していない（運用チェックを実行していない）",
    "not probed in this run (the ops checks did not run)",
)


@dataclass
class OpRow:
    id: str
    item: str  # 確認項目 (Japanese)
    item_en: str
    how: str  # 確認方法
    result: str  # one of RESULTS
    evidence: str = ""  # Japanese (the sheet's language); a manual row's note as the person wrote it
    date: str = ""
    checker: str = ""
    automated: bool = True
    evidence_en: str = ""  # an automated row's evidence in English (``lang: en`` deliverables)
    how_en: str = ""


def _urls(urls: list[str], lang: str = "en") -> str:
    shown = ", ".join(urls[:EVIDENCE_URLS])
    more = len(urls) - EVIDENCE_URLS
    if more <= 0:
        return shown
    return shown + (f" … ほか {more} 件" if lang == "ja" else f" … and {more} more")


def _ran(results: Results, check_ids: tuple[str, ...] | str) -> bool:
    ids = (check_ids,) if isinstance(check_ids, str) else check_ids
    return any(c.id in ids and c.pages for c in results.checks)


def _not_run(ja: str, en: str, family: str) -> tuple[str, str]:
    """A row whose check did not run says so, and which command runs it."""
    return f"{NOT_RUN_JA}: {ja}（実行するには {COMMANDS[family]}）", f"not run: {en}; run {COMMANDS[family]}"


def automated_rows(results: Results) -> list[OpRow]:
    visits = results.pages
    # Pages as every deliverable counts them (the inventory: one page per document, its other addresses folded);
    # a URL that could not be audited is an exception, not a page.
    inventory = inventory_of(results)
    n = len(inventory.pages)
    rows: list[OpRow] = []

    def row(rid: str, ja: str, en: str, how: tuple[str, str], result: str, evidence: tuple[str, str]) -> None:
        rows.append(OpRow(rid, ja, en, how[0], result, evidence[0], evidence_en=evidence[1], how_en=how[1]))

    plain = sorted({p.final_url or p.url for p in inventory.pages if urlsplit(p.final_url or p.url).scheme != "https"})
    row(
        "https",
        "全ページがHTTPSで配信されている",
        "Every page is served over HTTPS",
        ("各ページの最終URL（リダイレクト後）のスキーム", "the scheme of each page's final URL (after redirects)"),
        UNCHECKED if not n else (NG if plain else OK),
        (
            f"{n} ページ中 {len(plain)} ページが http で配信: {_urls(plain, 'ja')}",
            f"{len(plain)} of {n} page(s) over http: {_urls(plain)}",
        )
        if plain
        else (f"{n} ページすべて https", f"{n} page(s), all https"),
    )
    canonical = inventory.alias_of()
    bad = sorted(
        {
            f"{p.url} ({p.status or p.error or 'no response'})"
            for p in visits
            if p.status != 200 and p.url not in canonical
        }
    )
    n_ex = len(inventory.exceptions)
    row(
        "status-200",
        "全ページがステータス200を返す",
        "All pages answer 200",
        ("ブラウザで各ページを開いたときのHTTPステータス", "the HTTP status of each page opened in a browser"),
        UNCHECKED if not n + n_ex else (NG if bad else OK),
        (
            f"ページ {n} 件と例外事項 {n_ex} 件のうち {len(bad)} 件が 200 以外: {_urls(bad, 'ja')}",
            f"{len(bad)} of {n} page(s) and {n_ex} exception(s) not 200: {_urls(bad)}",
        )
        if bad
        else (f"{n} ページすべて 200", f"{n} page(s), all 200"),
    )
    js = sorted({canonical.get(p.url, p.url) for p in visits if p.facts.get("js_errors")})
    js += sorted({canonical.get(f.url, f.url) for f in results.findings if f.rule.startswith("js-error")} - set(js))
    cells = sorted({p.cell for p in visits})
    row(
        "no-js-errors",
        "JavaScriptエラーが発生しない",
        "No JavaScript errors",
        (
            "各ブラウザ・画面幅で読み込み時のJavaScriptエラー（未捕捉例外）を記録",
            "JavaScript errors (uncaught exceptions) recorded on load in every browser and viewport",
        ),
        UNCHECKED if not n else (NG if js else OK),
        (
            (f"エラーのあるページ {len(js)} 件: {_urls(js, 'ja')}" if js else f"{n} ページでエラーなし")
            + f"（ブラウザ・画面幅: {', '.join(cells)}）",
            (f"{len(js)} page(s) with errors: {_urls(js)}" if js else f"none on {n} page(s)")
            + f" (browsers/viewports: {', '.join(cells)})",
        ),
    )
    if _ran(results, "axe"):
        unlabelled = [f for f in results.findings if f.rule in LABEL_RULES and f.outcome == VIOLATION]
        controls = sum(p.facts.get("counts", {}).get("forms", 0) for p in visits if p.facts.get("counts"))
        if unlabelled:
            result = NG
            where = [f"{f.url} {f.target}" for f in unlabelled]
            evidence = (
                f"ラベルのないフォーム部品 {len(unlabelled)} 件: {_urls(where, 'ja')}",
                f"{len(unlabelled)} control(s) without a label: {_urls(where)}",
            )
        elif not controls:
            result = NOT_APPLICABLE
            evidence = ("試験したページにフォーム部品なし", "no form controls on the audited pages")
        else:
            rules = ", ".join(LABEL_RULES[:3])
            result, evidence = OK, (f"axe のルール {rules} ほか: 違反なし", f"axe rules {rules}…: no violation")
    else:
        result, evidence = (
            UNCHECKED,
            _not_run("アクセシビリティチェックを実行していない", "the accessibility checks did not run", "a11y"),
        )
    row(
        "form-labels",
        "全てのフォーム部品にラベルが付いている",
        "Every form control is labelled",
        ("axe-core（label, select-name ほか）", "axe-core (label, select-name and others)"),
        result,
        evidence,
    )
    probes = results.extra.get("site_probes") or {}
    nf = probes.get("not_found")
    if nf:
        status = nf.get("status")
        result = OK if status in (404, 410) else NG
        evidence = (
            f"存在しない URL {nf.get('url')} の応答 → {status or '応答なし'}",
            f"GET {nf.get('url')} → {status or 'no response'}",
        )
    else:
        result, evidence = UNCHECKED, _not_run(*NOT_PROBED, "ops")
    row(
        "custom-404",
        "存在しないURLでステータス404を返す（カスタム404ページ）",
        "A non-existent URL answers 404 (custom 404 page)",
        ("ランダムな存在しないURLをGETで確認", "GET a random URL that does not exist"),
        result,
        evidence,
    )
    sm = probes.get("sitemap")
    if not sm:
        result, evidence = UNCHECKED, _not_run(*NOT_PROBED, "ops")
    elif not sm.get("valid"):
        problem = sm.get("problem") or "invalid"
        result, evidence = NG, (f"sitemap.xml が妥当でない: {problem}", problem)
    elif sm.get("missing_count"):
        result = NG
        evidence = (
            f"掲載 URL {sm['listed']} 件。試験したページのうち {sm['missing_count']} ページが未掲載: "
            f"{_urls(sm['missing'], 'ja')}",
            f"{sm['listed']} URL(s) listed; {sm['missing_count']} audited page(s) missing: {_urls(sm['missing'])}",
        )
    else:
        listed = sm.get("listed", 0)
        result = OK
        evidence = (
            f"掲載 URL {listed} 件。試験したページ（ステータス 200）はすべて掲載",
            f"{listed} URL(s) listed; every audited page (status 200) is listed",
        )
    row(
        "sitemap",
        "sitemap.xml が妥当で全ページを網羅している",
        "sitemap.xml is valid and complete",
        (
            "sitemap.xml（インデックスを含む）を取得し、XMLと掲載URLを確認",
            "fetch sitemap.xml (and its index), check the XML and the URLs listed",
        ),
        result,
        evidence,
    )
    if _ran(results, LINK_CHECKS) or any(finding_family(f) == LINKS for f in results.findings):
        broken = [f for f in results.findings if finding_family(f) == LINKS and f.outcome == VIOLATION]
        result = NG if broken else OK
        where = sorted({f"{f.url} → {f.target}" for f in broken})
        evidence = (
            (f"リンク切れ {len(broken)} 件: {_urls(where, 'ja')}", f"{len(broken)} broken link(s): {_urls(where)}")
            if broken
            else ("リンク切れなし", "no broken link")
        )
    else:
        result, evidence = UNCHECKED, _not_run("リンクチェックを実行していない", "the link check did not run", "links")
    row(
        "links",
        "リンク切れがない",
        "No broken links",
        ("リンクチェック（LinkChecker）", "link check (LinkChecker)"),
        result,
        evidence,
    )
    failed = sorted({p.url for p in visits if p.facts.get("failed_requests")})
    row(
        "resources",
        "画像・CSS・スクリプトの読み込みに失敗しない",
        "Images, styles and scripts load",
        ("ページ読み込み時の失敗したリクエストを記録", "failed requests recorded on page load"),
        UNCHECKED if not n else (NG if failed else OK),
        (
            f"読み込みに失敗したリクエストのあるページ {len(failed)} 件: {_urls(failed, 'ja')}",
            f"{len(failed)} page(s) with failed requests: {_urls(failed)}",
        )
        if failed
        else (f"{n} ページで失敗なし", f"none on {n} page(s)"),
    )
    rows += prepublish_rows(results)
    return rows


# The pre-publication families' rows: (id, 確認項目, item, 確認方法), one per family of vocab.PREPUBLISH_FAMILIES.
PREPUBLISH_ROWS = {
    "tls": (
        "prepublish-tls",
        "HTTPS・証明書に問題がない（証明書の信頼・有効期限・TLSの版・HSTS・混在コンテンツ）",
        "HTTPS and certificate are sound (trust, expiry, TLS versions, HSTS, mixed content)",
        (
            "TLS スキャナーでサイトのオリジンを検査し、各ページとリソースの URL を確認",
            "TLS handshakes with the site's origins; the URLs of every page and resource",
        ),
    ),
    "security": (
        "prepublish-security",
        "公開情報からの脆弱性の露出がない（セキュリティヘッダー・Cookie 属性・バージョン表示など）",
        "No security exposure (security headers, cookie flags, version disclosure, ...)",
        (
            "応答ヘッダーと既知のパスを GET で確認（IPA「安全なウェブサイトの作り方」に基づく）",
            "response headers and well-known paths, GET only (after IPA's secure web site guide)",
        ),
    ),
    "privacy": (
        "prepublish-privacy",
        "同意前にトラッカーや Cookie が設定されない",
        "No tracker or cookie before consent",
        (
            "新しいブラウザーで操作せずに開き、Cookie・ストレージ・第三者への通信を記録",
            "pages opened in a fresh browser without interaction: cookies, storage and third-party requests recorded",
        ),
    ),
    "seo": (
        "prepublish-seo",
        "SEO の基本要件を満たしている（title・description・h1・canonical・sitemap など）",
        "SEO essentials are met (title, description, h1, canonical, sitemap, ...)",
        ("各ページの HTML と robots.txt・sitemap.xml を確認", "each page's HTML, robots.txt and sitemap.xml"),
    ),
    "language": (
        "prepublish-language",
        "サイトの言語の綴りに誤りがない",
        "Spelling in the site's language is correct",
        (
            "辞書（hunspell）で各ページの本文を確認（用語集を考慮）",
            "each page's text against dictionaries (hunspell), with the project glossary",
        ),
    ),
}


def prepublish_rows(results: Results) -> list[OpRow]:
    """One row per pre-publication family: NG with its violations, OK without, 未確認 when it did not run."""
    families = inventory_of(results).families
    rows = []
    for family, (rid, item, item_en, (how, how_en)) in PREPUBLISH_ROWS.items():
        if not (families.get(family) or {}).get("ran"):
            ja, en = _not_run("このチェックを実行していない", "this check family did not run", family)
            rows.append(OpRow(rid, item, item_en, how, UNCHECKED, ja, evidence_en=en, how_en=how_en))
            continue
        found = [f for f in results.findings if family_of(f.check) == family and not is_accepted(f)]
        bad = [f for f in found if f.outcome == VIOLATION]
        review = sum(1 for f in found if f.outcome == NEEDS_REVIEW)
        rules = ", ".join(f"{rule} ({k})" for rule, k in Counter(f.rule for f in bad).most_common(5))
        if bad:
            ja = f"違反 {len(bad)} 件（{rules}）、要確認 {review} 件。詳細は prepublish-check.xlsx"
            en = f"{len(bad)} violation(s) ({rules}), {review} to review; see prepublish-check.xlsx"
        else:
            ja = f"違反なし、要確認 {review} 件。詳細は prepublish-check.xlsx"
            en = f"no violation, {review} to review; see prepublish-check.xlsx"
        rows.append(OpRow(rid, item, item_en, how, NG if bad else OK, ja, evidence_en=en, how_en=how_en))
    return rows


# --- manual rows ------------------------------------------------------------------------------------------------


def builtin_checklist_path() -> Path:
    return Path(str(resources.files("qa.data").joinpath("operation-checks.yaml")))


def _result(value: str) -> str | None:
    if not value or value in RESULTS:
        return None
    return f"'{value}' must be one of {', '.join(RESULTS)} (or left empty)"


class ManualCheck(Section):
    """One manual row of the operation-check sheet; numbers are read as text."""

    model_config = ConfigDict(strict=False, coerce_numbers_to_str=True, str_strip_whitespace=True)

    id: Text = Field(description="the row's id; results are carried over by it")
    item: Text = Field(description="what is checked (Japanese)")
    item_en: str = Field("", description="what is checked (English)")
    how: str = Field("", description="how to check it")
    how_en: str = Field("", description="how to check it (English)")
    result: Annotated[str, checked(_result)] = Field("", description="the outcome of the check")
    date: Annotated[dt.date | None, BeforeValidator(lambda v: None if v == "" else to_date(v))] = Field(
        None, description="when it was checked, YYYY-MM-DD"
    )
    checker: str = Field("", description="who checked it")
    note: str = Field("", description="a remark")


class ManualChecklist(Section):
    """``operation-checks.yaml``."""

    checks: list[ManualCheck] = Field(description="the manual operation checks")


def parse_manual(data: Any, source: str) -> list[dict[str, str]]:
    """Validate a checklist (``checks:`` list of id, item, how, and optional result/date/checker/note)."""
    checks = parse(ManualChecklist, data, source).checks
    ids = [c.id for c in checks]
    for i, c in enumerate(checks):
        if c.id in ids[:i]:
            raise ConfigError(f"{source}: 'checks[{i}].id' '{c.id}' is used twice; give each check its own id")
    return [
        {
            "id": c.id,
            "item": c.item,
            "item_en": c.item_en,
            "how": c.how,
            "how_en": c.how_en,
            "result": c.result if c.result != UNCHECKED else "",
            "date": c.date.isoformat() if c.date else "",
            "checker": c.checker,
            "note": c.note,
        }
        for c in checks
    ]


def load_manual_checklist(path: Path | None) -> tuple[str, list[dict[str, str]]]:
    """(source name, rows) from the project's checklist, or the built-in one when the file is absent."""
    if path is None or not path.exists():
        path = builtin_checklist_path()
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return "built-in", parse_manual(data, "built-in operation-checks.yaml")
    return path.name, parse_manual(read_yaml(path, "operation checklist"), str(path))


def merge_manual(rows: list[dict[str, str]], earlier: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Rows without a result take the one recorded earlier (a previous run, an import) for the same id."""
    by_id = {r.get("id"): r for r in earlier if isinstance(r, dict)}
    out = []
    for r in rows:
        old = by_id.get(r["id"])
        if not r["result"] and old and old.get("result"):
            r = {**r, **{k: str(old.get(k) or "") for k in ("result", "date", "checker", "note")}}
        out.append(r)
    return out


def previous_manual(results: Results | None) -> list[dict[str, Any]]:
    if results is None:
        return []
    return (results.extra.get("operation_checks") or {}).get("manual") or []


def manual_rows(results: Results) -> list[OpRow]:
    section = results.extra.get("operation_checks") or {}
    return [
        OpRow(
            r["id"],
            r["item"],
            r.get("item_en", ""),
            r.get("how", ""),
            r.get("result") or UNCHECKED,
            r.get("note", ""),
            r.get("date", ""),
            r.get("checker", ""),
            automated=False,
            how_en=r.get("how_en", ""),
        )
        for r in section.get("manual", [])
    ]


def import_results(results: Results, filled: list[dict[str, str]]) -> int:
    """Copy results from a filled workbook or YAML into the run's manual rows; returns how many rows changed."""
    rows = (results.extra.setdefault("operation_checks", {"source": "built-in", "manual": []}))["manual"]
    by_id = {r["id"]: r for r in filled}
    changed = 0
    for r in rows:
        new = by_id.get(r["id"])
        if not new:
            continue
        values = {k: new.get(k, "") for k in ("result", "date", "checker", "note")}
        if values["result"] == UNCHECKED:
            values["result"] = ""
        if any(r.get(k, "") != v for k, v in values.items()):
            r.update(values)
            changed += 1
    return changed
