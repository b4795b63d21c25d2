"""3.2.4 Consistent Identification: in the blocks repeated across pages (navigation, header, footer), the same
link target keeps the same name and the same name keeps its target; the same image keeps its alt text (F31).

Names may differ for good reasons (hidden "current page" text, a shortened label), so a person decides.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from qa.check import PARTIAL, SiteCheck
from qa.check._site import primary_pages, site_finding
from qa.model import NEEDS_REVIEW, Finding, Page, Results

# Names that lead somewhere different on every page by design (pagination, "read more").
RELATIVE = re.compile(
    r"^(\d+|next|prev(ious)?|older|newer|more|read more|back|次へ|前へ|戻る|もっと見る|続きを読む|[«»‹›<>]+)$"
)


def _components(page: Page) -> list[tuple[str, str, list[list[str]]]]:
    """(block, kind, [[key, name]]) for every repeated block of the page."""
    s = page.facts["structure"]
    out = [(f"nav:{b.get('label') or b['where']}", "link", b["links"]) for b in s.get("nav", [])]
    for block in s.get("shared", []):
        out.append((block["where"], "link", block["links"]))
        out.append((block["where"], "image", block.get("images", [])))
    return out


class ConsistentIdentification(SiteCheck):
    id = "consistent-identification"
    title = "Repeated components are named consistently"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "inconsistent-name": {
            "ja": "同じ機能の部品が、このページと他のページとで異なる名前になっています ({target})。",
            "fix_ja": "同じ機能の部品には全ページで同じ名前を付ける。",
            "fix_en": "Name the same component the same way on every page.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/consistent-identification.html",
        },
        "inconsistent-target": {
            "ja": "同じ名前のリンクが、このページと他のページとで異なるリンク先を指しています ({target})。",
            "fix_ja": "同じ名前のリンクは同じ機能（リンク先）にする。",
            "fix_en": "Make one link name always lead to one function.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/consistent-identification.html",
        },
    }
    criteria = {"3.2.4": PARTIAL}
    requires = ("page-structure",)

    def run(self, results: Results) -> list[Finding]:
        pages = primary_pages(results)
        names: dict[tuple[str, str, str], dict[str, list[Page]]] = defaultdict(lambda: defaultdict(list))
        targets: dict[tuple[str, str], dict[str, list[Page]]] = defaultdict(lambda: defaultdict(list))
        for p in pages:
            for block, kind, items in _components(p):
                count = Counter(key for key, _ in items)
                for key, name in items:
                    if count[key] > 1:
                        continue  # two links to one place on one page (logo and "Home") may well differ
                    name = name.casefold()
                    if not name:
                        continue
                    names[(block, kind, key)][name].append(p)
                    if kind == "link" and not RELATIVE.match(name):
                        where = targets[(block, name)][key]
                        if not where or where[-1] is not p:  # pages come one by one: a repeat is the last one
                            where.append(p)
        findings = self._same_target(names) + self._same_name(targets)
        return findings

    def _same_target(self, names: dict) -> list[Finding]:
        findings = []
        for (block, kind, key), by_name in names.items():
            if len(by_name) < 2:
                continue
            usual = max(by_name, key=lambda n: len(by_name[n]))
            for name, where in by_name.items():
                if name == usual:
                    continue
                for p in where[:20]:
                    what = "image" if kind == "image" else "link to"
                    findings.append(
                        site_finding(
                            self.id,
                            p,
                            "inconsistent-name",
                            NEEDS_REVIEW,
                            ["3.2.4"],
                            f"In the {block} block, the {what} {key} is named '{name}' here but '{usual}' on "
                            f"{len(by_name[usual])} other page(s): check that the same component is identified "
                            "consistently.",
                            target=f"{block} {key}",
                            impact="minor",
                            details={"block": block, "usual": usual, "here": name},
                        )
                    )
        return findings

    def _same_name(self, targets: dict) -> list[Finding]:
        findings = []
        for (block, name), by_key in targets.items():
            if len(by_key) < 2:
                continue
            usual = max(by_key, key=lambda k: len(by_key[k]))
            for key, where in by_key.items():
                if key == usual:
                    continue
                for p in where[:20]:
                    findings.append(
                        site_finding(
                            self.id,
                            p,
                            "inconsistent-target",
                            NEEDS_REVIEW,
                            ["3.2.4"],
                            f"In the {block} block, the link '{name}' leads to {key} here but to {usual} on "
                            f"{len(by_key[usual])} other page(s): check that one name means one function.",
                            target=f"{block} {key}",
                            impact="minor",
                            details={"block": block, "usual": usual, "here": key},
                        )
                    )
        return findings
