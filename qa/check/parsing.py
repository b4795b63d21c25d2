"""4.1.1 Parsing (JIS X 8341-3:2016; obsolete in WCAG 2.2): start tags that repeat an attribute, and end tags that
close no open element or cross another (``<b><i></b></i>``, a stray ``</span>``), in the HTML the server sent.

A browser keeps the first of two attributes of the same name and drops the other, so no script in the page can see
the duplicate (ACT rule e6952f): the check reads the document as received (where the engine gives it: Playwright's;
elsewhere the page records that it was not verified) with Python's HTML tokenizer, which keeps every attribute as
written and reads the insides of script and style as text, not markup. Duplicate ids are the rule engines' (HTML_
CodeSniffer's F77), read from the DOM.

End tags are paired with a stack of the open elements. Elements whose end tag HTML lets a page omit (p, li, td, ...)
close silently, void elements never open, and the text of textarea, title and iframe is not read as tags: what is
reported is an error under any reading of HTML's rules, never a valid omission.
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


VOID = frozenset(
    "area base basefont bgsound br col embed frame hr img input keygen link meta param source track wbr".split()
)
# Elements whose end tag HTML lets a page leave out: closed by what follows them, never out of order.
OPTIONAL_END = frozenset(
    "html head body p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rtc rp".split()
)
# Elements whose content is text, not markup, up to their own end tag (Python's tokenizer knows script and style)
RAW = frozenset("textarea title iframe xmp noembed noframes plaintext".split())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen: Counter[str] = Counter()
        self.repeated: list[dict[str, Any]] = []
        self.crossed: list[dict[str, Any]] = []
        self.open: list[tuple[str, int]] = []  # (tag, line) of the elements open, the innermost last
        self.raw: str | None = None
        self.dropped: Counter[str] = Counter()  # elements closed by a crossing end tag, whose own end tag may follow

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.raw is None:
            self._attributes(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.raw is not None:
            return
        self._attributes(tag, attrs)
        if tag in VOID:
            return
        self.open.append((tag, self.getpos()[0]))
        if tag in RAW:
            self.raw = tag

    def handle_endtag(self, tag: str) -> None:
        if self.raw is not None:
            if tag != self.raw:
                return
            self.raw = None
        if tag in VOID:
            return
        at = next((i for i in range(len(self.open) - 1, -1, -1) if self.open[i][0] == tag), None)
        if at is None:
            if self.dropped[tag]:
                self.dropped[tag] -= 1
            elif tag not in OPTIONAL_END:
                self._cross(tag, f"</{tag}> closes no open <{tag}>")
            return
        left_open = [(t, line) for t, line in self.open[at + 1 :] if t not in OPTIONAL_END]
        if left_open:
            inner, line = left_open[-1]
            self._cross(tag, f"</{tag}> comes while <{inner}> (line {line}) is still open")
        # One error, one report: the elements left open are closed here, and their own end tags, if they come
        # later (<b><i></b></i>), are not reported again.
        self.dropped.update(t for t, _ in left_open)
        del self.open[at:]

    def _cross(self, tag: str, what: str) -> None:
        if len(self.crossed) < MAX_FINDINGS:
            self.crossed.append({"tag": tag, "what": what, "line": self.getpos()[0]})

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen[tag] += 1
        names = [name for name, _ in attrs]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice and len(self.repeated) < MAX_FINDINGS:
            text = self.get_starttag_text() or f"<{tag}>"
            self.repeated.append(
                {"tag": tag, "nth": self.seen[tag], "attributes": twice, "line": self.getpos()[0], "source": text}
            )


def read_tags(source: str) -> _Tags:
    """``source`` tokenized: its start tags that hold an attribute twice (names compared as HTML does, case-blind)
    and its end tags that close nothing or cross another element."""
    tags = _Tags()
    tags.feed(source[:MAX_SOURCE_CHARS])
    tags.close()
    return tags


def repeated_attributes(source: str) -> list[dict[str, Any]]:
    """The start tags of ``source`` that hold an attribute twice."""
    return read_tags(source).repeated


class Parsing(PageCheck):
    id = "parsing"
    title = "Attributes written twice, end tags that do not pair up (4.1.1)"
    messages = {
        "end-tag-mismatch": {
            "ja": (
                "サーバーが送った HTML で、開始タグと終了タグが対応していません（{what}）。"
                "ブラウザーごとに異なる修復をするため、構造が正しく伝わらないことがあります。"
            ),
            "fix_ja": "終了タグを開始タグと対応させ、要素を正しく入れ子にする（HTML の検証ツールで確認する）。",
            "fix_en": "Pair every end tag with its start tag and nest elements properly (an HTML validator shows how).",
            "help": "https://www.w3.org/WAI/WCAG21/Techniques/failures/F70",
        },
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
        tags = await asyncio.to_thread(read_tags, source)
        repeated, crossed = tags.repeated, tags.crossed
        ctx.page.facts["parsing"] = {
            "checked": True,
            "repeated": len(repeated),
            "crossed": len(crossed),
            "read_whole": len(source) <= MAX_SOURCE_CHARS,
        }
        findings = [
            ctx.finding(
                "end-tag-mismatch",
                VIOLATION,
                ["4.1.1"],
                target="html",
                html=f"line {c['line']}: </{c['tag']}>",
                impact="minor",
                message=f"In the HTML the server sent, line {c['line']}: {c['what']}. Start and end tags must pair "
                "up and nest (F70); browsers repair such markup each in their own way.",
                details={"what": c["what"], "line": c["line"]},
            )
            for c in crossed
        ]
        if not repeated:
            return findings
        placed = await ctx.session.evaluate(TARGETS_JS, [[r["tag"], r["nth"]] for r in repeated])
        return findings + [
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
