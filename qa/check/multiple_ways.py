"""2.4.5 Multiple Ways: pages can be reached by more than one way (navigation, a site map page linked from the
pages, site search, links from other pages). A page no other page links to, or a site offering fewer than two
ways, goes to a person: ways such as a table of contents or related links are not all recognisable, so the
check never fails a site by itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from qa.check import PARTIAL, SiteCheck
from qa.check._site import primary_pages, site_finding
from qa.model import NEEDS_REVIEW, Finding, Results

MOST = 0.8  # a way counts for the site when this share of pages offers it


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class MultipleWays(SiteCheck):
    id = "multiple-ways"
    title = "More than one way to reach each page"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "multiple-ways-site": {
            "ja": "ほかのページへ到達する手段が、多くのページで 2 つ以上ありません（2.4.5 は 2 つ以上を求めます）。",
            "fix_ja": "ナビゲーションに加えてサイトマップやサイト内検索を全ページからリンクする。",
            "fix_en": "Add a site map page or site search linked from every page, besides the navigation.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
        },
        "page-not-linked": {
            "ja": (
                "このページへリンクしているページがありません（サイトマップまたは URL 一覧からのみ見つかりました）"
                "。利用者がどうたどり着くか確認してください。"
            ),
            "fix_ja": "ナビゲーションや関連ページからこのページへリンクする。",
            "fix_en": "Link to the page from the navigation or related pages.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
        },
    }
    criteria = {"2.4.5": PARTIAL}
    requires = ("page-structure",)

    def run(self, results: Results) -> list[Finding]:
        pages = primary_pages(results)
        if len(pages) < 2:
            return []
        facts = [p.facts["structure"] for p in pages]
        n = len(pages)
        ways = {
            "navigation": sum(1 for s in facts if any(len(b["links"]) >= 3 for b in s.get("nav", []))) / n,
            "search": sum(1 for s in facts if s.get("search")) / n,
            "site map link": sum(1 for s in facts if s.get("sitemap_links")) / n,
        }
        offered = sorted(w for w, share in ways.items() if share >= MOST)
        findings = []
        home = pages[0]
        if len(offered) < 2:
            findings.append(
                site_finding(
                    self.id,
                    home,
                    "multiple-ways-site",
                    NEEDS_REVIEW,
                    ["2.4.5"],
                    "Found "
                    + (" and ".join(offered) if offered else "no way")
                    + " on most pages to reach other pages; 2.4.5 needs at least two "
                    "(e.g. navigation plus a site map page or a site search linked from every page).",
                    target="body",
                    impact="moderate",
                    details={"ways": {w: round(s, 2) for w, s in ways.items()}},
                )
            )
        # Whether other pages link to a page is known only from a full crawl that followed links.
        config = results.run.config
        listed = sum(1 for p in results.pages if p.depth == 0) > len(results.run.cells)
        cut_short = len({p.url for p in results.pages}) >= int(config.get("max_pages") or 10**9)
        if listed or cut_short or config.get("follow_links") is False:
            return findings
        linked_to: set[str] = set()
        for p in pages:
            linked_to.update(x for x in p.facts["structure"].get("linked", []) if x != _path(p.final_url or p.url))
        start = _path(results.run.start_url) if results.run.start_url else "/"
        for p in pages:
            path = _path(p.final_url or p.url)
            if path in linked_to or path == start or _path(p.url) in linked_to:
                continue
            findings.append(
                site_finding(
                    self.id,
                    p,
                    "page-not-linked",
                    NEEDS_REVIEW,
                    ["2.4.5"],
                    "No audited page links to this page (it was found only through a sitemap or a URL list): "
                    "check how visitors reach it.",
                    target="body",
                    impact="moderate",
                )
            )
        return findings
