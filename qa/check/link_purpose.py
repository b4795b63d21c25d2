"""Link purpose heuristics (2.4.4), what a link's address says, and unannounced new windows: what a person must look
at, never a pass.

Link text such as "click here", "read more" or 「こちら」 may still be clear from its sentence (2.4.4 allows the
context), and one text leading to different places may be explained nearby: both are needs-review. A link opening a
new window without saying so is a best practice (the criterion, 3.2.5, is AAA), reported without a criterion so it
stays out of the A/AA counts.

The address adds what the text may hide: a link that leads nowhere (``#``, ``javascript:``) is a button in a link's
role (4.1.2); a link in running text set apart by its colour alone needs its contrast and focus cue checked
(1.4.1); a link beside another to the same place makes the place announced twice (H2); a link to a PDF or an
Office file should say so and how large it is, as Japanese public sites write 「（PDF：120KB）」; a link to a
recording or to a bare image file opens content with no alternative in sight (1.2.x, 1.1.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from qa.check import AID, PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

# Link text that says nothing about the destination, compared after dropping punctuation and arrows.
GENERIC = {
    "click here", "click", "here", "read more", "more", "more info", "more information", "learn more", "details",
    "link", "this link", "go", "continue", "see more", "view more", "page", "this page", "web page", "website",
    "site", "info", "information", "download", "find out more", "more details", "view details", "continue reading",
    "keep reading", "read the rest",
    "こちら", "ここ", "ここをクリック", "こちらをクリック", "詳しくはこちら", "詳細はこちら", "詳細", "詳しく",
    "もっと見る", "続きを読む", "続き", "リンク", "クリック", "ページ", "このページ", "ダウンロード",
}  # fmt: skip
TRIM = re.compile(r"^[\s\W_]+|[\s\W_]+$")
# Words in a link's name, title or description that warn of a new window or another site.
WARNING = re.compile(
    r"new (window|tab)|opens? in|external|"
    r"新しい(ウィンドウ|ウインドウ|タブ)|別(ウィンドウ|ウインドウ|タブ)|外部サイト|外部リンク",
    re.IGNORECASE,
)
# Files a link may lead to instead of a page, by the extension of the address's path: a document's reader must
# know the format (and size) before following it; a recording's, that a transcript or captions exist; an image's,
# that it opens with no text alternative.
DOCUMENT = {
    "pdf": "PDF", "doc": "Word", "docx": "Word", "xls": "Excel", "xlsx": "Excel", "ppt": "PowerPoint",
    "pptx": "PowerPoint", "odt": "OpenDocument", "ods": "OpenDocument", "odp": "OpenDocument", "rtf": "RTF",
    "csv": "CSV", "zip": "ZIP", "jtd": "一太郎",
}  # fmt: skip
AUDIO = {"mp3", "wav", "m4a", "aac", "oga", "ogg", "flac", "wma"}
VIDEO = {"mp4", "m4v", "mov", "webm", "avi", "wmv", "mpg", "mpeg", "mkv", "ogv", "flv"}
IMAGE = {"jpg", "jpeg", "png", "gif", "webp", "avif", "bmp", "tif", "tiff", "svg"}
EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,5})$")
# A link's text, title or description naming the format or the size of the file it leads to.
FORMAT_NAMED = re.compile(
    r"(?<![a-z])(pdf|word|excel|powerpoint|docx?|xlsx?|pptx?|odt|ods|odp|rtf|csv|zip)(?![a-z])|一太郎|"
    r"\d\s*([kmg]i?b|bytes?)(?![a-z])|\d\s*(キロ|メガ|ギガ)?バイト",
    re.IGNORECASE,
)
MAX_FINDINGS = 50  # per rule and page: a template repeating a link a thousand times needs one look, not a thousand

# One pass over the page's links (HTML and SVG): each link's name as a screen reader builds it from its content
# (text and image alts), or its aria-label(ledby), and what the warning may sit in (title, aria-describedby).
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
          // text hidden from everyone (display:none, visibility:hidden) is in no one's link text
          const s = getComputedStyle(c);
          if (s.display === 'none' || s.visibility === 'hidden') continue;
          if (c.tagName === 'IMG') t += ' ' + (c.getAttribute('alt') || '') + ' ';
          else walk(c);
        }
      }
    };
    walk(el);
    return norm(t);
  };
  // Nothing but white space between two links of one block (an image link and a text link side by side; a logo
  // in the header and "Home" in the menu are two blocks)
  const between = (a, b) => {
    const r = document.createRange();
    r.setStartAfter(a);
    r.setEndBefore(b);
    if (r.toString().trim()) return false;
    return !r.cloneContents().querySelector('img, svg, input, button, select, textarea, iframe, video');
  };
  // A link inside running text that only its colour sets apart: no underline (its own or one it inherits), no
  // border, weight, style or background of its own (G183 asks for 3:1 against the text and a cue on focus/hover).
  const blockOf = (el) => {
    let b = el.parentElement;
    while (b && b.parentElement && getComputedStyle(b).display.startsWith('inline')) b = b.parentElement;
    return b;
  };
  const underlined = (el, stop) => {
    for (let e = el; e && e !== stop.parentElement; e = e.parentElement)
      if (getComputedStyle(e).textDecorationLine.includes('underline')) return true;
    return [...el.querySelectorAll('*')].some((c) => getComputedStyle(c).textDecorationLine.includes('underline'));
  };
  const colourOnly = (a, name) => {
    const block = blockOf(a);
    if (!block || !name || norm(block.textContent).length < name.length + 15) return false;
    if (underlined(a, block)) return false;
    const s = getComputedStyle(a), b = getComputedStyle(block);
    const edge = ['Top', 'Bottom'].some((side) => parseFloat(s['border' + side + 'Width']) > 0
      && s['border' + side + 'Style'] !== 'none');
    const filled = s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== b.backgroundColor;
    return !edge && !filled && s.fontWeight === b.fontWeight && s.fontStyle === b.fontStyle
      && s.fontFamily === b.fontFamily && !a.querySelector('img, svg');
  };
  const out = [], shown = [], here = location.href.split('#')[0];
  let previous = null;
  // document.links holds HTML links only; an SVG link's href is an animated string to resolve
  const urlOf = (a) => {
    if (typeof a.href === 'string') return a.href;
    try { return new URL(a.href.baseVal, document.baseURI).href; } catch (e) { return ''; }
  };
  const links = [...document.links, ...document.querySelectorAll('svg a[href], svg a[*|href]')];
  for (const a of links) {
    if (a.getClientRects().length === 0 || a.closest('[aria-hidden=true]')) continue;
    const own = norm(a.getAttribute('aria-label')) || byIds(a.getAttribute('aria-labelledby'));
    const name = own || content(a);
    const url = urlOf(a), href = url.split('#')[0];
    const raw = (a.getAttribute('href') || a.getAttribute('xlink:href') || '').trim();
    out.push({index: out.length, name, href, imageOnly: !own && !textual,
      fragment: url.includes('#') && href === here,
      blank: (a.getAttribute('target') || '').toLowerCase() === '_blank',
      nowhere: !a.hasAttribute('role') && (raw === '#' || /^javascript:/i.test(raw)),
      colourOnly: colourOnly(a, name),
      adjacentSame: !!previous && urlOf(previous) === url && !url.includes('#')
        && blockOf(previous) === blockOf(a) && between(previous, a),
      extra: norm(a.title) + ' ' + byIds(a.getAttribute('aria-describedby'))});
    shown.push(a);
    previous = a;
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


def extension(href: str) -> str:
    """The lower-case extension of the address's path ('' for a page address)."""
    found = EXTENSION.search(urlsplit(href).path)
    return found.group(1).lower() if found else ""


