"""4.1.1 Parsing (JIS X 8341-3:2016; obsolete in WCAG 2.2): start tags that repeat an attribute, in the HTML the
server sent.

A browser keeps the first of two attributes of the same name and drops the other, so no script in the page can see
the duplicate (ACT rule e6952f): the check reads the document as received (where the engine gives it: Playwright's;
elsewhere the page records that it was not verified) with Python's HTML tokenizer, which keeps every attribute as
written and reads the insides of script and style as text, not markup. Duplicate ids are the rule engines' (HTML_
CodeSniffer's F77), read from the DOM.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from html.parser import HTMLParser
from typing import Any

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import VIOLATION, Finding

MAX_FINDINGS = 20
MAX_SOURCE_CHARS = 3_000_000  # past this, the rest of a document is not read (the page says so)

# The DOM element each listed start tag became: the n-th element of its name in document order.
TARGETS_JS = with_helpers(
    r"""(tags) => tags.map(([name, n]) => {
  const el = document.getElementsByTagName(name)[n - 1];
  return el ? cssPath(el) : null;
})"""
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen: Counter[str] = Counter()
        self.repeated: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen[tag] += 1
        names = [name for name, _ in attrs]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice and len(self.repeated) < MAX_FINDINGS:
            text = self.get_starttag_text() or f"<{tag}>"
            self.repeated.append(
                {"tag": tag, "nth": self.seen[tag], "attributes": twice, "line": self.getpos()[0], "source": text}
            )


def repeated_attributes(source: str) -> list[dict[str, Any]]:
    """The start tags of ``source`` that hold an attribute twice (names compared as HTML does, case-blind)."""
    tags = _Tags()
    tags.feed(source[:MAX_SOURCE_CHARS])
    tags.close()
    return tags.repeated


class Parsing(PageCheck):
    id = "parsing"
    title = "Attributes written twice (4.1.1)"
    messages = {
        "duplicate-attribute": {
            "ja": (
                "開始タグに同じ属性 ({attributes}) が 2 回書かれています。ブラウザーは後の方を捨てるため、"
                "意図した値が支援技術に伝わらないことがあります。"
            ),
            "fix_ja": "重複した属性を 1 つにまとめる。",
            "fix_en": "Keep one of the repeated attributes.",
            "help": "https://www.w3.org/WAI/WCAG21/Techniques/failures/F70",
        },
    }
    criteria = {"4.1.1": PARTIAL}
    primary_only = True  # the server sends the same HTML to every cell
    order = 30

    def __init__(self) -> None:
        self.verified = False  # some page's document was read as sent: only then is 4.1.1 evidence claimed

    def covered(self) -> dict[str, str]:
        return dict(self.criteria) if self.verified else {}

    async def run(self, ctx: PageContext) -> list[Finding]:
        source = await ctx.session.document_source()
        if source is None:
            ctx.page.facts["parsing"] = {"checked": False}
            return []
        self.verified = True
        repeated = await asyncio.to_thread(repeated_attributes, source)
        ctx.page.facts["parsing"] = {
            "checked": True,
            "repeated": len(repeated),
            "read_whole": len(source) <= MAX_SOURCE_CHARS,
        }
        if not repeated:
            return []
        placed = await ctx.session.evaluate(TARGETS_JS, [[r["tag"], r["nth"]] for r in repeated])
        return [
            ctx.finding(
                "duplicate-attribute",
                VIOLATION,
                ["4.1.1"],
                target=target or found["tag"],
                html=found["source"][:2000],
                impact="minor",
                message=f"This start tag has the attribute {', '.join(found['attributes'])} twice in the HTML the "
                "server sent; browsers drop the second one (F70).",
                details={"attributes": ", ".join(found["attributes"]), "line": found["line"]},
            )
            for found, target in zip(repeated, placed, strict=True)
        ]
