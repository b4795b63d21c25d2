"""INDEX.md and summary.md speak the run's language: Japanese throughout with ``lang: ja`` (the default), English
throughout when ``qa report RUN_DIR --lang en`` renders them again. Only data stays as recorded: URLs, file names,
commands, rule ids, browser cells and product names. On the demo site's run (fixture demo_run)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from qa.report import index
from qa.report.checklist import FILENAMES as CHECKLISTS
from tests.conftest import QARun, run_qa

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Names of standards, formats and products: the same words in Japanese prose.
NAMES = {
    "qa", "WCAG", "AA", "JIS", "JB", "HTTP", "HTTPS", "HTML", "JavaScript", "SEO", "CSV", "CI", "JUnit", "XML", "URL",
    "GitHub", "Actions", "GitLab", "Code", "Quality", "SARIF", "Markdown", "docs", "schema",
}  # fmt: skip
DATA = [
    re.compile(r"`[^`]*`"),  # commands, run ids, the judge's recorded gate reasons
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"https?://\S+"),
    re.compile(r"[\w.\\*/-]+\.(?:xlsx|md|json|jsonl|csv|xml|txt|html|sarif)\b"),  # file names
    re.compile(r"\b[a-z]+\d{2,}\b"),  # profile ids (wcag22, jis2016)
    re.compile(r"--[a-z-]+"),  # options
    re.compile(r"[\w-]+/"),  # folder names
    re.compile(r"\d{4}-\d\d-\d\dT[\d:.+]+"),  # timestamps
]


def prose(text: str, results: dict) -> str:
    """The text with the run's data taken out: what is left is the deliverable's own words."""
    text = text.replace("\\", "")  # Markdown escapes
    recorded = [
        *(e["reason"] for e in results["inventory"]["exceptions"]),
        *results["run"]["cells"],
        results["run"]["id"],
    ]
    recorded += sorted({f["rule"] for f in results["findings"]}, key=len, reverse=True)
    for value in recorded:
        text = text.replace(value, " ")
    for pattern in DATA:
        text = pattern.sub(" ", text)
    return text


def english_words(text: str, results: dict) -> list[str]:
    return [w for w in LATIN_WORD.findall(prose(text, results)) if w not in NAMES]


def japanese_lines(text: str, results: dict) -> list[str]:
    return [line for line in text.splitlines() if JAPANESE.search(prose(line, results))]


def file_rows(index_md: str) -> dict[str, str]:
    """INDEX.md's table: file name -> what it is."""
    rows = re.findall(r"^\| \[([^\]]+)\]\([^)]*\) \| (.*) \|$", index_md, flags=re.M)
    return {name.replace("\\", ""): what.strip() for name, what in rows}


def test_every_report_file_has_words_in_both_languages() -> None:
    for lang in ("ja", "en"):
        known = index.descriptions(lang)
        for name in (*CHECKLISTS, "report.html", "summary.md", "sitemap.xml", "results.json", "frontier.jsonl"):
            assert name in index.DESCRIPTIONS and known[name] == index.DESCRIPTIONS[name][lang == "en"], name
    assert set(index.descriptions("ja")) <= set(index.DESCRIPTIONS)  # no report falls back to its English docstring


def test_a_japanese_run_writes_index_and_summary_in_japanese(demo_run: QARun) -> None:
    results = demo_run.results
    summary = (demo_run.run_dir / "summary.md").read_text(encoding="utf-8")
    index_md = (demo_run.run_dir / "INDEX.md").read_text(encoding="utf-8")
    assert "ゲート" in summary and "ページ数" in index_md  # the words a Japanese reader looks for
    assert english_words(summary, results) == []
    assert english_words(index_md, results) == []
    rows = file_rows(index_md)
    assert {"results.json", "summary.md", "report.html", "checklist-jis2016.xlsx"} <= set(rows)
    assert all(rows.values()), [n for n, what in rows.items() if not what]  # every file says what it is


def test_the_english_re_render_has_no_japanese(demo_run: QARun, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(demo_run.run_dir, run_dir, ignore=shutil.ignore_patterns("screenshots", "crops"))
    shutil.copytree(demo_run.run_dir / "screenshots", run_dir / "screenshots", copy_function=os.link)
    rerun = run_qa("report", str(run_dir), "--lang", "en")
    assert rerun.code == 0, rerun.stderr
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    summary = (run_dir / "summary.md").read_text(encoding="utf-8")
    index_md = (run_dir / "INDEX.md").read_text(encoding="utf-8")
    assert summary.startswith("## qa: ❌ gate failed") and "- pages: " in index_md
    assert japanese_lines(summary, results) == []
    assert japanese_lines(index_md, results) == []
    assert all(file_rows(index_md).values())
    # the numbers are the same in either language
    ja_summary = (demo_run.run_dir / "summary.md").read_text(encoding="utf-8")
    assert re.findall(r"\| (\d+) \|", summary) == re.findall(r"\| (\d+) \|", ja_summary)
    pages = len(results["inventory"]["pages"])
    assert f"{pages} page(s) in " in summary and f"- pages: {pages} " in index_md