RULES = (
    "link-text-generic", "link-new-window-unwarned", "link-no-destination", "link-colour-only",
    "link-adjacent-same-destination",
    "link-file-format-unstated", "link-to-media-file", "link-to-image-file",
)  # fmt: skip


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
        "link-no-destination": {
            "ja": (
                "リンク「{text}」にはリンク先がありません（href が「#」または javascript:）。"
                "ボタンとして働くなら button 要素にしてください。"
            ),
            "fix_ja": "操作を実行するものは button 要素に、移動するものは実際のリンク先を href に指定する。",
            "fix_en": "Make controls that act buttons, and give links that lead somewhere their real address.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/name-role-value.html",
        },
        "link-colour-only": {
            "ja": (
                "文中のリンク「{text}」は色だけで周囲のテキストと区別されています（下線などがありません）。"
                "周囲の文字と 3:1 以上のコントラストがあり、フォーカスやホバーで下線などが付くか確認してください。"
            ),
            "fix_ja": "文中のリンクには下線を付ける。",
            "fix_en": "Underline links in running text.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/general/G183",
        },
        "link-adjacent-same-destination": {
            "ja": (
                "リンク「{text}」は直前のリンクと同じリンク先です。"
                "画像とテキストなど、一つのリンクにまとめられないか確認してください。"
            ),
            "fix_ja": "画像とテキストを一つの a 要素に入れ、画像の alt は空にする。",
            "fix_en": "Put the image and its text in one link, and give the image an empty alt.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H2",
        },
        "link-file-format-unstated": {
            "ja": (
                "リンク「{text}」は {format} ファイルを開きますが、リンクテキストにファイル形式と"
                "サイズの記載がありません。"
            ),
            "fix_ja": "リンクテキストに形式とサイズを書き添える（例:「募集要項（PDF：120KB）」）。",
            "fix_en": "Add the format and size to the link text, e.g. 'Application guide (PDF, 120 KB)'.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
        },
        "link-to-media-file": {
            "ja": (
                "リンク「{text}」は音声・動画ファイル（{format}）を開きます。"
                "書き起こしや字幕などの代替が用意されているか確認してください。"
            ),
            "fix_ja": "音声・動画へのリンクの近くに書き起こしテキストや字幕付きの版へのリンクを用意する。",
            "fix_en": "Offer a transcript, or a captioned version, next to the link to the recording.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/audio-only-and-video-only-prerecorded.html",
        },
        "link-to-image-file": {
            "ja": (
                "リンク「{text}」は画像ファイル（{format}）を直接開きます。開いた画像には代替テキストがないため、"
                "画像の内容がリンクや周囲の文で分かるか確認してください。"
            ),
            "fix_ja": "画像を説明する文をリンクの近くに書くか、代替テキスト付きの画像を載せたページへリンクする。",
            "fix_en": "Describe the image next to the link, or link to a page that shows it with a text alternative.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-content.html",
        },
    }
    criteria = {
        "2.4.4": PARTIAL,
        "1.4.1": AID,
        "4.1.2": AID,
        "1.1.1": AID,
        "1.2.1": AID,
        "1.2.2": AID,
        "1.2.3": AID,
        "1.2.5": AID,
    }
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    @staticmethod
    def _destination(link: dict, add: Callable[..., None]) -> None:
        """What the link's address says: nowhere, the same place as the link before it, or a file."""
        name, ext = link["name"], extension(link["href"])
        if link["nowhere"]:
            add(
                link,
                "link-no-destination",
                ["4.1.2"],
                f"The link '{name}' leads nowhere (href='#' or javascript:): if it acts as a button, make it a "
                "button; if it should lead somewhere, give it that address.",
            )
        if link["colourOnly"]:
            add(
                link,
                "link-colour-only",
                ["1.4.1"],
                f"The link '{name}' sits in running text and only its colour sets it apart (no underline, border or "
                "weight of its own): check that its colour has 3:1 contrast with the text around it and that it "
                "gains an underline or another cue on hover and focus (G183), or underline it.",
            )
        if link["adjacentSame"]:
            add(
                link,
                "link-adjacent-same-destination",
                ["2.4.4"],
                f"The link '{name}' leads where the link right before it does: check whether the two (often an "
                "image and its text) should be one link, so the place is announced and reached once (H2).",
            )
        if ext in DOCUMENT and not FORMAT_NAMED.search(name + " " + link["extra"]):
            add(
                link,
                "link-file-format-unstated",
                ["2.4.4"],
                f"The link '{name}' opens a {DOCUMENT[ext]} file, and neither its text nor its title says so: "
                "check that the format and size are given, e.g. '(PDF, 120 KB)'.",
                {"format": DOCUMENT[ext]},
            )
        if ext in AUDIO or ext in VIDEO:
            sc = ["1.2.1"] if ext in AUDIO else ["1.2.1", "1.2.2", "1.2.3", "1.2.5"]
            add(
                link,
                "link-to-media-file",
                sc,
                f"The link '{name}' opens a recording ({ext}): check that a transcript, captions or audio "
                "description are offered with it.",
                {"format": ext},
            )
        if ext in IMAGE and not link["imageOnly"]:
            add(
                link,
                "link-to-image-file",
                ["1.1.1"],
                f"The link '{name}' opens an image file on its own, where it has no text alternative: check that "
                "the link or the text near it says what the image shows.",
                {"format": ext},
            )

    async def run(self, ctx: PageContext) -> list[Finding]:
        links = await ctx.session.evaluate(LINKS_JS)
        pending: list[tuple[dict, str, list[str], str, dict]] = []
        by_text: dict[str, list[dict]] = {}
        counts = dict.fromkeys(RULES, 0)

        def add(link: dict, rule: str, sc: list[str], message: str, details: dict | None = None) -> None:
            counts[rule] += 1
            if counts[rule] <= MAX_FINDINGS:
                pending.append((link, rule, sc, message, details or {}))

        for link in links:
            if not link["name"].strip():
                continue  # a link without a name is axe's link-name
            key = link_key(link["name"])
            self._destination(link, add)
            if not key or key in GENERIC:  # not a word in it ("." or "»"), or words that name no place
                message = (
                    f"The link text '{link['name']}' does not say where the link goes: check that its sentence "
                    "or surrounding context does."
                )
                add(link, "link-text-generic", ["2.4.4"], message)
            elif not link["fragment"] and not link["imageOnly"]:  # image links: alt-text's same-alt rule
                by_text.setdefault(key, []).append(link)
            if link["blank"] and not WARNING.search(link["name"] + " " + link["extra"]):
                message = (
                    f"The link '{link['name']}' opens a new window (target=_blank) and neither its name nor its "
                    "title says so (best practice; 3.2.5 is AAA)."
                )
                add(link, "link-new-window-unwarned", [], message)
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
