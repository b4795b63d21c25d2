"""Links are requested as the browser requests them, and judged as a visitor meets them: a real audit (real
Chromium, real LinkChecker) of a server that answers only the exact spelling it was linked with.

Servers read the raw request line: a query's order, a flag without ``=``, ``%2F`` inside a segment, a doubled slash
and the escapes of a Shift_JIS page's links are all data to them. The crawl and the link check must send what the
browser sends, or working links are reported broken and broken ones pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import pytest

from tests.conftest import PageHandler, QARun, run_qa, serve_handler

SJIS_WORD = "日本語".encode("shift_jis")  # 93 FA 96 7B 8C EA: the 7B is "{", which browsers leave raw in a query

PAGES = {
    "/": """<!doctype html><html lang="en"><title>Spellings</title><main>
      <a href="/order?b=1&amp;a=2">order</a> <a href="/flag?print">flag</a> <a href="/enc/a%2Fb">slash</a>
      <a href="/target//ok.html">double slash</a> <a href="/sjpath/%93%FA%96%7B%8C%EA.html">legacy path</a>
      <a href="/sjis.html">Shift_JIS page</a> <a href="/r/to-mailto">write to us</a>
      <a href="mailto:?subject=Invest%20in%20our%20city&amp;body=https%3A%2F%2Fexample.jp%2F">share by e-mail</a>
      <a href="/refresh0.html">moved notice</a> <a href="/refresh0-ok.html">moved notice, working</a>
    </main></html>""",
    "/refresh0.html": '<!doctype html><html lang="en"><meta http-equiv="refresh" content="0; url=/gone.html">'
    "<title>Moved</title><p>This page has moved.</p></html>",
    "/refresh0-ok.html": '<!doctype html><html lang="en"><meta http-equiv="refresh" content="0;url=here.html">'
    "<title>Moved</title><p>This page has moved.</p></html>",
    "/here.html": '<!doctype html><html lang="en"><title>Here</title><p>Arrived.</p></html>',
}


class Spellings(PageHandler):
    """Answers 200 only to the exact spelling linked; 404 to anything else, as many real servers do."""

    seen: list[str]

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.seen.append(self.path)
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        if path in PAGES:
            self.send_html(PAGES[path].encode())
        elif path == "/sjis.html":
            body = '<!doctype html><html lang="ja"><meta charset="shift_jis"><title>日本語</title>'
            body += '<a href="/sjq?q=日本語">検索</a></html>'
            self.send_html(body.encode("shift_jis"), headers={"Content-Type": "text/html; charset=shift_jis"})
        elif (
            (path == "/order" and query == "b=1&a=2")
            or (path == "/flag" and query == "print")
            or (path == "/enc/a%2Fb" and not query)
            or (path == "/target/ok.html")
            or (unquote_to_bytes(path) == b"/sjpath/" + SJIS_WORD + b".html")
            or (path == "/sjq" and unquote_to_bytes(query) == b"q=" + SJIS_WORD)
        ):
            self.send_html(b'<!doctype html><html lang="en"><title>Found</title><p>Found.</p></html>')
        elif path == "/r/to-mailto":
            self.send_response(302)
            self.send_header("Location", "mailto:invest@example.jp")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_html(b'<!doctype html><html lang="en"><title>Not found</title></html>', status=404)


@pytest.fixture(scope="module")
def spelled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[QARun, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (Spellings,), {"seen": seen})
    with serve_handler(handler) as url:
        out = tmp_path_factory.mktemp("spelling")
        run = run_qa("audit", url, "--only", "links", "--browser", "chromium", "--viewport", "desktop", out=out)
        assert run.code in (0, 1), run.stderr
        yield run, list(seen)


def results_by_url(run: QARun) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for row in run.results["links"]:
        url = row["url"]
        found.setdefault(url.split("/", 3)[-1] if url.startswith("http") else url, []).append(row)
    return found


@pytest.mark.parametrize(
    "link", ["order?b=1&a=2", "flag?print", "enc/a%2Fb", "sjpath/%93%FA%96%7B%8C%EA.html", "sjq?q=%93%FA%96{%8C%EA"]
)
def test_a_link_a_server_reads_literally_works_as_it_does_in_the_browser(
    spelled: tuple[QARun, list[str]], link: str
) -> None:
    run, seen = spelled
    rows = results_by_url(run)
    key = next((k for k in rows if unquote_to_bytes(k) == unquote_to_bytes(link)), None)
    assert key is not None, f"{link} is missing from the link check: {sorted(rows)}"
    assert {r["result"] for r in rows[key]} == {"ok"}, rows[key]
    broken = [r for r in run.results["links"] if r["result"] == "broken"]
    assert not [r for r in broken if unquote_to_bytes(r["url"].split("/", 3)[-1]) == unquote_to_bytes(link)]
    # what the crawl and the checker asked for is what was linked, never a respelled address
    asked = [s for s in seen if unquote_to_bytes(s.lstrip("/")) == unquote_to_bytes(link)]
    assert asked, f"nothing asked for {link}; asked: {sorted(set(seen))}"


def test_a_doubled_slash_is_requested_as_written_and_its_404_reported(spelled: tuple[QARun, list[str]]) -> None:
    run, seen = spelled
    rows = results_by_url(run)["target//ok.html"]
    assert {r["result"] for r in rows} == {"broken"} and {r["status"] for r in rows} == {404}
    assert "/target//ok.html" in seen and "/target/ok.html" not in seen


def test_mailto_links_a_reader_completes_and_redirects_to_mail_are_not_broken(
    spelled: tuple[QARun, list[str]],
) -> None:
    run, _ = spelled
    rows = results_by_url(run)
    share = next(v for k, v in rows.items() if k.startswith("mailto:?subject="))
    assert {r["result"] for r in share} == {"ok"}, share
    (to_mail,) = rows["r/to-mailto"]
    assert to_mail["result"] == "info", to_mail  # it works: the browser hands it to the mail program
    assert to_mail["redirects"][-1] == {"url": "mailto:invest@example.jp", "status": None}
    assert "Exception" not in to_mail["reason"] and "InvalidSchema" not in to_mail["reason"]


def test_a_refresh_of_no_seconds_to_a_missing_page_is_a_broken_link_of_the_page_that_refreshes(
    spelled: tuple[QARun, list[str]],
) -> None:
    run, _ = spelled
    site = run.results["run"]["start_url"].rstrip("/")
    gone = [r for r in run.results["links"] if r["url"] == f"{site}/gone.html"]
    assert gone and {(r["source"], r["element"], r["result"]) for r in gone} == {
        (f"{site}/refresh0.html", "meta refresh", "broken")
    }
    arrived = [r for r in run.results["links"] if r["url"] == f"{site}/here.html"]
    assert arrived and {r["result"] for r in arrived} == {"ok"}
    page = next(p for p in run.results["pages"] if p["url"] == f"{site}/refresh0.html")
    assert page["status"] == 404 and page["final_url"] == f"{site}/gone.html", page  # where the visitor ends
    assert "meta refresh" in page["error"] and "/gone.html" in page["error"], page["error"]
    ok_page = next(p for p in run.results["pages"] if p["url"] == f"{site}/refresh0-ok.html")
    assert not ok_page.get("error") and ok_page["title"] == "Here"


def test_no_other_link_is_reported_broken(spelled: tuple[QARun, list[str]]) -> None:
    run, _ = spelled
    broken = sorted(r["url"].split("/", 3)[-1] for r in run.results["links"] if r["result"] == "broken")
    assert broken == ["gone.html", "target//ok.html"], broken


@pytest.mark.parametrize("browser", ["chromium", "firefox", "webkit"])
def test_every_engine_follows_a_refresh_of_no_seconds_the_same_way(browser: str, tmp_path: Path) -> None:
    """Each engine may have followed the refresh before it reports the load: the page is still the one that
    refreshes, its error names where it sent the browser, and that address is its broken link."""
    handler = type("Handler", (Spellings,), {"seen": []})
    with serve_handler(handler) as url:
        listing = tmp_path / "urls.txt"
        listing.write_text(url + "refresh0.html\n")
        run = run_qa(
            "audit",
            "--urls",
            str(listing),
            "--only",
            "links",
            "--browser",
            browser,
            "--viewport",
            "desktop",
            out=tmp_path / "out",
        )
    site = url.rstrip("/")
    (page,) = run.results["pages"]
    assert page["url"] == f"{site}/refresh0.html" and page["status"] == 404, page
    assert "meta refresh" in page["error"] and "/gone.html" in page["error"], page["error"]
    assert [(r["source"], r["url"], r["element"], r["result"]) for r in run.results["links"]] == [
        (f"{site}/refresh0.html", f"{site}/gone.html", "meta refresh", "broken")
    ]
