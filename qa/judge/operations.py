"""The operation checks behind the 検証完了チェックシート (operation-check completion sheet).

Automated rows are a pure function of the results (pages, findings, ``site_probes``). Manual rows come from a YAML
checklist (the project's ``operation-checks.yaml``, else the built-in list) and keep their results in results.json
(``operation_checks``): filled in the workbook (or the YAML) and imported with ``qa ops import``, carried into the
next run by row id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from qa.config import nearest, read_yaml
from qa.errors import ConfigError
from qa.judge.gate import LINK_CHECKS, LINKS, finding_family
from qa.judge.inventory import COMMANDS, NOT_RUN_JA
from qa.model import VIOLATION, Results

OK, NG, NOT_APPLICABLE, UNCHECKED = "OK", "NG", "対象外", "未確認"
RESULTS = (OK, NG, NOT_APPLICABLE, UNCHECKED)
LABEL_RULES = ("label", "select-name", "input-button-name", "aria-input-field-name", "aria-toggle-field-name")
MANUAL_KEYS = ("id", "item", "item_en", "how", "result", "date", "checker", "note")
EVIDENCE_URLS = 10


@dataclass
class OpRow:
    id: str
    item: str  # 確認項目 (Japanese)
    item_en: str
    how: str  # 確認方法
    result: str  # one of RESULTS
    evidence: str = ""
    date: str = ""
    checker: str = ""
    automated: bool = True


def _urls(urls: list[str]) -> str:
    shown = ", ".join(urls[:EVIDENCE_URLS])
    return shown + (f" … and {len(urls) - EVIDENCE_URLS} more" if len(urls) > EVIDENCE_URLS else "")


def _ran(results: Results, check_ids: tuple[str, ...] | str) -> bool:
    ids = (check_ids,) if isinstance(check_ids, str) else check_ids
    return any(c.id in ids and c.pages for c in results.checks)


def _not_run(why: str, family: str) -> str:
    return f"{NOT_RUN_JA}: {why}; run {COMMANDS[family]}"


def automated_rows(results: Results) -> list[OpRow]:
    visits = results.pages
    urls = sorted({p.url for p in visits})
    n = len(urls)
    rows: list[OpRow] = []

    def row(rid: str, ja: str, en: str, how: str, result: str, evidence: str) -> None:
        rows.append(OpRow(rid, ja, en, how, result, evidence))

    plain = sorted({p.final_url or p.url for p in visits if urlsplit(p.final_url or p.url).scheme != "https"})
    row(
        "https",
        "全ページがHTTPSで配信されている",
        "Every page is served over HTTPS",
        "各ページの最終URL（リダイレクト後）のスキーム",
        UNCHECKED if not n else (NG if plain else OK),
        f"{len(plain)} of {n} page(s) over http: {_urls(plain)}" if plain else f"{n} page(s), all https",
    )
    bad = sorted({f"{p.url} ({p.status or p.error or 'no response'})" for p in visits if p.status != 200})
    row(
        "status-200",
        "全ページがステータス200を返す",
        "All pages answer 200",
        "ブラウザで各ページを開いたときのHTTPステータス",
        UNCHECKED if not n else (NG if bad else OK),
        f"{len(bad)} of {n} page(s) not 200: {_urls(bad)}" if bad else f"{n} page(s), all 200",
    )
    js = sorted({p.url for p in visits if p.facts.get("js_errors")})
    js += sorted({f.url for f in results.findings if f.rule.startswith("js-error")} - set(js))
    cells = sorted({p.cell for p in visits})
    row(
        "no-js-errors",
        "JavaScriptエラーが発生しない",
        "No JavaScript errors",
        "各ブラウザ・画面幅で読み込み時のJavaScriptエラー（未捕捉例外）を記録",
        UNCHECKED if not n else (NG if js else OK),
        (f"{len(js)} page(s) with errors: {_urls(js)}" if js else f"none on {n} page(s)")
        + f" (browsers/viewports: {', '.join(cells)})",
    )
    if _ran(results, "axe"):
        unlabelled = [f for f in results.findings if f.rule in LABEL_RULES and f.outcome == VIOLATION]
        controls = sum(p.facts.get("counts", {}).get("forms", 0) for p in visits if p.facts.get("counts"))
        if unlabelled:
            result = NG
            evidence = f"{len(unlabelled)} control(s) without a label: " + _urls(
                [f"{f.url} {f.target}" for f in unlabelled]
            )
        elif not controls:
            result, evidence = NOT_APPLICABLE, "no form controls on the audited pages"
        else:
            result, evidence = OK, f"axe rules {', '.join(LABEL_RULES[:3])}…: no violation"
    else:
        result, evidence = UNCHECKED, _not_run("the accessibility checks did not run", "a11y")
    row(
        "form-labels",
        "全てのフォーム部品にラベルが付いている",
        "Every form control is labelled",
        "axe-core（label, select-name ほか）",
        result,
        evidence,
    )
    probes = results.extra.get("site_probes") or {}
    nf = probes.get("not_found")
    if nf:
        status = nf.get("status")
        result, evidence = (OK if status in (404, 410) else NG), f"GET {nf.get('url')} → {status or 'no response'}"
    else:
        result, evidence = UNCHECKED, _not_run("not probed in this run (the ops checks did not run)", "ops")
    row(
        "custom-404",
        "存在しないURLでステータス404を返す（カスタム404ページ）",
        "A non-existent URL answers 404 (custom 404 page)",
        "ランダムな存在しないURLをGETで確認",
        result,
        evidence,
    )
    sm = probes.get("sitemap")
    if not sm:
        result, evidence = UNCHECKED, _not_run("not probed in this run (the ops checks did not run)", "ops")
    elif not sm.get("valid"):
        result, evidence = NG, sm.get("problem") or "invalid"
    elif sm.get("missing_count"):
        result = NG
        evidence = (
            f"{sm['listed']} URL(s) listed; {sm['missing_count']} audited page(s) missing: {_urls(sm['missing'])}"
        )
    else:
        result, evidence = OK, f"{sm.get('listed', 0)} URL(s) listed; every audited page (status 200) is listed"
    row(
        "sitemap",
        "sitemap.xml が妥当で全ページを網羅している",
        "sitemap.xml is valid and complete",
        "sitemap.xml（インデックスを含む）を取得し、XMLと掲載URLを確認",
        result,
        evidence,
    )
    if _ran(results, LINK_CHECKS) or any(finding_family(f) == LINKS for f in results.findings):
        broken = [f for f in results.findings if finding_family(f) == LINKS and f.outcome == VIOLATION]
        result = NG if broken else OK
        evidence = f"{len(broken)} broken link(s): " + _urls(sorted({f"{f.url} → {f.target}" for f in broken}))
        evidence = evidence if broken else "no broken link"
    else:
        result, evidence = UNCHECKED, _not_run("the link check did not run", "links")
    row("links", "リンク切れがない", "No broken links", "リンクチェック（LinkChecker）", result, evidence)
    failed = sorted({p.url for p in visits if p.facts.get("failed_requests")})
    row(
        "resources",
        "画像・CSS・スクリプトの読み込みに失敗しない",
        "Images, styles and scripts load",
        "ページ読み込み時の失敗したリクエストを記録",
        UNCHECKED if not n else (NG if failed else OK),
        f"{len(failed)} page(s) with failed requests: {_urls(failed)}" if failed else f"none on {n} page(s)",
    )
    return rows


# --- manual rows ------------------------------------------------------------------------------------------------


def builtin_checklist_path() -> Path:
    return Path(str(resources.files("qa.data").joinpath("operation-checks.yaml")))


def _date_text(value: Any, where: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ConfigError(f"{where}.date' must be a date like 2026-11-30, got {value!r}") from None


def parse_manual(data: Any, source: str) -> list[dict[str, str]]:
    """Validate a checklist (``checks:`` list of id, item, how, and optional result/date/checker/note)."""
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
        raise ConfigError(f"{source}: must have a top-level 'checks:' list of manual operation checks")
    rows, ids = [], set()
    for i, raw in enumerate(data["checks"]):
        where = f"{source}: 'checks[{i}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}' must be a mapping with id, item and how")
        for key in raw:
            if key not in MANUAL_KEYS:
                raise ConfigError(f"{where}.{key}' is not a valid key ({nearest(str(key), list(MANUAL_KEYS))})")
        for key in ("id", "item"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise ConfigError(f"{where}.{key}' is missing; every check needs an {key}")
        if raw["id"] in ids:
            raise ConfigError(f"{where}.id' '{raw['id']}' is used twice; give each check its own id")
        ids.add(raw["id"])
        result = str(raw.get("result") or "").strip()
        if result and result not in RESULTS:
            raise ConfigError(f"{where}.result' '{result}' must be one of {', '.join(RESULTS)} (or left empty)")
        rows.append(
            {
                "id": raw["id"].strip(),
                "item": raw["item"].strip(),
                "item_en": str(raw.get("item_en") or ""),
                "how": str(raw.get("how") or ""),
                "result": result if result != UNCHECKED else "",
                "date": _date_text(raw.get("date"), where),
                "checker": str(raw.get("checker") or ""),
                "note": str(raw.get("note") or ""),
            }
        )
    return rows


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
