"""INDEX.md: every deliverable of the run folder, with what it is, so a project lead finds what to attach. In the
run's language (``lang``: Japanese unless set to English); file names, commands and URLs stay as typed."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import qa.report
from qa.judge.inventory import inventory_of
from qa.judge.judgement import gate_of
from qa.model import Results
from qa.report._inventory import deliverable_text, family_text
from qa.report._vocab import lang_of, pick
from qa.report.summary_md import md
from qa.store import write_text_atomic

NAME = "index"
FILENAME = "INDEX.md"
ORDER = 99  # last: it lists what the other reports wrote
PROFILES = ("wcag22", "jis2016", "wcag21")
# What each file of a run folder is, ja and en (a test checks every report's files are here).
DESCRIPTIONS = {
    "results.json": (
        "実行のすべてのページ・指摘・チェック（すべてのレポートの元データ。docs/results-schema.md）",
        "every page, finding and check of the run (the source of every report; docs/results-schema.md)",
    ),
    "records.jsonl": (
        "同じ内容を、実行中にページごとに書き出したもの",
        "the same, streamed page by page while the run went",
    ),
    "run.json": ("実行開始時に書き出した実行の概要", "the run's header, written when it started"),
    "frontier.jsonl": (
        "クロールで受け付けた・除外したすべての URL（--resume で再開するための記録）",
        "every URL the crawl accepted or skipped (what --resume continues from)",
    ),
    "coverage.json": ("各チェックが対象とする範囲の記録", "what the checks cover, kept for a resumed run"),
    "trend.json": ("この実行の推移の記録（後の実行が推移グラフに使う）", "this run's trend line, read by later runs"),
    **{
        f"checklist-{p}.xlsx": (
            f"達成基準チェックリスト（{p}）: 試験結果、ページ別判定、指摘事項、JB.3.1 の記載事項",
            f"success criteria checklist ({p}): results, per-page verdicts, findings, the JB.3.1 items",
        )
        for p in PROFILES
    },
    "browser-check.xlsx": (
        "ブラウザチェック結果: ページ × ブラウザ・画面幅の表、問題一覧、試験環境、サムネイル",
        "browser check results: pages × browser/viewport matrix, issues, test environment, thumbnails",
    ),
    "link-check.xlsx": (
        "リンクチェック結果: 概要、リンク切れ、警告、情報（転送先）、すべてのリンク",
        "link check results: summary, broken links, warnings, information (redirects), every link",
    ),
    "links.csv": ("チェックしたリンクの一覧（CSV、1 リンク 1 行）", "every checked link as one CSV row"),
    "sitemap.xlsx": (
        "完成時のサイトマップ: ナビゲーションと URL パスによる階層、例外事項、計画との差分",
        "the finished site's sitemap: tree by navigation and by URL path, exceptions, differences from the plan",
    ),
    "sitemap.xml": (
        "検索エンジン向けのサイトマップ（試験したページ）",
        "the sitemap for search engines (the audited pages)",
    ),
    "run-log.xlsx": (
        "実行ログ: 実行が完了したか、数えたページ、各訪問の問題と理由",
        "run log: whether the run is complete, the pages it counts, every visit with its problem and reason",
    ),
    "findings-by-template.xlsx": (
        "テンプレート別の指摘: テンプレートや部品で一度に直せる問題と、その影響を受けるページ",
        "findings by template: defects fixed once in a template or component, with the pages they affect",
    ),
    "operation-check.xlsx": (
        "検証完了チェックシート: 自動チェックの結果と、人が記入する項目、承認欄",
        "operation-check completion sheet: automated rows with evidence, manual rows to fill in, approval block",
    ),
    "prepublish-check.xlsx": (
        "公開前チェック: HTTPS・証明書、セキュリティ露出、同意前プライバシー、SEO、スペル・言語",
        "pre-publication checks: HTTPS and certificate, security exposure, privacy before consent, SEO, spelling",
    ),
    "report.html": (
        "修正担当者向けの HTML レポート（1 ファイル、オフラインでブラウザーで開ける）",
        "the HTML report for the people fixing the site (one file that opens offline in a browser)",
    ),
    "summary.md": (
        "CI のジョブサマリーやマージリクエストのコメント用の Markdown 要約",
        "a Markdown summary for a CI job summary or a merge-request comment",
    ),
    "findings.csv": ("すべての指摘の一覧（CSV、1 指摘 1 行）", "every finding as one CSV row"),
    "junit.xml": (
        "CI 向けの JUnit XML（ページとチェックごとのテストケース）",
        "JUnit XML for CI (a case per page and check)",
    ),
    "github-annotations.txt": ("GitHub Actions の注釈", "GitHub Actions annotations"),
    "gl-code-quality-report.json": ("GitLab Code Quality レポート", "GitLab Code Quality report"),
    "qa.sarif": ("SARIF 2.1.0（GitHub コードスキャン向け）", "SARIF 2.1.0 (GitHub code scanning)"),
}
WORDS = {
    "title": ("実行 {id}", "Run {id}"),
    "site": ("サイト", "site"),
    "started": (
        "開始: {started}、状態: {status}、ブラウザ・画面幅: {cells}",
        "started: {started}; status: {status}; cells: {cells}",
    ),
    "complete": ("完了", "complete"),
    "partial": ("中断: 一部のページのみ", "partial"),
    "pages": (
        "ページ数: {pages}（ほかに別名のURL {aliases} 件）、監査できなかったページ（例外事項）: {exceptions}",
        "pages: {pages} ({aliases} other address(es) of these pages); not audited (exceptions): {exceptions}",
    ),
    "gate": ("ゲート: {state}", "gate: {state}"),
    "passed": ("合格", "passed"),
    "failed": ("不合格", "FAILED"),
    "table": ("| ファイル | 内容 |", "| file | what |"),
    "files": ("ファイル {n} 件", "{n} file(s)"),
    "not_run": ("## この実行で未実施のチェック", "## Not run in this run"),
    "not_run_table": ("| チェック | 成果物 | 実行するコマンド |", "| checks | deliverable | command |"),
}


def descriptions(lang: str) -> dict[str, str]:
    """File name -> what it is: the table above, else the first line of the writing module's docstring."""
    out: dict[str, str] = {}
    for info in pkgutil.iter_modules(qa.report.__path__):
        if info.name.startswith("_") or info.name == "index":
            continue
        module = importlib.import_module(f"qa.report.{info.name}")
        names = getattr(module, "FILENAMES", None) or [getattr(module, "FILENAME", None)]
        doc = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        out.update({name: doc for name in names if name})
    return {**out, **{name: pick(pair, lang) for name, pair in DESCRIPTIONS.items()}}


