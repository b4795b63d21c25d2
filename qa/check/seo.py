"""The ``seo`` family: what a search engine needs of every page before publication.

Facts are gathered once per page (``seo-page``, primary cell): title, meta description, h1 count, canonical, robots
meta and ``X-Robots-Tag`` (one HEAD request from the page), hreflang links, Open Graph and Twitter card tags, the
JSON-LD blocks' text and the page weight (Resource Timing). LCP and CLS are measured in every browser/viewport cell
where the engine reports them (``web-vitals``; elsewhere recorded as not measured, never 0). Everything is judged
over the whole site (``seo``), with robots.txt and the sitemaps as discovery read them (never fetched again).

Blocking indexing (``noindex``, ``X-Robots-Tag``, robots.txt) is expected on a staging site and a publication
blocker on the public one: the public address is ``claim.site_url``. Testing it there, a block is a violation;
testing another address (or without ``claim.site_url``), it is needs-review: it will block indexing if published as
it is.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import langcodes

from qa.check import Inventory, PageCheck, PageContext, SiteCheck
from qa.check._site import one_per_document, primary_pages, site_finding
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page, Results
from qa.urls import normalise, origin, origin_key

TITLE_WIDTH = (10, 70)  # display width (a CJK character counts 2): about what a search result shows in full
DESCRIPTION_WIDTH = (50, 320)
LCP_POOR_MS = 4000  # Core Web Vitals: "poor" from here
CLS_POOR = 0.25
HEAVY_BYTES = 3_000_000
OG_REQUIRED = ("og:title", "og:description", "og:image", "og:url")
MAX_LD_CHARS = 100_000
INDEX_FILES = ("index.html", "index.htm", "index.php")

SEO_JS = r"""async ([maxLd]) => {
  const all = (sel) => [...document.querySelectorAll(sel)];
  const content = (m) => (m.getAttribute('content') || '').trim();
  const props = (prefix) => {
    const out = {};
    for (const m of all(`meta[property^="${prefix}" i], meta[name^="${prefix}" i]`)) {
      const k = (m.getAttribute('property') || m.getAttribute('name')).toLowerCase();
      if (!(k in out)) out[k] = content(m);
    }
    return out;
  };
  let xRobots = null;
  try {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 5000);
    const r = await fetch(location.href, {method: 'HEAD', credentials: 'include', cache: 'no-store',
                                          signal: ctl.signal});
    xRobots = r.headers.get('x-robots-tag') || '';
    await r.arrayBuffer();  // read to its (empty) end: a request left open is aborted by the next page, a "failure"
    clearTimeout(timer);
  } catch (e) { xRobots = null; }
  const nav = performance.getEntriesByType('navigation')[0];
  let weight = null, resources = 0, unmeasured = 0;
  if (nav && 'transferSize' in nav) {
    const size = (e) => e.transferSize || e.encodedBodySize || 0;
    weight = size(nav);
    for (const e of performance.getEntriesByType('resource')) {
      resources++;
      const n = size(e);
      if (n) weight += n; else unmeasured++;
    }
  }
  return {
    title: document.title,
    descriptions: all('meta[name="description" i]').map(content),
    h1: all('h1').length,
    canonical: all('link[rel~="canonical" i]').map((l) => l.getAttribute('href') || ''),
    robots: all('meta[name="robots" i], meta[name="googlebot" i]').map(content),
    x_robots_tag: xRobots,
    hreflang: all('link[rel~="alternate" i][hreflang]').map((l) => ({lang: l.getAttribute('hreflang') || '',
      href: l.getAttribute('href') || ''})),
    og: props('og:'),
    twitter: props('twitter:'),
    json_ld: all('script[type="application/ld+json" i]').map((s) => s.textContent.slice(0, maxLd)),
    weight: {bytes: weight, resources, unmeasured},
  };
}"""

# LCP and CLS from the buffered entries of the page's own PerformanceObserver. The navigation entry is observed
# too: it is always there, so the observer's first callback (which brings every buffered entry) is sure to come.
VITALS_JS = r"""() => new Promise((resolve) => {
  const types = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
  const hasLcp = types.includes('largest-contentful-paint'), hasCls = types.includes('layout-shift');
  if (!hasLcp && !hasCls) { resolve({lcp_ms: null, cls: null, supported: []}); return; }
  const got = [];
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    obs.disconnect();
    const lcps = got.filter((e) => e.entryType === 'largest-contentful-paint');
    const last = lcps[lcps.length - 1];
    let cls = 0, windowSum = 0, first = 0, prev = 0;
    for (const e of got.filter((e) => e.entryType === 'layout-shift' && !e.hadRecentInput)) {
      if (windowSum && (e.startTime - prev < 1000) && (e.startTime - first < 5000)) windowSum += e.value;
      else { windowSum = e.value; first = e.startTime; }
      prev = e.startTime;
      cls = Math.max(cls, windowSum);
    }
    resolve({
      lcp_ms: hasLcp ? (last ? Math.round(last.renderTime || last.startTime) : null) : null,
      cls: hasCls ? Math.round(cls * 10000) / 10000 : null,
      supported: types.filter((t) => t === 'largest-contentful-paint' || t === 'layout-shift'),
    });
  };
  const obs = new PerformanceObserver((list) => {
    got.push(...list.getEntries());
    if (got.some((e) => e.entryType === 'navigation')) finish();
  });
  for (const type of ['navigation', ...(hasLcp ? ['largest-contentful-paint'] : []),
                      ...(hasCls ? ['layout-shift'] : [])]) {
    obs.observe({type, buffered: true});
  }
  setTimeout(finish, 3000);
})"""


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def valid_hreflang(code: str) -> bool:
    if code.upper() == "X-DEFAULT":
        return True
    # UK is reserved in ISO 3166 but is not a region code: search engines want en-GB
    return langcodes.tag_is_valid(code) and not code.lower().endswith("-uk")


def blocks_indexing(directives: list[str]) -> bool:
    words = {w.strip().lower() for d in directives for w in d.replace(";", ",").split(",")}
    # X-Robots-Tag may name a user agent first ("googlebot: noindex")
    words |= {w.split(":", 1)[1].strip() for w in words if ":" in w}
    return bool(words & {"noindex", "none"})


# An engine that reports no LCP/CLS: shown in words, never as 0.
NOT_MEASURED = {"ja": "未測定", "en": "not measured"}


class SeoFacts(PageCheck):
    id = "seo-page"
    title = "SEO facts of each page (title, description, canonical, robots, hreflang, Open Graph, JSON-LD, weight)"
    family = "seo"
    primary_only = True
    order = 22
    reads_only = True
    provides = ("seo-page",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        ctx.page.facts["seo-page"] = await ctx.session.evaluate(SEO_JS, [MAX_LD_CHARS])
        return []


class WebVitals(PageCheck):
    id = "web-vitals"
    title = "Largest Contentful Paint and Cumulative Layout Shift, where the engine measures them"
    family = "seo"
    order = 10  # before any check moves the page about (viewport, styles, focus)
    reads_only = True
    provides = ("web-vitals",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        ctx.page.facts["web-vitals"] = await ctx.session.evaluate(VITALS_JS)
        return []


class Seo(SiteCheck):
    id = "seo"
    title = "SEO essentials: titles, descriptions, h1, canonical, hreflang, indexing, sitemap, Open Graph, JSON-LD"
    family = "seo"
    requires = ("seo-page",)
    provides = ("seo-pages",)
    settings = ("claim",)
    inventories = (
        Inventory(
            "seo-pages",
            "SEO ページ別",
            "SEO per page",
            (
                ("url", "ページURL", "Page URL"),
                ("cell", "ブラウザー/画面", "Browser/viewport"),
                ("title", "タイトル", "Title"),
                ("description_length", "説明文の長さ", "Description length"),
                ("h1", "h1 の数", "h1 count"),
                ("canonical", "正規URL（canonical）", "Canonical"),
                ("noindex", "検索除外（noindex）", "noindex"),
                ("og", "Open Graph（欠落）", "Open Graph (missing)"),
                ("twitter_card", "X（Twitter）カード", "twitter:card"),
                ("json_ld", "構造化データ（JSON-LD）", "JSON-LD"),
                ("bytes", "転送量 (バイト)", "Bytes transferred"),
                ("unmeasured", "転送量不明のリソース数", "Resources of unknown size"),
                ("lcp_ms", "最大描画 LCP (ms)", "LCP (ms)"),
                ("cls", "レイアウトのずれ CLS", "CLS"),
            ),
            (36, 14, 28, 8, 6, 28, 8, 18, 10, 10, 12, 8, 10, 8),
        ),
    )
    messages = {
        "seo-title-missing": {
            "ja": "ページに title がありません。",
            "fix_ja": "ページの内容を表す title を付ける。",
            "fix_en": "Give the page a title that names its content.",
        },
        "seo-title-length": {
            "ja": "title の長さ（表示幅 {width}）が検索結果に適した範囲（10〜70）を外れています。",
            "fix_ja": "title を全角35字・半角70字程度までの、内容を表す長さにする。",
            "fix_en": "Make the title about 70 characters at most (35 for Japanese), naming the content.",
        },
        "seo-title-duplicate": {
            "ja": "同じ title「{title}」が内容の異なる {count} ページで使われています。",
            "fix_ja": "ページごとに固有の title を付ける。",
            "fix_en": "Give each page its own title.",
        },
        "seo-description-missing": {
            "ja": "meta description がありません。",
            "fix_ja": 'ページの要約を meta name="description" に書く。',
            "fix_en": 'Summarise the page in a meta name="description".',
        },
        "seo-description-length": {
            "ja": "meta description の長さ（表示幅 {width}）が適した範囲（50〜320）を外れています。",
            "fix_ja": "説明文を全角50〜160字程度（英語は約70〜160字）にする。",
            "fix_en": "Make the description about 70 to 160 characters.",
        },
        "seo-description-duplicate": {
            "ja": "同じ meta description が内容の異なる {count} ページで使われています。",
            "fix_ja": "ページごとに固有の説明文を書く。",
            "fix_en": "Write a description of its own for each page.",
        },
        "seo-h1-missing": {
            "ja": "h1 見出しがありません。",
            "fix_ja": "ページの主題を表す h1 を1つ置く。",
            "fix_en": "Give the page one h1 naming its topic.",
        },
        "seo-h1-multiple": {
            "ja": "h1 見出しが {count} 個あります。",
            "fix_ja": "h1 を1つにし、ほかは h2 以下にする。",
            "fix_en": "Keep one h1 and make the others h2 or lower.",
        },
        "seo-canonical-invalid": {
            "ja": "canonical が妥当ではありません: {problem}",
            "fix_ja": "canonical を1つ、そのページの正規の絶対 URL で書く。",
            "fix_en": "Write one canonical link with the page's own absolute URL.",
        },
        "seo-canonical-target": {
            "ja": "canonical の指す先 {target_url} が正規のページではありません: {problem}",
            "fix_ja": "canonical を、試験済みで自身を canonical とするページに向ける。",
            "fix_en": "Point the canonical at a page that is itself canonical and answers 200.",
        },
        "seo-hreflang-invalid": {
            "ja": "hreflang「{code}」は妥当な言語コードではありません。",
            "fix_ja": "hreflang を en、en-US、ja-JP、x-default のような言語コードにする。",
            "fix_en": "Use language codes such as en, en-US, ja-JP or x-default.",
        },
        "seo-hreflang-not-reciprocal": {
            "ja": "hreflang の相手ページ {target_url} がこのページへ戻るリンクを持っていません。",
            "fix_ja": "言語版どうしで互いに hreflang を張る。",
            "fix_en": "Link every language version to every other with hreflang, both ways.",
        },
        "seo-hreflang-no-x-default": {
            "ja": "hreflang に x-default がありません。",
            "fix_ja": '言語を選ぶページか既定の版を hreflang="x-default" で示す。',
            "fix_en": 'Add an hreflang="x-default" link to the default or language-choice page.',
        },
        "seo-noindex": {
            "ja": "{where}でインデックスを拒否しています（{how}）。{consequence}",
            "fix_ja": "公開時には noindex・X-Robots-Tag・robots.txt の Disallow を外す。",
            "fix_en": "Remove noindex, X-Robots-Tag and the robots.txt Disallow when publishing.",
        },
        "seo-sitemap-missing": {
            "ja": "sitemap.xml が見つかりません（robots.txt の Sitemap 行、/sitemap.xml など）。",
            "fix_ja": "インデックスさせるページを列挙した sitemap.xml を置き、robots.txt に Sitemap 行を書く。",
            "fix_en": "Publish a sitemap.xml of the indexable pages and name it in robots.txt.",
        },
        "seo-sitemap-invalid": {
            "ja": "sitemap {url} が妥当ではありません: {problem}",
            "fix_ja": "sitemaps.org の形式で作り直す。",
            "fix_en": "Rebuild it in the sitemaps.org format.",
        },
        "seo-sitemap-lists-non-indexable": {
            "ja": "sitemap にインデックスされないページが載っています: {problem}",
            "fix_ja": "sitemap にはインデックスさせる正規のページだけを載せる。",
            "fix_en": "List only indexable canonical pages in the sitemap.",
        },
        "seo-sitemap-other-site": {
            "ja": "sitemap に載っているのは別のサイト（{origins}）の URL だけです。",
            "fix_ja": "それが公開アドレスなら qa.yaml の claim.site_url に書く（ページを照合できるようになる）。",
            "fix_en": "If that is the public address, set claim.site_url in qa.yaml so the pages can be compared.",
        },
        "seo-sitemap-missing-page": {
            "ja": "インデックスされるページが sitemap に載っていません。",
            "fix_ja": "公開するページをすべて sitemap に載せる。",
            "fix_en": "List every published page in the sitemap.",
        },
        "seo-og-missing": {
            "ja": "Open Graph のタグ {missing} がありません。",
            "fix_ja": "og:title・og:description・og:image・og:url を絶対 URL で書く。",
            "fix_en": "Add og:title, og:description, og:image and og:url (absolute URLs).",
        },
        "seo-jsonld-invalid": {
            "ja": "JSON-LD が JSON として読めません: {error}",
            "fix_ja": "構造化データの JSON の構文を直す。",
            "fix_en": "Fix the JSON syntax of the structured data.",
        },
        "seo-heavy-page": {
            "ja": "ページの転送量が {megabytes} MB あります。",
            "fix_ja": "画像の圧縮やスクリプトの削減で軽くする。",
            "fix_en": "Make the page lighter (compress images, drop unused scripts).",
        },
        "seo-lcp-poor": {
            "ja": "LCP（最大コンテンツの描画）が {lcp_ms} ms です（{cell}、4000 ms 超は不良）。",
            "fix_ja": "主要な画像や文字を早く表示できるようにする（画像の最適化、描画を妨げるリソースの削減）。",
            "fix_en": "Show the main content sooner (optimise images, drop render-blocking resources).",
        },
        "seo-cls-poor": {
            "ja": "CLS（レイアウトのずれ）が {cls} です（{cell}、0.25 超は不良）。",
            "fix_ja": "画像や広告の領域の大きさをあらかじめ指定する。",
            "fix_en": "Reserve the size of images, embeds and ads before they load.",
        },
    }

    def run(self, results: Results) -> list[Finding]:
        pages = one_per_document(primary_pages(results, "seo-page"))
        judge = _Judge(self.id, results, pages)
        return judge.run()


class _Judge:
    """One judgement over the run's pages (the state the rules share)."""

    def __init__(self, check: str, results: Results, pages: list[Page]) -> None:
        self.check = check
        self.results = results
        self.pages = pages
        self.findings: list[Finding] = []
        self.tested = origin(results.run.start_url)
        public = str((results.run.config.get("claim") or {}).get("site_url") or "")
        self.public = origin(public) if public else ""
        self.production = bool(self.public) and origin_key(self.public) == origin_key(self.tested)
        self.by_url: dict[str, Page] = {}
        for p in pages:
            for form in _forms(p.url) + _forms(p.final_url or p.url):
                self.by_url.setdefault(form, p)
        self.visits: dict[str, list[Page]] = defaultdict(list)  # URL -> its audited visits (one per cell)
        for q in results.pages:
            if not q.error:
                self.visits[q.url].append(q)

    def add(self, page: Page, rule: str, outcome: str, message: str, target: str = "head", **details: Any) -> None:
        self.findings.append(
            site_finding(
                self.check,
                page,
                rule,
                outcome,
                [],
                message,
                target=target,
                impact="serious" if outcome == VIOLATION else "moderate",
                details=details,
            )
        )

    def local(self, url: str) -> str:
        """A URL of the public address as the same path on the tested one (a staging site's canonical links)."""
        if self.public and not self.production and origin_key(url) == origin_key(self.public):
            parts = urlsplit(url)
            return self.tested + parts.path + (f"?{parts.query}" if parts.query else "")
        return url

    def page_at(self, url: str) -> Page | None:
        n = normalise(self.local(url)) or url
        for form in _forms(n):
            if form in self.by_url:
                return self.by_url[form]
        return None

    def run(self) -> list[Finding]:
        rows = []
        for p in self.pages:
            facts = p.facts["seo-page"]
            self.basics(p, facts)
            canonical = self.canonical(p, facts)
            self.hreflang(p, facts)
            noindex = self.indexing(p, facts)
            self.social(p, facts)
            rows += self.row(p, facts, canonical, noindex)
        self.duplicates()
        self.robots()
        self.sitemap()
        self.vitals()
        self.results.extra["seo-pages"] = rows
        return self.findings

    def basics(self, p: Page, facts: dict[str, Any]) -> None:
        title = (facts.get("title") or "").strip()
        if not title:
            self.add(p, "seo-title-missing", VIOLATION, "The page has no title.", target="title")
        elif not TITLE_WIDTH[0] <= width(title) <= TITLE_WIDTH[1]:
            self.add(
                p,
                "seo-title-length",
                NEEDS_REVIEW,
                f"The title is {width(title)} wide (a CJK character counts 2); search results show about "
                f"{TITLE_WIDTH[0]}-{TITLE_WIDTH[1]}.",
                target="title",
                width=width(title),
            )
        descriptions = [d for d in facts.get("descriptions") or [] if d]
        if not descriptions:
            self.add(p, "seo-description-missing", VIOLATION, "The page has no meta description.")
        elif not DESCRIPTION_WIDTH[0] <= width(descriptions[0]) <= DESCRIPTION_WIDTH[1]:
            self.add(
                p,
                "seo-description-length",
                NEEDS_REVIEW,
                f"The meta description is {width(descriptions[0])} wide; about "
                f"{DESCRIPTION_WIDTH[0]}-{DESCRIPTION_WIDTH[1]} shows well in search results.",
                target='meta[name="description"]',
                width=width(descriptions[0]),
            )
        h1 = int(facts.get("h1") or 0)
        if h1 == 0:
            self.add(p, "seo-h1-missing", VIOLATION, "The page has no h1 heading.", target="body")
        elif h1 > 1:
            self.add(p, "seo-h1-multiple", NEEDS_REVIEW, f"The page has {h1} h1 headings.", target="h1", count=h1)
        for n, text in enumerate(facts.get("json_ld") or [], 1):
            try:
                json.loads(text)
            except ValueError as exc:
                self.add(
                    p,
                    "seo-jsonld-invalid",
                    VIOLATION,
                    f"JSON-LD block {n} is not valid JSON: {exc}.",
                    target=f'script[type="application/ld+json"]:nth-of-type({n})',
                    error=str(exc),
                )

    def canonical(self, p: Page, facts: dict[str, Any]) -> str:
        """Judge the canonical link; return it (resolved) for the sheet."""
        links = facts.get("canonical") or []
        if not links:
            return ""
        target = 'link[rel="canonical"]'
        raw = links[0].strip()
        problem = ""
        if len(links) > 1 and len(set(links)) > 1:
            problem = f"{len(links)} different canonical links"
        elif not urlsplit(raw).scheme or not urlsplit(raw).netloc:
            problem = f"'{raw}' is not an absolute URL"
        elif normalise(raw) is None:
            problem = f"'{raw}' is not an http(s) URL"
        if problem:
            self.add(p, "seo-canonical-invalid", VIOLATION, f"Canonical: {problem}.", target=target, problem=problem)
            return urljoin(p.final_url or p.url, raw)
        resolved = self.local(raw)
        here = _forms(normalise(p.final_url or p.url) or p.url)
        if (normalise(resolved) or resolved) in here:
            return raw
        other = self.page_at(raw)
        why = ""
        if origin_key(resolved) != origin_key(self.tested):
            why = "it is on another site than the one tested (if that is the public address, set claim.site_url)"
        elif other is None:
            why = "it was not audited (not linked, excluded or beyond max_pages)"
        else:
            own = (other.facts["seo-page"].get("canonical") or [""])[0]
            if own and (normalise(self.local(own)) or own) not in _forms(normalise(other.final_url or other.url) or ""):
                why = f"that page's own canonical is {own}"
        if why:
            outcome = NEEDS_REVIEW if other is None else VIOLATION
            self.add(
                p,
                "seo-canonical-target",
                outcome,
                f"The canonical {raw} is not a canonical page: {why}.",
                target=target,
                target_url=raw,
                problem=why,
            )
        return raw

    def hreflang(self, p: Page, facts: dict[str, Any]) -> None:
        links = facts.get("hreflang") or []
        if not links:
            return
        for link in links:
            if not valid_hreflang(link["lang"]):
                self.add(
                    p,
                    "seo-hreflang-invalid",
                    VIOLATION,
                    f"hreflang '{link['lang']}' is not a valid language code.",
                    target=f'link[hreflang="{link["lang"]}"]',
                    code=link["lang"],
                )
        if not any(link["lang"].upper() == "X-DEFAULT" for link in links):
            self.add(p, "seo-hreflang-no-x-default", NEEDS_REVIEW, "The hreflang links have no x-default.")
        here = set(_forms(normalise(p.final_url or p.url) or p.url))
        for link in links:
            href = urljoin(p.final_url or p.url, link["href"])
            other = self.page_at(href)
            if other is None or other is p:
                continue
            back = {
                normalise(self.local(urljoin(other.final_url or other.url, x["href"]))) or ""
                for x in other.facts["seo-page"].get("hreflang") or []
            }
            if not back & here:
                self.add(
                    p,
                    "seo-hreflang-not-reciprocal",
                    VIOLATION,
                    f"The {link['lang']} version {href} has no hreflang link back to this page.",
                    target=f'link[hreflang="{link["lang"]}"]',
                    target_url=href,
                )

    def blocked_here(self) -> tuple[str, str]:
        """(outcome, consequence) of a block on indexing, by which address is tested."""
        if self.production:
            return VIOLATION, "公開アドレスで検索エンジンに登録されません。"
        return (
            NEEDS_REVIEW,
            "このまま公開すると検索エンジンに登録されません（検証環境では想定どおりの場合があります）。",
        )

    def indexing(self, p: Page, facts: dict[str, Any]) -> bool:
        how = []
        if blocks_indexing(facts.get("robots") or []):
            how.append("meta robots noindex")
        if facts.get("x_robots_tag") and blocks_indexing([facts["x_robots_tag"]]):
            how.append("X-Robots-Tag: " + facts["x_robots_tag"])
        if not how:
            return False
        outcome, consequence = self.blocked_here()
        self.add(
            p,
            "seo-noindex",
            outcome,
            f"The page blocks indexing ({', '.join(how)})"
            + ("." if self.production else ": it will not be indexed if published as it is."),
            target='meta[name="robots"]' if how[0].startswith("meta") else "http",
            where="このページ",
            how=", ".join(how),
            consequence=consequence,
        )
        return True

    def social(self, p: Page, facts: dict[str, Any]) -> None:
        og = facts.get("og") or {}
        missing = [k for k in OG_REQUIRED if not og.get(k)]
        relative = [k for k in ("og:image", "og:url") if og.get(k) and not urlsplit(og[k]).scheme]
        if missing or relative:
            self.add(
                p,
                "seo-og-missing",
                VIOLATION,
                "Open Graph: "
                + "; ".join(
                    ([f"missing {', '.join(missing)}"] if missing else [])
                    + ([f"not absolute: {', '.join(relative)}"] if relative else [])
                )
                + ".",
                target='meta[property^="og:"]',
                missing=", ".join(missing + relative),
            )

    def row(self, p: Page, facts: dict[str, Any], canonical: str, noindex: bool) -> list[dict[str, Any]]:
        og = facts.get("og") or {}
        descriptions = [d for d in facts.get("descriptions") or [] if d]
        blocks = facts.get("json_ld") or []
        bad = sum(1 for b in blocks if not _parses(b))
        weight = facts.get("weight") or {}
        base = {
            "url": p.url,
            "title": facts.get("title") or "",
            "description_length": len(descriptions[0]) if descriptions else 0,
            "h1": facts.get("h1"),
            "canonical": canonical,
            "noindex": noindex,
            "og": ", ".join(k for k in OG_REQUIRED if not og.get(k)) or "OK",
            "json_ld": f"{len(blocks) - bad}/{len(blocks)}" if blocks else "",
            "bytes": weight.get("bytes"),
            # cross-origin resources without Timing-Allow-Origin, and cached ones, do not tell their size
            "unmeasured": weight.get("unmeasured"),
            "twitter_card": (facts.get("twitter") or {}).get("twitter:card", ""),
        }
        rows = []
        for cell in self.cells_of(p):
            vitals = cell.facts.get("web-vitals") or {}
            rows.append(
                {
                    **base,
                    "cell": cell.cell,
                    "lcp_ms": vitals.get("lcp_ms") if vitals.get("lcp_ms") is not None else NOT_MEASURED,
                    "cls": vitals.get("cls") if vitals.get("cls") is not None else NOT_MEASURED,
                }
            )
        return rows

    def cells_of(self, p: Page) -> list[Page]:
        return self.visits.get(p.url) or [p]

    def duplicates(self) -> None:
        bad_canonical = {f.url for f in self.findings if f.rule == "seo-canonical-target"}
        indexable = [
            p
            for p in self.pages
            if not blocks_indexing(
                [*(p.facts["seo-page"].get("robots") or []), p.facts["seo-page"].get("x_robots_tag") or ""]
            )
            and p.url not in bad_canonical
            and _self_canonical(p, self)
        ]
        for key, rule, what in (
            ("title", "seo-title-duplicate", "title"),
            ("descriptions", "seo-description-duplicate", "meta description"),
        ):
            groups: dict[str, list[Page]] = defaultdict(list)
            for p in indexable:
                value = p.facts["seo-page"].get(key)
                value = (value[0] if value else "") if isinstance(value, list) else value
                value = " ".join(str(value or "").split()).casefold()
                if value:
                    groups[value].append(p)
            for group in groups.values():
                distinct: list[Page] = []
                for p in group:
                    if not any(_same_document(p, q) for q in distinct):
                        distinct.append(p)
                if len(distinct) < 2:
                    continue
                for p in distinct:
                    others = [q.url for q in distinct if q is not p]
                    title = (p.facts["seo-page"].get("title") or "").strip()
                    self.add(
                        p,
                        rule,
                        VIOLATION,
                        f"The same {what} is used by {len(distinct)} pages: {', '.join(others[:5])}.",
                        target="title" if key == "title" else 'meta[name="description"]',
                        title=title,
                        count=len(distinct),
                        same_as=others[:20],
                    )

    def robots(self) -> None:
        discovery = self.results.extra.get("discovery") or {}
        robots = discovery.get("robots")
        if not robots or robots.get("status") != 200 or not self.pages:
            return
        parser = RobotFileParser()
        parser.parse(str(robots.get("text") or "").splitlines())
        blocked = [p for p in self.pages if not parser.can_fetch("Googlebot", p.final_url or p.url)]
        if not blocked:
            return
        outcome, consequence = self.blocked_here()
        everything = not parser.can_fetch("Googlebot", self.tested + "/")
        how = "robots.txt Disallow: /" if everything else f"robots.txt Disallow ({len(blocked)} page(s))"
        home = self.pages[0]
        self.add(
            home,
            "seo-noindex",
            outcome,
            f"robots.txt keeps search engines out of {len(blocked)} audited page(s)"
            + (" (Disallow: /)" if everything else "")
            + ("." if self.production else ": they will not be indexed if published as it is."),
            target="robots.txt",
            where="robots.txt",
            how=how,
            consequence=consequence,
            pages=[p.url for p in blocked[:50]],
        )

    def sitemap(self) -> None:
        discovery = self.results.extra.get("discovery") or {}
        if "sitemaps" not in discovery or not self.pages:
            return  # discovery did not read them (a URL list, use_sitemaps off): nothing to judge
        home = self.pages[0]
        answered = [s for s in discovery["sitemaps"] if s.get("status") == 200]
        if not answered:
            outcome = VIOLATION if self.production else NEEDS_REVIEW
            self.add(home, "seo-sitemap-missing", outcome, "No sitemap answered (robots.txt, /sitemap.xml, ...).")
            return
        for s in answered:
            problem = s.get("problem") or (
                "" if str(s.get("root", "")).rsplit("}", 1)[-1] in ("urlset", "sitemapindex") else "not a urlset"
            )
            if problem:
                self.add(
                    home,
                    "seo-sitemap-invalid",
                    VIOLATION,
                    f"The sitemap {s['url']} is not valid: {problem}.",
                    target="sitemap",
                    url=s["url"],
                    problem=problem,
                )
        listed = {normalise(self.local(u)) or u for u in discovery.get("listed") or []}
        if listed and not any(origin_key(u) == origin_key(self.tested) for u in listed):
            other = sorted({origin(u) for u in listed})[:3]
            self.add(
                home,
                "seo-sitemap-other-site",
                NEEDS_REVIEW,
                f"The sitemap lists only URLs of another site ({', '.join(other)}): if that is the public address, "
                "set claim.site_url so the pages are compared.",
                target="sitemap",
                origins=", ".join(other),
            )
            return
        listed_forms = {f for u in listed for f in _forms(u)}
        complete = discovery.get("listed_count", len(listed)) == len(discovery.get("listed") or [])
        noindex = {f.url for f in self.findings if f.rule == "seo-noindex" and f.target != "robots.txt"}
        for p in self.pages:
            forms = set(_forms(normalise(p.url) or p.url)) | set(_forms(normalise(p.final_url or p.url) or p.url))
            is_listed = bool(forms & listed_forms)
            why = []
            if p.url in noindex:
                why.append("noindex")
            if not _self_canonical(p, self):
                why.append("its canonical is another page")
            if p.final_url and normalise(p.final_url) != normalise(p.url) and (normalise(p.url) or "") in listed:
                why.append(f"it redirects to {p.final_url}")
            if is_listed and why:
                self.add(
                    p,
                    "seo-sitemap-lists-non-indexable",
                    VIOLATION,
                    f"The sitemap lists this page, which is not indexable: {', '.join(why)}.",
                    target="sitemap",
                    problem=", ".join(why),
                )
            elif not is_listed and not why and complete:
                self.add(
                    p,
                    "seo-sitemap-missing-page",
                    NEEDS_REVIEW,
                    "This indexable page is not listed in the sitemap.",
                    target="sitemap",
                )

    def vitals(self) -> None:
        primary = {p.url for p in self.pages}
        # Judged in Chromium only, whose figures are Core Web Vitals' own; other engines' are on the sheet (Firefox
        # times LCP from a cold start of its own, seconds on a loaded machine).
        engines = {b["name"]: b.get("engine") for b in (self.results.extra.get("matrix") or {}).get("browsers") or []}
        for q in self.results.pages:
            if q.error or q.url not in primary or engines.get(q.browser, "chromium") != "chromium":
                continue
            v = q.facts.get("web-vitals") or {}
            if v.get("lcp_ms") is not None and v["lcp_ms"] > LCP_POOR_MS:
                self.add(
                    q,
                    "seo-lcp-poor",
                    NEEDS_REVIEW,
                    f"LCP {v['lcp_ms']} ms in {q.cell} (poor above {LCP_POOR_MS} ms; measured once, in a lab).",
                    target="body",
                    lcp_ms=v["lcp_ms"],
                    cell=q.cell,
                )
            if v.get("cls") is not None and v["cls"] > CLS_POOR:
                self.add(
                    q,
                    "seo-cls-poor",
                    NEEDS_REVIEW,
                    f"CLS {v['cls']} in {q.cell} (poor above {CLS_POOR}).",
                    target="body",
                    cls=v["cls"],
                    cell=q.cell,
                )
        for p in self.pages:
            size = (p.facts["seo-page"].get("weight") or {}).get("bytes")
            if size and size > HEAVY_BYTES:
                self.add(
                    p,
                    "seo-heavy-page",
                    NEEDS_REVIEW,
                    f"The page transferred {size / 1e6:.1f} MB.",
                    target="body",
                    megabytes=round(size / 1e6, 1),
                )


def _forms(url: str) -> list[str]:
    """A URL and its folder-index spellings (``/`` and ``/index.html`` are one page)."""
    for index in INDEX_FILES:
        if url.endswith("/" + index):
            return [url, url[: -len(index)]]
    return [url] + ([url + index for index in INDEX_FILES] if url.endswith("/") else [])


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _self_canonical(p: Page, judge: _Judge) -> bool:
    links = p.facts["seo-page"].get("canonical") or []
    if not links:
        return True
    resolved = normalise(judge.local(urljoin(p.final_url or p.url, links[0]))) or links[0]
    return resolved in _forms(normalise(p.final_url or p.url) or p.url)


def _same_document(a: Page, b: Page) -> bool:
    """One document under two addresses (``/`` and ``/index.html``): the same content fingerprint where the run
    took one, else the same title and size (as the run's page inventory decides)."""
    if a.facts.get("fingerprint") or b.facts.get("fingerprint"):
        return a.facts.get("fingerprint") == b.facts.get("fingerprint")
    return (a.title, a.facts.get("document_bytes")) == (b.title, b.facts.get("document_bytes"))
