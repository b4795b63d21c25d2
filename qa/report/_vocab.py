"""The words the deliverables print: verdicts (configurable per contract), notes and headers, ja and en."""

from __future__ import annotations

from typing import Any

from qa import vocab

VERDICT_LABELS = {
    "ja": {
        "pass": "適合",
        "fail": "不適合",
        "needs-review": "要確認（人の判定待ち）",
        "not-verified": "未検証（人による試験が必要）",
        "not-applicable": "適用なし",
    },
    "en": {
        "pass": "Pass",
        "fail": "Fail",
        "needs-review": "Needs review (awaiting a person)",
        "not-verified": "Not verified (human test needed)",
        "not-applicable": "Not applicable",
    },
}

REASONS = {
    "violation": ("自動チェックで違反を検出", "automated checks found violations"),
    "flagged": ("自動チェックが人による判断を求める箇所を検出", "automated checks flagged items a person must judge"),
    "full": ("自動チェックが基準全体を確認し問題なし", "automated checks cover the criterion fully and passed"),
    "partial-clean": (
        "自動チェックでは問題なし (基準の一部のみ確認; 人による確認が必要)",
        "no automated failures, but the checks cover only part of the criterion: a person must confirm",
    ),
    "aid-clean": (
        "自動チェックは確認箇所の洗い出しのみ (判定は人による確認が必要)",
        "the checks only list what to inspect: a person must judge",
    ),
    "unchecked": ("自動チェックなし: 人による確認が必要", "no automated check: a person must judge"),
    "no-media": ("該当コンテンツなし (音声・映像なし)", "no such content (no audio or video)"),
    "no-forms": ("該当コンテンツなし (入力フォームなし)", "no such content (no form controls)"),
    "no-images": ("該当コンテンツなし (画像なし)", "no such content (no images)"),
    "mixed": ("ページにより異なる (ページ別判定を参照)", "differs by page (see the page checklist)"),
    "no-pages": ("判定対象のページなし", "no page was judged"),
    "rule-disabled": (
        "この基準を試験するルールを設定で無効にしたため自動チェックでは未検証 (人による確認が必要)",
        "a rule testing this criterion was disabled by the settings: not verified, a person must judge",
    ),
    "region-excluded": (
        "ページの一部を設定で検査対象から除外したため自動チェックでは適合としない (人による確認が必要)",
        "part of the page was excluded from the checks by the settings: not a pass, a person must judge",
    ),
}

REVIEW_STATES = {
    "applied": ("人による判定", "human verdict"),
    "unpinned": ("人による判定 (内容の照合なし)", "human verdict (not pinned to content)"),
    "stale": ("前回の人による判定は内容変更のため要再確認", "the earlier human verdict is stale: the content changed"),
    "new-failure": (
        "人による判定の後に新しい自動チェックの違反を検出",
        "a new automated violation appeared after the human verdict",
    ),
}

# 適用 on the checklist: a criterion applies, does not (no such content), or nobody has decided yet.
APPLIES = {True: ("適用", "Applies"), False: ("適用なし", "Not applicable"), None: ("未判定", "Undecided")}
# An automatic 適用なし (the checks found no such content) stays provisional until a person confirms it.
PROVISIONAL_NA = ("（自動判定・要確認）", " (automatic, to be confirmed)")

# The WAIC guidelines a 試験結果 page cites, with the version followed.
GUIDELINES = {
    "test": (
        "JIS X 8341-3:2016 試験実施ガイドライン 2020年12月版",
        "WAIC JIS X 8341-3:2016 test guideline, December 2020 edition",
    ),
    "compliance": (
        "ウェブコンテンツの JIS X 8341-3:2016 対応度表記ガイドライン 2016年3月版",
        "WAIC guideline for conformance claims of web content to JIS X 8341-3:2016, March 2016 edition",
    ),
}

# axe's impact words, as Japanese accessibility reports write them.
IMPACTS = {
    "critical": ("重大", "critical"),
    "serious": ("深刻", "serious"),
    "moderate": ("中程度", "moderate"),
    "minor": ("軽微", "minor"),
}

OUTCOMES = {"violation": ("違反", "Violation"), "needs-review": ("要確認", "Needs review")}

# How a criterion is tested (the method statement of 試験結果 pages).
METHODS = {
    "auto": ("自動", "automatic"),
    "auto+human": ("自動＋人", "automatic + human"),
    "human": ("人のみ", "human only"),
}

# What the gate counts (qa.vocab.GATE_OUTCOMES), in the summaries' words.
GATE_OUTCOME_WORDS = {
    "a11y-violations": ("WCAG A/AA 違反", "WCAG A/AA violation(s)"),
    "best-practice": ("WCAG A/AA 以外の違反", "violation(s) outside WCAG A/AA"),
    "needs-review": ("要確認の指摘", "finding(s) needing review"),
    "broken-links": ("リンク切れ", "broken link(s)"),
    "js-errors": ("JavaScript エラーのあるページ", "page(s) with JavaScript errors"),
    "http-errors": ("200 を返さないページ", "page(s) not answering 200"),
    "tls-problems": ("HTTPS・証明書の問題", "HTTPS or certificate problem(s)"),
    "security-exposure": ("セキュリティ上の露出", "security exposure(s)"),
    "privacy-before-consent": ("プライバシーの問題（同意前の追跡）", "privacy problem(s) (tracking before consent)"),
    "seo-problems": ("SEO の問題", "SEO problem(s)"),
    "spelling": ("スペル・言語の問題", "spelling or language problem(s)"),
}
assert tuple(GATE_OUTCOME_WORDS) == tuple(vocab.GATE_OUTCOMES)

SITE_SPECIFIC = ("サイト独自", "site-specific")

CONFORMANCE = {
    "full": ("準拠", "conforms"),
    "partial": ("一部準拠", "partially conforms"),
    "considered": ("配慮", "considered: the test is not complete"),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "ja" else pair[1]


def verdict_labels(config: dict[str, Any], lang: str) -> dict[str, str]:
    return {**VERDICT_LABELS[lang], **((config.get("labels") or {}).get(lang) or {})}


def verdict_aliases(config: dict[str, Any]) -> dict[str, str]:
    """Every label a person may pick or type -> machine value (both languages, default and configured)."""
    out: dict[str, str] = {}
    for lang in ("ja", "en"):
        for source in (VERDICT_LABELS[lang], (config.get("labels") or {}).get(lang) or {}):
            for verdict, label in source.items():
                out.setdefault(label, verdict)
                out.setdefault(label.lower(), verdict)
    return out


def lang_of(results: Any) -> str:
    """The deliverables' language of a run (``lang`` in qa.yaml or ``--lang``): Japanese unless set to English."""
    return "en" if (results.run.config or {}).get("lang") == "en" else "ja"
