"""Site-specific check (an example of the team's own checks): every industry page links to the support desk.

A check in this folder is one file defining a subclass of ``qa.check.PageCheck`` (runs on each page) or
``qa.check.SiteCheck`` (runs once over all results). The suite finds it by itself; nothing in ``qa/`` changes.
"""

from __future__ import annotations

import re

from qa.check import PageCheck, PageContext
from qa.model import VIOLATION, Finding

INDUSTRY_PAGE = re.compile(r"/industries/(?!index\.html)[^/]+\.html$")
SUPPORT_DESK = "/contact.html"

LINKS_IN_MAIN_JS = """(target) => [...document.querySelectorAll('main a[href]')]
  .some((a) => new URL(a.href, location.href).pathname === target)"""


class SupportDeskLink(PageCheck):
    id = "support-desk-link"
    title = "Industry pages link to the investment support desk"
    primary_only = True  # content, not layout: one browser and viewport is enough

    async def run(self, ctx: PageContext) -> list[Finding]:
        if not INDUSTRY_PAGE.search(ctx.page.url):
            return []
        if await ctx.session.evaluate(LINKS_IN_MAIN_JS, SUPPORT_DESK):
            return []
        return [
            ctx.finding(
                self.id,
                VIOLATION,
                target="main",
                message=f"The page content has no link to the investment support desk ({SUPPORT_DESK}).",
            )
        ]
