"""After the check: each occurrence of a link gets its target's result, its own anchor and mixed-content verdict.

Results, worst first: ``broken`` (the target cannot be reached or answers with an error), ``warning`` (reached,
but rate limited, anchor missing, or insecure on an https page), ``info`` (redirected to a working page: the link
works, its chain says what to update it to), ``ok``, ``ignored`` (not requested: another scheme, external checking
off, ``links.ignore`` or ``--exclude``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from qa.links.engine import netloc_of
from qa.links.syntax import mailto_problem, tel_problem
from qa.redact import redact_text, redact_url
from qa.urls import UNSAFE_REASON, ends_session, normalise

OK, BROKEN, WARNING, INFO, IGNORED = "ok", "broken", "warning", "info", "ignored"
RESULTS = (BROKEN, WARNING, INFO, OK, IGNORED)
_RANK = {OK: 0, INFO: 1, WARNING: 2, BROKEN: 3}

# LinkChecker warnings worth a person's attention; the rest (URL spelling, parseability) are noise here
NOTABLE_WARNINGS = {"http-empty-content", "url-content-size-zero", "url-error-getting-content", "url-too-long"}
NOT_FETCHED_SCHEMES = {"javascript", "data", "blob", "about"}
LINK_ELEMENTS = ("a", "area")


@dataclass
class Target:
    """One URL to request (fragment removed), however many pages link to it."""

    key: str
    internal: bool
    fragments: set[str] = field(default_factory=set)


@dataclass
class Plan:
    targets: dict[str, Target] = field(default_factory=dict)


def split_fragment(url: str) -> tuple[str, str | None]:
    if "#" not in url:
        return url, None
    key, fragment = url.split("#", 1)
    return key, fragment


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_internal(url: str, site_origin: str) -> bool:
    """Same host and port as the site; ``http://`` and ``https://`` on default ports are one site."""
    if netloc_of(url) == netloc_of(site_origin):
        return True
    return host_of(url) == host_of(site_origin) and ":" not in netloc_of(url) + netloc_of(site_origin)


def scheme_of(url: str) -> str:
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    return m.group(1).lower() if m else ""


def needs_fragment_check(fragment: str | None) -> bool:
    """Fragments that name no element: empty and "top" (HTML scrolls to the top), routes, text fragments."""
    if not fragment or fragment.lower() == "top":
        return False
    return not fragment.startswith(("!", "/", ":~:"))


def plan_targets(
    occurrences: Any,
    site_origin: str,
    check_external: bool,
    ignore: list[re.Pattern],
    unsafe: list[re.Pattern] | None = None,
    unsafe_words: bool = False,
) -> Plan:
    """``unsafe_words``: a URL that some link's text names a logout (qa.urls.ends_session) is never requested."""
    plan = Plan()
    never = ignore + (unsafe or [])
    named_logout: set[str] = set()
    for occ in occurrences:
        url = occ["url"]
        if scheme_of(url) not in ("http", "https") or any(p.search(url) for p in never):
            continue
        internal = is_internal(url, site_origin)
        if not internal and not check_external:
            continue
        key, fragment = split_fragment(url)
        if unsafe_words and ends_session(occ.get("text")):
            named_logout.add(key)
        target = plan.targets.setdefault(key, Target(key, internal))
        if needs_fragment_check(fragment):
            target.fragments.add(fragment)
    for key in named_logout:
        del plan.targets[key]
    return plan


Verdict = tuple[str, str, tuple[str, ...]]  # result, reason, issue codes


def _worse(current: Verdict, result: str, reason: str, issue: str = "") -> Verdict:
    """The worse of two verdicts; reasons and issue codes of equal rank add up."""
    issues = current[2] + ((issue,) if issue else ())
    if _RANK[result] > _RANK[current[0]]:
        return result, reason if not current[1] else f"{reason}; {current[1]}", issues
    if _RANK[result] == _RANK[current[0]] and result != OK:
        return result, f"{current[1]}; {reason}" if current[1] else reason, issues
    return current


def describe_failure(checked: dict[str, Any]) -> str:
    """LinkChecker's result text, made readable: 'connection refused' rather than a urllib3 traceback line."""
    text = checked.get("result") or ""
    status = checked.get("status")
    if status:
        return text
    why = checked.get("error") or text.split(":", 1)[0] or "no response"
    retries = checked.get("retries") or 0
    tried = f" (tried {retries + 1} times)" if retries else ""
    return f"{why}{tried}: {text}"[:400]


