"""The ``language`` family: the site's English text in the spelling it must follow (``language.variant``, American
by default) and text in another language left on an English page.

Spelling is checked with real Hunspell dictionaries (Debian's hunspell-en-us and hunspell-en-gb, through Enchant):
a word the other variant's dictionary knows but the site's does not (``colour`` on an American site) is a violation
naming the site's form; a word neither knows is needs-review, one finding per word with every page it is on; a
word of the project's glossary (``language.glossary``: place, company and product names) is accepted and reported.
Code, URLs, e-mail addresses, numbers, all-caps acronyms and words with inner capitals (product names) are skipped.

The words are gathered once per page (``page-text``) and judged over the whole site (``spelling``), so ``qa report
--rejudge`` applies a new glossary to a finished run.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import Any

from qa.check import Inventory, PageCheck, PageContext, SiteCheck
from qa.check._site import one_per_document, primary_pages, site_finding
from qa.check._text import NOT_PROSE, cjk_runs, passages, script_of
from qa.check.site_language import primary
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page, Results

MAX_WORDS = 5000  # distinct words kept per page
MAX_FOREIGN = 20  # passages in another script listed per page
MAX_SUGGEST = 50  # dictionary suggestions asked for per process (each costs a fifth of a second)
MAX_PAGES_LISTED = 50
ENGLISH = ("en", "")  # site_lang values under which text marked with no language is taken for English
TOKEN = re.compile(r"(?<![0-9_])[A-Za-z\u00c0-\u024f]+(?:['’][A-Za-z]+)*(?![0-9_])")
INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
FILE_NAME = re.compile(r"(?i)\b[\w-]+\.(?:pdf|docx?|xlsx?|pptx?|zip|png|jpe?g|gif|svg|webp|csv|txt|xml|json|js|css)\b")
# The spelling differences between American and British English, as (American, British) spellings of a part of a
# word: one replaced at one place in a word of the other variant gives the candidate forms in the site's variant,
# which its dictionary then confirms (colour -> color, organise -> organize, centre -> center, travelled ->
# traveled, programme -> program).
VARIANTS = (
    ("or", "our"),
    ("iz", "is"),
    ("yz", "ys"),
    ("er", "re"),
    ("og", "ogue"),
    ("ense", "ence"),
    ("l", "ll"),
    ("ll", "l"),
    ("m", "mme"),
    ("e", "ae"),
    ("e", "oe"),
    ("o", "ou"),
    ("gment", "gement"),
    ("k", "que"),
)
VARIANT_NAMES = {"en-US": ("en_US", "en_GB"), "en-GB": ("en_GB", "en_US")}
SCRIPT_JA = {"japanese": "日本語", "korean": "韓国語"}
KIND_OTHER = {"en-US": "british", "en-GB": "american"}


def words_of(text: str) -> list[str]:
    """The words of a text a spelling dictionary can judge (see the module's doc for what is skipped)."""
    text = FILE_NAME.sub(" ", NOT_PROSE.sub(" ", text))
    out = []
    for m in TOKEN.finditer(text):
        word = m.group().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        word = word.strip("'")
        if len(word) < 2 or word.isupper() or INNER_CAPITAL.search(word):
            continue
        out.append(word)
    return out


# The spelling sheet's kinds in the workbook's language (the artifact keeps the machine value in "kind").
KIND_TEXT = {
    "british": {"ja": "イギリス式の綴り", "en": "British spelling"},
    "american": {"ja": "アメリカ式の綴り", "en": "American spelling"},
    "unknown": {"ja": "辞書にない語", "en": "In neither dictionary"},
    "glossary": {"ja": "用語集の語", "en": "Glossary term"},
}


class PageText(PageCheck):
    id = "page-text"
    title = "English text of the page: its words, and text in another script left on it"
    family = "language"
    primary_only = True
    order = 25
    reads_only = True
    provides = ("page-text",)
    messages = {
        "foreign-script-text": {
            "ja": "英語のページに{script}の文字「{text}」が残っています。",
            "fix_ja": "英訳するか、意図した表記であれば lang 属性で言語を示す。",
            "fix_en": "Translate it, or mark its language with a lang attribute if it is meant to be there.",
        },
    }

    async def run(self, ctx: PageContext) -> list[Finding]:
        data = await passages(ctx)
        targets: list[str] = []
        words: dict[str, int] = {}
        found: list[Finding] = []
        # Text with no lang anywhere is English only when the site says so (a Japanese page missing its lang is a
        # 3.1.1 matter, not Japanese text left on an English page).
        unmarked = primary(ctx.config.site_lang) in ENGLISH
        for p in data.get("passages") or []:
            lang = primary(str(p.get("lang") or ""))
            if lang != "en" and not (lang == "" and unmarked):
                continue  # marked as another language: neither spelt nor listed
            text, target = str(p.get("text") or ""), str(p.get("target") or "html")
            runs = cjk_runs(text)
            if runs and len(found) < MAX_FOREIGN:
                script = script_of("".join(runs))
                excerpt = " … ".join(runs)[:80]
                found.append(
                    ctx.finding(
                        "foreign-script-text",
                        NEEDS_REVIEW,
                        target=target,
                        impact="moderate",
                        message=f"Text in {script} script is left on an English page: '{excerpt}'.",
                        details={
                            "text": excerpt,
                            "script": {"japanese": "日本語", "korean": "韓国語"}.get(script, "漢字"),
                        },
                    )
                )
            for word in words_of(text):
                if word not in words and len(words) < MAX_WORDS:
                    if not targets or targets[-1] != target:
                        targets.append(target)
                    words[word] = len(targets) - 1
        ctx.page.facts["page-text"] = {"lang": data.get("lang") or "", "words": words, "targets": targets}
        return found


@functools.cache
def _dictionaries(variant: str) -> tuple[Any, Any]:
    """(the site's dictionary, the other variant's), loaded once per process."""
    own, other = VARIANT_NAMES[variant]
    try:
        import enchant  # loaded only when the language family runs (it loads the Enchant C library)

        return enchant.Dict(own), enchant.Dict(other)
    except ImportError:
        raise RuntimeError(
            "the Enchant library is not installed; install it (pip install 'qa-suite[spelling]' and apt-get install "
            "libenchant-2-2) and run qa report --rejudge"
        ) from None
    except enchant.errors.DictNotFoundError:
        raise RuntimeError(
            f"the Hunspell dictionaries {own} and {other} are not installed; "
            "install them (apt-get install hunspell-en-us hunspell-en-gb) and run qa report --rejudge"
        ) from None


class Speller:
    """Classifies words once each: ok, glossary, the other variant's spelling (with the site's form) or unknown."""

    def __init__(self, variant: str, glossary: set[str]) -> None:
        self.variant = variant
        self.own, self.other = _dictionaries(variant)
        self.glossary = glossary
        self.cache: dict[str, tuple[str, str]] = {}
        self.suggested = 0

    def classify(self, word: str) -> tuple[str, str]:
        """(kind, suggestion): kind is "ok", "glossary", "british"/"american" (the other variant) or "unknown"."""
        if word not in self.cache:
            self.cache[word] = self._classify(word)
        return self.cache[word]

    def _classify(self, word: str) -> tuple[str, str]:
        if word.casefold() in self.glossary:
            return "glossary", ""
        if self.own.check(word):
            return "ok", ""
        if self.other.check(word):
            return KIND_OTHER[self.variant], self._own_form(word)
        return "unknown", ""

    def _own_form(self, word: str) -> str:
        lower = word.lower()
        us_site = self.variant == "en-US"
        for american, british in VARIANTS:
            old, new = (british, american) if us_site else (american, british)
            start = lower.find(old)
            while start >= 0:
                candidate = lower[:start] + new + lower[start + len(old) :]
                if self.own.check(candidate):
                    return word[0] + candidate[1:] if word[0].isupper() else candidate
                start = lower.find(old, start + 1)
        if self.suggested >= MAX_SUGGEST:
            return ""
        self.suggested += 1
        close = [s for s in self.own.suggest(word) if " " not in s and "-" not in s]
        best = difflib.get_close_matches(word, close, n=1, cutoff=0.6)
        return best[0] if best else ""


def read_glossary(path: str) -> set[str]:
    """The glossary's terms (one a line, ``#`` comments), each word of a term, case-folded; a missing file is
    empty (the configuration refuses one at the start of an audit)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    terms: set[str] = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        terms.update(w.casefold() for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", line))
    return terms


class Spelling(SiteCheck):
    id = "spelling"
    title = "English spelling follows the site's variant (American by default)"
    family = "language"
    requires = ("page-text",)
    provides = ("spelling",)
    settings = ("language",)
    inventories = (
        Inventory(
            "spelling",
            "スペル",
            "Spelling",
            (
                ("word", "語", "Word"),
                ("kind_text", "種別", "Kind"),
                ("suggestion", "サイトの綴りでは", "In the site's spelling"),
                ("pages", "ページ数", "Pages"),
                ("urls", "ページ", "Page URLs"),
            ),
            (20, 16, 20, 8, 60),
        ),
    )
    messages = {
        "spelling-variant": {
            "ja": "「{word}」はイギリス式（または他方の）綴りです。サイトの綴りでは「{suggestion}」です。",
            "fix_ja": "サイトの綴り（既定はアメリカ英語）に直す。",
            "fix_en": "Use the site's spelling (American English by default).",
        },
        "spelling-unknown": {
            "ja": (
                "「{word}」は辞書にない語です（{count} ページ）。誤字か、用語集に加えるべき固有名詞か確認してください。"
            ),
            "fix_ja": "誤字なら直し、固有名詞・製品名なら用語集 (language.glossary) に加える。",
            "fix_en": "Correct it if misspelt; add it to the glossary (language.glossary) if it is a proper noun.",
        },
    }

    def run(self, results: Results) -> list[Finding]:
        settings = results.run.config.get("language") or {}
        variant = str(settings.get("variant") or "en-US")
        glossary_path = settings.get("glossary")
        speller = Speller(variant, read_glossary(glossary_path) if glossary_path else set())
        seen: dict[str, dict[str, Any]] = {}
        for page in one_per_document(primary_pages(results, "page-text")):
            facts = page.facts.get("page-text")
            if not facts:
                continue
            targets = facts.get("targets") or []
            for word, where in (facts.get("words") or {}).items():
                kind, suggestion = speller.classify(word)
                if kind == "ok":
                    continue
                key = word.casefold()  # "Centre" in a heading and "centre" in the text are one word
                entry = seen.setdefault(key, {"word": word, "kind": kind, "suggestion": suggestion, "pages": []})
                target = targets[where] if isinstance(where, int) and where < len(targets) else "body"
                entry["pages"].append((page, target))
        findings = []
        rows = []
        for entry in sorted(seen.values(), key=lambda e: (e["kind"], e["word"].casefold())):
            pages: list[tuple[Page, str]] = entry["pages"]
            urls = [p.url for p, _ in pages]
            rows.append(
                {
                    "word": entry["word"],
                    "kind": entry["kind"],
                    "kind_text": KIND_TEXT.get(entry["kind"], {"ja": entry["kind"], "en": entry["kind"]}),
                    "suggestion": entry["suggestion"],
                    "pages": len(urls),
                    "urls": urls[:MAX_PAGES_LISTED],
                }
            )
            if entry["kind"] == "glossary":
                continue
            page, target = pages[0]
            other = entry["kind"] != "unknown"
            word = entry["word"]
            findings.append(
                site_finding(
                    self.id,
                    page,
                    "spelling-variant" if other else "spelling-unknown",
                    VIOLATION if other else NEEDS_REVIEW,
                    [],
                    (
                        f"'{word}' is {entry['kind']} spelling; the site's ({variant}) is "
                        f"'{entry['suggestion'] or '?'}' (on {len(urls)} page(s))."
                        if other
                        else f"'{word}' is in neither English dictionary (on {len(urls)} page(s)): a misspelling, "
                        "or a name to add to the glossary."
                    ),
                    target=target,
                    impact="minor",
                    details={
                        "word": word,
                        "suggestion": entry["suggestion"],
                        "count": len(urls),
                        "pages": urls[:MAX_PAGES_LISTED],
                    },
                )
            )
        results.extra["spelling"] = rows
        return findings
