"""3.2.3 Consistent Navigation: navigation blocks repeated across pages keep their links in the same relative
order (F66). Links may be added or left out on some pages; only a changed order of the shared links fails.

Blocks are matched across pages by their accessible label; unlabelled blocks by where they sit (header,
footer, ...) and their position, which is less certain, so those differences go to a person.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from qa.check import PARTIAL, SiteCheck
from qa.check._site import primary_pages, site_finding
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page, Results


def block_key(block: dict) -> tuple[str, str]:
    return ("label", block["label"]) if block.get("label") else ("position", f"{block['where']}#{block['index']}")


def order_of(links: list[list[str]]) -> list[str]:
    seen: list[str] = []
    for href, _name in links:
        if href not in seen:
            seen.append(href)
    return seen


def relative_order_differs(a: list[str], b: list[str]) -> list[str]:
    """The shared links of two sequences when their relative order differs, else []."""
    shared = set(a) & set(b)
    sa = [x for x in a if x in shared]
    sb = [x for x in b if x in shared]
    return sa if len(sa) > 1 and sa != sb else []


class ConsistentNavigation(SiteCheck):
    id = "consistent-navigation"
    title = "Repeated navigation keeps the same relative order"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "navigation-order": {
            "ja": "ナビゲーションのリンクの並び順が、他のページと異なります ({target})。",
            "fix_ja": "繰り返し表示されるナビゲーションを全ページで同じ順序にする。",
            "fix_en": "Keep repeated navigation in the same relative order on every page.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/consistent-navigation.html",
        },
    }
    criteria = {"3.2.3": PARTIAL}
    requires = ("page-structure",)

    def run(self, results: Results) -> list[Finding]:
        pages = primary_pages(results)
        blocks: dict[tuple[str, str], list[tuple[Page, list[str]]]] = defaultdict(list)
        chrome: dict[tuple[str, str], bool] = {}
        for p in pages:
            seen: Counter = Counter()
            for block in p.facts["structure"].get("nav", []):
                key = block_key(block)
                seen[key] += 1
                if seen[key] > 1:  # two navs with one label on a page: tell them apart by their order
                    key = (key[0], f"{key[1]}#{seen[key]}")
                blocks[key].append((p, order_of(block["links"])))
                chrome[key] = chrome.get(key, True) and block["where"] in ("header", "footer", "body")
        findings = []
        for key, seen in blocks.items():
            if len(seen) < 2:
                continue
            # The order most pages use is the reference; the pages that differ from it are reported.
            (top, count), *_ = Counter(tuple(order) for _, order in seen).most_common(1)
            reference = list(top)
            # Without a clear majority (two pages, two orders) nothing says which order is the site's.
            majority = count * 2 > len(seen)
            orders = {tuple(order) for _, order in seen}
            for page, order in seen:
                shared = relative_order_differs(reference, order)
                if not majority and not shared:
                    # Every page whose order some other page contradicts is reported, for a person to judge.
                    other = next((list(o) for o in orders if relative_order_differs(list(o), order)), None)
                    shared = relative_order_differs(other, order) if other else []
                if not shared:
                    continue
                # Site navigation (header, footer) must keep its order; lists in the content or a sidebar
                # ("popular articles") may be ordered by something else, so a person looks at those.
                certain = key[0] == "label" and chrome[key] and majority
                name = f"'{key[1]}'" if key[0] == "label" else f"at {key[1]}"
                findings.append(
                    site_finding(
                        self.id,
                        page,
                        "navigation-order",
                        VIOLATION if certain else NEEDS_REVIEW,
                        ["3.2.3"],
                        f"The navigation {name} lists its links in a different order than "
                        + ("on most pages." if majority else "on other pages."),
                        target=f"nav[aria-label='{key[1]}']" if key[0] == "label" else f"nav {key[1]}",
                        impact="moderate",
                        details={"expected": shared, "found": [x for x in order if x in set(shared)]},
                    )
                )
        return findings
