"""3.1.2 Language of Parts: a passage in another language than the page's without a ``lang`` attribute on it or an
ancestor (Japanese text on an English page, a long English passage on a Japanese page), and a passage whose
``lang`` attribute names a language its letters are not written in.

By writing system: a passage in another script than the page's language is certain to be in another language, but
whether it is a part that needs marking (a proper name, a word that became part of the language) is for a person,
so every finding is needs-review.

Within one script (French on an English page, English on a French page) the language is told by py3langid, a
Naive Bayes identifier over byte n-grams: only passages long enough to judge (``MIN_WORDS`` words of prose, most of
them not capitalised, so a list of names or a brand is never one) and only when the identifier is nearly sure
(``MIN_PROBABILITY``, normalised over its 97 languages). 3.1.1 Language of Page: when most of the page's passages
judged (by letters) are clearly in one other language than its lang attribute says, that is one finding about the
page, not one per paragraph. Both are needs-review: a person confirms the language.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._text import LATIN_WORD, NOT_PROSE, cjk_runs, longest_latin_run, passages
from qa.check.site_language import LATIN_LANGS, expected_scripts, primary
from qa.model import NEEDS_REVIEW, Finding

MIN_CJK = 2  # characters of Chinese, Japanese or Korean on a Latin-script page
MIN_LATIN_WORDS = 5  # words in a row of Latin script on a CJK page: a phrase, not a brand or an abbreviation
MIN_MARKED_LETTERS = 10  # a passage marked with a language says little about it below this
MAX_PER_PAGE = 20
CJK_LANGS = ("ja", "zh", "ko")
# Same-script identification: shorter passages, or ones mostly of capitalised words (names, brands, a menu), are not
# judged; below this probability the identifier is guessing between neighbours (fr/wa/oc). English prose of one
# sentence scores 0.98-0.999 (Nigerian Pidgin takes the rest); a French brand in an English sentence about 0.9 English.
MIN_WORDS = 8
MIN_LETTERS = 40
MIN_LOWERCASE_SHARE = 0.5
MIN_PROBABILITY = 0.95
# 3.1.1: this share of the letters of all the page's unmarked text is in passages identified as one other language
# (short passages count against it). By passage, not the text joined: one long foreign paragraph would outweigh
# several short ones in the page's language. A page of one foreign sentence is a 3.1.1 finding (ACT rule ucwvc8).
MIN_PAGE_SHARE = 0.8

HELP = "https://www.w3.org/WAI/WCAG22/Understanding/language-of-parts.html"
PAGE_HELP = "https://www.w3.org/WAI/WCAG22/Understanding/language-of-page.html"


def _letters(text: str) -> dict[str, int]:
    cjk = sum(len(r) for r in cjk_runs(text))
    latin = sum(len(w) for w in LATIN_WORD.findall(text))
    return {"cjk": cjk, "latin": latin}


class LanguageOfParts(PageCheck):
    id = "language-of-parts"
    title = "Passages in another language are marked with lang"
    primary_only = True  # the text is the same in every cell
    order = 26  # next to page-text, which reads the same passages (qa.check._text.passages)
    reads_only = True
    messages = {
        "lang-of-parts-missing": {
            "ja": "ページの言語 ({page_lang}) と異なる文字の文章「{text}」に lang 属性がありません。",
            "fix_ja": '別の言語の部分を囲む要素に、その言語の lang 属性（例: lang="ja"）を付ける。',
            "fix_en": 'Put a lang attribute naming its language (e.g. lang="ja") on the element around the passage.',
            "help": HELP,
        },
        "lang-of-parts-mismatch": {
            "ja": 'lang="{lang}" の部分「{text}」の文字がその言語の文字ではありません。',
            "fix_ja": "lang 属性を、その部分の実際の言語に直す。",
            "fix_en": "Correct the lang attribute to the passage's real language.",
            "help": HELP,
        },
        "lang-of-parts-identified": {
            "ja": "文章「{text}」は {found} と判定されましたが (確率 {probability})、ページの言語は {page_lang} で、"
            "この部分に lang 属性がありません。",
            "fix_ja": '別の言語の部分であれば、それを囲む要素にその言語の lang 属性（例: lang="fr"）を付ける。',
            "fix_en": 'If the passage is in another language, put its lang attribute (e.g. lang="fr") on the element '
            "around it.",
            "help": HELP,
        },
        "lang-of-parts-identified-mismatch": {
            "ja": 'lang="{lang}" の部分「{text}」は {found} と判定されました (確率 {probability})。',
            "fix_ja": "lang 属性を、その部分の実際の言語に直す。",
            "fix_en": "Correct the lang attribute to the passage's real language.",
            "help": HELP,
        },
        "lang-page-text-identified": {
            "ja": "ページの lang 属性は {page_lang} ですが、本文の {share} が {found} と判定されました。",
            "fix_ja": "本文の言語を確認し、html 要素の lang 属性を本文の言語に合わせる。",
            "fix_en": "Check the language of the text and set the html element's lang to it.",
            "help": PAGE_HELP,
        },
    }
    criteria = {"3.1.2": PARTIAL, "3.1.1": PARTIAL}

    async def run(self, ctx: PageContext) -> list[Finding]:
        data = await passages(ctx)
        page_lang = primary(data.get("lang") or "")
        found: list[Finding] = []
        for p in data.get("passages") or []:
            if len(found) >= MAX_PER_PAGE:
                break
            text = str(p.get("text") or "")
            if p.get("kind") == "title":
                continue  # the document title takes the page's language: nothing to mark it with
            if p.get("marked"):
                problem = self._mismatch(str(p.get("lang") or ""), text)
                rule = "lang-of-parts-mismatch"
            else:
                problem = self._unmarked(page_lang, text)
                rule = "lang-of-parts-missing"
            if not problem:
                continue
            excerpt = problem[:80]
            found.append(
                ctx.finding(
                    rule,
                    NEEDS_REVIEW,
                    ["3.1.2"],
                    target=str(p.get("target") or "html"),
                    impact="moderate",
                    message=(
                        f"The passage '{excerpt}' is written in another script than the page's language "
                        f"(lang='{data.get('lang')}') and has no lang attribute: check its language and mark it."
                        if rule == "lang-of-parts-missing"
                        else f"The passage '{excerpt}' is marked lang='{p.get('lang')}' but is not written in the "
                        "script of that language: check its lang attribute."
                    ),
                    help_url=HELP,
                    details={"text": excerpt, "page_lang": data.get("lang") or "", "lang": p.get("lang") or ""},
                )
            )
        if page_lang in LATIN_LANGS:
            found += await self._same_script(ctx, data, page_lang)
        found += await self._marked_same_script(ctx, data)
        return found[:MAX_PER_PAGE]

    async def _same_script(self, ctx: PageContext, data: dict[str, Any], page_lang: str) -> list[Finding]:
        """Unmarked text in another language of the page's script: the page's text as a whole (3.1.1), else each
        passage long enough to judge (3.1.2)."""
        declared = str(data.get("lang") or "")
        unmarked = [p for p in data.get("passages") or [] if p.get("kind") == "text" and not p.get("marked")]
        candidates = [p for p in unmarked if judgeable(str(p.get("text") or ""))]
        if not candidates:
            return []
        each = await identify([str(p.get("text") or "") for p in candidates])
        letters: dict[str, int] = {}
        for p, (lang, probability) in zip(candidates, each, strict=True):
            if probability >= MIN_PROBABILITY:
                letters[lang] = letters.get(lang, 0) + latin_letters(str(p.get("text") or ""))
        total = sum(latin_letters(str(p.get("text") or "")) for p in unmarked)
        main = max(letters, key=lambda k: letters[k], default="")
        share = letters.get(main, 0) / total if total else 0.0
        if share >= MIN_PAGE_SHARE and foreign((main, 1.0), page_lang):
            return [
                ctx.finding(
                    "lang-page-text-identified",
                    NEEDS_REVIEW,
                    ["3.1.1"],
                    target="html",
                    impact="serious",
                    message=f"The page declares lang='{declared}' but {share:.0%} of its unmarked text (by letters) "
                    f"is in passages identified as '{main}': check the page's language and its lang attribute.",
                    help_url=PAGE_HELP,
                    details={"page_lang": declared, "found": main, "share": f"{share:.0%}"},
                )
            ]
        found = []
        for p, (lang, probability) in zip(candidates, each, strict=True):
            if not foreign((lang, probability), page_lang):
                continue
            excerpt = str(p.get("text") or "")[:80]
            details = {"text": excerpt, "page_lang": declared, "found": lang, "probability": f"{probability:.3f}"}
            found.append(
                ctx.finding(
                    "lang-of-parts-identified",
                    NEEDS_REVIEW,
                    ["3.1.2"],
                    target=str(p.get("target") or "html"),
                    impact="moderate",
                    message=f"The passage '{excerpt}' is identified as '{lang}' (probability {probability:.3f}) on a "
                    f"page in '{declared}', and has no lang attribute: check its language and mark it.",
                    help_url=HELP,
                    details=details,
                )
            )
        return found

    async def _marked_same_script(self, ctx: PageContext, data: dict[str, Any]) -> list[Finding]:
        """A passage marked with a language of the Latin script (lang="fr") but clearly in another one (German)."""
        marked = [
            p
            for p in data.get("passages") or []
            if p.get("kind") == "text"
            and p.get("marked")
            and primary(str(p.get("lang") or "")) in LATIN_LANGS
            and judgeable(str(p.get("text") or ""))
        ]
        if not marked:
            return []
        found = []
        for p, identified in zip(marked, await identify([str(p.get("text") or "") for p in marked]), strict=True):
            said = primary(str(p.get("lang") or ""))
            if not foreign(identified, said):
                continue
            lang, probability = identified
            excerpt = str(p.get("text") or "")[:80]
            found.append(
                ctx.finding(
                    "lang-of-parts-identified-mismatch",
                    NEEDS_REVIEW,
                    ["3.1.2"],
                    target=str(p.get("target") or "html"),
                    impact="moderate",
                    message=f"The passage '{excerpt}' is marked lang='{p.get('lang')}' but is identified as '{lang}' "
                    f"(probability {probability:.3f}): check its lang attribute.",
                    help_url=HELP,
                    details={
                        "text": excerpt,
                        "lang": p.get("lang") or "",
                        "found": lang,
                        "probability": f"{probability:.3f}",
                    },
                )
            )
        return found

    @staticmethod
    def _unmarked(page_lang: str, text: str) -> str:
        """The part of an unmarked passage in another language than the page's, or ''."""
        if page_lang in LATIN_LANGS:
            runs = cjk_runs(text)
            return text if sum(len(r) for r in runs) >= MIN_CJK else ""
        if page_lang in CJK_LANGS:
            run = longest_latin_run(text)
            return run if len(LATIN_WORD.findall(run)) >= MIN_LATIN_WORDS else ""
        return ""  # no language declared (3.1.1), or one whose script is not known here

    @staticmethod
    def _mismatch(lang: str, text: str) -> str:
        want = expected_scripts(lang)
        if want != ("latin",) and primary(lang) not in CJK_LANGS:
            return ""  # a script the letter counts here do not tell (Cyrillic, ...)
        letters = _letters(text)
        if sum(letters.values()) < MIN_MARKED_LETTERS:
            return ""
        own = letters["latin"] if want == ("latin",) else letters["cjk"]
        return text if own / sum(letters.values()) < 0.05 else ""


