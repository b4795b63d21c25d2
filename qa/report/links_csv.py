"""Every checked link as one CSV row (``links.csv``; only when the link check ran): the page it is on, the link,
its text, status, result and what is wrong, in the run's language.

Written like findings.csv: UTF-8 with a BOM for Excel, CRLF, cells neutralised against formulas, URLs redacted.
The results are the link check's as recorded in results.json; nothing is judged here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from qa.model import Results
from qa.redact import redact_url
from qa.report.findings_csv import cell
from qa.report.linkcheck import ELEMENT_TEXT, RESULT_TEXT, issues_text, vocab_text
from qa.store import write_text_atomic

NAME = "links-csv"
FILENAME = "links.csv"
COLUMNS = (
    ("掲載ページ", "page"),
    ("リンク先", "link"),
    ("リンクテキスト", "link text"),
    ("要素", "element"),
    ("内部/外部", "internal/external"),
    ("ステータス", "status"),
    ("結果", "result"),
    ("指摘", "issues"),
    ("理由", "reason"),
    ("リダイレクト", "redirects"),
)
SCOPE = {True: ("内部", "internal"), False: ("外部", "external")}


def row(link: dict[str, Any], lang: str) -> list[str]:
    side = 0 if lang == "ja" else 1
    issues = issues_text({"issues": link.get("issues") or []}, lang)
    chain = " → ".join(
        f"{h['status']} {redact_url(str(h.get('url', '')))}" if h.get("status") else redact_url(str(h.get("url", "")))
        for h in link.get("redirects") or []
    )
    return [
        cell(redact_url(str(link.get("source", "")))),
        cell(redact_url(str(link.get("url", "")))),
        cell(str(link.get("text") or "")),
        vocab_text(ELEMENT_TEXT, str(link.get("element") or ""), lang),
        SCOPE[bool(link.get("internal"))][side],
        "" if link.get("status") is None else str(link["status"]),
        vocab_text(RESULT_TEXT, str(link.get("result") or ""), lang),
        issues,
        cell(str(link.get("reason") or "")),
        cell(chain),
    ]


def render(results: Results, out_dir: Path) -> list[Path]:
    links = results.extra.get("links")
    if not isinstance(links, list) or "link_check" not in results.extra:
        return []  # the link check did not run: no file that could read as "no links"
    lang = "en" if results.run.config.get("lang") == "en" else "ja"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c[0 if lang == "ja" else 1] for c in COLUMNS])
    writer.writerows(row(link, lang) for link in links)
    path = out_dir / FILENAME
    write_text_atomic(path, "\ufeff" + buffer.getvalue())
    return [path]
