"""The trust model (docs/security.md): the site's credentials, headers and cookies go to its exact origin only, in
the HTTP client, every browser, the link checker, WordPress discovery and the login; secrets stay out of the
outputs; destructive links are never opened; TLS is verified. 127.0.0.2 plays another origin (production, a
third party) and records what reached it."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REPO, PageHandler, run_qa

ONE_CELL = ("--viewport", "desktop")
BASIC = ("staging", "basic-pa55-8642")
LOGIN = ("editor", "login-pa55-9753")
SECRET_TOKEN = "tok-5f1e2d3c4b5a"


@contextmanager
def serve_on(host: str, handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None) -> Iterator[str]:
    server = ThreadingHTTPServer((host, 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"{'https' if tls else 'http'}://{host}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def recorder() -> type[PageHandler]:
    """Another origin: answers every request with 401 (a challenge the staging credentials must not answer) and
    keeps what it was sent."""

    class Other(PageHandler):
        seen: list[dict] = []

        def do_GET(self) -> None:
            Other.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
            self.send_html(b"<title>other</title>", 401, {"WWW-Authenticate": 'Basic realm="other"'})

        do_POST = do_GET

    return Other


def leaked(seen: list[dict]) -> list[str]:
    """What of the site's access reached another origin."""
    found = []
    for request in seen:
        for name in ("authorization", "cookie", "x-staging"):
            if name in request["headers"]:
                found.append(f"{name} on {request['path']}")
    return found


# --- 1, 2: WordPress's REST link, robots.txt and sitemaps naming another origin -------------------------------


def test_a_staging_copy_pointing_at_production_sends_it_nothing(tmp_path) -> None:
    """WordPress's home still names production: its Link header announces production's REST API, robots.txt
    production's sitemap, and a page frames a production page that asks for a password. Before: the login form
    was opened (and the password typed) on production, Basic auth went to its REST and admin-ajax URLs, its
    sitemap was read with the staging credentials, and the browser answered its 401."""
    production = recorder()

    with serve_on("127.0.0.2", production) as prod:

        class Staging(PageHandler):
            def do_GET(self) -> None:
                if self.headers.get("Authorization") != "Basic c3RhZ2luZzpiYXNpYy1wYTU1LTg2NDI=":
                    self.send_html(b"", 401, {"WWW-Authenticate": 'Basic realm="staging"'})
                elif self.path == "/robots.txt":
                    self.send_html(f"Sitemap: {prod}sitemap.xml\n".encode(), headers={"Content-Type": "text/plain"})
                elif self.path == "/":
                    body = '<title>Staging</title><meta name="generator" content="WordPress 6.8"><main><h1>Hi</h1>'
                    body += f'<iframe title="news" src="{prod}news/"></iframe></main>'
                    self.send_html(body.encode(), headers={"Link": f'<{prod}wp-json/>; rel="https://api.w.org/"'})
                else:
                    self.send_html(b"not found", 404)

        with serve_on("127.0.0.1", Staging) as staging:
            env = {
                "QA_BASIC_USER": BASIC[0],
                "QA_BASIC_PASSWORD": BASIC[1],
                "QA_LOGIN_USER": LOGIN[0],
                "QA_LOGIN_PASSWORD": LOGIN[1],
            }
            for browser in ("chromium", "firefox"):
                run = run_qa("audit", staging, "--browser", browser, *ONE_CELL, out=tmp_path / browser, env=env)
                assert run.code in (0, 1), run.stderr
                assert [p["status"] for p in run.results["pages"]] == [200]
                notes = " ".join(run.results["run"]["notes"])
                assert "another origin" in notes and "wp-json" in notes
    assert production.seen, "the page's frame was requested (the browser loads it, without credentials)"
    assert leaked(production.seen) == []
    assert not any("wp-login" in r["path"] or "wp-json" in r["path"] for r in production.seen)
    assert not any("sitemap" in r["path"] for r in production.seen)


def test_a_configured_login_page_on_another_origin_is_refused(tmp_path) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text("access:\n  login:\n    url: http://127.0.0.2:9/login\n", encoding="utf-8")

    class Site(PageHandler):
        def do_GET(self) -> None:
            self.send_html(b"<title>t</title>")

    with serve_on("127.0.0.1", Site) as base:
        run = run_qa(
            "audit",
            base,
            "--config",
            str(config),
            out=tmp_path / "out",
            env={"QA_LOGIN_USER": LOGIN[0], "QA_LOGIN_PASSWORD": LOGIN[1]},
        )
    assert run.code == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "access.origins" in run.stderr and LOGIN[1] not in run.stderr


