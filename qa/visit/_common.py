"""What every driver does alike: the capped event log, key names, one JSON string out of the page, and the
engines' own navigation error codes as :class:`Fault` values."""

from __future__ import annotations

import re
from typing import Any

from selenium.webdriver.common.keys import Keys

from qa.visit.driver import Fault, PageEvents

MAX_EVENTS = 200  # a page that logs in a loop must not grow memory without bound

# A JavaScript function expression: the value as one JSON string ('null' for undefined). Old libraries
# (Prototype.js) patch toJSON and would garble JSON.stringify: it is set aside for the call and put back.
STRINGIFY_JS = (
    "((v) => { const saved = [Array.prototype, Object.prototype]"
    ".map((p) => [p, Object.getOwnPropertyDescriptor(p, 'toJSON')]).filter(([, d]) => d);"
    " saved.forEach(([p]) => delete p.toJSON);"
    " try { return v === undefined ? 'null' : JSON.stringify(v); }"
    " finally { saved.forEach(([p, d]) => Object.defineProperty(p, 'toJSON', d)); } })"
)


class EventLog:
    """A session's page events since the last navigation; ``take_events`` is the Session call."""

    _events: PageEvents

    def _reset_events(self) -> None:
        self._events = PageEvents()

    def _add(self, bucket: list, item: Any) -> None:
        # A failed request seen again is the same broken resource, listed once: the animated-images check fetches
        # each image the page loaded, and a missing one then failed twice, as an image and as a fetch.
        if isinstance(item, dict) and any(_same_failure(item, seen) for seen in bucket):
            return
        if len(bucket) < MAX_EVENTS:
            bucket.append(item)

    def take_events(self) -> PageEvents:
        events, self._events = self._events, PageEvents()
        return events


def _same_failure(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("url") == b.get("url") and a.get("status") == b.get("status") and a.get("error") == b.get("error")


# Playwright key names that differ from WebDriver's (Selenium's Keys attribute names, upper-cased otherwise).
_KEYS = {
    "ArrowDown": Keys.ARROW_DOWN,
    "ArrowUp": Keys.ARROW_UP,
    "ArrowLeft": Keys.ARROW_LEFT,
    "ArrowRight": Keys.ARROW_RIGHT,
    "PageDown": Keys.PAGE_DOWN,
    "PageUp": Keys.PAGE_UP,
}


def key_code(part: str) -> str:
    """One Playwright key name ("Tab", "Shift", "ArrowDown", "a") as a WebDriver key code."""
    return _KEYS.get(part) or (getattr(Keys, part.upper(), part) if len(part) > 1 else part)


def key_parts(key: str) -> tuple[list[str], str]:
    """ "Shift+Tab" -> (["Shift"], "Tab"): the modifiers held, then the key pressed."""
    *modifiers, last = key.split("+")
    return modifiers, last


def first_line(exc: BaseException) -> str:
    text = getattr(exc, "msg", None) or str(exc)
    return (text.strip().splitlines() or [type(exc).__name__])[0][:500]


def content_length(value: str | None) -> int | None:
    try:
        size = int(value or -1)
    except ValueError:
        return None
    return size if size >= 0 else None


# How much of the document the page holds so far, for an engine that cannot count the body's bytes as they arrive:
# the address (to know it is the document being loaded, not the last one) and the length of its markup as parsed
# so far (a lower bound of the decoded bytes received).
BODY_JS = "() => [location.href, document.documentElement ? document.documentElement.outerHTML.length : 0]"


# --- the engines' own error codes ------------------------------------------------------------------------------
# Chromium's net error names and Gecko's nsresult names come only inside the drivers' error text: the code is read
# out of it here, the wording around it never is.
_CODE = re.compile(r"\bnet::(ERR_[A-Z0-9_]+)|\b((?:NS|SSL_ERROR|SEC_ERROR|MOZILLA_PKIX_ERROR)_[A-Z0-9_]+)")
_EXACT = {
    "ERR_TOO_MANY_REDIRECTS": Fault.REDIRECT_LOOP,
    "ERR_ABORTED": Fault.ABORTED,
    "ERR_EMPTY_RESPONSE": Fault.NETWORK,
    "ERR_TIMED_OUT": Fault.NETWORK,  # a connect that timed out in the network stack: retried like a refused one
    "ERR_INTERNET_DISCONNECTED": Fault.NETWORK,
    "ERR_INVALID_RESPONSE": Fault.NETWORK,
    "ERR_INVALID_HTTP_RESPONSE": Fault.NETWORK,
    "ERR_INCOMPLETE_CHUNKED_ENCODING": Fault.NETWORK,
    "ERR_CONTENT_LENGTH_MISMATCH": Fault.NETWORK,
    "ERR_HTTP2_PROTOCOL_ERROR": Fault.NETWORK,
    "ERR_BAD_SSL_CLIENT_AUTH_CERT": Fault.TLS,
    "NS_ERROR_REDIRECT_LOOP": Fault.REDIRECT_LOOP,
    "NS_BINDING_ABORTED": Fault.ABORTED,
    "NS_ERROR_ABORT": Fault.ABORTED,
    "NS_ERROR_CONNECTION_REFUSED": Fault.NETWORK,
    "NS_ERROR_UNKNOWN_HOST": Fault.NETWORK,
    "NS_ERROR_OFFLINE": Fault.NETWORK,
    "NS_ERROR_PROXY_CONNECTION_REFUSED": Fault.NETWORK,
    "NS_ERROR_MODULE_SECURITY": Fault.TLS,
}
_PREFIXES = (
    ("ERR_SSL_", Fault.TLS),
    ("ERR_CERT_", Fault.TLS),
    ("ERR_CONNECTION_", Fault.NETWORK),
    ("ERR_NAME_", Fault.NETWORK),
    ("ERR_ADDRESS_", Fault.NETWORK),
    ("ERR_NETWORK_", Fault.NETWORK),
    ("ERR_PROXY_", Fault.NETWORK),
    ("SSL_ERROR_", Fault.TLS),
    ("SEC_ERROR_", Fault.TLS),
    ("MOZILLA_PKIX_ERROR_", Fault.TLS),
    ("NS_ERROR_NET_", Fault.NETWORK),
)


def code_fault(message: str) -> Fault:
    """The fault for the most telling Chromium or Gecko error code in a driver's error text (OTHER without one)."""
    codes = [a or b for a, b in _CODE.findall(message)]
    # NS_ERROR_GENERATE_FAILURE(NS_ERROR_MODULE_SECURITY, SSL_ERROR_X): the innermost code says most.
    for code in reversed(codes):
        fault = _EXACT.get(code) or next((f for p, f in _PREFIXES if code.startswith(p)), None)
        if fault is not None:
            return fault
    return Fault.OTHER
