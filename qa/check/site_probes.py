"""Site probes for the operation-check sheet: does an unknown URL answer 404, and is sitemap.xml valid and complete?

GET only, two or three requests per run. Results go to ``results.extra["site_probes"]``; a soft 404 and a broken
or incomplete sitemap also become findings (no success criterion: they are site quality, not WCAG).
"""

from __future__ import annotations

import secrets
from typing import Any

from qa.check import RunCheck, RunContext
from qa.discover.sitemap import MAX_SITEMAP_BYTES, MAX_SITEMAPS, Sitemap, read_sitemap
from qa.model import NEEDS_REVIEW, VIOLATION, Finding
from qa.net import fetch
from qa.urls import normalise, origin, origin_key

MAX_LISTED = 200  # missing pages kept as evidence
MAX_PROBE_BODY = 100_000  # of the answer to a URL that does not exist, only the status is used
INDEX_NAMES = ("index.html", "index.htm", "index.php")


class SiteProbes(RunCheck):
    id = "site-probes"
    title = "Custom 404 page and sitemap.xml"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "soft-404": {
            "ja": "存在しない URL がステータス 404 ではなく {status} を返します（ソフト 404）。",
            "fix_ja": "存在しない URL にはステータス 404 でエラーページを返すようサーバーを設定する。",
            "fix_en": "Make the server answer 404 (with an error page) for URLs that do not exist.",
        },
        "sitemap-invalid": {
            "ja": "sitemap.xml が妥当ではありません: {text}",
            "fix_ja": "sitemap.xml を sitemaps.org の形式に合わせて作り直す。",
            "fix_en": "Rebuild sitemap.xml in the sitemaps.org format.",
            "help": "https://www.sitemaps.org/ja/protocol.html",
        },
        "sitemap-incomplete": {
            "ja": "試験したページの一部が sitemap.xml に載っていません。",
            "fix_ja": "公開しているページをすべて sitemap.xml に載せる。",
            "fix_en": "List every published page in sitemap.xml.",
            "help": "https://www.sitemaps.org/ja/protocol.html",
        },
    }
    family = "ops"
    provides = ("site-probes",)

    async def run(self, ctx: RunContext) -> list[Finding]:
        pages = [p for p in ctx.results.pages if not p.error]
        start = ctx.results.pages[0].url if ctx.results.pages else ctx.results.run.start_url
        site = origin(start)
        probe_url = f"{site}/qa-probe-{secrets.token_hex(6)}-does-not-exist.html"
        # Only the status matters: the body of the error page is not read beyond its first bytes.
        probe = await fetch(ctx.client, probe_url, MAX_PROBE_BODY)
        status = probe.status
        not_found = {"url": probe_url, "status": status, "content_type": probe.content_type.split(";")[0].strip()}
        if probe.status == 0 and probe.problem:
            not_found["problem"] = probe.problem
        sitemap = await self.sitemap(ctx, site, {p.url for p in pages if p.status == 200})
        ctx.results.extra["site_probes"] = {"not_found": not_found, "sitemap": sitemap}

        def finding(rule: str, outcome: str, url: str, message: str, **details: Any) -> Finding:
            return Finding(rule, outcome, url, "http", "-", check=self.id, message=message, details=details)

        found = []
        if status not in (404, 410):
            found.append(
                finding(  # on the site root, not the random probe URL, so the finding keeps its id run to run
                    "soft-404",
                    VIOLATION,
                    f"{site}/",
                    f"a URL that does not exist ({probe_url}) answered {status or 'nothing'} instead of 404",
                    status=status,
                    probe_url=probe_url,
                )
            )
        if sitemap["status"] == 200 and not sitemap["valid"]:
            found.append(finding("sitemap-invalid", VIOLATION, sitemap["url"], sitemap["problem"]))
        elif sitemap["valid"] and sitemap["missing"]:
            found.append(
                finding(
                    "sitemap-incomplete",
                    NEEDS_REVIEW,
                    sitemap["url"],
                    f"{sitemap['missing_count']} audited page(s) are not listed in the sitemap",
                    missing=sitemap["missing"],
                )
            )
        return found

    async def sitemap(self, ctx: RunContext, site: str, audited: set[str]) -> dict[str, Any]:
        url = f"{site}/sitemap.xml"
        answer = await fetch(ctx.client, url, MAX_SITEMAP_BYTES)
        status, body = answer.status, answer.body
        out: dict[str, Any] = {"url": url, "status": status, "valid": False, "problem": "", "listed": 0}
        out.update(missing=[], missing_count=0)
        if status != 200:
            out["problem"] = f"/sitemap.xml answered {status or 'nothing'}"
            if answer.problem:
                out["problem"] += f" ({answer.problem})"
            return out
        problem = answer.problem or xml_problem(body)
        if problem:
            out["problem"] = problem
            return out
        listed: list[str] = []
        queue, seen = [url], set()
        while queue and len(seen) < MAX_SITEMAPS:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            child = answer if current == url else await fetch(ctx.client, current, MAX_SITEMAP_BYTES)
            sitemap = read_sitemap(child.body, gzip_ok=False) if child.ok else None
            why = child.problem or (sitemap_problem(sitemap) if sitemap else f"answered {child.status}")
            if sitemap is None or why:
                out["problem"] = f"{current} (listed in the sitemap index): {why}"
                return out
            listed += sitemap.pages
            queue += [c for c in sitemap.children if origin_key(c) == origin_key(site)]  # never another host's
        listed_forms = {form for u in listed for form in same_page(normalise(u) or u)}
        missing = sorted(u for u in audited if not listed_forms & set(same_page(u)))
        out.update(valid=True, listed=len(listed), missing=missing[:MAX_LISTED], missing_count=len(missing))
        return out


def same_page(url: str) -> list[str]:
    """A URL and its directory-index spellings: ``/news/`` is listed when ``/news/index.html`` is, and vice versa."""
    for index in INDEX_NAMES:
        if url.endswith("/" + index):
            return [url, url[: -len(index)]]
    return [url] + ([url + index for index in INDEX_NAMES] if url.endswith("/") else [])


def xml_problem(body: bytes) -> str:
    """Why a sitemap document is not a valid urlset/sitemapindex, or '' (read as a stream, within the sitemaps
    protocol's size limit)."""
    return sitemap_problem(read_sitemap(body, gzip_ok=False))


def sitemap_problem(sitemap: Sitemap) -> str:
    if sitemap.problem:
        return sitemap.problem
    tag = sitemap.root.rsplit("}", 1)[-1]
    if tag not in ("urlset", "sitemapindex"):
        return f"root element is <{tag}>, not <urlset> or <sitemapindex>"
    if not sitemap.root.startswith("{http://www.sitemaps.org/schemas/sitemap/0.9}"):
        return "not in the sitemap namespace http://www.sitemaps.org/schemas/sitemap/0.9"
    return ""
