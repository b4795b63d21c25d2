"""The security family against real servers on loopback: an exposed site (no security headers, a session cookie
without flags, versions in headers, markup and asset URLs, WordPress's user list, author redirect and XML-RPC, a
directory listing, a readable .env and Git HEAD, a 404 page with a stack trace), a hardened one where nothing may be
found, one that answers 200 with its home page for every path (a soft 404: .env there is not an exposed .env), the
exposed one over https (a cookie without Secure is then a violation). The real WordPress: test_wordpress_exposure.py."""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest

from qa.access import SiteAccess, Tls
from qa.check import RunContext
from qa.check.security import Security, parse_set_cookie
from qa.config import Config
from qa.model import Page, Results, RunInfo
from qa.net import make_client
from tests.conftest import PageHandler, run_qa, serve_handler

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")

PAGE = b"""<!doctype html><html lang="en"><head><title>Home</title>
<meta name="generator" content="WordPress 6.4.2">
<link rel="stylesheet" href="/wp-content/plugins/contact-form-7/style.css?ver=5.8.1">
</head><body><main><h1>Home</h1><p>Hello.</p></main></body></html>"""
CLEAN_PAGE = b"""<!doctype html><html lang="en"><head><title>Home</title>
<link rel="stylesheet" href="/style.css"></head><body><main><h1>Home</h1></main></body></html>"""
STACK = b"""<html><body><h1>Server Error</h1><pre>Traceback (most recent call last):
  File "/srv/app/views.py", line 12, in page
KeyError: 'slug'</pre></body></html>"""
LISTING = b"<html><head><title>Index of /wp-content/uploads</title></head><body><h1>Index of /wp-content/uploads</h1>"
USERS = json.dumps([{"id": 1, "name": "Site Admin", "slug": "siteadmin"}, {"id": 2, "name": "Ed", "slug": "editor"}])


class Exposed(PageHandler):
    def version_string(self) -> str:
        return "Apache/2.4.62 (Debian)"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path in ("/", "/about/"):
            self.send_html(PAGE, headers={"Set-Cookie": "PHPSESSID=abc123; path=/", "X-Powered-By": "PHP/8.2.7"})
        elif self.path == "/?author=1":
            self.send_html(b"", 301, {"Location": "/author/siteadmin/"})
        elif self.path == "/wp-json/wp/v2/users":
            self.send_html(USERS.encode(), headers={"Content-Type": "application/json"})
        elif self.path == "/xmlrpc.php":
            self.send_html(b"XML-RPC server accepts POST requests only.", 405, {"Content-Type": "text/plain"})
        elif self.path == "/wp-content/uploads/":
            self.send_html(LISTING)
        elif self.path == "/.env":
            self.send_html(b"APP_ENV=production\nDB_PASSWORD=hunter2\n", headers={"Content-Type": "text/plain"})
        elif self.path == "/.git/HEAD":
            self.send_html(b"ref: refs/heads/main\n", headers={"Content-Type": "text/plain"})
        else:
            self.send_html(STACK, 404)


HARDENED_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class Hardened(PageHandler):
    def version_string(self) -> str:
        return "nginx"

    def do_GET(self) -> None:  # noqa: N802
        if self.path in ("/", "/about/"):
            cookie = "sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax"
            self.send_html(CLEAN_PAGE, headers={**HARDENED_HEADERS, "Set-Cookie": cookie})
        else:
            self.send_html(b"<html><body><h1>Not found</h1></body></html>", 404, HARDENED_HEADERS)


class SoftNotFound(Hardened):
    """Every path answers 200 with the home page, .env and .git/HEAD included."""

    def do_GET(self) -> None:  # noqa: N802
        self.send_html(CLEAN_PAGE, headers=HARDENED_HEADERS)


