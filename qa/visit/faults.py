"""What went wrong with a page, in words a QA engineer acts on, and whether trying again can help.

Every problem becomes ``Page.error`` (the reason) and ``Page.error_kind`` (one of ``KINDS``) on the page's
record; the run goes on.
"""

from __future__ import annotations

from qa.visit.driver import DriverFault, Fault, Navigation

TIMEOUT = "timeout"  # navigation or the whole page took longer than its timeout (hung server or script)
UNRESPONSIVE = "unresponsive"  # the page's script never yields (infinite loop): the tab was abandoned
CRASH = "crash"  # the renderer process died (out of memory, browser bug)
BROWSER_CRASH = "browser-crash"  # the whole browser died; it was restarted
NETWORK = "network"  # connection refused, reset, DNS, TLS
ABORTED = "aborted"  # the browser gave up the navigation, mostly for another one (a script or meta refresh moving on)
REDIRECT_LOOP = "redirect-loop"
HTTP_ERROR = "http-error"  # 4xx / 5xx
NOT_HTML = "not-html"  # PDF, image, ... served as such
DOWNLOAD = "download"  # served as an attachment
TOO_LARGE = "too-large"
BINARY = "binary"  # binary content served as text/html
OFF_SITE = "off-site"  # redirected to another origin
INTERRUPTED = "interrupted"  # the run was stopped while this page was in flight; a resumed run visits it again
STEP_FAILED = "step-failed"  # a scripted step (qa.yaml steps) could not be carried out: which one, and why
ERROR = "error"  # anything else (a bug in a check or the suite)
KINDS = (
    TIMEOUT,
    UNRESPONSIVE,
    CRASH,
    BROWSER_CRASH,
    NETWORK,
    ABORTED,
    REDIRECT_LOOP,
    HTTP_ERROR,
    NOT_HTML,
    DOWNLOAD,
    TOO_LARGE,
    BINARY,
    OFF_SITE,
    INTERRUPTED,
    ERROR,
    STEP_FAILED,
)
# Worth one more try in a fresh tab (a fresh browser when it died): crashes, dropped connections and aborted
# navigations are often transient (an aborted one mostly lost to the last page's own meta refresh or script, still
# running in the tab), and a tab found unresponsive may have been stalled by another page's runaway script in the
# same browser. A server that never answers or drips its page, and a page too large, are not retried: they would
# only cost the same time again.
RETRYABLE = (CRASH, BROWSER_CRASH, NETWORK, ABORTED, UNRESPONSIVE)

# What each driver fault is recorded as; an empty reason means the engine's own words (``Navigation.error``).
_BY_FAULT: dict[Fault, tuple[str, str]] = {
    Fault.TIMEOUT: (TIMEOUT, ""),
    Fault.NETWORK: (NETWORK, ""),
    Fault.TLS: (NETWORK, ""),
    Fault.TOO_LARGE: (TOO_LARGE, ""),
    Fault.DOWNLOAD: (DOWNLOAD, "a download (served as an attachment), not a page; skipped"),
    Fault.REDIRECT_LOOP: (REDIRECT_LOOP, "redirect loop (too many redirects); not audited"),
    Fault.CRASH: (CRASH, "the browser's renderer crashed on this page (out of memory or a browser bug); not audited"),
    Fault.BROWSER_GONE: (BROWSER_CRASH, "the browser stopped while loading this page; it was restarted"),
    Fault.ABORTED: (ABORTED, ""),
    Fault.OTHER: (ERROR, ""),
}
_PREFIX = {
    Fault.TLS: "TLS error",
    Fault.NETWORK: "network error",
    Fault.ABORTED: "aborted: the browser abandoned loading the page, as a page does when another navigation replaces it"
    " (a redirect by script or meta refresh)",
}


def of_navigation(nav: Navigation, timeout_s: float) -> tuple[str, str]:
    """(kind, reason) for a navigation that failed (``nav.fault`` set)."""
    fault = nav.fault or Fault.OTHER
    if fault == Fault.TIMEOUT:
        if not nav.responded:
            why = f"the server did not answer within {timeout_s:g} s"
        elif still_sending(nav):
            got = f", {_size(nav.received_bytes)} received" if nav.received_bytes else ""
            why = f"the server was still sending the page after {timeout_s:g} s{got} (a slow or endless response)"
        else:
            why = f"the page did not finish loading within {timeout_s:g} s (a script or resource never ends)"
        return TIMEOUT, f"timeout: {why}"
    if fault == Fault.TOO_LARGE:
        if nav.body_complete is False and nav.received_bytes:
            size = f"more than {_mb(nav.received_bytes)} arrived (decoded) and more was coming; stopped there"
        else:
            size = f"the document is {_mb(nav.document_bytes)}" if nav.document_bytes else "larger than the limit"
        return TOO_LARGE, f"too large: {size}; skipped (max_page_mb)"
    return _of_fault(fault, nav.error)


def still_sending(nav: Navigation) -> bool:
    """The server had answered but not sent the whole document when the navigation ended: its slowness, not the
    page's script."""
    return nav.responded and nav.body_complete is False


def _mb(size: int | None) -> str:
    return f"{(size or 0) / 1e6:.1f} MB"


def _size(size: int) -> str:
    return _mb(size) if size >= 100_000 else f"{size:,} bytes"


def of_exception(exc: BaseException) -> tuple[str, str]:
    """(kind, reason) for an exception that ended a visit: a :class:`DriverFault` by its fault, anything else is
    an error of the suite or a check."""
    if isinstance(exc, DriverFault):
        return _of_fault(exc.fault, exc.detail)
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return ERROR, f"{type(exc).__name__}: {first}"[:500] if first else type(exc).__name__


def _of_fault(fault: Fault, detail: str) -> tuple[str, str]:
    kind, reason = _BY_FAULT[fault]
    if reason:
        return kind, reason
    detail = (detail.strip().splitlines() or [fault.value])[0][:500]
    prefix = _PREFIX.get(fault)
    return kind, f"{prefix}: {detail}" if prefix else detail
