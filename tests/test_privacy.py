"""The privacy family through the real `qa audit --only privacy` in Chromium: a site whose page loads a tracker
(127.0.0.2, another origin) that sets an analytics cookie before consent, contacts an unknown third party
(127.0.0.3) and shows a consent banner whose accept button loads a second tracker; and a clean site where nothing
may be found. The deliverable checked is what a reviewer reads: results.json and prepublish-check.xlsx."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest

from qa.check.privacy import PrivacyReport, known_host, lifetime_days, registrable
from qa.model import Page, Results, RunInfo
from tests.conftest import PageHandler, run_qa

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")

TRACKER_JS = b'document.cookie = "_ga=GA1.1.4242; max-age=31536000; path=/";'
PIXEL_JS = b'document.cookie = "_fbp=fb.1.4242; max-age=7776000; path=/";'


@contextmanager
def serve_on(host: str, handler: type[PageHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


FILLERS = 300  # images on the about page: more than resource timing keeps by default (250)


class ThirdParty(PageHandler):
    # The about page's last image answers only once all its others were sent: its timing entry comes after theirs.
    served = 0
    all_served = threading.Event()
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/tracker.js":
            self.send_html(TRACKER_JS, headers={"Content-Type": "text/javascript"})
        elif self.path == "/pixel.js":
            self.send_html(PIXEL_JS, headers={"Content-Type": "text/javascript"})
        else:  # an image
            if self.path == "/late.gif":
                ThirdParty.all_served.wait(60)
            self.send_html(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", headers={"Content-Type": "image/gif"})
            if self.path.startswith("/px/"):
                with ThirdParty.lock:
                    ThirdParty.served += 1
                    if ThirdParty.served >= FILLERS:
                        ThirdParty.all_served.set()


def tracked_site(tracker: str, unknown: str, reject_loads: bool = False, filler: str = "") -> type[PageHandler]:
    """``filler``: where the about page's 300 images come from (another unknown third party)."""
    many = "".join(f'<img src="{filler or unknown}/px/{i}.gif" alt="">' for i in range(FILLERS))
    """``reject_loads``: a banner whose reject button loads the second tracker all the same."""
    on_reject = (
        f"const s = document.createElement('script'); s.src = '{tracker}/pixel.js'; document.head.appendChild(s);"
    )
    banner = f"""
<div id="cookie-banner" style="position:fixed;bottom:0;left:0;right:0;background:#eee">
  <p>このサイトでは Cookie を使用します。</p>
  <button id="accept">同意する</button> <button id="reject">拒否する</button>
</div>
<script>
document.getElementById('accept').onclick = () => {{
  const s = document.createElement('script'); s.src = '{tracker}/pixel.js'; document.head.appendChild(s);
  document.getElementById('cookie-banner').remove();
}};
document.getElementById('reject').onclick = () => {{
  {on_reject if reject_loads else ""}
  document.cookie = 'consent=rejected; path=/'; document.getElementById('cookie-banner').remove();
}};
</script>"""
    footer = '<footer><a href="/privacy/">プライバシーポリシー</a></footer>'
    pages = {
        "/": f"""<!doctype html><html lang="ja"><head><title>トップ | 市役所</title>
<script src="{tracker}/tracker.js"></script></head><body><main><h1>市役所</h1><p><a href="/about/">概要</a></p>
<img src="{unknown}/logo.gif" alt="ロゴ"></main>{footer}{banner}</body></html>""",
        # more resources than resource timing keeps by default, the third party last
        "/about/": f"""<!doctype html><html lang="ja"><head><title>概要 | 市役所</title></head>
<body><main><h1>概要</h1><p><a href="/">トップ</a></p>{many}
<img src="{unknown}/late.gif" alt="地図"></main></body></html>""",
        "/privacy/": f"""<!doctype html><html lang="ja"><head><title>プライバシーポリシー | 市役所</title></head>
<body><main><h1>プライバシーポリシー</h1><p><a href="/">トップ</a></p></main>{footer}</body></html>""",
    }

    class Site(PageHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = pages.get(self.path.split("?")[0])
            self.send_html(body.encode() if body else b"<h1>Not found</h1>", 200 if body else 404)

    return Site


class CleanSite(PageHandler):
    def do_GET(self) -> None:  # noqa: N802
        other = "/news/" if self.path == "/" else "/"
        body = f"""<!doctype html><html lang="en"><head><title>Page {self.path}</title></head><body>
<main><h1>Page</h1><p><a href="{other}">Other page</a></p></main>
<footer><a href="/privacy-policy/">Privacy</a></footer></body></html>"""
        if self.path in ("/", "/news/", "/privacy-policy/"):
            self.send_html(body.encode())
        else:
            self.send_html(b"<h1>Not found</h1>", 404)


def rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_tracking_before_consent_and_what_accepting_adds(tmp_path: Path, browser: str) -> None:
    with (
        serve_on("127.0.0.2", ThirdParty) as tracker,
        serve_on("127.0.0.3", ThirdParty) as unknown,
        serve_on("127.0.0.4", ThirdParty) as filler,
        serve_on("127.0.0.1", tracked_site(tracker, unknown, filler=filler)) as site,
    ):
        config = tmp_path / "qa.yaml"
        config.write_text(
            "privacy:\n  accept: '#accept'\n  reject: '#reject'\n  trackers: ['127.0.0.2']\n", encoding="utf-8"
        )
        run = run_qa(
            "audit",
            site + "/",
            "--only",
            "privacy",
            "--config",
            str(config),
            "--fail-on",
            "privacy-before-consent",
            "--browser",
            browser,
            "--viewport",
            "desktop",
            out=tmp_path / "out",
        )
    assert run.code == 1, run.stderr  # the family's gate outcome fails on tracking before consent
    results = run.results
    found = {
        (f["rule"], f["outcome"], f["details"].get("host") or f["details"].get("cookie")) for f in results["findings"]
    }
    assert ("tracker-before-consent", "violation", "127.0.0.2") in found
    assert ("tracking-cookie-before-consent", "violation", "_ga") in found
    assert ("third-party-before-consent", "needs-review", "127.0.0.3") in found
    # the banner gates the second tracker: _fbp only after accepting, never before
    assert not any(r[2] == "_fbp" for r in found)
    # the about page lacks the policy link, the others have it
    lacking = [f["url"] for f in results["findings"] if f["rule"] == "no-privacy-policy-link"]
    assert lacking == [site + "/about/"]
    assert not any(f["rule"] in ("no-consent-banner", "tracking-after-reject") for f in results["findings"])
    assert all(f["check"] == "privacy" for f in results["findings"])

    cookies = {r["name"]: r for r in results["privacy-cookies"]}
    assert cookies["_ga"]["before_consent"] and not cookies["_ga"]["third_party"]
    assert cookies["_ga"]["lifetime_days"] == 365 and cookies["_ga"]["first_seen"] == site + "/"
    assert not cookies["_fbp"]["before_consent"] and cookies["_fbp"]["set_after"] == "#accept"
    assert cookies["_fbp"]["tracking"]
    assert cookies["consent"]["set_after"] == "#reject" and not cookies["consent"]["tracking"]
    hosts = {r["host"]: r for r in results["privacy-hosts"]}
    assert hosts["127.0.0.2"]["tracker"] and hosts["127.0.0.2"]["pages"] == 1
    assert hosts["127.0.0.3"]["category"] == "unknown"
    if browser == "chromium":  # the resource timing buffer is raised by a preloaded script (BiDi sends none)
        assert hosts["127.0.0.3"]["pages"] == 2
    summary = results["privacy-summary"]
    assert summary["banner_pages"] == 1 and summary["policy_link_pages"] == 2 and summary["pages"] == 3
    assert summary["consent"]["accept"]["clicked"] and summary["consent"]["reject"]["clicked"]

    book = openpyxl.load_workbook(run.run_dir / "prepublish-check.xlsx", read_only=True)
    assert "Cookie・ストレージ一覧" in book.sheetnames and "第三者への通信一覧" in book.sheetnames
    sheet = rows(book["Cookie・ストレージ一覧"])
    assert sheet[0][:4] == ("名前", "種類", "ドメイン", "第三者")
    ga = next(r for r in sheet if r[0] == "_ga")
    assert ga[3] == "いいえ" and ga[4] == 365 and ga[7] == "はい" and ga[9] == "はい"  # first party, set before consent
    names = [r[0] for r in sheet[1:]]
    assert {"_ga", "_fbp", "consent"} <= set(names)
    assert any(r[0] == "127.0.0.2" for r in rows(book["第三者への通信一覧"])[1:])
    texts = " ".join(str(c) for r in rows(book["指摘 プライバシー（同意前）"]) for c in r if c)
    assert "同意の前にトラッカー 127.0.0.2" in texts


def test_a_banner_whose_reject_button_still_tracks(tmp_path: Path) -> None:
    with (
        serve_on("127.0.0.2", ThirdParty) as tracker,
        serve_on("127.0.0.3", ThirdParty) as unknown,
        serve_on("127.0.0.1", tracked_site(tracker, unknown, reject_loads=True)) as site,
    ):
        config = tmp_path / "qa.yaml"
        config.write_text("privacy:\n  reject: '#reject'\n", encoding="utf-8")
        run = run_qa("audit", site + "/", "--only", "privacy", "--config", str(config), *ONE_CELL, out=tmp_path / "o")
    assert run.code == 0, run.stderr  # privacy does not gate unless asked
    (after,) = [f for f in run.results["findings"] if f["rule"] == "tracking-after-reject"]
    assert after["outcome"] == "violation" and after["details"]["added"] == ["Cookie _fbp"]
    assert set(run.results["privacy-summary"]["consent"]) == {"reject"}
    cookies = {r["name"]: r["set_after"] for r in run.results["privacy-cookies"]}
    assert cookies["_fbp"] == "#reject" and cookies["_ga"] == ""


def test_a_clean_site_has_nothing_to_report(tmp_path: Path) -> None:
    with serve_on("127.0.0.1", CleanSite) as site:
        run = run_qa(
            "audit",
            site + "/",
            "--only",
            "privacy",
            "--fail-on",
            "privacy-before-consent",
            *ONE_CELL,
            out=tmp_path / "out",
        )
    assert run.code == 0, run.stderr
    results = run.results
    assert [f for f in results["findings"] if f["check"] == "privacy"] == []
    assert results["privacy-cookies"] == [] and results["privacy-hosts"] == []
    assert results["privacy-summary"]["pages"] == 3 and results["privacy-summary"]["cookies_verified"]
    book = openpyxl.load_workbook(run.run_dir / "prepublish-check.xlsx", read_only=True)
    assert rows(book["Cookie・ストレージ一覧"])[1][0] == "該当なし"


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("www.city.example.lg.jp", "example.lg.jp"),
        ("www.example.co.jp", "example.co.jp"),
        ("a.b.example.com", "example.com"),
        ("127.0.0.2", "127.0.0.2"),
    ],
)
def test_registrable_domain(host: str, site: str) -> None:
    assert registrable(host) == site


