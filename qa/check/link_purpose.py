"""Link purpose heuristics (2.4.4) and unannounced new windows: what a person must look at, never a pass.

Link text such as "click here", "read more" or 「こちら」 may still be clear from its sentence (2.4.4 allows the
context), and one text leading to different places may be explained nearby: both are needs-review. A link opening a
new window without saying so is a best practice (the criterion, 3.2.5, is AAA), reported without a criterion so it
stays out of the A/AA counts.
"""

from __future__ import annotations

import re

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

# Link text that says nothing about the destination, compared after dropping punctuation and arrows.
GENERIC = {
    "click here", "click", "here", "read more", "more", "more info", "more information", "learn more", "details",
    "link", "this link", "go", "continue", "see more", "view more",
    "こちら", "ここ", "ここをクリック", "こちらをクリック", "詳しくはこちら", "詳細はこちら", "詳細", "詳しく",
    "もっと見る", "続きを読む", "続き", "リンク", "クリック",
}  # fmt: skip
TRIM = re.compile(r"^[\s\W_]+|[\s\W_]+$")
# Words in a link's name, title or description that warn of a new window or another site.
WARNING = re.compile(
    r"new (window|tab)|opens? in|external|"
    r"新しい(ウィンドウ|ウインドウ|タブ)|別(ウィンドウ|ウインドウ|タブ)|外部サイト|外部リンク",
    re.IGNORECASE,
)
MAX_FINDINGS = 50  # per rule and page: a template repeating a link a thousand times needs one look, not a thousand

# One pass over document.links: each link's name as a screen reader builds it from its content (text and image
# alts), or its aria-label(ledby), and what the warning may sit in (title, aria-describedby).
LINKS_JS = with_helpers(r"""() => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const byIds = (ids) => norm((ids || '').split(/\s+/).map((id) => document.getElementById(id))
    .filter(Boolean).map((n) => n.textContent).join(' '));
  let textual = false;  // whether the last content() had text besides image alts
  const content = (el) => {
    let t = '';
    textual = false;
    const walk = (n) => {
      for (const c of n.childNodes) {
        if (c.nodeType === 3) { t += c.textContent; textual = textual || !!c.textContent.trim(); }
        else if (c.nodeType === 1 && c.getAttribute('aria-hidden') !== 'true') {
          if (c.tagName === 'IMG') t += ' ' + (c.getAttribute('alt') || '') + ' ';
          else walk(c);
        }
      }
    };
    walk(el);
    return norm(t);
  };
  const out = [], shown = [], here = location.href.split('#')[0];
  for (const a of document.links) {
    if (a.getClientRects().length === 0 || a.closest('[aria-hidden=true]')) continue;
    const own = norm(a.getAttribute('aria-label')) || byIds(a.getAttribute('aria-labelledby'));
    const name = own || content(a);
    const href = a.href.split('#')[0];
    out.push({index: out.length, name, href, imageOnly: !own && !textual,
      fragment: a.href.includes('#') && href === here,
      blank: (a.getAttribute('target') || '').toLowerCase() === '_blank',
      extra: norm(a.title) + ' ' + byIds(a.getAttribute('aria-describedby'))});
    shown.push(a);
  }
  window.__qaLinkPurpose = shown;  // the reported ones get their selector in a second call
  return out;
}""")
# Selectors only for the links reported (at most a few hundred): cssPath costs a walk up the tree per element.
TARGETS_JS = with_helpers(r"""(indexes) => {
  const shown = window.__qaLinkPurpose || [];
  delete window.__qaLinkPurpose;
  return indexes.map((i) => shown[i] ? {target: cssPath(shown[i]), html: snippet(shown[i])} : {target: '', html: ''});
}""")


def link_key(name: str) -> str:
    return TRIM.sub("", name).casefold()


class LinkPurpose(PageCheck):
    id = "link-purpose"
    title = "Link text says where the link goes; new windows are announced"
    messages = {
        "link-text-generic": {
            "ja": "リンクテキスト「{text}」だけではリンク先が分かりません。前後の文脈で分かるか確認してください。",
            "fix_ja": "リンクテキストにリンク先の内容を含める（例:「詳しくはこちら」ではなく「補助金の申請方法」）。",
            "fix_en": "Put the destination in the link text (not 'click here' but 'How to apply for the grant').",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
        },
        "link-text-ambiguous": {
            "ja": (
                "同じリンクテキスト「{text}」のリンクが、異なるリンク先を指しています。"
                "それぞれの行き先が分かるか確認してください。"
            ),
            "fix_ja": "リンク先ごとに異なるリンクテキストにする。",
            "fix_en": "Give links to different places different link text.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
        },
        "link-new-window-unwarned": {
            "ja": (
                "リンク「{text}」は新しいウィンドウで開きますが、その"
                "ことがリンクテキストや title で伝えられていません。"
            ),
            "fix_ja": "リンクテキストに「新しいウィンドウで開きます」などの注記を加える。",
            "fix_en": "Add 'opens in a new window' to the link text, or open the link in the same window.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/general/G201",
        },
    }
    criteria = {"2.4.4": PARTIAL}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        links = await ctx.session.evaluate(LINKS_JS)
        pending: list[tuple[dict, str, list[str], str, dict]] = []
        by_text: dict[str, list[dict]] = {}
        counts = {"link-text-generic": 0, "link-new-window-unwarned": 0}
        for link in links:
            key = link_key(link["name"])
            if not key:
                continue  # a link without a name is axe's link-name
            if key in GENERIC:
                counts["link-text-generic"] += 1
                if counts["link-text-generic"] <= MAX_FINDINGS:
                    message = (
                        f"The link text '{link['name']}' does not say where the link goes: check that its sentence "
                        "or surrounding context does."
                    )
                    pending.append((link, "link-text-generic", ["2.4.4"], message, {}))
            elif not link["fragment"] and not link["imageOnly"]:  # image links: alt-text's same-alt rule
                by_text.setdefault(key, []).append(link)
            if link["blank"] and not WARNING.search(link["name"] + " " + link["extra"]):
                counts["link-new-window-unwarned"] += 1
                if counts["link-new-window-unwarned"] <= MAX_FINDINGS:
                    message = (
                        f"The link '{link['name']}' opens a new window (target=_blank) and neither its name nor its "
                        "title says so (best practice; 3.2.5 is AAA)."
                    )
                    pending.append((link, "link-new-window-unwarned", [], message, {}))
        ambiguous = []
        for group in by_text.values():
            hrefs = sorted({link["href"] for link in group})
            for link in group if len(hrefs) > 1 else []:
                message = (
                    f"{len(group)} links named '{link['name']}' lead to {len(hrefs)} different places: check that "
                    "each one's purpose is clear from its context."
                )
                ambiguous.append((link, "link-text-ambiguous", ["2.4.4"], message, {"hrefs": hrefs[:10]}))
        pending += ambiguous[:MAX_FINDINGS]
        places = await ctx.session.evaluate(TARGETS_JS, [link["index"] for link, *_ in pending])
        return [
            ctx.finding(
                rule,
                NEEDS_REVIEW,
                sc,
                target=place["target"],
                html=place["html"],
                message=message,
                impact="moderate" if sc else "minor",
                details={"text": link["name"][:200], **details},
            )
            for (link, rule, sc, message, details), place in zip(pending, places, strict=True)
        ]