def test_a_login_form_that_posts_to_another_origin_is_not_submitted() -> None:
    """A staging copy's login form whose action still names production (WordPress builds it from its siteurl):
    the password must not be posted there. Before: it was, and the run went on "logged in"."""
    from qa.access import Credentials, SiteAccess
    from qa.errors import SiteError
    from qa.visit.login import form_login

    production = recorder()

    class Staging(PageHandler):
        def do_GET(self) -> None:
            form = f'<form method=post action="{prod}wp-login.php"><input id=user name=log>'
            form += '<input id=pass name=pwd type=password><input id=go type=submit value="Log in"></form>'
            self.send_html(f"<title>Log in</title>{form}".encode())

    form = {"url": "/login", "username": "#user", "password": "#pass", "submit": "#go", "success": ""}
    with serve_on("127.0.0.2", production) as prod, serve_on("127.0.0.1", Staging) as base:
        access = SiteAccess(origins=(base.rstrip("/"),))
        with pytest.raises(SiteError, match="another origin"):
            asyncio.run(form_login(base, form, Credentials(login_user=LOGIN[0], login_password=LOGIN[1]), access, 30))
    assert production.seen == []


# --- 2: the suite's own HTTP client ------------------------------------------------------------------------


def test_the_http_client_sends_the_site_access_to_its_origin_only() -> None:
    from qa.access import Credentials, SiteAccess, site_access
    from qa.net import make_client

    other = recorder()

    class Site(PageHandler):
        seen: list[dict] = []

        def do_GET(self) -> None:
            Site.seen.append({k.lower(): v for k, v in self.headers.items()})
            if self.path == "/away":
                self.send_html(b"", 302, {"Location": away})
            else:
                self.send_html(b"<title>site</title>")

    async def fetch(base: str) -> None:
        base_access = SiteAccess(headers={"X-Staging": "yes"}, cookies=[{"name": "sid", "value": "42", "url": base}])
        access = site_access(Credentials(basic_user=BASIC[0], basic_password=BASIC[1]), base_access, base)
        async with make_client(10, access) as client:
            await client.get(base)
            await client.get(base + "away")  # redirected to the other origin
            await client.get(away + "direct")

    with serve_on("127.0.0.2", other) as away, serve_on("127.0.0.1", Site) as base:
        asyncio.run(fetch(base))
    assert all(h.get("x-staging") == "yes" and "sid=42" in h.get("cookie", "") for h in Site.seen)
    assert all(h.get("authorization", "").startswith("Basic ") for h in Site.seen)
    assert [r["path"] for r in other.seen] == ["/", "/direct"]
    assert leaked(other.seen) == []


# --- 3: browsers answer only the site's own challenges, send headers and cookies only there ----------------


