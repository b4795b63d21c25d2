"""Every finding as one CSV row, for spreadsheets, BI tools and scripts (``findings.csv``).

UTF-8 with a byte-order mark, so Excel opens Japanese text correctly on a double click; CRLF line ends. Cells that
site content could turn into a formula (``=``, ``+``, ``-``, ``@``) are neutralised as in the workbooks, and URLs are
redacted again (they were when recorded). The gate column is read from the stored judgement, never decided here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qa.judge.gate import is_accepted
from qa.judge.judgement import gate_of
from qa.model import Results
from qa.redact import redact_text, redact_url
from qa.report._axe_ja import Messages
from qa.report._vocab import OUTCOMES, pick
from qa.report._xlsx import safe
from qa.store import write_text_atomic

NAME = "findings-csv"
FILENAME = "findings.csv"
COLUMNS = (
    ("ページURL", "page URL"),
    ("ブラウザ", "browser"),
    ("ビューポート", "viewport"),
    ("検出環境", "seen in"),
    ("ルール", "rule"),
    ("チェック", "check"),
    ("結果", "outcome"),
    ("達成基準", "success criteria"),
    ("影響度", "impact"),
    ("ゲート", "gate"),
    ("メッセージ", "message"),
    ("セレクタ", "selector"),
    ("参考URL", "help URL"),
    ("指摘ID", "finding id"),
)
GATE = {
    "failing": ("不合格の要因", "fails the gate"),
    "accepted": ("許容済み (accepted.yaml)", "accepted (accepted.yaml)"),
    "counted": ("", ""),
}


def cell(value: str) -> str:
    """A CSV cell from site content: never a formula, never a secret, one cell even with line breaks (quoted)."""
    return safe(redact_text(value))


def rows(results: Results) -> list[list[str]]:
    lang = "en" if results.run.config.get("lang") == "en" else "ja"
    words = Messages(results.run.config or {}, lang)
    failing = set(gate_of(results).failing)
    out = [[pick(c, lang) for c in COLUMNS]]
    for f in results.findings:
        state = "accepted" if is_accepted(f) else "failing" if f.id in failing else "counted"
        out.append(
            [
                cell(redact_url(f.url)),
                f.browser,
                f.viewport,
                " ".join(f.seen_in),
                cell(f.rule),
                cell(f.check),
                pick(OUTCOMES[f.outcome], lang) if f.outcome in OUTCOMES else cell(f.outcome),
                words.sc_text(f),
                words.impact(f),
                pick(GATE[state], lang),
                cell(words.message(f)),
                cell(f.target),
                cell(redact_url(words.help_url(f))),
                f.id,
            ]
        )
    return out


def render(results: Results, out_dir: Path) -> list[Path]:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows(results))
    path = out_dir / FILENAME
    write_text_atomic(path, "\ufeff" + buffer.getvalue())
    return [path]