def judge_target(checked: dict[str, Any] | None) -> Verdict:
    if checked is None:
        return WARNING, "not checked: the link check stopped before this URL", ("not-checked",)
    status = checked.get("status")
    if not checked.get("valid"):
        return BROKEN, describe_failure(checked), ("http-error" if status else "unreachable",)
    if checked.get("result") == "syntax OK":  # robots.txt of another site forbids fetching it
        return IGNORED, "robots.txt of that site forbids checking it", ()
    verdict: Verdict = (OK, "", ())
    if status == 429:
        verdict = _worse(
            verdict, WARNING, "rate limited (429 Too Many Requests) after waiting; not verified", "rate-limited"
        )
    chain = checked.get("redirects") or []
    if chain:
        hops = " → ".join(f"{hop['status']} {hop['url']}" if hop["status"] else hop["url"] for hop in chain[1:])
        verdict = _worse(verdict, INFO, f"redirected {chain[0]['status']} → {hops}", "redirect")
        last = chain[-1]["url"]
        if last.startswith(("mailto:", "tel:")):  # the chain leaves the web: the address it ends at is checked
            problem = mailto_problem(last) if last.startswith("mailto:") else tel_problem(last)
            if problem:
                verdict = _worse(verdict, BROKEN, f"redirects to a malformed address: {problem}", "redirect-syntax")
    for tag, text in checked.get("warnings") or []:
        if tag in NOTABLE_WARNINGS:
            verdict = _worse(verdict, WARNING, text, tag)
    if verdict[0] == OK and checked.get("retries"):
        waited = checked.get("waited") or 0
        verdict = (OK, f"OK after {checked['retries']} retry(ies)" + (f", waited {waited:g} s" if waited else ""), ())
    return verdict


def judge_occurrence(
    occ: dict[str, Any],
    site_origin: str,
    check_external: bool,
    ignore: list[re.Pattern],
    checked: dict[str, dict[str, Any]],
    ids: dict[str, set[str]],
    unsafe: list[re.Pattern] | None = None,
    unsafe_words: bool = False,
) -> dict[str, Any]:
    """One row of ``links[]``."""
    url, source, element = occ["url"], occ["source"], occ["element"]
    scheme = scheme_of(url)
    row: dict[str, Any] = {
        "url": redact_url(url),
        "source": redact_url(source),
        "text": occ.get("text", ""),
        "element": element,
        "status": None,
        "result": OK,
        "reason": "",
        "redirects": [],
        "internal": is_internal(url, site_origin) if scheme in ("http", "https") else False,
        "content_type": "",
        "issues": [],  # redirect, missing-anchor, insecure-link, mixed-content, rate-limited, http-error, ...
    }
    if scheme == "mailto" or scheme == "tel":
        problem = mailto_problem(url) if scheme == "mailto" else tel_problem(url)
        row["result"], row["reason"] = (BROKEN, problem) if problem else (OK, "syntax checked (no DNS lookup)")
        row["issues"] = [f"{scheme}-syntax"] if problem else []
        return row
    if scheme == "file":
        row["result"], row["reason"] = BROKEN, "file: URL points to a file on the author's computer"
        row["issues"] = ["local-file"]
        return row
    if scheme not in ("http", "https"):
        why = "not a link to fetch" if scheme in NOT_FETCHED_SCHEMES else f"{scheme or 'this'} links are not checked"
        row["result"], row["reason"] = IGNORED, why
        return row
    if any(p.search(url) for p in ignore):
        row["result"], row["reason"] = IGNORED, "matches links.ignore or --exclude: never requested"
        return row
    if any(p.search(url) for p in unsafe or []) or (unsafe_words and ends_session(occ.get("text"))):
        row["result"], row["reason"] = IGNORED, f"{UNSAFE_REASON} (unsafe_links in qa.yaml)"
        row["issues"] = ["unsafe-link"]
        return row
    if not row["internal"] and not check_external:
        row["result"], row["reason"] = IGNORED, "external links not checked (links.check_external: false)"
        return row
    key, fragment = split_fragment(url)
    target = checked.get(key)
    verdict = judge_target(target)
    if target:
        row["status"] = target.get("status")
        row["content_type"] = target.get("content_type", "")
        row["redirects"] = [{"url": redact_url(h["url"]), "status": h["status"]} for h in target.get("redirects", [])]
    if verdict[0] in (OK, INFO) and needs_fragment_check(fragment) and target:
        verdict = _worse(verdict, *anchor_verdict(fragment, target, ids))
    if urlsplit(source).scheme == "https" and scheme == "http":
        if element in LINK_ELEMENTS:
            verdict = _worse(verdict, WARNING, "insecure link (http:// on an https page)", "insecure-link")
        else:
            what = "mixed content: http:// resource on an https page (browsers block or flag it)"
            verdict = _worse(verdict, WARNING, what, "mixed-content")
    row["result"], row["reason"], row["issues"] = verdict[0], redact_text(verdict[1]), list(verdict[2])
    return row


def anchor_verdict(fragment: str, target: dict[str, Any], ids: dict[str, set[str]]) -> tuple[str, str, str]:
    names = {fragment, unquote(fragment)}
    page = normalise(target.get("url") or "") or ""
    key_page = normalise(target.get("key") or "") or ""
    rendered = ids.get(page) or ids.get(key_page)
    if rendered is not None:
        if names & rendered:
            return OK, "", ""
        return WARNING, f"anchor #{unquote(fragment)} not found on the target page (rendered DOM)", "missing-anchor"
    if target.get("anchors") is not None:  # every anchor name of the target's HTML (a link met during the crawl)
        if names & set(target["anchors"]):
            return OK, "", ""
        return WARNING, f"anchor #{unquote(fragment)} not found in the target page's HTML", "missing-anchor"
    missing = target.get("missing_anchors")
    if missing is None:
        return OK, "", ""  # not an HTML page (a PDF's #page=2), or its HTML could not be read
    if fragment in missing:
        return WARNING, f"anchor #{unquote(fragment)} not found in the target page's HTML", "missing-anchor"
    return OK, "", ""
