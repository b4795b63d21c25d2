"""Run-to-run comparison: which findings are new, fixed or unchanged since a previous run (by stable finding id).

A finding missing from the new run counts as fixed only where the new run looked again: its page was audited and
its check ran. Otherwise it is "not re-checked" (the page fell out of the crawl, or ``--only`` skipped the check).
"""

from __future__ import annotations

from typing import Any

from qa.model import Finding, Results


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


def _link_key(item: Any) -> str | None:
    if isinstance(item, dict):
        url = item.get("url") or item.get("href")
        return str(url) if url else None
    return None


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
        a = {k for k in map(_link_key, old_links) if k}
        b = {k for k in map(_link_key, new_links) if k}
        section["links"] = {"new": sorted(b - a), "gone": sorted(a - b), "unchanged": len(a & b)}
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
        lines.append(f"links:    {len(lk['new'])} new, {len(lk['gone'])} gone, {lk['unchanged']} unchanged")
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