def test_known_hosts_and_lifetimes() -> None:
    assert known_host("www.google-analytics.com", []) == ("analytics", True)
    assert known_host("fonts.googleapis.com", []) == ("fonts", False)
    assert known_host("cdn.example.net", []) is None
    assert known_host("tags.example.net", ["example.net"]) == ("tracker (configured)", True)
    assert lifetime_days(None, 0) is None and lifetime_days(86400 * 30, 0) == 30 and lifetime_days(3600, 0) == 0.04


def _page(url: str, **privacy: object) -> Page:
    record = {"cookies": [], "storage": [], "hosts": [], "banner": None, "policy_link": None, **privacy}
    return Page(url, "firefox", "desktop", final_url=url, status=200, facts={"privacy": record})


def test_judged_again_from_the_stored_records() -> None:
    """The site check reads only results.json (qa report --rejudge): a browser that could not list the cookies is
    not a clean result, a video embed without any banner asks for one, and no policy link anywhere is one finding."""
    video = "www.youtube-nocookie.com"
    cdn = {"name": "__cf_bm", "domain": ".cdnjs.cloudflare.com", "path": "/", "expires": None}
    pages = [
        _page("https://city.example.jp/", cookies=None, hosts=[video]),
        _page("https://city.example.jp/a/", cookies=[cdn], hosts=["cdnjs.cloudflare.com"]),
    ]
    results = Results(RunInfo("t", "2026-12-06T12:00:00+00:00", start_url=pages[0].url), pages=pages)
    found = {(f.rule, f.outcome, f.url) for f in PrivacyReport().run(results)}
    start = pages[0].url
    assert found == {
        ("third-party-before-consent", "needs-review", start),
        ("no-consent-banner", "needs-review", start),
        ("cookies-not-verified", "needs-review", start),
        ("no-privacy-policy-link", "violation", start),
    }
    assert [h["category"] for h in results.extra["privacy-hosts"]] == ["cdn", "video"]
    (cookie,) = results.extra["privacy-cookies"]  # the CDN's own bot-management cookie: third party, not tracking
    assert cookie["third_party"] and not cookie["tracking"] and cookie["lifetime_days"] is None
    assert results.extra["privacy-summary"]["cookies_verified"] is False
