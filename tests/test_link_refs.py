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


@dataclass
class Origin:
    url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)  # path, user agent


class Handler(SimpleHTTPRequestHandler):
    """The folder as it is, plus a redirect and the other origin's address written into the pages."""

    origin: Origin
    other: Origin

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self.origin.requests.append((self.path, self.headers.get("User-Agent", "")))
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/target.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
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
    broken_from_sheets = [r for r in found if r[3] == "broken" and r[2].startswith("css")]
    assert broken_from_sheets == [("/styles/main.css", "/styles/parts/missing.css", "css @import", "broken")]


def test_cross_origin_sheet_is_checked_but_not_read(refs_run: QARun, origins: dict[str, Origin]) -> None:
    sheet = origins["other"].url + "/cdn/theme.css"
    found = rows(refs_run, origins["site"].url)
    assert ("/", sheet, "link stylesheet", "ok") in found
    assert not [r for r in found if r[0] == sheet]  # its rules cannot be read by the page: nothing of it is listed


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
    }
    # the sheet's working import resolves against the sheet too, and what it imports in turn against itself
    assert ("/styles/kinds/sheet.css", "/styles/parts/colors.css", "css @import", "ok") in found
    assert ("/styles/parts/colors.css", "/shared/fonts.css", "css @import", "ok") in found
    assert broken_run.results["judgement"]["gate"]["counts"].get("broken-links", 0) == len(problems)
