"""Every kind of reference is resolved as a browser resolves it, and the link check asks again only what the browsers
did not already load: a real audit (real browser, real LinkChecker) of tests/sites/link-refs on 127.0.0.1, with a
second origin on 127.0.0.2."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import SITES, QARun, run_qa

QA_UA = "qa-suite"  # the link checker's requests carry it; the browser's do not
TOKEN = "staging-token-4f1c"  # the site's own access header, in the run that passes one
# Moved addresses: a page, and style sheets whose relative references only work from where they were moved to
REDIRECTS = {
    "/moved": (301, "/target.html"),
    "/r/css-302": (302, "/css/moved/sheet.css"),
    "/r/css-302-broken": (302, "/css/moved/broken.css"),
    "/r/import-302": (302, "/css/imported/sheet.css"),
    "/r/import-302-broken": (302, "/css/imported/broken.css"),
}


@dataclass
class Origin:
    url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)  # path, user agent
    secrets: list[str] = field(default_factory=list)  # paths asked with the site's token


class Handler(SimpleHTTPRequestHandler):
    """The folder as it is, plus the redirects and the other origin's address written into the pages."""

    origin: Origin
    other: Origin

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def redirected(self) -> bool:
        if self.path not in REDIRECTS:
            return False
        status, location = REDIRECTS[self.path]
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def do_HEAD(self) -> None:
        # the browser asks a redirected sheet's final address this way
        if not self.redirected():
            super().do_HEAD()

    def do_GET(self) -> None:
        self.origin.requests.append((self.path, self.headers.get("User-Agent", "")))
        if TOKEN in (self.headers.get("Authorization") or ""):
            self.origin.secrets.append(self.path)
        if self.redirected():
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_text(encoding="utf-8").replace("{OTHER}", self.other.url).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@pytest.fixture(scope="module")
def origins() -> Iterator[dict[str, Origin]]:
    site, other = Origin(), Origin()
    servers = []
    for host, me in (("127.0.0.1", site), ("127.0.0.2", other)):
        handler = type("RefsHandler", (Handler,), {"origin": me, "other": other})
        server = ThreadingHTTPServer((host, 0), functools.partial(handler, directory=str(SITES / "link-refs")))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        me.url = f"http://{host}:{server.server_address[1]}"
        servers.append(server)
    yield {"site": site, "other": other}
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def refs_run(origins: dict[str, Origin], tmp_path_factory: pytest.TempPathFactory) -> QARun:
    run = run_qa("audit", origins["site"].url + "/", "--only", "links", out=tmp_path_factory.mktemp("refs"))
    assert run.code in (0, 1), run.stderr
    return run


def rows(run: QARun, origin: str) -> set[tuple[str, str, str, str]]:
    """(source, URL, element, result) of every link row, the site's origin left out."""
    return {
        (r["source"].removeprefix(origin), r["url"].removeprefix(origin), r["element"], r["result"])
        for r in run.results["links"]
    }


def test_only_the_seeded_problems_are_reported(refs_run: QARun, origins: dict[str, Origin]) -> None:
    site, other = origins["site"].url, origins["other"].url
    problems = {row for row in rows(refs_run, site) if row[3] != "ok"}
    assert problems == {
        ("/styles/main.css", "/styles/parts/missing.css", "css @import", "broken"),  # the one missing import
        ("/refresh.html", "/renamed.html", "meta refresh", "broken"),
        ("/", "/moved", "a", "info"),
        ("/", f"{other}/cdn/page.html#nowhere", "a", "warning"),
        # sheets that redirect: information, as any redirect; what they reference works from where they moved
        ("/", "/r/css-302", "link stylesheet", "info"),
        ("/", "/r/import-302", "css @import", "info"),
        # another site's sheet, read after the crawl: one missing image in it, one in what it imports
        (f"{other}/cdn/theme.css", f"{other}/cdn/missing-bg.png", "css url()", "broken"),
        (f"{other}/cdn/parts/more.css", f"{other}/cdn/parts-gone.png", "css url()", "broken"),
    }


