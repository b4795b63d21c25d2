"""Image alt text quality beyond axe (1.1.1, 2.4.4): text alternatives that are not alternatives.

Certain failures (violations): the alt is a file name (F30) or a placeholder word such as "image" or "画像"
(F30, F39), or a link holding only images has no name at all (F89). Everything a person must judge is
routed as needs-review: very long alt, alt repeating the adjacent text, the same alt on images leading to
different places, decorative-looking images (tiny, spacer, role=presentation) with descriptive alt, and
alt equal to the image's file name without its extension, and an empty alt beside a non-empty title.
"""

from __future__ import annotations

import re
from typing import Any

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.check.link_purpose import GENERIC, link_key
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

IMAGE_EXT = r"(jpe?g|png|gif|svg|webp|bmp|tiff?|avif|ico|heic)"
FILE_NAME = re.compile(rf"^[\w\-.()\[\] ]*\.{IMAGE_EXT}$", re.IGNORECASE)
CAMERA_NAME = re.compile(r"^(img|dsc|dscn|dcim|pxl|p|mvimg|screenshot|スクリーンショット)[ _-]?\d{3,}", re.IGNORECASE)
# Words that only say "there is an image" (F30) or mark a spacer (F39).
PLACEHOLDERS = {
    "image", "img", "picture", "pic", "photo", "photograph", "graphic", "spacer", "blank", "placeholder",
    "alt", "alt text", "untitled", "dummy", "null", "undefined",
    "画像", "写真", "イメージ", "図", "スペーサー", "ダミー", "空白", "代替テキスト",
}  # fmt: skip
# Words a person should look at: they may name the image or may be lazy ("logo" of what?); a lone symbol
# may be the very character the image shows (a required-field asterisk).
VAGUE = {
    "logo", "icon", "banner", "button", "link", "thumbnail", "none", "*", ".", "-", "_", "#",
    "ロゴ", "アイコン", "バナー", "ボタン", "サムネイル",
}  # fmt: skip
DECORATIVE_SRC = re.compile(r"(spacer|blank|pixel|transparent|shim|clear)\.(gif|png)$", re.IGNORECASE)