@pytest.mark.parametrize("browser", ["chromium", "firefox", "webkit"])
def test_browsers_keep_the_site_access_to_its_origin(browser: str) -> None:
    from playwright.async_api import async_playwright

    from qa.access import SiteAccess
    from qa.errors import BrowserUnavailable
    from qa.visit.engines import launch
    from qa.visit.matrix import ViewportSpec, load_matrix

    other = recorder()

    class Site(PageHandler):
        seen: list[dict] = []

        def do_GET(self) -> None:
            Site.seen.append({k.lower(): v for k, v in self.headers.items()})
            if self.headers.get("Authorization") != "Basic c3RhZ2luZzpiYXNpYy1wYTU1LTg2NDI=":
                self.send_html(b"", 401, {"WWW-Authenticate": 'Basic realm="staging"'})
            elif self.path == "/away":
                self.send_html(b"", 302, {"Location": away + "redirected"})
            elif self.path == "/hop.png":  # a subresource of the site that redirects to the other origin
                self.send_html(b"", 302, {"Location": away + "hopped.png"})
            else:
                frame = f'<iframe src="{away}framed"></iframe><img src="{away}pixel.png" alt="">'
                frame += '<img src="/hop.png" alt="">'
                self.send_html(f"<title>site</title><p id=h>{self.headers.get('X-Staging')}</p>{frame}".encode())

    spec = next(b for b in load_matrix(REPO / "browsers.yaml").browsers if b.name == browser)

    async def scenario(base: str) -> tuple[int | None, str, int | None]:
        access = SiteAccess(
            http_credentials=BASIC,
            headers={"X-Staging": "yes"},
            cookies=[{"name": "sid", "value": "42", "url": base}],
            origins=(base.rstrip("/"),),
        )
        async with async_playwright() as pw:
            engine = await launch(pw, spec)
            try:
                session = await engine.new_session(ViewportSpec("desktop", 1366, 768), access)
                nav = await session.goto(base, 30)
                await asyncio.sleep(2)  # the frame and the images
                header = await session.evaluate("() => document.getElementById('h').textContent")
                redirected = await session.goto(base + "away", 15)
                await session.close()
                return nav.status, header, redirected.status
            finally:
                await engine.close()

    with serve_on("127.0.0.2", other) as away, serve_on("127.0.0.1", Site) as base:
        if browser == "webkit":  # WebDriver cannot send credentials or headers: the session is refused, not opened
            with pytest.raises(BrowserUnavailable, match="cannot send HTTP credentials or headers"):
                asyncio.run(scenario(base))
            assert other.seen == [] and Site.seen == []
            return
        status, header, redirected = asyncio.run(scenario(base))
    assert (status, header) == (200, "yes")
    # The other origin's challenge is not answered, even where Firefox names the site's URL for it (the first hop
    # of the redirected request): the page shows its 401, asked for once.
    assert redirected == 401
    assert [r["path"] for r in other.seen].count("/redirected") == 1
    assert {r["path"] for r in other.seen} >= {"/framed", "/pixel.png", "/hopped.png", "/redirected"}
    # Basic auth, cookies and the extra headers never reach the other origin: not on the site's subresources'
    # or navigation's redirect hops to it either.
    assert leaked(other.seen) == []
    assert any("sid=42" in h.get("cookie", "") for h in Site.seen)
    assert all(h.get("x-staging") == "yes" for h in Site.seen if h.get("authorization"))


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_a_redirect_to_another_origin_gets_no_referer_with_the_sites_token(browser: str) -> None:
    """The page's URL carries a token (?token=...); its image redirects to another origin. The browser's own
    policy (strict-origin-when-cross-origin) sends that origin the site's origin only. Before: Chromium's header
    override (DevTools Fetch) re-sent the Referer it was given as a fixed one, kept whole on the hop to the other
    origin, token and all."""
    from playwright.async_api import async_playwright

    from qa.access import SiteAccess
    from qa.visit.engines import launch
    from qa.visit.matrix import ViewportSpec, load_matrix

    other = recorder()

    class Site(PageHandler):
        seen: list[dict] = []

        def do_GET(self) -> None:
            Site.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
            if self.path == "/hop.png":
                self.send_html(b"", 302, {"Location": away + "hopped.png"})
            elif self.path == "/own.png":
                self.send_html(b"", 404)
            else:
                self.send_html(b'<title>site</title><img src="/hop.png" alt=""><img src="/own.png" alt="">')

    spec = next(b for b in load_matrix(REPO / "browsers.yaml").browsers if b.name == browser)

    async def scenario(base: str) -> None:
        access = SiteAccess(headers={"X-Staging": "yes"}, origins=(base.rstrip("/"),))
        async with async_playwright() as pw:
            engine = await launch(pw, spec)
            try:
                session = await engine.new_session(ViewportSpec("desktop", 1366, 768), access)
                await session.goto(f"{base}report?token={SECRET_TOKEN}", 30)
                await asyncio.sleep(1)  # the images
                await session.close()
            finally:
                await engine.close()

    with serve_on("127.0.0.2", other) as away, serve_on("127.0.0.1", Site) as base:
        asyncio.run(scenario(base))
    hops = [r for r in other.seen if r["path"] == "/hopped.png"]
    assert hops and leaked(hops) == []
    assert [r["headers"].get("referer") for r in hops] == [base] * len(hops)
    # The site's own requests keep the whole Referer and get the header
    own = [r for r in Site.seen if r["path"] == "/own.png"]
    assert own and all(r["headers"].get("referer") == f"{base}report?token={SECRET_TOKEN}" for r in own)
    assert all(r["headers"].get("x-staging") == "yes" for r in Site.seen)


