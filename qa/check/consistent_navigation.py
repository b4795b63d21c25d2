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
    criteria = {"3.2.3": PARTIAL}

    def run(self, results: Results) -> list[Finding]:
        pages = primary_pages(results)
        blocks: dict[tuple[str, str], list[tuple[Page, list[str]]]] = defaultdict(list)
        for p in pages:
            for block in p.facts["structure"].get("nav", []):
                blocks[block_key(block)].append((p, order_of(block["links"])))
        findings = []
        for key, seen in blocks.items():
            if len(seen) < 2:
                continue
            # The order most pages use is the reference; the pages that differ from it are reported.
            reference = list(Counter(tuple(order) for _, order in seen).most_common(1)[0][0])
            for page, order in seen:
                shared = relative_order_differs(reference, order)
                if not shared:
                    continue
                certain = key[0] == "label"
                name = f"'{key[1]}'" if certain else f"at {key[1]}"
                findings.append(
                    site_finding(
                        self.id,
                        page,
                        "navigation-order",
                        VIOLATION if certain else NEEDS_REVIEW,
                        ["3.2.3"],
                        f"The navigation {name} lists its links in a different order than on most pages.",
                        target=f"nav[aria-label='{key[1]}']" if certain else "nav",
                        impact="moderate",
                        details={"expected": shared, "found": [x for x in order if x in set(shared)]},
                    )
                )
        return findings