def audit(base: str, access: SiteAccess | None = None) -> tuple[list, dict]:
    """Run the check as the run does after the crawl: over the audited pages, with the suite's own client."""
    pages = [
        Page(url, "chromium", "desktop", final_url=url, status=200, content_type="text/html")
        for url in (base, base + "about/")
    ]
    results = Results(RunInfo("t", "now", start_url=base), pages=pages)

    async def go() -> list:
        async with make_client(10, access) as client:
            ctx = RunContext(results, Path("."), Config(), client)
            return await Security().run(ctx)

    findings = asyncio.run(go())
    return findings, results.extra


def rules(findings: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f)
    return out


def test_an_exposed_site_is_reported_once_per_origin() -> None:
    with serve_handler(Exposed) as base:
        findings, record = audit(base)
    found = rules(findings)
    site = base.rstrip("/")
    assert set(found) == {
        "no-clickjacking-protection",
        "no-csp",
        "no-nosniff",
        "no-referrer-policy",
        "no-permissions-policy",
        "cookie-not-secure",
        "cookie-not-httponly",
        "cookie-no-samesite",
        "server-version",
        "powered-by",
        "generator-version",
        "asset-version",
        "wp-users-listed",
        "wp-author-enumeration",
        "xmlrpc-enabled",
        "directory-listing",
        "exposed-file",
        "error-page-details",
    }
    # headers are the server's: one finding for both pages, on the origin
    (frames,) = found["no-clickjacking-protection"]
    assert frames.outcome == "violation" and frames.url == site + "/" and frames.details["pages"] == "2/2"
    # served over http: a missing Secure cannot be judged here and says so; the session cookie lacks HttpOnly
    (secure,) = found["cookie-not-secure"]
    assert secure.outcome == "needs-review" and "HTTPS" in secure.details["note"]
    assert found["cookie-not-httponly"][0].outcome == "violation"
    assert {f.details["value"] for f in found["server-version"]} == {"Apache/2.4.62 (Debian)"}
    assert found["powered-by"][0].details["value"] == "PHP/8.2.7"
    assert found["generator-version"][0].details["value"] == "WordPress 6.4.2"
    assert "ver=5.8.1" in found["asset-version"][0].details["example"]
    assert found["wp-users-listed"][0].details["users"] == "siteadmin, editor"
    assert found["wp-author-enumeration"][0].details["user"] == "siteadmin"
    assert [f.url for f in found["directory-listing"]] == [site + "/wp-content/uploads/"]
    assert sorted(f.url for f in found["exposed-file"]) == [site + "/.env", site + "/.git/HEAD"]
    (leak,) = found["error-page-details"]  # both error pages show it: one finding
    assert leak.details["leak"] == "stack trace"
    assert len({f.id for f in findings}) == len(findings)
    # the secret itself never enters the results
    assert "hunter2" not in json.dumps(record) and "hunter2" not in json.dumps([f.details for f in findings])
    assert "abc123" not in json.dumps([f.details for f in findings])
    probes = {p["path"]: p for p in record["security-probes"] if p["origin"] == site}
    assert probes["/.env"]["exposed"] and probes["/.env"]["rule"] == "exposed-file"
    assert not probes["/wp-config.php.bak"]["exposed"] and not probes["/wp-config.php.bak"]["soft_404"]
    assert probes["/wp-json/wp/v2/users"]["evidence"] == "siteadmin, editor"


def test_a_hardened_site_has_nothing_to_report() -> None:
    with serve_handler(Hardened) as base:
        findings, record = audit(base)
    assert findings == []
    # and the sheet still shows what was asked
    assert [h["url"] for h in record["security-headers"]] == [base, base + "about/"]
    assert record["security-headers"][0]["X-Content-Type-Options"] == "nosniff"
    assert {p["path"] for p in record["security-probes"]} >= {"/.env", "/xmlrpc.php", "/wp-json/wp/v2/users"}


