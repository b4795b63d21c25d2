"""Remote browsers (browsers.yaml ``endpoints:``), for real on loopback: a Playwright browser server and a Chromium
DevTools endpoint started by the test, a Firefox Remote Agent and a WebKitWebDriver server reached by URL. The
audit shares its pages among the endpoints, keeps auditing when one is killed mid-run, records which endpoint served
each visit (masked) and finds on a remote browser what a local one finds."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, PageHandler, run_qa, serve_handler
from tests.remote_endpoints import (
    chromium_devtools,
    firefox_remote_agent,
    kill,
    playwright_server,
    webkit_webdriver,
)

SITES = REPO / "tests" / "sites"
TOKEN = "endpoint-t0ken-5ecret-8812"  # sent to the endpoints only, from the environment

BAD = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad page</title></head><body>
<main><h1>Opening hours</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">Pale text nobody can read</p>
<a href="clean.html"></a>
<form><input type="text" name="q"><button></button></form>
</main></body></html>"""
CLEAN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clean page</title></head><body>
<header><a href="bad.html">Opening hours</a></header>
<main><h1>Contact</h1><p>Call the city office on weekdays.</p></main></body></html>"""


def _site(tmp: Path) -> tuple[Path, list[str]]:
    """A page written to fail, a clean one, and two realistic pages of another test site."""
    root = tmp / "site"
    shutil.copytree(SITES / "a11y-site-bad", root)
    (root / "bad.html").write_text(BAD, encoding="utf-8")
    (root / "clean.html").write_text(CLEAN, encoding="utf-8")
    return root, ["bad.html", "clean.html", "news.html", "services.html"]


def _matrix(path: Path, engine: str, **entry: object) -> Path:
    doc = {
        "browsers": [{"name": engine, "engine": engine, **entry}],
        "viewports": [{"name": "desktop", "width": 1366, "height": 768}],
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _audit(tmp: Path, name: str, base: str, pages: list[str], matrix: Path, **env: str):
    urls = tmp / f"{name}-urls.txt"
    urls.write_text("".join(f"{base}{p}\n" for p in pages), encoding="utf-8")
    return run_qa(
        "audit", "--urls", str(urls), "--browsers", str(matrix), out=tmp / name, timeout=1200, env=env or None
    )


def _findings(results: dict) -> set[tuple]:
    return {
        (f["rule"], f["outcome"], f["url"].rsplit("/", 1)[1], f["target"], tuple(f["sc"]), f["message"])
        for f in results["findings"]
    }


# Whether a focused element "looks as before" depends in Firefox and WebKitGTK on whether their window has the
# system focus, which differs between a browser this process started and one started elsewhere (measured here:
# a remote Firefox flagged links a local one did not; a local WebKitGTK flagged the clean page's link, a remote one
# not). Chromium's findings, this rule's included, are compared whole.
WINDOW_FOCUS_RULES = {"focus-indicator-removed"}


def _findings_but_window_focus(results: dict) -> set[tuple]:
    return {f for f in _findings(results) if f[0] not in WINDOW_FOCUS_RULES}


def _pages(results: dict) -> list[tuple]:
    return sorted((p["url"].rsplit("/", 1)[1], p["status"], p["error_kind"], p["title"]) for p in results["pages"])


def _outputs(run_dir: Path) -> str:
    return "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in run_dir.rglob("*")
        if p.is_file() and p.suffix != ".png"
    )


def test_a_playwright_server_a_devtools_endpoint_and_a_local_chromium_share_the_audit_and_find_what_one_finds(
    tmp_path: Path,
) -> None:
    from qa.demo.server import serve

    root, pages = _site(tmp_path)
    with serve(root) as base, playwright_server() as (ws, _), chromium_devtools() as (cdp, _):
        local = _audit(tmp_path, "local", base, pages, _matrix(tmp_path / "local.yaml", "chromium"))
        endpoints = [
            {"playwright": ws, "headers": {"Authorization": "Bearer ${QA_TEST_ENDPOINT_TOKEN}"}, "slots": 1},
            {"cdp": cdp, "headers": {"X-Api-Key": "${QA_TEST_ENDPOINT_TOKEN}"}, "slots": 1},
            {"local": True, "slots": 1},
        ]
        matrix = _matrix(tmp_path / "remote.yaml", "chromium", endpoints=endpoints)
        remote = _audit(tmp_path, "remote", base, pages, matrix, QA_TEST_ENDPOINT_TOKEN=TOKEN)
    assert local.code == remote.code == 1, remote.stderr  # the bad page fails the gate on both
    local_results, results = local.results, remote.results
    # The same pages, the same findings, whichever browser served them.
    assert _pages(results) == _pages(local_results)
    assert _findings(results) == _findings(local_results)
    bad = {f[0] for f in _findings(results) if f[2] == "bad.html" and f[1] == "violation"}
    assert {"image-alt", "link-name"} <= bad
    assert not [f for f in _findings(results) if f[2] == "clean.html" and f[1] == "violation" and f[4]]  # no WCAG
    # Each visit names its endpoint; both endpoints served pages; the Playwright server's key-like path is masked.
    served = {p["endpoint"] for p in results["pages"]}
    record = results["run"]["engines"]["browsers"]["chromium"]
    labels = [e["endpoint"] for e in record["endpoints"]]
    assert served == set(labels) and len(labels) == 3
    assert ws.rsplit("/", 1)[1] not in json.dumps(results) and labels[0].endswith("/***")
    assert labels[1:] == [cdp, "local"]
    assert all(e["version"] and e["product"] == "Chromium" and e["lost"] == 0 for e in record["endpoints"])
    assert {p["endpoint"] for p in local_results["pages"]} == {""}
    # The endpoint token was read from the environment and is in no output.
    assert TOKEN not in _outputs(remote.run_dir)


def test_a_killed_endpoint_loses_no_page(tmp_path: Path) -> None:
    """The DevTools endpoint is killed while it loads a page (its own user agent tells its requests apart): the page
    and every later one are audited on the Playwright server, none counted as a failed try (retries: 0)."""
    marker = "QA-Test-Endpoint-B"
    count = 12
    state: dict[str, object] = {"served_b": 0, "killed": False}
    lock = threading.Lock()

    with playwright_server() as (ws, _), chromium_devtools(user_agent=f"Mozilla/5.0 {marker}") as (cdp, victim):

        class Site(PageHandler):
            def do_GET(self) -> None:
                page = re.fullmatch(r"/p(\d+)\.html", self.path)
                if page is None:  # the suite's own probes (robots.txt, exposed files), a favicon
                    self.send_html(b"not found", 404)
                    return
                from_b = marker in (self.headers.get("User-Agent") or "")
                with lock:
                    doomed = from_b and state["served_b"] and not state["killed"]
                    if doomed:
                        state["killed"] = True
                    elif from_b:
                        state["served_b"] = int(state["served_b"]) + 1  # type: ignore[call-overload]
                if doomed:
                    kill(victim)  # mid-request: this page was in flight on it
                    return
                n = int(page.group(1))
                links = "".join(f'<a href="p{i}.html">Page {i}</a> ' for i in range(count))
                body = f'<!doctype html><html lang="en"><title>Page {n}</title><main><h1>Page {n}</h1>{links}</main>'
                self.send_html(body.encode())

        with serve_handler(Site) as base:
            matrix = _matrix(
                tmp_path / "b.yaml", "chromium", endpoints=[{"playwright": ws, "slots": 1}, {"cdp": cdp, "slots": 1}]
            )
            config = tmp_path / "qa.yaml"
            config.write_text("retries: 0\n", encoding="utf-8")
            urls = tmp_path / "urls.txt"
            urls.write_text("".join(f"{base}p{i}.html\n" for i in range(count)), encoding="utf-8")
            run = run_qa(
                "audit", "--urls", str(urls), "--browsers", str(matrix), "--config", str(config), out=tmp_path / "o"
            )
    assert state["killed"], "the endpoint was never killed: the test proved nothing"
    results = run.results
    assert run.code == 0, run.stderr
    pages = results["pages"]
    assert sorted(p["url"] for p in pages) == sorted(f"{base}p{i}.html" for i in range(count))
    assert [p for p in pages if p["error"]] == []
    assert all(p["attempts"] == 1 for p in pages)  # moved, not retried
    record = {e["kind"]: e for e in results["run"]["engines"]["browsers"]["chromium"]["endpoints"]}
    assert record["cdp"]["lost"] == 1 and record["playwright"]["lost"] == 0
    assert results["run"]["engines"]["requeued"]["chromium"] >= 1
    by_b = [p for p in pages if p["endpoint"] == record["cdp"]["endpoint"]]
    assert 1 <= len(by_b) < count  # it served pages before it died, and the rest went elsewhere
    assert any("visited again on another endpoint" in n for n in results["run"]["notes"])


def _spec(engine: str, endpoint: dict) -> object:
    from qa.visit.matrix import BrowserSpec, Endpoint

    kind = next(k for k in ("playwright", "cdp", "bidi", "webdriver") if k in endpoint)
    caps = tuple(sorted(endpoint.get("capabilities", {}).items()))
    return BrowserSpec(engine, engine, capabilities=caps, endpoints=(Endpoint(kind, endpoint[kind]),))


@pytest.mark.parametrize("kind", ["playwright", "cdp", "bidi"])
def test_the_site_access_goes_only_to_its_origin_through_a_remote_browser(kind: str) -> None:
    """Chromium's DevTools request interception works over a server or a DevTools connection; Firefox's BiDi
    intercepts over a remote agent: credentials, headers and cookies reach the site's origin only."""
    from playwright.async_api import async_playwright

    from qa.access import SiteAccess
    from qa.visit.engines import launch
    from qa.visit.matrix import ViewportSpec
    from tests.test_trust import BASIC, leaked, recorder, serve_on

    other = recorder()

    class Site(PageHandler):
        seen: list[dict] = []

        def do_GET(self) -> None:
            Site.seen.append({k.lower(): v for k, v in self.headers.items()})
            if self.headers.get("Authorization") != "Basic c3RhZ2luZzpiYXNpYy1wYTU1LTg2NDI=":
                self.send_html(b"", 401, {"WWW-Authenticate": 'Basic realm="staging"'})
            elif self.path == "/hop.png":
                self.send_html(b"", 302, {"Location": away + "hopped.png"})
            else:
                extra = f'<iframe src="{away}framed"></iframe><img src="{away}pixel.png" alt=""><img src="/hop.png">'
                self.send_html(f"<title>site</title><p id=h>{self.headers.get('X-Staging')}</p>{extra}".encode())

    async def scenario(base: str, url: str) -> tuple[int | None, str]:
        access = SiteAccess(
            http_credentials=BASIC,
            headers={"X-Staging": "yes"},
            cookies=[{"name": "sid", "value": "42", "url": base}],
            origins=(base.rstrip("/"),),
        )
        engine_name = "firefox" if kind == "bidi" else "chromium"
        async with async_playwright() as pw:
            engine = await launch(pw, _spec(engine_name, {kind: url}))
            try:
                session = await engine.new_session(ViewportSpec("desktop", 1366, 768), access)
                nav = await session.goto(base, 30)
                await asyncio.sleep(2)  # the frame and the images
                header = await session.evaluate("() => document.getElementById('h').textContent")
                await session.close()
                return nav.status, header
            finally:
                await engine.close()

    endpoint = {"playwright": playwright_server, "cdp": chromium_devtools, "bidi": firefox_remote_agent}[kind]
    with endpoint() as (url, _), serve_on("127.0.0.2", other) as away, serve_on("127.0.0.1", Site) as base:
        status, header = asyncio.run(scenario(base, url))
    assert (status, header) == (200, "yes")
    assert {r["path"] for r in other.seen} >= {"/framed", "/pixel.png", "/hopped.png"}
    assert leaked(other.seen) == []
    assert any("sid=42" in h.get("cookie", "") for h in Site.seen)


