"""Which WordPress template rendered a page, read from the classes WordPress puts on <body> (``single-post``,
``page-template-landing``, ``category``, ``home blog``, ...). It records facts only, no findings: template
grouping uses them for pages the REST API does not describe (front page, archives, search) and on sites whose
REST API is closed."""

from __future__ import annotations

from qa.check import PageCheck, PageContext
from qa.model import Finding

BODY_JS = """() => {
  const gen = document.querySelector('meta[name="generator"]');
  return {generator: gen ? gen.content : '', classes: document.body ? [...document.body.classList] : []};
}"""

# Most specific first: the first match names the kind of page.
KINDS = (
    "error404",
    "search",
    "home",
    "front-page",
    "category",
    "tag",
    "tax",
    "author",
    "date",
    "post-type-archive",
    "archive",
    "attachment",
    "single",
    "page",
)


def template_from_classes(classes: list[str]) -> dict[str, str] | None:
    """``{"kind": "single", "type": "post", "template": "default"}`` from body classes; None if not WordPress's."""
    names = set(classes)
    kind = next((k for k in KINDS if k in names), None)
    if kind is None:
        return None
    post_type = next((c.removeprefix("single-") for c in classes if c.startswith("single-") and "format" not in c), "")
    if kind == "page":
        post_type = "page"
    # WordPress adds page-template-<folder> and page-template-<folder><file>-php: the last is the template.
    named = [c.removeprefix("page-template-") for c in classes if c.startswith("page-template-")]
    named = [n for n in named if n != "default"]
    template = named[-1] if named else ("default" if kind in ("single", "page") else "")
    return {"kind": kind, "type": post_type or kind, "template": template}


class WordPressTemplate(PageCheck):
    id = "wordpress-template"
    title = "WordPress template (facts only)"
    primary_only = True
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        body = await ctx.session.evaluate(BODY_JS)
        if "wordpress" not in str(body.get("generator", "")).lower() and not any(
            c.startswith(("page-id-", "postid-", "wp-")) for c in body.get("classes", [])
        ):
            return []
        found = template_from_classes(list(body.get("classes", [])))
        if found:
            ctx.page.facts["wordpress_body"] = found
        return []