def test_a_soft_404_is_not_an_exposed_file() -> None:
    with serve_handler(SoftNotFound) as base:
        findings, record = audit(base)
    assert findings == []
    probes = {p["path"]: p for p in record["security-probes"]}
    assert probes["/.env"]["soft_404"] and not probes["/.env"]["exposed"] and probes["/.git/HEAD"]["soft_404"]


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("sid=1; Path=/; HttpOnly; Secure; SameSite=Lax", {"name": "sid", "path": "/", "httponly": "", "secure": ""}),
        ("a=b", {"name": "a"}),
        ("junk", None),
    ],
)
def test_set_cookie_attributes(raw: str, parsed: dict | None) -> None:
    got = parse_set_cookie(raw)
    assert got == (None if parsed is None else {**parsed, **({"samesite": "Lax"} if "SameSite" in raw else {})})


def test_the_qa_command_reports_and_gates_the_exposure(tmp_path: Path) -> None:
    with serve_handler(Exposed) as exposed, serve_handler(Hardened) as hardened:
        bad = run_qa(
            "audit", exposed, "--only", "security", "--fail-on", "security-exposure", *ONE_CELL, out=tmp_path / "a"
        )
        good = run_qa(
            "audit", hardened, "--only", "security", "--fail-on", "security-exposure", *ONE_CELL, out=tmp_path / "b"
        )
    assert bad.code == 1, bad.stderr
    assert good.code == 0, good.stderr
    rules_found = {f["rule"] for f in bad.results["findings"] if f["check"] == "security"}
    assert {"exposed-file", "wp-users-listed", "xmlrpc-enabled", "no-clickjacking-protection"} <= rules_found
    assert [f for f in good.results["findings"] if f["check"] == "security"] == []
    book = openpyxl.load_workbook(bad.run_dir / "prepublish-check.xlsx", read_only=True)
    probes = [r for r in book["セキュリティ 確認したパス"].iter_rows(values_only=True)]
    assert probes[0] == ("オリジン", "パス", "ステータス", "露出", "ルール", "根拠", "ソフト404")
    assert (exposed.rstrip("/"), "/.env", 200, "はい", "exposed-file", None, "いいえ") in probes
    findings = " ".join(str(c) for r in book["指摘 セキュリティ"].iter_rows(values_only=True) for c in r if c)
    assert "/.env の環境変数ファイルが誰でも読めます" in findings
    assert "hunter2" not in (bad.run_dir / "results.json").read_text(encoding="utf-8")


def test_over_https_a_cookie_without_secure_is_a_violation(tmp_path: Path) -> None:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Exposed)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:  # verified against the test's own CA, as a user gives it in tls.ca_bundle
        findings, _ = audit(f"https://127.0.0.1:{server.server_port}/", SiteAccess(tls=Tls(ca_bundle=str(cert))))
    finally:
        server.shutdown()
        server.server_close()
    (secure,) = [f for f in findings if f.rule == "cookie-not-secure"]
    assert secure.outcome == "violation" and secure.details["note"] == ""
    assert "exposed-file" in {f.rule for f in findings}  # the whole check ran over https


class TokenGated(Hardened):
    """The hardened site behind a staging token in the query (?token=…): without it, a bare 403 and no headers."""

    requested: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        TokenGated.requested.append(self.path)
        path, _, query = self.path.partition("?")
        if path in ("/", "/about/") and query != "token=s3cret-staging":
            self.send_html(b"forbidden", 403)
        else:
            self.path = path
            super().do_GET()


def test_pages_recorded_with_a_masked_secret_are_not_requested_masked(tmp_path: Path) -> None:
    """The audited page's URL is stored with its token masked (?token=***): the headers are not read from a request
    to that masked address, whose 403 would be reported as the page's missing headers."""
    with serve_handler(TokenGated) as base:
        run = run_qa("audit", base + "?token=s3cret-staging", "--only", "security", *ONE_CELL, out=tmp_path)
    assert run.code == 0, run.stderr
    assert [p for p in TokenGated.requested if "***" in p or "%2A" in p] == []
    assert [f["rule"] for f in run.results["findings"] if f["check"] == "security"] == []
    assert "s3cret-staging" not in (run.run_dir / "results.json").read_text(encoding="utf-8")
