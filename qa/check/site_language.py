"""3.1.1 Language of Page across the site: each page's declared language against the site's language
(``site_lang`` in qa.yaml, else the language most pages declare) and against the script its text is written in.

A declared language whose writing system is absent from a page full of another script (``lang="en"`` on a
Japanese page) is certain to be wrong; a page declaring another language than the site's may be a real
translation, so a person decides.
"""

from __future__ import annotations

from collections import Counter

from qa.check import PARTIAL, SiteCheck
from qa.check._site import primary_pages, site_finding
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Results

# The scripts a language is written in (primary subtag -> script counters of page_structure).
SCRIPTS = {
    "ja": ("kana", "han"),
    "zh": ("han",),
    "ko": ("hangul", "han"),
    "ru": ("cyrillic",),
    "uk": ("cyrillic",),
    "bg": ("cyrillic",),
}
LATIN_LANGS = {"en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "nb", "fi", "pl", "cs", "vi", "id", "tr"}
MIN_LETTERS = 100  # below this, a page's text says too little about its language


def primary(lang: str) -> str:
    return lang.strip().split("-")[0].split("_")[0].lower()


def expected_scripts(lang: str) -> tuple[str, ...]:
    p = primary(lang)
    return SCRIPTS.get(p) or (("latin",) if p in LATIN_LANGS else ())


class SiteLanguage(SiteCheck):
    id = "site-language"
    title = "Page language matches the site's language and the page's text"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "lang-mismatch-text": {
            "ja": "ページが宣言している言語 (lang) と本文の文字がほとんど一致しません。",
            "fix_ja": "html 要素の lang 属性を本文の言語に合わせる。",
            "fix_en": "Set the html element's lang to the language of the text.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/language-of-page.html",
        },
        "lang-differs-from-site": {
            "ja": "ページが宣言している言語 (lang) がサイトの言語と異なります。",
            "fix_ja": "ページの言語が正しいか確認し、lang 属性を直す。",
            "fix_en": "Check the page's language and correct its lang attribute.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/language-of-page.html",
        },
    }
    criteria = {"3.1.1": PARTIAL}
    requires = ("page-structure",)
    settings = ("site_lang",)

    def run(self, results: Results) -> list[Finding]:
        pages = primary_pages(results)
        declared = [p for p in pages if p.lang.strip()]
        site = str(results.run.config.get("site_lang") or "")
        if not site and declared:
            site = Counter(primary(p.lang) for p in declared).most_common(1)[0][0]
        findings = []
        for p in declared:
            scripts = p.facts["structure"].get("scripts") or {}
            letters = sum(scripts.values())
            want = expected_scripts(p.lang)
            if want and letters >= MIN_LETTERS:
                share = sum(scripts.get(s, 0) for s in want) / letters
                used = [s for s, n in sorted(scripts.items(), key=lambda kv: -kv[1]) if n]
                if share < 0.05:
                    findings.append(
                        site_finding(
                            self.id,
                            p,
                            "lang-mismatch-text",
                            VIOLATION,
                            ["3.1.1"],
                            f"The page declares lang='{p.lang}' but almost none of its {letters} letters are in the "
                            f"script of that language ({'/'.join(want)}); its text is in {'/'.join(used[:2])}.",
                            target="html",
                            impact="serious",
                            details={"scripts": scripts},
                        )
                    )
                    continue
            if site and primary(p.lang) != primary(site):
                findings.append(
                    site_finding(
                        self.id,
                        p,
                        "lang-differs-from-site",
                        NEEDS_REVIEW,
                        ["3.1.1"],
                        f"The page declares lang='{p.lang}', the site's language is '{site}': "
                        "check that the page really is in that language.",
                        target="html",
                        impact="moderate",
                        details={"site_lang": site},
                    )
                )
        return findings
