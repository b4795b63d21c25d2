"""Run-to-run comparison: which findings are new, fixed or unchanged since a previous run (by stable finding id).

A finding missing from the new run counts as fixed only where the new run looked again: its page was audited and
its check ran. Otherwise it is "not re-checked" (the page fell out of the crawl, or ``--only`` skipped the check).
"""

from __future__ import annotations

from typing import Any

from qa.model import Finding, Results

MAX_LISTED = 1000  # links listed by name in the diff; the counts are always complete


def _brief(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule": f.rule,
        "outcome": f.outcome,
        "sc": f.sc,
        "check": f.check,
        "url": f.url,
        "target": f.target,
        "message": f.message[:300],
    }


def _link_key(item: Any) -> tuple[str, str] | None:
    """A link occurrence: (page it is on, where it points), as the link check writes ``links[]``."""
    if isinstance(item, dict):
        url = item.get("url") or item.get("href")
        return (str(item.get("source") or ""), str(url)) if url else None
    return None


def _broken(item: dict[str, Any]) -> bool:
    return item.get("result") == "broken" or item.get("broken") is True


def _links(keys: set[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"source": s, "url": u} for s, u in sorted(keys)[:MAX_LISTED]]


def diff_links(old: list[Any], new: list[Any]) -> dict[str, Any]:
    a = {k for k in map(_link_key, old) if k}
    b = {k for k in map(_link_key, new) if k}
    broken_a = {k for item in old if (k := _link_key(item)) and _broken(item)}
    broken_b = {k for item in new if (k := _link_key(item)) and _broken(item)}
    return {
        "new": _links(b - a),
        "gone": _links(a - b),
        "counts": {"new": len(b - a), "gone": len(a - b), "unchanged": len(a & b)},
        "broken": {
            "new": _links(broken_b - broken_a),
            # fixed: the link is still there and works, or it was removed
            "fixed": _links(broken_a - broken_b),
            "unchanged": len(broken_a & broken_b),
        },
    }


def diff_runs(previous: Results, current: Results) -> dict[str, Any]:
    """The ``diff`` section of results.json: ``current`` compared with ``previous``."""
    before = {f.id: f for f in previous.findings}
    now = {f.id: f for f in current.findings}
    audited = {p.url for p in current.pages if not p.error}
    ran = {c.id for c in current.checks if c.pages}
    fixed, not_rechecked = [], 0
    for fid, f in before.items():
        if fid in now:
            continue
        if f.url in audited and (f.check in ran or not f.check):
            fixed.append(_brief(f))
        else:
            not_rechecked += 1
    section: dict[str, Any] = {
        "against": {"run": previous.run.id, "started": previous.run.started, "start_url": previous.run.start_url},
        "findings": {
            "new": [fid for fid in now if fid not in before],
            "fixed": fixed,
            "unchanged": [fid for fid in now if fid in before],
            "not_rechecked": not_rechecked,
        },
        "pages": {
            "new": sorted({p.url for p in current.pages} - {p.url for p in previous.pages}),
            "gone": sorted({p.url for p in previous.pages} - {p.url for p in current.pages}),
        },
    }
    old_links, new_links = previous.extra.get("links"), current.extra.get("links")
    if isinstance(old_links, list) and isinstance(new_links, list):
        section["links"] = diff_links(old_links, new_links)
    return section


def format_diff(section: dict[str, Any], current: Results, limit: int = 50) -> str:
    """What ``qa diff`` prints: counts, then one line per new and fixed finding."""
    by_id = {f.id: f for f in current.findings}
    fd = section["findings"]
    lines = [
        f"compared with run {section['against']['run']}",
        f"findings: {len(fd['new'])} new, {len(fd['fixed'])} fixed, {len(fd['unchanged'])} unchanged"
        + (f", {fd['not_rechecked']} not re-checked" if fd["not_rechecked"] else ""),
    ]
    pages = section.get("pages", {})
    if pages.get("new") or pages.get("gone"):
        lines.append(f"pages:    {len(pages.get('new', []))} new, {len(pages.get('gone', []))} gone")
    if "links" in section:
        lk = section["links"]
        c, br = lk["counts"], lk["broken"]
        lines.append(
            f"links:    {c['new']} new, {c['gone']} gone, {c['unchanged']} unchanged; broken: {len(br['new'])} new, "
            f"{len(br['fixed'])} fixed, {br['unchanged']} unchanged"
        )
    shown = 0
    for fid in fd["new"]:
        f = by_id.get(fid)
        if f and shown < limit:
            lines.append(f"+ new    {f.rule:<24} {f.url}  {f.target}")
            shown += 1
    for b in fd["fixed"]:
        if shown < limit:
            lines.append(f"- fixed  {b['rule']:<24} {b['url']}  {b['target']}")
            shown += 1
    if len(fd["new"]) + len(fd["fixed"]) > shown:
        lines.append(f"  … {len(fd['new']) + len(fd['fixed']) - shown} more in results.json (diff)")
    return "\n".join(lines)