def test_stylesheet_references_resolve_against_their_own_sheet_level_by_level(
    refs_run: QARun, origins: dict[str, Origin]
) -> None:
    found = rows(refs_run, origins["site"].url)
    assert {
        ("/styles/main.css", "/styles/parts/colors.css", "css @import", "ok"),
        ("/styles/main.css", "/img/bg.png", "css url()", "ok"),
        ("/styles/main.css", "/styles/icons/star.svg", "css url()", "ok"),
        ("/styles/parts/colors.css", "/shared/fonts.css", "css @import", "ok"),
        ("/styles/parts/colors.css", "/img/colors-bg.png", "css url()", "ok"),
        ("/shared/fonts.css", "/shared/fonts/unused.woff2", "css url()", "ok"),
        # a style block and a style attribute: relative to the page
        ("/", "/styles/from-style-block.css", "css @import", "ok"),
        ("/", "/img/hero.png", "css url()", "ok"),
        ("/", "/img/inline.png", "css url()", "ok"),
    } <= found
    broken_from_sheets = [r for r in found if r[3] == "broken" and r[2].startswith("css") and r[0].startswith("/")]
    assert broken_from_sheets == [("/styles/main.css", "/styles/parts/missing.css", "css @import", "broken")]


def test_another_sites_sheet_is_read_after_the_crawl_relative_to_itself(
    refs_run: QARun, origins: dict[str, Origin]
) -> None:
    """The page's script cannot read another origin's rules; the link check fetches the sheet itself (GET, once)
    and checks what it and its imports reference, each relative to its own file."""
    other = origins["other"].url
    sheet, imported = f"{other}/cdn/theme.css", f"{other}/cdn/parts/more.css"
    found = rows(refs_run, origins["site"].url)
    assert ("/", sheet, "link stylesheet", "ok") in found
    assert {r for r in found if r[0] in (sheet, imported)} == {
        (sheet, imported, "css @import", "ok"),
        (sheet, f"{other}/cdn/bg.png", "css url()", "ok"),
        (sheet, f"{other}/cdn/missing-bg.png", "css url()", "broken"),
        (imported, f"{other}/cdn/bg.png", "css url()", "ok"),
        (imported, f"{other}/cdn/parts-gone.png", "css url()", "broken"),
    }
    reads = [path for path, agent in origins["other"].requests if path == "/cdn/theme.css" and QA_UA in agent]
    assert 1 <= len(reads) <= 2, reads  # the read here, and at most the check of the sheet itself


def test_every_html_reference_kind_is_checked(refs_run: QARun, origins: dict[str, Origin]) -> None:
    assert {
        ("/", "/img/a-2x.png", "img srcset", "ok"),
        ("/", "/img/pic.webp", "source srcset", "ok"),
        ("/", "/img/poster.png", "video poster", "ok"),
        ("/", "/area-target.html", "area", "ok"),
        ("/", "/frame.html", "iframe", "ok"),
        ("/base/", "/deep/page.html", "a", "ok"),  # <base href="/deep/">
        ("/base/", "/deep/pic.png", "img", "ok"),
        ("/", f"{origins['other'].url}/cdn/page.html#there", "a", "ok"),
    } <= rows(refs_run, origins["site"].url)


def test_redirect_to_a_working_page_is_information_with_its_chain(refs_run: QARun, origins: dict[str, Origin]) -> None:
    site = origins["site"].url
    row = next(r for r in refs_run.results["links"] if r["url"] == site + "/moved")
    assert (row["result"], row["issues"], row["status"]) == ("info", ["redirect"], 200)
    assert row["redirects"] == [{"url": site + "/moved", "status": 301}, {"url": site + "/target.html", "status": 200}]
    assert not [f for f in refs_run.results["findings"] if f["details"].get("link") == site + "/moved"]
    gate = refs_run.results["judgement"]["gate"]["counts"]
    assert gate.get("broken-links", 0) == 2  # the missing import and the meta refresh target; not the redirect


def test_what_the_browser_loaded_or_the_crawl_audited_is_not_requested_again(
    refs_run: QARun, origins: dict[str, Origin]
) -> None:
    asked = [p for p, ua in origins["site"].requests if QA_UA in ua]
    # loaded by the browser with 200 (Resource Timing), or audited by the crawl: their answers are known
    for known in ("/styles/main.css", "/styles/parts/colors.css", "/img/bg.png", "/img/a.png", "/refresh.html"):
        assert known not in asked, known
    assert "/renamed.html" not in asked  # the meta refresh target: the crawl followed it and got its 404
    # what no browser loaded is requested, once
    for needed in ("/styles/parts/missing.css", "/img/colors-bg.png", "/shared/fonts/unused.woff2"):
        assert asked.count(needed) == 1, needed
    summary = refs_run.results["link_check"]
    assert summary["known_urls"] > 0 and summary["requested_urls"] + summary["known_urls"] == summary["unique_urls"]