def render(results: Results, out_dir: Path) -> list[Path]:
    lang = lang_of(results)

    def w(key: str, **values: object) -> str:
        return pick(WORDS[key], lang).format(**values)

    known = descriptions(lang)
    gate = gate_of(results)
    inventory = inventory_of(results)
    aliases = sum(len(p.aliases) for p in inventory.pages)
    status = w("complete" if results.run.status == "complete" else "partial")
    lines = [
        f"# {w('title', id=results.run.id)}",
        "",
        f"- {w('site')}: {md(results.run.start_url, 300)}",
        f"- {w('started', started=results.run.started, status=status, cells=', '.join(results.run.cells))}",
        f"- {w('pages', pages=len(inventory.pages), aliases=aliases, exceptions=len(inventory.exceptions))}",
        f"- {w('gate', state=w('passed' if gate.passed else 'failed'))}",
        "",
        w("table"),
        "|---|---|",
    ]
    for path in sorted(out_dir.iterdir()):
        if path.name.startswith(".") or path.name == FILENAME:
            continue
        if path.is_dir():
            count = sum(1 for p in path.rglob("*") if p.is_file())
            lines.append(f"| [{path.name}/]({path.name}/) | {w('files', n=count)} |")
        else:
            lines.append(f"| [{path.name}]({path.name}) | {md(known.get(path.name, ''), 300)} |")
    missing = inventory.not_run()
    if missing:
        lines += ["", w("not_run"), "", w("not_run_table"), "|---|---|---|"]
        lines += [
            f"| {md(family_text(f, lang))} | {md(deliverable_text(f, lang))} | `{md(command)}` |"
            for f, command in missing.items()
        ]
    target = out_dir / FILENAME
    write_text_atomic(target, "\n".join(lines) + "\n")
    return [target]