IMAGES_JS = with_helpers(r"""() => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const hidden = (el) => {
    if (el.closest('[aria-hidden=true]')) return true;
    const s = getComputedStyle(el);
    return s.display === 'none' || s.visibility === 'hidden' || el.getClientRects().length === 0;
  };
  // The text a link or button has besides its images, as a screen reader would add it.
  const ownText = (el) => {
    let t = '';
    const walk = (n) => {
      for (const c of n.childNodes) {
        if (c.nodeType === 3) t += c.textContent;
        else if (c.nodeType === 1 && c.getAttribute('aria-hidden') !== 'true' && c.tagName !== 'IMG') walk(c);
      }
    };
    walk(el);
    return norm(t);
  };
  // Generated content (a::before {content: "Home"}) is part of a link's name.
  const pseudo = (el) => ['::before', '::after'].map((p) => getComputedStyle(el, p).content)
    .filter((c) => /^["']/.test(c)).map((c) => c.slice(1, -1)).join(' ');
  const aria = (el) => norm(el.getAttribute('aria-label')) || norm((el.getAttribute('aria-labelledby') || '')
    .split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map((n) => n.textContent).join(' '));
  const out = [];
  for (const img of document.querySelectorAll('img, input[type=image], area')) {
    if (out.length >= 500) break;
    if (img.tagName !== 'AREA' && hidden(img)) continue;
    const link = img.closest('a[href], button') || (img.tagName === 'AREA' && img.hasAttribute('href') ? img : null);
    const r = img.getBoundingClientRect();
    const next = img.nextElementSibling, prev = img.previousElementSibling;
    const fig = img.closest('figure');
    const cap = fig && fig.querySelector('figcaption');
    out.push({
      target: cssPath(img), html: img.outerHTML.slice(0, 500), tag: img.tagName.toLowerCase(),
      has_alt: img.hasAttribute('alt'), alt: img.getAttribute('alt'), aria: aria(img), title: norm(img.title),
      role: (img.getAttribute('role') || '').toLowerCase(),
      src: img.getAttribute('src') || img.getAttribute('href') || '',
      width: Math.round(r.width), height: Math.round(r.height),
      link: link ? {target: cssPath(link), href: link.href || '', aria: aria(link), title: norm(link.title),
        text: norm(ownText(link) + ' ' + pseudo(link)),
        images: [...link.querySelectorAll('img, svg, [role=img]')].length || 1} : null,
      adjacent: [next, prev].filter((n) => n && !['IMG', 'SCRIPT', 'STYLE'].includes(n.tagName))
        .map((n) => norm(n.innerText).slice(0, 300)).concat(cap ? [norm(cap.innerText).slice(0, 300)] : []),
    });
  }
  return out;
}""")


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def weighted_length(text: str) -> int:
    """Characters, counting CJK ones twice: a screen reader takes about as long for one as for two Latin letters."""
    return sum(2 if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


def file_stem(src: str) -> str:
    name = src.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


class AltText(PageCheck):
    id = "alt-text"
    title = "Image alt text quality"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "alt-same-different-targets": {
            "ja": (
                "同じ代替テキスト「{alt}」のリンク画像が、異なるリンク先"
                "を指しています。それぞれの行き先が分かるか確認してください。"
            ),
            "fix_ja": "リンク画像の代替テキストをリンク先ごとに異なる内容にする。",
            "fix_en": "Give each linked image an alt text that names its own destination.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
        },
        "alt-file-name": {
            "ja": "代替テキスト「{alt}」がファイル名になっています (F30)。",
            "fix_ja": "代替テキストを、画像が伝える内容や機能を表す文にする。",
            "fix_en": "Replace the file name with text that says what the image shows or does.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F30",
        },
        "alt-placeholder": {
            "ja": "代替テキスト「{alt}」は仮の文字列で、代替テキストになっていません (F30, F39)。",
            "fix_ja": '画像の内容を表す代替テキストにする（装飾画像なら alt="" にする）。',
            "fix_en": 'Write the image\'s content as alt text (alt="" for a decorative image).',
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F30",
        },
        "alt-looks-like-file-name": {
            "ja": "代替テキスト「{alt}」が画像のファイル名に似ています。画像の内容を説明しているか確認してください。",
            "fix_ja": "代替テキストを、画像が伝える内容を表す文にする。",
            "fix_en": "Make the alt text describe what the image conveys.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F30",
        },
        "alt-vague": {
            "ja": "代替テキスト「{alt}」は画像の種類を述べているだけで、内容や機能を表していません。",
            "fix_ja": "「画像」「写真」などの語ではなく、画像が示す内容を書く。",
            "fix_en": "Say what the image shows or does, not what kind of image it is.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-content.html",
        },
        "alt-control-generic": {
            "ja": (
                "画像だけのボタンやリンクの代替テキスト「{alt}」は、押すと何が起きるか、どこへ行くかを表していません。"
            ),
            "fix_ja": "代替テキストにボタンの機能やリンク先を書く（例:「クリック」ではなく「検索」）。",
            "fix_en": "Name what the button does or where the link goes ('Search', not 'Click').",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F84",
        },
        "alt-too-long": {
            "ja": "代替テキストが長すぎます。詳しい説明はページ本文や別ページに置いてください。",
            "fix_ja": "代替テキストは短くし、詳細な説明は本文に書く。",
            "fix_en": "Shorten the alt text and put the long description in the page.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-content.html",
        },
        "alt-repeats-adjacent-text": {
            "ja": "代替テキスト「{alt}」が画像の隣のテキストと同じで、二度読み上げられます。",
            "fix_ja": '隣のテキストで足りる場合は alt="" にする。',
            "fix_en": 'Use alt="" when the text next to the image already says it.',
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H2",
        },
        "decorative-image-with-alt": {
            "ja": '装飾と思われる画像に代替テキスト「{alt}」があります。装飾画像は alt="" にしてください。',
            "fix_ja": '装飾画像の代替テキストを空 (alt="") にする。',
            "fix_en": 'Give decorative images an empty alt (alt="").',
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-content.html",
        },
        "alt-title-differ": {
            "ja": (
                "画像の代替テキスト（{alt}）と title 属性の内容が異なります。"
                "スクリーンリーダーは代替テキストを、マウス利用者は title を受け取ります。"
                "代替テキストで十分か確認してください。"
            ),
            "fix_ja": "title に書いた情報が必要なら代替テキストに含め、不要なら title を削除する。",
            "fix_en": "Put what the title says into the alt if it matters, or drop the title.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-content.html",
        },
        "alt-empty-title-set": {
            "ja": (
                "画像の代替テキストが空（装飾扱い）ですが、title 属性に説明があります。"
                "どちらが正しいか確認してください。"
            ),
            "fix_ja": "画像が情報を伝えるなら代替テキストに書き、装飾なら title を削除する。",
            "fix_en": "Put the description in the alt if the image conveys it; drop the title if it is decorative.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-content.html",
        },
        "linked-image-no-name": {
            "ja": "リンクになっている画像に代替テキストがなく、リンクの名前がありません。",
            "fix_ja": "リンク画像に、リンク先を表す代替テキストを付ける。",
            "fix_en": "Give the linked image alt text that names the link's destination.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
        },
    }
    criteria = {"1.1.1": PARTIAL, "2.4.4": PARTIAL}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True
    provides = ("alt-text-counts",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        images = await ctx.session.evaluate(IMAGES_JS)
        limit = ctx.config.alt_text.max_length
        findings: list[Finding] = []
        by_alt: dict[str, set[str]] = {}
        linked_alt: dict[str, list[dict[str, Any]]] = {}
        for img in images:
            findings += self._one(ctx, img, limit)
            alt = _norm(img["alt"]).casefold()
            link = img["link"]
            if alt and link and link["href"] and not link["text"] and not link["aria"]:
                by_alt.setdefault(alt, set()).add(link["href"])
                linked_alt.setdefault(alt, []).append(img)
        for alt, hrefs in by_alt.items():
            if len(hrefs) > 1:
                for img in linked_alt[alt]:
                    findings.append(
                        self._finding(
                            ctx,
                            img,
                            "alt-same-different-targets",
                            NEEDS_REVIEW,
                            ["2.4.4", "1.1.1"],
                            f"{len(linked_alt[alt])} linked images share the alt '{_norm(img['alt'])}' but lead to "
                            f"{len(hrefs)} different places: check that each says where it goes.",
                            target=img["link"]["target"],
                        )
                    )
        ctx.page.facts["alt_text"] = {
            "images": sum(1 for i in images if i["tag"] != "area"),
            "areas": sum(1 for i in images if i["tag"] == "area"),
            "empty_alt": sum(1 for i in images if i["has_alt"] and not _norm(i["alt"])),
            "missing_alt": sum(1 for i in images if not i["has_alt"]),
            "linked": sum(1 for i in images if i["link"]),
        }
        return findings

    def _finding(self, ctx: PageContext, img: dict, rule: str, outcome: str, sc: list[str], msg: str, **kw: Any):
        kw.setdefault("target", img["target"])
        return ctx.finding(
            rule,
            outcome,
            sc,
            html=img["html"],
            message=msg,
            impact="serious" if outcome == VIOLATION else "moderate",
            details={"alt": img["alt"], "src": img["src"][:300]},
            **kw,
        )

    def _one(self, ctx: PageContext, img: dict, limit: int) -> list[Finding]:
        # aria-label(ledby) replaces the alt as the image's name; alt on a presentational image is never read.
        alt = img["aria"] or _norm(img["alt"])
        folded = alt.casefold()
        link = img["link"]
        presentational = img["role"] in ("presentation", "none") and not img["aria"]
        out = []
        if link and not link["text"] and not link["aria"] and not link["title"] and img["has_alt"] and not alt:
            if link["images"] == 1 and not img["aria"] and not img["title"]:
                out.append(
                    self._finding(
                        ctx,
                        img,
                        "linked-image-no-name",
                        VIOLATION,
                        ["1.1.1", "2.4.4"],
                        "The link contains only an image with empty alt, so the link has no name (F89).",
                        target=link["target"],
                    )
                )
        if not alt:
            if img["has_alt"] and img["title"] and img["tag"] == "img":
                # alt="" says "decorative" while the title offers a description on hover: one of them is wrong.
                out.append(
                    self._finding(
                        ctx,
                        img,
                        "alt-empty-title-set",
                        NEEDS_REVIEW,
                        ["1.1.1"],
                        f"The image has an empty alt (decorative) but the title '{img['title']}': if the image "
                        "conveys that, put it in the alt; if it is decorative, drop the title.",
                    )
                )
            return out
        # In a link or button the alt names its function, which can be a word like "Photos" or the very file
        # the link downloads: there a person decides.
        in_control = bool(link)
        downloads_it = bool(link) and file_stem(link["href"]).casefold() == file_stem(alt).casefold()
        if presentational:
            pass
        elif FILE_NAME.match(alt):
            certain = not downloads_it
            out.append(
                self._finding(
                    ctx,
                    img,
                    "alt-file-name",
                    VIOLATION if certain else NEEDS_REVIEW,
                    ["1.1.1"],
                    f"The alt text '{alt}' is a file name (F30)."
                    + ("" if certain else " The link leads to that file: check that the alt says what it is."),
                )
            )
        elif folded in PLACEHOLDERS:
            out.append(
                self._finding(
                    ctx,
                    img,
                    "alt-placeholder",
                    NEEDS_REVIEW if in_control else VIOLATION,
                    ["1.1.1"],
                    f"The alt text '{alt}' is a placeholder, not a text alternative (F30, F39)."
                    + (" In a link it may name the destination: check it." if in_control else ""),
                )
            )
        elif CAMERA_NAME.match(alt) or folded == file_stem(img["src"]).casefold():
            # Also a plain word ("Paris" for paris.jpg): a name a CMS filled in from the file, for a person to check.
            out.append(
                self._finding(
                    ctx,
                    img,
                    "alt-looks-like-file-name",
                    NEEDS_REVIEW,
                    ["1.1.1"],
                    f"The alt text '{alt}' looks like the image's file name: check that it describes the image.",
                )
            )
        elif (img["tag"] == "input" or (link and not link["text"] and link["images"] == 1)) and (
            link_key(alt) in GENERIC or not link_key(alt)
        ):
            # The image is the control's whole name, and a word like "click" names no action or destination.
            out.append(
                self._finding(
                    ctx,
                    img,
                    "alt-control-generic",
                    NEEDS_REVIEW,
                    ["1.1.1", "2.4.4"] if link and link["href"] else ["1.1.1", "2.4.6"],
                    f"The image is all there is to this {'link' if link and link['href'] else 'button'}, and its "
                    f"alt text '{alt}' does not say what it does or where it goes.",
                )
            )
        elif folded in VAGUE:
            out.append(
                self._finding(
                    ctx,
                    img,
                    "alt-vague",
                    NEEDS_REVIEW,
                    ["1.1.1"],
                    f"The alt text '{alt}' says what kind of image it is, not what it shows or does.",
                )
            )
        title = _norm(img["title"])
        if title and title.casefold() != folded and not presentational and img["tag"] == "img":
            # A screen reader reads the alt; a mouse user sees the title: two texts for one image.
            out.append(
                self._finding(
                    ctx,
                    img,
                    "alt-title-differ",
                    NEEDS_REVIEW,
                    ["1.1.1"],
                    f"The alt text '{alt}' and the title '{title}' differ: screen readers read the alt, a mouse "
                    "shows the title. Check that the alt conveys all the title says.",
                )
            )
        if weighted_length(alt) > limit:
            out.append(
                self._finding(
                    ctx,
                    img,
                    "alt-too-long",
                    NEEDS_REVIEW,
                    ["1.1.1"],
                    f"The alt text is {len(alt)} characters long: a long description belongs in the page or a "
                    "linked description; check that the alt is a concise alternative.",
                )
            )
        adjacent = [link["text"]] if link else []
        if any(_norm(t).casefold() == folded for t in adjacent + img["adjacent"] if t):
            out.append(
                self._finding(
                    ctx,
                    img,
                    "alt-repeats-adjacent-text",
                    NEEDS_REVIEW,
                    ["1.1.1"],
                    f"The alt text '{alt}' repeats the text next to the image, so it is read twice: "
                    "if the image adds nothing, its alt should be empty.",
                )
            )
        tiny = 0 < img["width"] <= 3 and 0 < img["height"] <= 3
        certain = any(f.outcome == VIOLATION for f in out)
        if not certain and (tiny or presentational or DECORATIVE_SRC.search(img["src"])):
            why = "is marked presentational" if presentational else "looks decorative (tiny or a spacer)"
            out.append(
                self._finding(
                    ctx,
                    img,
                    "decorative-image-with-alt",
                    NEEDS_REVIEW,
                    ["1.1.1"],
                    f"The image {why} but has the alt text '{alt}': decorative images need alt=\"\".",
                )
            )
        return out
