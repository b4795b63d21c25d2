"""2.4.2 Page Titled across the site: titles that are placeholders or file names, "Home" on a page that is not
the home page (needs-review), and titles shared by pages
whose content differs.

A duplicate title is certain to fail only where the pages' main headings differ and a page's heading is not
in its title: that title does not say what the page is about (the demo's news article titled "News").
Otherwise (same heading, no heading, pagination) a person decides.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from qa.check import PARTIAL, SiteCheck
from qa.check._site import primary_pages, same_content, site_finding
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page, Results

# F25: a title that does not identify the page (editor defaults and placeholders).
PLACEHOLDER = re.compile(
    r"^(untitled( document| page)?|new page( \d+)?|document|page|title|(insert|enter|your|page) title( here)?|"
    r"無題(の?ドキュメント)?|タイトル|新しいページ|タイトルを(入力|挿入)|ページタイトル)$",
    re.IGNORECASE,
)
# A title naming only the site's home ("Home", 「ホーム」) is generic on any other page; it may be the site's name
# shown with the page's own heading, so a person decides.
HOME_TITLE = re.compile(r"^(home|home ?page|top|トップ|トップページ|ホーム|ホームページ)$", re.IGNORECASE)
INDEX_EXT = ("html", "htm", "php", "asp", "aspx")
SEPARATORS = re.compile(r"\s[|\-–—:/｜／]\s|｜|／")
FILE_NAME = re.compile(r"^[\w\-. ]+\.(html?|php|aspx?|jsp|cgi)$", re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


class PageTitles(SiteCheck):
    id = "page-titles"
    title = "Page titles are descriptive and distinguish pages"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "page-title-placeholder": {
            "ja": "ページタイトルが仮の文字列またはファイル名で、ページの主題を表していません。",
            "fix_ja": "ページの主題を表すタイトルを付ける。",
            "fix_en": "Give the page a title that names its topic.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/page-titled.html",
        },
        "page-title-generic": {
            "ja": "ページタイトル「{title}」はトップページを指す語だけで、このページの主題を表していません。",
            "fix_ja": "ページの主題を表すタイトルを付ける（例:「会社概要 | サイト名」）。",
            "fix_en": "Give the page a title that names its own topic (e.g. 'About us | Site name').",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/page-titled.html",
        },
        "page-title-duplicate": {
            "ja": (
                "異なる内容の複数のページが同じタイトルを使っています"
                "。各タイトルでページを区別できるか確認してください。"
            ),
            "fix_ja": "ページごとに内容を表す固有のタイトルを付ける。",
            "fix_en": "Give each page its own title that tells it apart.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/page-titled.html",
        },
    }
    criteria = {"2.4.2": PARTIAL}
    requires = ("page-structure",)

    def run(self, results: Results) -> list[Finding]:
        pages = primary_pages(results)
        findings = []
        groups: dict[str, list[Page]] = defaultdict(list)
        start = urlsplit(results.run.start_url).path or "/"
        home = {start, start.rsplit("/", 1)[0] + "/"} | {start.rsplit("/", 1)[0] + "/index." + x for x in INDEX_EXT}
        for p in pages:
            title = _norm(p.title)
            if not title:
                continue  # axe document-title reports a missing title
            if PLACEHOLDER.match(title) or FILE_NAME.match(title):
                findings.append(
                    site_finding(
                        self.id,
                        p,
                        "page-title-placeholder",
                        VIOLATION,
                        ["2.4.2"],
                        f"The page title '{p.title.strip()}' is a placeholder or file name, not the page's topic.",
                        target="title",
                        impact="serious",
                    )
                )
            elif HOME_TITLE.match(title) and urlsplit(p.url).path not in home:
                findings.append(
                    site_finding(
                        self.id,
                        p,
                        "page-title-generic",
                        NEEDS_REVIEW,
                        ["2.4.2"],
                        f"The page title '{p.title.strip()}' names the home page, but this is not the home page: "
                        "check that the title says what this page is about.",
                        target="title",
                        impact="moderate",
                        details={"title": p.title.strip()},
                    )
                )
            groups[title].append(p)
        for title, group in groups.items():
            distinct = []
            for p in group:
                if not any(same_content(p, q) for q in distinct):
                    distinct.append(p)
            if len(distinct) < 2:
                continue
            headings = {_norm(p.facts["structure"].get("h1", "")) for p in distinct}
            others = [p.url for p in distinct]
            for p in distinct:
                h1 = _norm(p.facts["structure"].get("h1", ""))
                # A title naming the page at a coarser level ("Search results" for "Search results for X") is
                # not certainly wrong.
                parts = [x.strip() for x in SEPARATORS.split(title) if len(x.strip()) >= 3]
                coarse = any(x in h1 for x in parts)
                certain = h1 and "" not in headings and len(headings) > 1 and h1 not in title and not coarse
                findings.append(
                    site_finding(
                        self.id,
                        p,
                        "page-title-duplicate",
                        VIOLATION if certain else NEEDS_REVIEW,
                        ["2.4.2"],
                        (
                            f"The title '{p.title.strip()}' is shared by {len(distinct)} pages with different content, "
                            + (
                                f"and does not name this page's topic (heading '{p.facts['structure']['h1']}')."
                                if certain
                                else "check that each title tells the pages apart."
                            )
                        ),
                        target="title",
                        impact="serious" if certain else "moderate",
                        details={"same_title": [u for u in others if u != p.url][:20]},
                    )
                )
        return findings
