"""Findings grouped by where they come from: the same rule on the same element shape across many pages is one
defect in a shared template or component ("fix once in the theme: affects 40 pages"), not forty defects.

A group's key is rule + outcome + normalised selector + HTML shape (the opening tag's name and attribute names,
without values), so one theme's search field groups across pages while unrelated elements stay apart. Groups are
annotated with the WordPress post types and templates of their pages where known (``page.facts["wordpress"]`` from
the REST API, else ``page.facts["wordpress_body"]`` from the body classes).
A pure function of the results; the per-page findings stay as they are.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from qa.model import Finding, Results, normalise_selector

# Per-item numbers in ids and classes (post-13, menu-item-42, wp-image-7) differ between pages of one template.
_ITEM_NUMBER = re.compile(r"(?<=[-_])\d+\b")
_OPEN_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)([^>]*)>?")
_ATTR_NAME = re.compile(r"([^\s=/\"'>]+)(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?")


def selector_key(target: str) -> str:
    return _ITEM_NUMBER.sub("N", normalise_selector(target))


def html_shape(html: str) -> str:
    """``<input type="search" name="s" value="">`` -> ``<input name type value>``."""
    match = _OPEN_TAG.search(html or "")
    if not match:
        return ""
    names = sorted({m.group(1).lower() for m in _ATTR_NAME.finditer(match.group(2))})
    return f"<{' '.join([match.group(1).lower(), *names])}>"


@dataclass
class FindingGroup:
    id: str
    rule: str
    outcome: str
    sc: list[str]
    impact: str | None
    selector: str
    html_shape: str
    example_html: str
    message: str
    pages: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # finding ids
    post_types: dict[str, int] = field(default_factory=dict)
    templates: dict[str, int] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def shared(self) -> bool:
        """Seen on more than one page: almost certainly a template or component, fixed once."""
        return self.page_count > 1

    def summary(self) -> str:
        if not self.shared:
            return "1 page"
        where = "the theme" if self.templates else "a shared template or component"
        return f"fix once in {where}: affects {self.page_count} pages"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(page_count=self.page_count, shared=self.shared, summary=self.summary())
        return d


def page_templates(results: Results) -> dict[str, dict[str, Any]]:
    """URL -> {type, template}: from the REST API where WordPress described the page, else from its body classes."""
    found: dict[str, dict[str, Any]] = {}
    for p in results.pages:
        facts = p.facts.get("wordpress") or p.facts.get("wordpress_body")
        if isinstance(facts, dict) and (p.url not in found or "wordpress" in p.facts):
            found[p.url] = facts
    return found


def group_findings(results: Results) -> list[FindingGroup]:
    """Groups, largest first; every finding belongs to exactly one."""
    wp = page_templates(results)
    groups: dict[tuple[str, ...], FindingGroup] = {}
    for f in results.findings:
        key = (f.rule, f.outcome, selector_key(f.target), html_shape(f.html))
        group = groups.get(key)
        if group is None:
            gid = hashlib.sha1("\x1f".join(key).encode("utf-8")).hexdigest()[:12]
            group = groups[key] = FindingGroup(
                gid, f.rule, f.outcome, list(f.sc), f.impact, key[2], key[3], f.html, f.message
            )
        _add(group, f, wp.get(f.url))
    return sorted(groups.values(), key=lambda g: (-g.page_count, g.rule, g.selector))


def _add(group: FindingGroup, f: Finding, wp: dict[str, Any] | None) -> None:
    group.findings.append(f.id)
    if f.url in group.pages:
        return
    group.pages.append(f.url)
    if wp:
        post_type, template = str(wp.get("type", "")), str(wp.get("template", ""))
        group.post_types = dict(Counter(group.post_types) + Counter({post_type: 1}))
        label = f"{post_type}: {template}" if template else post_type
        group.templates = dict(Counter(group.templates) + Counter({label: 1}))


def groups_section(results: Results) -> dict[str, Any]:
    """``results.json``'s ``groups`` section: the grouped view next to the per-page findings."""
    groups = group_findings(results)
    return {
        "findings": len(results.findings),
        "groups": len(groups),
        "shared": sum(1 for g in groups if g.shared),
        "items": [g.to_dict() for g in groups],
    }