# Reference kinds found outside the plain markup or resolved against another address than the page's, each with
# its working rows on the home page (tests/sites/link-refs/index.html) and its broken ones on broken.html:
# (source, URL, element), the site's origin left out.
KINDS: dict[str, tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]] = {
    "attributes LinkChecker reads, lazy loaders' addresses": (
        {
            ("/", "/img/map.png", "img data-src"),
            ("/", "/img/a-2x.png", "img data-srcset"),
            ("/", "/target.html", "img longdesc"),
            ("/", "/img/bg.png", "table background"),
            ("/", "/img/hero.png", "td background"),
            ("/", "/area-target.html", "blockquote cite"),
        },
        {
            ("/broken.html", "/img/gone-lazy.png", "img data-src"),
            ("/broken.html", "/img/gone-lazy-2x.png", "img data-lazy-srcset"),
            ("/broken.html", "/gone-longdesc.html", "img longdesc"),
            ("/broken.html", "/img/gone-table-bg.png", "table background"),
            ("/broken.html", "/gone-quote-source.html", "blockquote cite"),
        },
    ),
    "svg": (
        {
            ("/", "/img/svg-image.png", "svg image"),
            ("/", "/img/svg-xlink.png", "svg image"),  # xlink:href
            ("/", "/img/sprite.svg", "svg use"),  # sprite.svg#dot: the sprite is the resource
            ("/", "/img/sprite-x.svg", "svg use"),
            ("/", "/more/svg-link.html", "a"),  # <a xlink:href>
        },
        {
            ("/broken.html", "/img/gone-svg-image.png", "svg image"),
            ("/broken.html", "/img/gone-svg-xlink.png", "svg image"),
            ("/broken.html", "/img/gone-sprite.svg", "svg use"),
            ("/broken.html", "/img/gone-sprite-x.svg", "svg use"),
            ("/broken.html", "/gone-svg-link.html", "a"),
        },
    ),
    "preload imagesrcset": (
        {("/", "/img/pre-1x.png", "link imagesrcset"), ("/", "/img/pre-2x.png", "link imagesrcset")},
        {("/broken.html", "/img/gone-pre-2x.png", "link imagesrcset")},  # a candidate the browser did not load
    ),
    "style attribute": (
        {
            ("/", "/img/upper.png", "css url()"),  # URL( in capitals
            ("/", "/img/set-1x.png", "css url()"),  # image-set('…' 1x, "…" 2x)
            ("/", "/img/set-2x.png", "css url()"),
            ("/", "/img/webkit-set.png", "css url()"),  # -webkit-image-set()
        },
        {
            ("/broken.html", "/img/gone-upper.png", "css url()"),
            ("/broken.html", "/img/gone-set-1x.png", "css url()"),
            ("/broken.html", "/img/gone-set-2x.png", "css url()"),
        },
    ),
    "shadow roots": (
        {
            ("/", "/more/shadow.html", "a"),  # attached by script
            ("/", "/img/shadow-nested.png", "img"),  # in a shadow root inside it
            ("/", "/more/declarative.html", "a"),  # <template shadowrootmode="open">
            ("/", "/img/declarative.png", "img"),
        },
        {
            ("/broken.html", "/gone-shadow.html", "a"),
            ("/broken.html", "/img/gone-shadow-nested.png", "img"),
            ("/broken.html", "/gone-declarative.html", "a"),
        },
    ),
    "noscript": (
        {("/", "/more/noscript.html", "a"), ("/", "/img/noscript.png", "img")},
        {("/broken.html", "/gone-noscript.html", "a"), ("/broken.html", "/img/gone-noscript.png", "img")},
    ),
    "same-origin frame": (  # written in the frame's document, relative to it
        {("/frames/inner.html", "/more/framed.html", "a"), ("/frames/inner.html", "/frames/pic.png", "img")},
        {("/frames/broken.html", "/frames/gone.html", "a"), ("/frames/broken.html", "/frames/gone.png", "img")},
    ),
    "redirected sheets": (  # relative to where the sheet or the import was moved, not to the address asked for
        {
            ("/css/moved/sheet.css", "/css/moved/img.png", "css url()"),
            ("/css/imported/sheet.css", "/css/imported/img.png", "css url()"),
        },
        {
            ("/css/moved/broken.css", "/css/moved/gone.png", "css url()"),
            ("/css/imported/broken.css", "/css/imported/gone.png", "css url()"),
        },
    ),
}


