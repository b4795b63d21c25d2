"""The seo family (issue 23) in real audits in Chromium of a small site served on loopback: a clean home page with
its Japanese version (hreflang both ways), duplicate titles and descriptions, a relative canonical, a canonical
chain, invalid JSON-LD, missing Open Graph tags, noindex (meta and X-Robots-Tag) and a sitemap listing a noindex
page. The same site is audited as staging (no claim.site_url) and as the public address (claim.site_url = the
tested URL): blocking indexing is needs-review on the first and a violation on the second."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import PageHandler, QARun, run_qa, serve_handler

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")
OG = (
    '<meta property="og:title" content="{title}"><meta property="og:description" content="{desc}">'
    '<meta property="og:image" content="{o}/img.png"><meta property="og:url" content="{o}{path}">'
)
NAV = (
    '<nav><a href="/">Home</a> <a href="/ja/">日本語</a> <a href="/about.html">About</a> '
    '<a href="/contact.html">Contact</a> <a href="/old.html">Old</a> <a href="/private.html">Private</a> '
    '<a href="/chain.html">Chain</a></nav>'
)
HOME_DESC = "Opening hours, tickets and events of the Kasumi city culture center, open every day but Monday."
DUP_DESC = "Everything about the Kasumi city culture center: who we are and how to reach our friendly staff."


def page(
    path: str, title: str, desc: str = "", head: str = "", body: str = "<h1>{title}</h1>", lang: str = "en"
) -> str:
    meta = f'<meta name="description" content="{desc}">' if desc else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{meta}{head}</head>'
        f"<body>{NAV}<main>{body.format(title=title)}<p>Some text.</p></main></body></html>"
    )


def hreflang(o: str) -> str:
    return (
        f'<link rel="alternate" hreflang="en" href="{o}/"><link rel="alternate" hreflang="ja" href="{o}/ja/">'
        f'<link rel="alternate" hreflang="x-default" href="{o}/">'
    )


PAGES = {
    "/": lambda o: page(
        "/",
        "Kasumi City Culture Center",
        HOME_DESC,
        f'<link rel="canonical" href="{o}/">{hreflang(o)}'
        + OG.format(title="Kasumi City Culture Center", desc=HOME_DESC, o=o, path="/")
        + '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization"}</script>',
    ),
    "/ja/": lambda o: page(
        "/ja/",
        "霞市文化センター",
        "霞市文化センターの開館時間、チケット、催し物のご案内です。月曜日を除き毎日開館しています。",
        f'<link rel="canonical" href="{o}/ja/">{hreflang(o)}'
        + OG.format(title="霞市文化センター", desc="霞市文化センターのご案内", o=o, path="/ja/"),
        lang="ja",
    ),
    "/about.html": lambda o: page(
        "/about.html",
        "About us | Kasumi City",
        DUP_DESC,
        '<link rel="canonical" href="about.html">'
        + OG.format(title="About", desc="About", o=o, path="/about.html")
        # en-UK is no language tag (en-GB is); the Japanese home page does not link back to this page
        + f'<link rel="alternate" hreflang="en-UK" href="{o}/about.html">'
        + f'<link rel="alternate" hreflang="ja" href="{o}/ja/">',
    ),
    "/contact.html": lambda o: page(
        "/contact.html",
        "About us | Kasumi City",
        DUP_DESC,
        f'<link rel="canonical" href="{o}/contact.html"><meta property="og:title" content="Contact">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization",}</script>',
        body="<h2>Write to us</h2>",
    ),
    "/old.html": lambda o: page(
        "/old.html", "Our old programme page", HOME_DESC + " Old.", f'<link rel="canonical" href="{o}/chain.html">'
    ),
    "/chain.html": lambda o: page(
        "/chain.html", "A page in a chain", HOME_DESC + " Chain.", f'<link rel="canonical" href="{o}/">'
    ),
    "/private.html": lambda o: page(
        "/private.html",
        "Private preview page",
        HOME_DESC + " Private.",
        '<meta name="robots" content="noindex, nofollow">',
    ),
}
ROBOTS = "User-agent: *\nDisallow:\nSitemap: {o}/sitemap.xml\n"
SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    + "".join(f"<url><loc>{{o}}{p}</loc></url>" for p in ("/", "/ja/", "/about.html", "/private.html"))
    + "</urlset>"
)


class SeoSite(PageHandler):
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        o = f"http://{self.headers['Host']}"
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            return self.send_text(ROBOTS.format(o=o), "text/plain")
        if path == "/sitemap.xml":
            return self.send_text(SITEMAP.format(o=o), "application/xml")
        if path == "/img.png" or path not in PAGES and path != "/chain.html":
            return self.send_html(b"not found", 404)
        headers = {"X-Robots-Tag": "noindex"} if path == "/chain.html" else {}
        self.send_html(PAGES[path](o).encode(), headers=headers)

    def send_text(self, text: str, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text.encode())

    def send_html(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> None:
        super().send_html(b"" if self.command == "HEAD" else body, status, headers)


def audit(out: Path, public: bool, cells: tuple[str, ...] = ONE_CELL) -> QARun:
    with serve_handler(SeoSite) as url:
        args = ["audit", url, "--only", "seo", *cells]
        if public:
            config = out / "qa.yaml"
            config.write_text(f"claim:\n  site_url: {url}\n", encoding="utf-8")
            args += ["--config", str(config)]
        run = run_qa(*args, out=out)
    assert (run.run_dir / "results.json").exists(), run.stderr
    return run


@pytest.fixture(scope="module")
def staging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    yield audit(tmp_path_factory.mktemp("seo-staging"), public=False)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    # Firefox too: it reports LCP but no layout shifts, so its CLS is "not measured", never 0
    cells = ("--browser", "chromium", "--browser", "firefox", "--viewport", "desktop")
    yield audit(tmp_path_factory.mktemp("seo-public"), public=True, cells=cells)


def on(run: QARun, path: str) -> dict[str, str]:
    base = run.results["run"]["start_url"].rstrip("/")
    return {
        f["rule"]: f["outcome"]
        for f in run.results["findings"]
        if f["check"] == "seo" and f["url"].removeprefix(base) in (path, path + "index.html")
    }


def test_the_clean_home_page_and_its_japanese_version_have_nothing(staging: QARun) -> None:
    assert on(staging, "/") == {}
    assert on(staging, "/ja/") == {}
    # the HEAD request the page makes for X-Robots-Tag leaves no failed request behind it (browser family)
    assert [p["facts"]["failed_requests"] for p in staging.results["pages"] if p["facts"].get("failed_requests")] == []


def test_page_defects(staging: QARun) -> None:
    assert on(staging, "/about.html") == {
        "seo-canonical-invalid": "violation",
        "seo-title-duplicate": "violation",
        "seo-description-duplicate": "violation",
        "seo-hreflang-invalid": "violation",
        "seo-hreflang-not-reciprocal": "violation",
        "seo-hreflang-no-x-default": "needs-review",
    }
    contact = on(staging, "/contact.html")
    assert contact["seo-jsonld-invalid"] == "violation"
    assert contact["seo-h1-missing"] == "violation"
    assert contact["seo-og-missing"] == "violation"
    assert contact["seo-title-duplicate"] == "violation"
    assert on(staging, "/old.html")["seo-canonical-target"] == "violation"


def test_indexing_blocks_are_needs_review_on_staging(staging: QARun) -> None:
    assert on(staging, "/private.html")["seo-noindex"] == "needs-review"
    assert on(staging, "/chain.html")["seo-noindex"] == "needs-review"  # X-Robots-Tag
    assert on(staging, "/private.html")["seo-sitemap-lists-non-indexable"] == "violation"


def test_indexing_blocks_are_violations_on_the_public_address(production: QARun) -> None:
    assert on(production, "/private.html")["seo-noindex"] == "violation"
    assert on(production, "/chain.html")["seo-noindex"] == "violation"
    assert on(production, "/") == {}


def test_the_per_page_sheet(staging: QARun) -> None:
    rows = staging.results["seo-pages"]
    home = next(r for r in rows if r["url"].endswith(":" + r["url"].split(":")[-1].split("/")[0] + "/"))
    assert home["h1"] == 1 and home["og"] == "OK" and home["json_ld"] == "1/1"
    assert isinstance(home["lcp_ms"], int | float) and home["lcp_ms"] > 0  # Chromium measures LCP
    assert isinstance(home["bytes"], int) and home["bytes"] > 0
    wb = load_workbook(staging.run_dir / "prepublish-check.xlsx", read_only=True)
    assert "SEO ページ別" in wb.sheetnames
    assert len(list(wb["SEO ページ別"].iter_rows(values_only=True))) >= len(rows) + 1


def test_web_vitals_per_cell_are_not_measured_where_the_engine_cannot(production: QARun) -> None:
    home = [r for r in production.results["seo-pages"] if r["title"] == "Kasumi City Culture Center"]
    by_cell = {r["cell"]: r for r in home}
    assert set(by_cell) == {"chromium/desktop", "firefox/desktop"}, by_cell
    assert isinstance(by_cell["chromium/desktop"]["cls"], int | float)
    assert by_cell["firefox/desktop"]["cls"] == {"ja": "未測定", "en": "not measured"}


def test_robots_disallow_all_blocks_indexing_by_address(staging: QARun, tmp_path: Path) -> None:
    """The robots.txt discovery read, judged again with `Disallow: /` (qa report --rejudge, no browser): needs-review
    on staging, a violation once claim.site_url says the tested address is the public one."""
    import json
    import shutil

    for public, outcome in ((False, "needs-review"), (True, "violation")):
        run_dir = tmp_path / f"run-{public}"
        shutil.copytree(staging.run_dir, run_dir)
        data = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        data["discovery"]["robots"]["text"] = "User-agent: *\nDisallow: /\n"
        (run_dir / "results.json").write_text(json.dumps(data), encoding="utf-8")
        config = tmp_path / "qa.yaml"
        config.write_text(f"claim:\n  site_url: {data['run']['start_url']}\n" if public else "{}\n", encoding="utf-8")
        done = run_qa("report", "--rejudge", str(run_dir), "--config", str(config))
        assert done.code == 0, done.stderr
        results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        robots = [f for f in results["findings"] if f["rule"] == "seo-noindex" and f["target"] == "robots.txt"]
        assert [(f["outcome"], f["details"]["how"]) for f in robots] == [(outcome, "robots.txt Disallow: /")]
        assert len(robots[0]["details"]["pages"]) == len(PAGES)  # every audited page