def test_firefox_over_its_remote_agent_finds_what_a_local_firefox_finds(tmp_path: Path) -> None:
    from qa.demo.server import serve

    root, pages = _site(tmp_path)
    with serve(root) as base, firefox_remote_agent() as (bidi, _):
        local = _audit(tmp_path, "local", base, pages, _matrix(tmp_path / "local.yaml", "firefox"))
        matrix = _matrix(tmp_path / "r.yaml", "firefox", endpoints=[{"bidi": bidi}])
        remote = _audit(tmp_path, "remote", base, pages, matrix)
    assert local.code == remote.code == 1, remote.stderr
    assert _pages(remote.results) == _pages(local.results)
    assert _findings_but_window_focus(remote.results) == _findings_but_window_focus(local.results)
    record = remote.results["run"]["engines"]["browsers"]["firefox"]["endpoints"][0]
    assert (record["kind"], record["product"]) == ("bidi", "Firefox") and record["version"]
    assert {p["endpoint"] for p in remote.results["pages"]} == {record["endpoint"]}


def test_webkit_through_a_webdriver_url_finds_what_a_local_webkit_finds(tmp_path: Path) -> None:
    from qa.demo.server import serve
    from qa.visit.webdriver_driver import BARE_BROWSER_NAME, SYSTEM_PYTHON

    # The remote server's browser is named by capabilities, as on a Grid node; here the suite's own bare WebKitGTK.
    browser = tmp_path / "wk-browser"
    browser.write_text(f"#!/bin/sh\nexec {SYSTEM_PYTHON} '{REPO / 'qa/visit/wk_browser.py'}' \"$@\"\n")
    browser.chmod(0o755)
    caps = {
        "browserName": BARE_BROWSER_NAME,
        "webkitgtk:browserOptions": {"binary": str(browser), "args": ["--automation"]},
    }
    root, pages = _site(tmp_path)
    with serve(root) as base, webkit_webdriver() as (url, _):
        local = _audit(tmp_path, "local", base, pages, _matrix(tmp_path / "local.yaml", "webkit"))
        matrix = _matrix(tmp_path / "r.yaml", "webkit", endpoints=[{"webdriver": url}], capabilities=caps)
        remote = _audit(tmp_path, "remote", base, pages, matrix)
    assert local.code == remote.code == 1, remote.stderr
    assert _pages(remote.results) == _pages(local.results)
    assert _findings_but_window_focus(remote.results) == _findings_but_window_focus(local.results)
    record = remote.results["run"]["engines"]["browsers"]["webkit"]["endpoints"][0]
    assert (record["kind"], record["product"]) == ("webdriver", "WebKitGTK") and record["version"]