def test_the_link_checker_keeps_the_site_access_on_a_redirect_to_another_origin(tmp_path: Path) -> None:
    from qa.links.engine import EngineSecrets, EngineSettings, check_urls

    other = recorder()

    class Site(PageHandler):
        seen: list[dict] = []

        def do_GET(self) -> None:
            Site.seen.append({k.lower(): v for k, v in self.headers.items()})
            self.send_html(b"", 302, {"Location": away + "moved"})

        do_HEAD = do_GET

    with serve_on("127.0.0.2", other) as away, serve_on("127.0.0.1", Site) as base:
        targets = tmp_path / "targets.jsonl"
        targets.write_text(json.dumps({"key": "k", "url": base + "away"}) + "\n", encoding="utf-8")
        secrets = EngineSecrets(BASIC, {"X-Staging": "yes"}, {"sid": "42"})
        settings = EngineSettings(site_origin=base.rstrip("/"), own_hosts=["127.0.0.1"])
        asyncio.run(check_urls(targets, tmp_path / "checked.jsonl", settings, secrets))
    assert Site.seen and all(h.get("x-staging") == "yes" and "sid=42" in h.get("cookie", "") for h in Site.seen)
    assert [r["path"] for r in other.seen] and {r["path"] for r in other.seen} == {"/moved"}
    assert leaked(other.seen) == []


# --- 4: secrets in URLs stay out of the outputs, and the real URL is requested -----------------------------


def test_secret_query_values_are_masked_in_outputs_but_requested_as_they_are(tmp_path) -> None:
    class Site(PageHandler):
        requested: list[str] = []

        def do_GET(self) -> None:
            Site.requested.append(self.path)
            if self.path == "/":
                links = f'<a href="/report?token={SECRET_TOKEN}">report</a>'
                links += f'<a href="http://user:{SECRET_TOKEN}x@127.0.0.2:9/far">far</a>'
                self.send_html(f"<title>home</title><main>{links}</main>".encode())
            elif self.path.startswith("/report"):
                ok = SECRET_TOKEN in self.path
                self.send_html(b"<title>report</title><main>r</main>", 200 if ok else 403)
            else:
                self.send_html(b"none", 404)

    with serve_on("127.0.0.1", Site) as base:
        run = run_qa("audit", base, "--browser", "chromium", *ONE_CELL, out=tmp_path)
    assert run.code in (0, 1), run.stderr
    assert f"/report?token={SECRET_TOKEN}" in Site.requested  # crawled and link-checked as written
    results = (run.run_dir / "results.json").read_text(encoding="utf-8")
    records = (run.run_dir / "records.jsonl").read_text(encoding="utf-8")
    assert SECRET_TOKEN not in results and SECRET_TOKEN not in records
    assert not [p for p in run.run_dir.rglob("*") if SECRET_TOKEN in p.name]
    report = next(r for r in run.results["links"] if "/report" in r["url"])
    assert report["result"] == "ok" and report["url"].endswith("token=***")
    skipped = run.results["discovery"]["skipped"]
    assert any(u.startswith("http://***@127.0.0.2") for u in skipped)


def every_output(run_dir: Path) -> Iterator[tuple[Path, bytes]]:
    """Each file of a run folder with its bytes; a workbook's (a zip's) members unpacked."""
    import zipfile

    for path in run_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    data = b"".join(archive.read(name) for name in archive.namelist())
            yield path, data


