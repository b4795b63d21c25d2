"""3.1.2 Language of Parts: a passage in another language than the page's without a ``lang`` attribute on it or an
ancestor (Japanese text on an English page, a long English passage on a Japanese page), and a passage whose
``lang`` attribute names a language its letters are not written in.

By writing system: a passage in another script than the page's language is certain to be in another language, but
whether it is a part that needs marking (a proper name, a word that became part of the language) is for a person,
so every finding is needs-review. Two passages in the same script (French on an English page) are not told apart.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._text import LATIN_WORD, cjk_runs, longest_latin_run, passages
from qa.check.site_language import LATIN_LANGS, expected_scripts, primary
from qa.model import NEEDS_REVIEW, Finding

MIN_CJK = 2  # characters of Chinese, Japanese or Korean on a Latin-script page
MIN_LATIN_WORDS = 5  # words in a row of Latin script on a CJK page: a phrase, not a brand or an abbreviation
MIN_MARKED_LETTERS = 10  # a passage marked with a language says little about it below this
MAX_PER_PAGE = 20
CJK_LANGS = ("ja", "zh", "ko")

HELP = "https://www.w3.org/WAI/WCAG22/Understanding/language-of-parts.html"


def _letters(text: str) -> dict[str, int]:
    cjk = sum(len(r) for r in cjk_runs(text))
    latin = sum(len(w) for w in LATIN_WORD.findall(text))
    return {"cjk": cjk, "latin": latin}


class LanguageOfParts(PageCheck):
    id = "language-of-parts"
    title = "Passages in another language are marked with lang"
    primary_only = True  # the text is the same in every cell
    order = 26  # next to page-text, which reads the same passages (qa.check._text.passages)
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
    }
    criteria = {"3.1.2": PARTIAL}

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