# --- browsers.yaml endpoints: one-line errors, secrets from the environment, masked labels (no browser) --------


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("{playwright: 'ws://a:3000/', cdp: 'http://b:9222'}", "give exactly one of playwright, cdp, webdriver, bidi"),
        ("{slots: 2}", "give exactly one of"),
        ("{playwright: 'http://a:3000/'}", "'playwright' must start with ws:// or wss://"),
        ("{bidi: 'ws://a:9222'}", "'bidi' endpoints are Firefox's Remote Agent; engine is chromium"),
        ("{local: true, headers: {X-A: b}}", "'headers' has no effect on a local browser"),
        ("{cdp: 'http://a:9222', slots: 0}", "slots"),
        (
            "{cdp: 'wss://cloud/?t=${QA_TEST_UNSET_VARIABLE}'}",
            "environment variable QA_TEST_UNSET_VARIABLE is not set; export it",
        ),
    ],
)
def test_endpoint_entries_are_validated_with_one_line_errors(tmp_path: Path, endpoint: str, message: str) -> None:
    from qa.errors import ConfigError
    from qa.visit.matrix import load_matrix

    path = tmp_path / "browsers.yaml"
    path.write_text(
        f"browsers:\n  - {{name: c, engine: chromium, endpoints: [{endpoint}]}}\n"
        "viewports:\n  - {name: d, width: 800, height: 600}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_matrix(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_endpoints_keep_their_tokens_out_of_the_spec_and_out_of_every_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa.redact import redact_text
    from qa.visit.matrix import load_matrix
    from qa.visit.remote import _expanded, endpoint_label

    monkeypatch.setenv("QA_TEST_CLOUD_TOKEN", "cl0ud-t0ken-ab12cd34")
    path = tmp_path / "browsers.yaml"
    path.write_text(
        "browsers:\n  - name: c\n    engine: chromium\n    endpoints:\n"
        "      - {cdp: 'wss://cloud.example/?token=${QA_TEST_CLOUD_TOKEN}', slots: 3}\n"
        "      - {playwright: 'ws://pw:3000/4e1522fa9adda7a9a2d33efb8f0025cb',"
        " headers: {Authorization: 'Bearer ${QA_TEST_CLOUD_TOKEN}'}}\n"
        "      - {webdriver: 'http://user:pa55word@grid:4444/wd/hub'}\n"
        "      - {local: true}\n"
        "viewports:\n  - {name: d, width: 800, height: 600}\n"
    )
    (spec,) = load_matrix(path).browsers
    assert "cl0ud" not in repr(spec)  # read at connection time, never kept in the configuration
    assert [endpoint_label(e) for e in spec.endpoints] == [
        "wss://cloud.example/?token=***",
        "ws://pw:3000/***",
        "http://***@grid:4444/wd/hub",
        "local",
    ]
    url, headers = _expanded(spec.endpoints[1], "test")
    assert headers == {"Authorization": "Bearer cl0ud-t0ken-ab12cd34"}
    assert "cl0ud-t0ken-ab12cd34" not in redact_text("connecting failed: key cl0ud-t0ken-ab12cd34 refused")
    assert [e.slots for e in spec.endpoints] == [3, None, None, None]