def latin_letters(text: str) -> int:
    return sum(len(w) for w in LATIN_WORD.findall(NOT_PROSE.sub(" ", text)))


def judgeable(text: str) -> bool:
    """Prose long enough to identify its language: enough words and letters, most of them not capitalised."""
    words = LATIN_WORD.findall(NOT_PROSE.sub(" ", text))
    if len(words) < MIN_WORDS or sum(len(w) for w in words) < MIN_LETTERS:
        return False
    return sum(w[0].islower() for w in words) / len(words) >= MIN_LOWERCASE_SHARE


def foreign(identified: tuple[str, float], page_lang: str) -> bool:
    """The identifier is nearly sure of another language of the page's script."""
    lang, probability = identified
    return lang != page_lang and lang in LATIN_LANGS and probability >= MIN_PROBABILITY


_LOADING = threading.Lock()
_MODEL: list[LanguageIdentifier] = []


def _identifier() -> LanguageIdentifier:
    # Loaded once per process (a few seconds: the model is decompressed), and only when a page needs it.
    with _LOADING:
        if not _MODEL:
            _MODEL.append(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
        return _MODEL[0]


def _classify(texts: list[str]) -> list[tuple[str, float]]:
    identifier = _identifier()
    return [(str(lang), float(p)) for lang, p in (identifier.classify(NOT_PROSE.sub(" ", t)) for t in texts)]


async def identify(texts: list[str]) -> list[tuple[str, float]]:
    """Each text's language (ISO 639-1 where it has one) and its normalised probability, off the event loop."""
    return await asyncio.to_thread(_classify, texts)