def test_secrets_in_any_part_of_a_url_stay_out_of_every_output_and_file_name(tmp_path) -> None:
    """?key= (an API key), ;jsessionid= in the path, #access_token= in the fragment, a pre-signed URL's
    X-Amz-Credential, in the start URL and in the site's links. Before: they were written as they were to
    results.json, every report and workbook, and the screenshots' file names."""
    secrets = ["key-4a1b2c3d", "jsess-5e6f7a8b", "frag-9c0d1e2f", "cred-3a4b5c6d"]
    links = [
        f"/a?key={secrets[0]}",
        f"/b;jsessionid={secrets[1]}",
        f"/c#access_token={secrets[2]}",
        f"/d?X-Amz-Credential={secrets[3]}",
    ]

    class Site(PageHandler):
        requested: list[str] = []

        def do_GET(self) -> None:
            Site.requested.append(self.path)
            if self.path in ("/robots.txt", "/sitemap.xml") or self.path.startswith("/qa-probe-"):
                self.send_html(b"none", 404)
                return
            body = "".join(f'<a href="{link}">link {n}</a>' for n, link in enumerate(links))
            self.send_html(f'<html lang="en"><title>page</title><main><h1>p</h1>{body}</main>'.encode())

    with serve_on("127.0.0.1", Site) as base:
        run = run_qa("audit", f"{base}?key={secrets[0]}", "--browser", "chromium", *ONE_CELL, out=tmp_path)
    assert run.code in (0, 1), run.stderr
    assert {f"/?key={secrets[0]}", *(link.split("#")[0] for link in links)} <= set(Site.requested)
    assert len(run.results["pages"]) == 5
    found = [
        (path.relative_to(run.run_dir).as_posix(), secret)
        for path, data in every_output(run.run_dir)
        for secret in secrets
        if secret.encode() in data or secret in path.relative_to(run.run_dir).as_posix()
    ]
    assert found == []
    assert SECRET_TOKEN not in run.stdout + run.stderr and secrets[0] not in run.stdout + run.stderr


# --- 5: destructive and session-ending links are never opened ----------------------------------------------

UNSAFE = ["/logout", "/users/sign_out", "/sign-out", "/logoff", "/?logout=1", "/posts/7?action=delete",
          "/posts/7/delete", "/wp-admin/"]  # fmt: skip


def test_destructive_links_are_skipped_in_crawl_and_link_check(tmp_path) -> None:
    class Site(PageHandler):
        requested: list[str] = []

        def do_GET(self) -> None:
            Site.requested.append(self.path)
            links = "".join(f'<a href="{u}">{u}</a>' for u in [*UNSAFE, "/about"])
            self.send_html(f"<title>t</title><main>{links}</main>".encode())

    with serve_on("127.0.0.1", Site) as base:
        run = run_qa("audit", base, "--browser", "chromium", *ONE_CELL, out=tmp_path / "a")
        assert run.code in (0, 1), run.stderr
        opened = [p for p in Site.requested if p not in ("/", "/about", "/robots.txt") and "sitemap" not in p]
        # The security family's fixed well-known paths (each listed in its inventory) are the only other requests
        probed = {r["path"] for r in run.results["security-probes"]}
        assert not probed & set(UNSAFE)
        assert [p for p in opened if not p.startswith("/qa-probe-") and p not in probed] == []
        skipped = run.results["discovery"]["skipped"]
        assert all(any(why.startswith("unsafe link") for u, why in skipped.items() if u.endswith(p)) for p in UNSAFE)
        rows = [r for r in run.results["links"] if r["url"].removeprefix(base.rstrip("/")) in UNSAFE]
        assert len({r["url"] for r in rows}) == len(UNSAFE)
        assert all(r["result"] == "ignored" and "unsafe" in r["reason"] for r in rows)

        config = tmp_path / "qa.yaml"
        config.write_text("unsafe_links:\n  skip: false\nfollow_links: false\n", encoding="utf-8")
        Site.requested.clear()
        run = run_qa("audit", base, "--config", str(config), "--browser", "chromium", *ONE_CELL, out=tmp_path / "b")
        assert run.code in (0, 1), run.stderr
        assert "/logout" in Site.requested  # checked by the link check once the user says so


NAMED_LOGOUT = {"/account/end": "Logout", "/session?a=bye": "Sign out", "/ja/bye": "ログアウト", "/x": "log off"}


def test_links_named_logout_are_skipped_whatever_their_url(tmp_path) -> None:
    class Site(PageHandler):
        requested: list[str] = []

        def do_GET(self) -> None:
            Site.requested.append(self.path)
            links = "".join(f'<a href="{u}">{text}</a>' for u, text in [*NAMED_LOGOUT.items(), ("/about", "About")])
            self.send_html(f'<meta charset="utf-8"><title>t</title><main>{links}</main>'.encode())

    with serve_on("127.0.0.1", Site) as base:
        run = run_qa("audit", base, "--browser", "chromium", *ONE_CELL, "--only", "links", out=tmp_path / "a")
    assert run.code in (0, 1), run.stderr
    assert "/about" in Site.requested and not set(NAMED_LOGOUT) & set(Site.requested), Site.requested
    skipped = run.results["discovery"]["skipped"]
    assert all(skipped.get(base.rstrip("/") + u, "").startswith("unsafe link") for u in NAMED_LOGOUT), skipped
    rows = [r for r in run.results["links"] if r["text"] in NAMED_LOGOUT.values()]
    assert len({r["url"] for r in rows}) == len(NAMED_LOGOUT)
    assert all(r["result"] == "ignored" and "unsafe" in r["reason"] for r in rows)


