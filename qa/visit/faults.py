"""What went wrong with a page, in words a QA engineer acts on, and whether trying again can help.

Every problem becomes ``Page.error`` (the reason) and ``Page.error_kind`` (one of ``KINDS``) on the page's
record; the run goes on.
"""

from __future__ import annotations

import re

TIMEOUT = "timeout"  # navigation or the whole page took longer than its timeout (hung server or script)
UNRESPONSIVE = "unresponsive"  # the page's script never yields (infinite loop): the tab was abandoned
CRASH = "crash"  # the renderer process died (out of memory, browser bug)
BROWSER_CRASH = "browser-crash"  # the whole browser died; it was restarted
NETWORK = "network"  # connection refused, reset, DNS, TLS
REDIRECT_LOOP = "redirect-loop"
HTTP_ERROR = "http-error"  # 4xx / 5xx
NOT_HTML = "not-html"  # PDF, image, ... served as such
DOWNLOAD = "download"  # served as an attachment
TOO_LARGE = "too-large"
BINARY = "binary"  # binary content served as text/html
OFF_SITE = "off-site"  # redirected to another origin
INTERRUPTED = "interrupted"  # the run was stopped while this page was in flight; a resumed run visits it again
ERROR = "error"  # anything else (a bug in a check or the suite)
KINDS = (
    TIMEOUT,
    UNRESPONSIVE,
    CRASH,
    BROWSER_CRASH,
    NETWORK,
    REDIRECT_LOOP,
    HTTP_ERROR,
    NOT_HTML,
    DOWNLOAD,
    TOO_LARGE,
    BINARY,
    OFF_SITE,
    INTERRUPTED,
    ERROR,
)
# Worth one more try in a fresh tab (a fresh browser when it died): crashes and dropped connections are often
# transient, and a tab found unresponsive may have been stalled by another page's runaway script in the same
# browser. A server that never answers is not retried: it would only cost the same time again.
RETRYABLE = (CRASH, BROWSER_CRASH, NETWORK, UNRESPONSIVE)

_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"ERR_TOO_MANY_REDIRECTS|redirect(ion)? limit|too many redirects", re.I),
        REDIRECT_LOOP,
        "redirect loop (too many redirects); not audited",
    ),
    (
        re.compile(r"Download is starting|download (is )?(started|starting|canceled)", re.I),
        DOWNLOAD,
        "a download (served as an attachment), not a page; skipped",
    ),
    (
        re.compile(r"page crashed|target crashed|renderer.*(crash|gone)", re.I),
        CRASH,
        "the browser's renderer crashed on this page (out of memory or a browser bug); not audited",
    ),
    (
        re.compile(
            r"browser has been closed|browser.*(disconnected|closed)|Target page, context or browser has been "
            r"closed|Connection closed|Browser closed",
            re.I,
        ),
        BROWSER_CRASH,
        "the browser stopped while loading this page; it was restarted",
    ),
    (
        re.compile(
            r"net::ERR_(CONNECTION|EMPTY_RESPONSE|NAME_NOT_RESOLVED|ADDRESS|INTERNET|NETWORK|SSL|CERT|TIMED_OUT)"
            r"|NS_ERROR_(NET|CONNECTION)|Could not connect|connection (refused|reset)",
            re.I,
        ),
        NETWORK,
        "",
    ),
    (re.compile(r"Timeout \d+ms exceeded|timed? ?out", re.I), TIMEOUT, ""),
]


def classify(message: str) -> tuple[str, str]:
    """(kind, reason) for an error message from a browser driver."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    for pattern, kind, reason in _RULES:
        if pattern.search(first):
            return kind, reason or _strip_api(first)
    return ERROR, _strip_api(first)


def _strip_api(message: str) -> str:
    """``Page.goto: net::ERR_X at URL`` -> ``net::ERR_X at URL`` (the API name means nothing to a reader)."""
    return re.sub(r"^[A-Za-z]+\.[A-Za-z]+: ", "", message)[:500]
