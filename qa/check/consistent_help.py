"""3.2.6 Consistent Help: help mechanisms (contact details, contact pages, FAQ, support) repeated on several
pages appear in the same place relative to the rest of the page: the same page region and the same order
among themselves. Help is recognised by words and tel:/mailto: links, so differences go to a person.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from qa.check import PARTIAL, SiteCheck
from qa.check._site import primary_pages, site_finding
from qa.check.consistent_navigation import relative_order_differs
from qa.model import NEEDS_REVIEW, Finding, Page, Results


def _sequence(page: Page) -> list[tuple[str, str]]:
    """(href, region) of the page's help links in document order, each href once."""
    out: list[tuple[str, str]] = []
    for item in page.facts["structure"].get("help", []):
        if item["href"] not in (h for h, _ in out):
            out.append((item["href"], item["region"]))
    return out


class ConsistentHelp(SiteCheck):
    id = "consistent-help"
    title = "Help is found in the same place on every page"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "help-location": {
            "ja": "ヘルプへのリンク {href} が、多くのページと異なる位置 ({region}) にあります。",
            "fix_ja": "ヘルプへのリンクを全ページで同じ位置に置く。",
            "fix_en": "Put the help link in the same place on every page.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/consistent-help.html",
        },
        "help-order": {
            "ja": "ヘルプへのリンクの並び順が、多くのページと異なります。",
            "fix_ja": "ヘルプへのリンクを全ページで同じ順序に並べる。",
            "fix_en": "Keep the help links in the same order on every page.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/consistent-help.html",
        },
    }
    criteria = {"3.2.6": PARTIAL}
    requires = ("page-structure",)

    def run(self, results: Results) -> list[Finding]:
        pages = primary_pages(results)
        sequences = {p.url: _sequence(p) for p in pages}
        regions: dict[str, Counter] = defaultdict(Counter)
        for seq in sequences.values():
            for href, region in seq:
                regions[href][region] += 1
        # Only help repeated on several pages is in scope; its region must be the same as on most pages.
        repeated = {h for h, c in regions.items() if sum(c.values()) > 1}
        orders = Counter(tuple(h for h, _ in seq if h in repeated) for seq in sequences.values())
        reference = list(orders.most_common(1)[0][0]) if orders else []
        findings = []
        for p in pages:
            seq = sequences[p.url]
            for href, region in seq:
                usual = regions[href].most_common(1)[0][0]
                if href in repeated and region != usual and regions[href][usual] > regions[href][region]:
                    findings.append(
                        site_finding(
                            self.id,
                            p,
                            "help-location",
                            NEEDS_REVIEW,
                            ["3.2.6"],
                            f"The help link {href} is in the page {region} here but in the {usual} on most pages.",
                            target=f"{region} a[href='{href}']",
                            impact="moderate",
                            details={"href": href, "region": region, "usual": usual},
                        )
                    )
            shared = relative_order_differs(reference, [h for h, _ in seq if h in repeated])
            if shared:
                findings.append(
                    site_finding(
                        self.id,
                        p,
                        "help-order",
                        NEEDS_REVIEW,
                        ["3.2.6"],
                        "The help links appear in a different order than on most pages.",
                        target="body",
                        impact="moderate",
                        details={"expected": shared, "found": [h for h, _ in seq if h in set(shared)]},
                    )
                )
        return findings