# --- 6: TLS -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A test CA and certificates for 127.0.0.1: good, expired, for another host, expiring in 10 days."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qa test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))

    def leaf(name: str, ip: str, start: datetime.datetime, end: datetime.datetime) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        pem = cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        (folder / f"{name}.pem").write_bytes(pem)

    day = datetime.timedelta(days=1)
    leaf("good", "127.0.0.1", now - day, now + 200 * day)
    leaf("expired", "127.0.0.1", now - 100 * day, now - day)
    leaf("wrong-host", "127.0.0.9", now - day, now + 200 * day)
    leaf("expiring", "127.0.0.1", now - day, now + 10 * day)
    return {p.stem: p for p in folder.glob("*.pem")}


def server_tls(pem: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    return context


class Protected(PageHandler):
    seen: list[dict] = []

    def do_GET(self) -> None:
        Protected.seen.append({k.lower(): v for k, v in self.headers.items()})
        self.send_html(b"<title>tls</title><main><h1>tls</h1></main>")


def tls_config(tmp_path: Path, **tls: object) -> Path:
    config = tmp_path / "qa.yaml"
    config.write_text(json.dumps({"tls": tls, "links": {"enabled": False}}), encoding="utf-8")
    return config


def test_an_untrusted_certificate_stops_the_run_before_anything_is_sent(tmp_path, pki) -> None:
    Protected.seen = []
    with serve_on("127.0.0.1", Protected, server_tls(pki["good"])) as base:
        env = {"QA_BASIC_USER": BASIC[0], "QA_BASIC_PASSWORD": BASIC[1]}
        run = run_qa("audit", base, "--browser", "chromium", *ONE_CELL, out=tmp_path, env=env)
    assert run.code == 3 and run.stderr.count("\n") == 1, run.stderr
    assert "tls.ca_bundle" in run.stderr and "tls.insecure" in run.stderr
    assert Protected.seen == []  # not even a request without credentials


@pytest.mark.parametrize("browser", ["chromium", "firefox", "webkit"])
def test_the_staging_ca_is_trusted_through_the_ca_bundle(tmp_path, pki, browser: str) -> None:
    with serve_on("127.0.0.1", Protected, server_tls(pki["good"])) as base:
        config = tls_config(tmp_path, ca_bundle=str(pki["ca"]))
        run = run_qa("audit", base, "--config", str(config), "--browser", browser, *ONE_CELL, out=tmp_path / "o")
    assert run.code in (0, 1), run.stderr
    assert [(p["status"], p["error"]) for p in run.results["pages"]] == [(200, "")]
    assert not [f for f in run.results["findings"] if f["rule"] == "tls-certificate"]


@pytest.mark.parametrize(
    ("cert", "insecure", "problem"),
    [
        ("expired", True, "expired"),
        ("wrong-host", True, "mismatch"),
        ("expiring", False, "expires in"),
    ],
)
def test_certificate_problems_are_findings(tmp_path, pki, cert: str, insecure: bool, problem: str) -> None:
    with serve_on("127.0.0.1", Protected, server_tls(pki[cert])) as base:
        config = tls_config(tmp_path, ca_bundle=str(pki["ca"]), insecure=insecure)
        run = run_qa("audit", base, "--config", str(config), "--browser", "chromium", *ONE_CELL, out=tmp_path / "o")
    assert run.code in (0, 1), run.stderr
    assert [p["status"] for p in run.results["pages"]] == [200]
    found = [f for f in run.results["findings"] if f["rule"] == "tls-certificate"]
    assert len(found) == 1 and found[0]["outcome"] == "violation" and found[0]["sc"] == []
    assert problem in found[0]["message"].lower()
    notes = " ".join(run.results["run"]["notes"])
    assert ("TLS not verified" in notes) == insecure