@pytest.fixture(scope="module")
def broken_run(origins: dict[str, Origin], tmp_path_factory: pytest.TempPathFactory) -> QARun:
    """A page (not linked from the home page) with each kind of reference pointing at a missing file, one cell."""
    one_cell = ("--browser", "chromium", "--viewport", "desktop")
    url = origins["site"].url + "/broken.html"
    run = run_qa("audit", url, "--only", "links", *one_cell, out=tmp_path_factory.mktemp("broken"))
    assert run.code in (0, 1), run.stderr
    return run


def test_each_reference_kind_pointing_at_nothing_is_reported_broken_where_it_is(
    broken_run: QARun, origins: dict[str, Origin]
) -> None:
    found = rows(broken_run, origins["site"].url)
    problems = {row for row in found if row[3] != "ok"}
    assert problems == {
        ("/styles/kinds/sheet.css", "/styles/kinds/gone.svg", "css url()", "broken"),  # relative to the sheet
        ("/broken.html", "/styles/gone-block.css", "css @import", "broken"),  # a style block: relative to the page
        ("/broken.html", "/img/gone-block.png", "css url()", "broken"),
        ("/broken.html", "/img/gone-inline.png", "css url()", "broken"),  # a style attribute
        ("/broken.html", "/img/gone-2x.png", "img srcset", "broken"),  # a candidate the browser did not load
        ("/broken.html", "/img/gone.webp", "source srcset", "broken"),
        ("/broken.html", "/img/gone-poster.png", "video poster", "broken"),
        ("/broken.html", "/gone-area.html", "area", "broken"),
        ("/broken.html", "/gone-frame.html", "iframe", "broken"),
        ("/base/broken.html", "/deep/gone.html", "a", "broken"),  # <base href="/deep/">
        *((*row, "broken") for _, broken in KINDS.values() for row in broken),
        ("/broken.html", "/r/css-302-broken", "link stylesheet", "info"),  # the redirects themselves work
        ("/broken.html", "/r/import-302-broken", "css @import", "info"),
    }
    # the sheet's working import resolves against the sheet too, and what it imports in turn against itself
    assert ("/styles/kinds/sheet.css", "/styles/parts/colors.css", "css @import", "ok") in found
    assert ("/styles/parts/colors.css", "/shared/fonts.css", "css @import", "ok") in found
    broken = [row for row in problems if row[3] == "broken"]
    assert broken_run.results["judgement"]["gate"]["counts"].get("broken-links", 0) == len(broken)


@pytest.mark.parametrize("kind", KINDS)
def test_hidden_or_rebased_reference_kind_is_reported_where_it_is(
    kind: str, refs_run: QARun, broken_run: QARun, origins: dict[str, Origin]
) -> None:
    working, broken = KINDS[kind]
    site = origins["site"].url
    assert {(*row, "ok") for row in working} <= rows(refs_run, site)
    assert {(*row, "broken") for row in broken} <= rows(broken_run, site)


def test_what_is_no_resource_or_cannot_be_read_is_not_listed(refs_run: QARun, origins: dict[str, Origin]) -> None:
    site, other = origins["site"].url, origins["other"].url
    found = rows(refs_run, site)
    assert not [r for r in found if "#local" in r[1] or r[1] == "/"]  # <use href="#local">: within the document
    # another origin's frame: the frame is checked, its document cannot be read
    assert ("/", f"{other}/cdn/page.html", "iframe", "ok") in found
    assert not [r for r in found if r[0].startswith(f"{other}/cdn/page.html")]
    # a redirected sheet's references are not resolved against the address the page asked for
    assert not [r for r in found if r[1].startswith("/r/") and r[2] == "css url()"]
    # the noscript markup was parsed, not run: nothing of it was loaded by the browser
    assert "/img/noscript.png" not in [p for p, ua in origins["site"].requests if QA_UA not in ua]


def test_the_sites_access_header_never_reaches_another_origin(
    origins: dict[str, Origin], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The staging site's header goes to the site alone: not to the other origin's pages, frames or images, nor to
    its style sheet when the link check reads it after the crawl."""
    site, other = origins["site"], origins["other"]
    before_site, before_other = len(site.secrets), len(other.requests)
    run = run_qa(
        "audit",
        site.url + "/",
        "--only",
        "links",
        "--header",
        f"Authorization: Bearer {TOKEN}",
        out=tmp_path_factory.mktemp("refs-token"),
    )
    assert run.code in (0, 1), run.stderr
    assert len(site.secrets) > before_site, "the site itself gets its header"
    asked = [path for path, _ in other.requests[before_other:]]
    assert "/cdn/theme.css" in asked and "/cdn/parts/more.css" in asked  # the other origin was reached
    assert other.secrets == []
