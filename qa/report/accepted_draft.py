"""The text of an accepted-issues draft (``qa accept RUN_DIR``): one entry per finding identity, each with a comment
saying what was found, and owner, reason and expiry as ``TODO`` placeholders the gate refuses until a person fills
them in. Not a deliverable of the run (no ``NAME``): a file for the site's repository, reviewed like code."""

from __future__ import annotations

import datetime as dt
import json
import re

from qa.judge.accepted import PLACEHOLDER, Draft
from qa.model import Results
from qa.redact import redact_url

OWNER = f"{PLACEHOLDER}: who answers for it (a person or team)"
REASON = f"{PLACEHOLDER}: why it is accepted, e.g. a third-party widget replaced in the redesign"
EXPIRES = f"{PLACEHOLDER}: the date it stops being accepted, e.g. 2027-03-31"
# Plain YAML where it reads as text; anything else quoted (JSON's escapes are YAML's double-quoted ones).
PLAIN = re.compile(r"[A-Za-z/][\w./-]*")
NOT_TEXT = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
# Site content in a comment: no line breaks of any kind (a YAML comment ends at one).
BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
MESSAGE_CHARS = 160
AXE_LEAD = re.compile(r"^Fix (any|all) of the following: ")  # axe's summary opener, the same on every message


def scalar(value: str) -> str:
    if PLAIN.fullmatch(value) and value.lower() not in NOT_TEXT:
        return value
    return json.dumps(value, ensure_ascii=False)


def comment(draft: Draft) -> str:
    what = ", ".join(draft.sc) if draft.sc else "best practice"
    message = AXE_LEAD.sub("", " ".join(BREAKS.sub(" ", draft.message).split()))
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    cells = ", ".join(sorted(draft.cells))
    return f"# {draft.outcome} ({what}): {message} [{draft.findings} finding(s) in {cells}]"


def entries_text(
    drafts: list[Draft], owner: str = "", reason: str = "", expires: dt.date | None = None, indent: str = "  "
) -> str:
    """The entries as YAML list items at ``indent`` (the list's own, when appending to a file)."""
    lines = []
    for draft in drafts:
        lines.append(f"{indent}{comment(draft)}")
        fields = [("rule", draft.rule), ("url", redact_url(draft.url) if "://" in draft.url else draft.url)]
        if draft.selector:
            fields.append(("selector", draft.selector))
        fields += [("reason", reason or REASON), ("owner", owner or OWNER)]
        for n, (key, value) in enumerate(fields):
            lines.append(f"{indent}{'- ' if n == 0 else '  '}{key}: {scalar(value)}")
        lines.append(f"{indent}  expires: {expires.isoformat() if expires else scalar(EXPIRES)}")
    return "".join(line + "\n" for line in lines)


def draft_text(
    results: Results, drafts: list[Draft], owner: str = "", reason: str = "", expires: dt.date | None = None
) -> str:
    """A whole accepted-issues file drafted from ``results``."""
    count = sum(d.findings for d in drafts)
    header = [
        "# yaml-language-server: $schema=accepted.schema.json",
        "# Accepted issues: findings the publication gate tolerates until they expire (docs/ci.md).",
        f"# Drafted by 'qa accept' from run {results.run.id} of {redact_url(results.run.start_url)}: "
        f"{count} finding(s) in {len(drafts)} entr{'y' if len(drafts) == 1 else 'ies'}.",
        f"# Review every entry: fill in owner, reason and expires (the gate refuses {PLACEHOLDER} placeholders),",
        "# and delete what you do not accept. url is the page's path, selector the element (positions removed).",
    ]
    body = entries_text(drafts, owner, reason, expires) if drafts else ""
    return "\n".join(header) + "\n" + ("accepted:\n" + body if body else "accepted: []\n")
