"""The suite's names, defined once: check families, finding outcomes, gate outcomes, verdicts and profile ids.

Configuration validates against these, checks declare them, the judge writes them and every report reads them,
so a new family or outcome is added here and nowhere else.
"""

from __future__ import annotations

# Check families, selected with `qa audit --only FAMILY` (config `families`); "core" checks always run.
FAMILIES = ("a11y", "links", "browsers", "ops")
CORE = "core"

# What one finding says about its element.
VIOLATION = "violation"
NEEDS_REVIEW = "needs-review"
OUTCOMES = (VIOLATION, NEEDS_REVIEW)

# What the publication gate counts (`--fail-on`, config `gate.fail_on`) and how the console names it.
A11Y_VIOLATIONS = "a11y-violations"
BEST_PRACTICE = "best-practice"
REVIEW_ITEMS = "needs-review"
BROKEN_LINKS = "broken-links"
JS_ERRORS = "js-errors"
HTTP_ERRORS = "http-errors"
GATE_OUTCOMES = {
    A11Y_VIOLATIONS: "WCAG A/AA violation(s)",
    BEST_PRACTICE: "violation(s) outside WCAG A/AA",
    REVIEW_ITEMS: "finding(s) needing review",
    BROKEN_LINKS: "broken link(s)",
    JS_ERRORS: "page(s) with JavaScript errors",
    HTTP_ERRORS: "page(s) not answering 200",
}

# A success criterion's verdict in a conformance profile.
FAIL = "fail"
REVIEW = "needs-review"
PASS = "pass"
NOT_APPLICABLE = "not-applicable"
NOT_VERIFIED = "not-verified"
VERDICTS = (FAIL, REVIEW, PASS, NOT_APPLICABLE, NOT_VERIFIED)

# Conformance profiles (qa.judge.profiles defines what each contains) and target levels.
PROFILE_IDS = ("jis2016", "wcag21", "wcag22")
LEVELS = ("A", "AA")
