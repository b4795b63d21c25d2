"""Browser check, after the crawl: the JavaScript errors, console errors and failed subresource requests every
driver recorded during each visit (``page.facts``) become findings, stored once with the cells they were seen in."""

from __future__ import annotations

from qa.check import SiteCheck
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page, Results, finding_id, merge_cells

MAX_PER_PAGE = 20
# Chromium repeats every failed subresource as a console message; the failed-request finding covers it.
_ECHOES = ("Failed to load resource",)
_TYPES = {"img": "image", "link": "stylesheet", "iframe": "document"}
RULES = ("js-error", "console-error", "failed-request")


def _finding(page: Page, rule: str, outcome: str, key: str, message: str, **kw) -> Finding:
    return Finding(
        rule=rule,
        outcome=outcome,
        url=page.url,
        browser=page.browser,
        viewport=page.viewport,
        check="browser",
        message=message,
        id=finding_id(rule, page.url, key, outcome),
        **kw,
    )


def page_findings(page: Page) -> list[Finding]:
    facts = page.facts
    found: list[Finding] = []
    for text in list(dict.fromkeys(facts.get("js_errors") or []))[:MAX_PER_PAGE]:
        found.append(_finding(page, "js-error", VIOLATION, text, f"JavaScript error: {text}", impact="serious"))
    for text in list(dict.fromkeys(facts.get("console_errors") or []))[:MAX_PER_PAGE]:
        if text.startswith(_ECHOES):
            continue
        found.append(_finding(page, "console-error", NEEDS_REVIEW, text, f"Console error: {text}", impact="minor"))
    seen: set[str] = set()
    for req in facts.get("failed_requests") or []:
        url = str(req.get("url", ""))
        if not url or url in seen or url.startswith("data:") or len(seen) >= MAX_PER_PAGE:
            continue
        seen.add(url)
        kind = _TYPES.get(str(req.get("type", "")), str(req.get("type", "")))
        found.append(
            _finding(
                page,
                "failed-request",
                VIOLATION,
                url,
                f"A resource of the page failed to load: {url}",
                target=url,
                impact="moderate",
                details={"type": kind, "status": req.get("status"), "error": req.get("error")},
            )
        )
    return found


class BrowserEvents(SiteCheck):
    id = "browser-events"
    title = "Browser check (JavaScript errors, console, failed requests)"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "js-error": {
            "ja": "JavaScript エラー: {text}",
            "fix_ja": "エラーを出しているスクリプトを直す。",
            "fix_en": "Fix the script that throws the error.",
        },
        "console-error": {
            "ja": "コンソールエラー: {text}",
            "fix_ja": "コンソールに出ているエラーの原因を直す。",
            "fix_en": "Fix the cause of the console error.",
        },
        "failed-request": {
            "ja": "ページのリソースを読み込めませんでした: {text}",
            "fix_ja": "リソースの URL を直すか、リソースをサーバーに置く。",
            "fix_en": "Fix the resource's URL or put the resource on the server.",
        },
    }
    family = "browsers"
    requires = ("page-events",)

    def run(self, results: Results) -> list[Finding]:
        cells = {c: i for i, c in enumerate(results.run.cells)}
        pages = sorted((p for p in results.pages if not p.error), key=lambda p: cells.get(p.cell, len(cells)))
        return merge_cells([f for p in pages for f in page_findings(p)])

    def owns(self, finding: Finding) -> bool:
        # Its findings are filed under the browser check, with those of the page check of that name.
        return finding.check == "browser" and finding.rule in RULES
