"""The suite's names, defined once: check families, finding outcomes, gate outcomes, verdicts and profile ids.

Configuration validates against these, checks declare them, the judge writes them and every report reads them,
so a new family or outcome is added here and nowhere else.
"""

from __future__ import annotations

from typing import Literal, get_args

# Check families, selected with `qa audit --only FAMILY` (config `families`); "core" checks always run.
Family = Literal["a11y", "links", "browsers", "ops", "tls", "security", "privacy", "seo", "language"]
FAMILIES: tuple[str, ...] = get_args(Family)
# The pre-publication families (公開前チェック workbook, prepublish-check.xlsx): HTTPS and certificate, security
# exposure, privacy before consent, SEO essentials, spelling of the site's language.
PREPUBLISH_FAMILIES: tuple[str, ...] = ("tls", "security", "privacy", "seo", "language")
CORE = "core"

# What one finding says about its element.
VIOLATION = "violation"
NEEDS_REVIEW = "needs-review"
OUTCOMES = (VIOLATION, NEEDS_REVIEW)

# What the publication gate counts (`--fail-on`, config `gate.fail_on`) and how the console names it: a gate
# outcome is not a check family (`links` runs the link check, `broken-links` gates on what it found).
GateOutcome = Literal[
    "a11y-violations",
    "best-practice",
    "needs-review",
    "broken-links",
    "js-errors",
    "http-errors",
    "tls-problems",
    "security-exposure",
    "privacy-before-consent",
    "seo-problems",
    "spelling",
]
A11Y_VIOLATIONS = "a11y-violations"
BEST_PRACTICE = "best-practice"
REVIEW_ITEMS = "needs-review"
BROKEN_LINKS = "broken-links"
JS_ERRORS = "js-errors"
HTTP_ERRORS = "http-errors"
TLS_PROBLEMS = "tls-problems"
SECURITY_EXPOSURE = "security-exposure"
PRIVACY_BEFORE_CONSENT = "privacy-before-consent"
SEO_PROBLEMS = "seo-problems"
SPELLING = "spelling"
GATE_OUTCOMES = {
    A11Y_VIOLATIONS: "WCAG A/AA violation(s)",
    BEST_PRACTICE: "violation(s) outside WCAG A/AA",
    REVIEW_ITEMS: "finding(s) needing review",
    BROKEN_LINKS: "broken link(s)",
    JS_ERRORS: "page(s) with JavaScript errors",
    HTTP_ERRORS: "page(s) not answering 200",
    TLS_PROBLEMS: "HTTPS or certificate problem(s)",
    SECURITY_EXPOSURE: "security exposure(s)",
    PRIVACY_BEFORE_CONSENT: "privacy problem(s) (tracking before consent)",
    SEO_PROBLEMS: "SEO problem(s)",
    SPELLING: "spelling or language problem(s)",
}
assert tuple(GATE_OUTCOMES) == get_args(GateOutcome)
# The gate outcome counting a pre-publication family's violations (its needs-review findings count as needs-review).
GATE_OF_FAMILY = {
    "tls": TLS_PROBLEMS,
    "security": SECURITY_EXPOSURE,
    "privacy": PRIVACY_BEFORE_CONSENT,
    "seo": SEO_PROBLEMS,
    "language": SPELLING,
}
assert tuple(GATE_OF_FAMILY) == PREPUBLISH_FAMILIES

# A success criterion's verdict in a conformance profile.
FAIL = "fail"
REVIEW = "needs-review"
PASS = "pass"
NOT_APPLICABLE = "not-applicable"
NOT_VERIFIED = "not-verified"
Verdict = Literal["fail", "needs-review", "pass", "not-applicable", "not-verified"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
assert VERDICTS == (FAIL, REVIEW, PASS, NOT_APPLICABLE, NOT_VERIFIED)

# Conformance profiles (qa.judge.profiles defines what each contains) and target levels.
ProfileId = Literal["jis2016", "wcag21", "wcag22"]
PROFILE_IDS: tuple[str, ...] = get_args(ProfileId)
Level = Literal["A", "AA"]
LEVELS: tuple[str, ...] = get_args(Level)
