"""Links that are checked by their syntax alone: ``mailto:`` (RFC 6068) and ``tel:`` (RFC 3966), never by DNS."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9\u00a1-\uffff-]{1,63}(?<!-)$")
_TEL_VISUAL = re.compile(r"[-.() \u2010-\u2015\u30fc]")


def mail_address_problem(address: str) -> str | None:
    if address.count("@") != 1:
        return f"'{address}' is not an e-mail address (one @ expected)"
    local, domain = address.split("@")
    if not local or not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return f"'{address}': the part before @ is not valid"
    labels = domain.rstrip(".").split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return f"'{address}': '{domain}' is not a valid mail domain"
    return None


def mailto_problem(url: str) -> str | None:
    """None when the mailto: link is well formed, else what is wrong with it."""
    rest = url.split(":", 1)[1]
    path, _, query = rest.partition("?")
    addresses = [unquote(a).strip() for a in path.split(",") if a.strip()]
    addresses += [a.strip() for k, v in parse_qsl(query) if k.lower() == "to" for a in v.split(",") if a.strip()]
    if not addresses:
        # RFC 6068 lets the reader choose the recipient ("share by e-mail": mailto:?subject=...&body=...); with
        # nothing at all to fill in, the link is an empty template
        return None if query.strip() else "mailto: link with neither an address nor a subject or body"
    for address in addresses:
        problem = mail_address_problem(address)
        if problem:
            return problem
    return None


def tel_problem(url: str) -> str | None:
    """None when the tel: link is a dialable number (global +81…, or a local number such as 03-1234-5678)."""
    number = unquote(urlsplit(url).path or url.split(":", 1)[1]).split(";", 1)[0]
    digits = _TEL_VISUAL.sub("", number)
    if not digits:
        return "tel: link without a number"
    if not re.fullmatch(r"\+?[0-9*#]+", digits):
        return f"'{number}' is not a telephone number (only digits, +, and - . ( ) separators are allowed)"
    count = len(re.sub(r"\D", "", digits))
    if count < 3 or count > 15:
        return f"'{number}' has {count} digits; a telephone number has 3 to 15"
    return None
