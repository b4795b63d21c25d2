"""The link check and the finished-site sitemap against sites served on loopback, with the real qa command,
a real browser and real LinkChecker: each seeded defect is found, and nothing else is reported."""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.conftest import SITES, QARun, run_qa

QA_UA = "qa-suite"  # the suite's own requests (LinkChecker's too) carry this User-Agent; the browser's do not


@dataclass
class Served:
    origin: str
    requests: list[tuple[str, str, str, float]] = field(default_factory=list)  # method, path, user agent, time


class Handler(SimpleHTTPRequestHandler):
    """Static files plus what a static server cannot do: a redirect chain and one 429 with Retry-After."""

    served: Served
    values: dict[str, str]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _record(self) -> None:
        self.served.requests.append((self.command, self.path, self.headers.get("User-Agent", ""), time.monotonic()))

    def do_GET(self) -> None:
        self._record()
        if self._special():
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        self._record()
        if self._special():
            return
        super().do_HEAD()

    def _special(self) -> bool:
        redirects = {"/old": (301, "/older"), "/older": (302, "/target.html")}
        if self.path in redirects:
            code, location = redirects[self.path]
            self.send_response(code)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if self.path == "/busy.html" and QA_UA in self.headers.get("User-Agent", ""):
            first = sum(1 for m, p, ua, _ in self.served.requests if p == "/busy.html" and QA_UA in ua) == 1
            if first:
                self.send_response(429)
                self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.endswith("/"):
            path = os.path.join(path, "index.html")
        if path.endswith(".html") and os.path.isfile(path):
            body = Path(path).read_text(encoding="utf-8")
            for key, value in self.values.items():
                body = body.replace("{" + key + "}", value)
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(data)
            return True
        return False


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    """The plain-http test site and an https one (certificate generated here) that links back to it."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the test certificate")
    certs = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(certs / "key.pem"),
            "-out",
            str(certs / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    started, out = [], {}
    values = {"CLOSED_PORT": str(closed_port())}
    for name, tls in (("links", False), ("links-tls", True)):
        served = Served("")
        handler = type(f"{name}Handler", (Handler,), {"served": served, "values": values})
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(SITES / name)))
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certs / "cert.pem", certs / "key.pem")
            server.socket = ctx.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        served.origin = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
        started.append(server)
        out[name] = served
    values["HTTP_ORIGIN"] = out["links"].origin
    out["links-tls"].ca_bundle = str(certs / "cert.pem")  # self-signed: its own CA (tls.ca_bundle)
    yield out
    for server in started:
        server.shutdown()
        server.server_close()


PLAN_CSV = """No.,第1階層,第2階層,ページタイトル,URL
1,トップ,,Links test,/
2,,Good page,Good page,/good.html
3,,Script page,A different planned title,/js.html
4,,Planned but never built,Planned page,/planned-only.html
"""


@pytest.fixture(scope="module")
def links_run(servers: dict[str, Served], tmp_path_factory: pytest.TempPathFactory) -> QARun:
    out = tmp_path_factory.mktemp("links-run")
    plan = out / "plan.csv"
    plan.write_text(PLAN_CSV, encoding="utf-8")
    return run_qa(
        "audit",
        servers["links"].origin + "/",
        "--only",
        "links",
        "--own-host",
        "127.0.0.1",
        "--planned-sitemap",
        str(plan),
        out=out,
    )


def problems(run: QARun, origin: str) -> set[tuple[str, str, str, str]]:
    """(source path, URL path or URL, result, issues) of every row that is not OK."""
    found = set()
    for row in run.results["links"]:
        if row["result"] == "ok":
            continue
        url = row["url"].removeprefix(origin)
        found.add((row["source"].removeprefix(origin), url, row["result"], ",".join(row["issues"])))
    return found


def test_each_link_defect_is_found_and_nothing_else(links_run: QARun, servers: dict[str, Served]) -> None:
    assert links_run.code in (0, 1), links_run.stderr
    closed = next(r["url"] for r in links_run.results["links"] if r["text"] == "Partner site")
    assert problems(links_run, servers["links"].origin) == {
        ("/", "/missing.html", "broken", "http-error"),
        ("/", "/img/missing@2x.png", "broken", "http-error"),
        ("/", "/good.html#nowhere", "warning", "missing-anchor"),
        ("/", "/old", "info", "redirect"),  # a redirect to a working page is information, with its chain
        ("/", closed, "broken", "unreachable"),
        ("/js.html", "/added-by-script.html", "broken", "http-error"),
    }


def row_for(run: QARun, origin: str, url: str) -> dict:
    return next(r for r in run.results["links"] if r["url"] == origin + url)


def test_broken_rows_carry_source_text_element_status_and_reason(links_run: QARun, servers: dict[str, Served]) -> None:
    origin = servers["links"].origin
    row = row_for(links_run, origin, "/missing.html")
    assert (row["source"], row["text"], row["element"], row["status"]) == (
        origin + "/",
        "A page that does not exist",
        "a",
        404,
    )
    assert "404" in row["reason"] and row["internal"] is True
    img = row_for(links_run, origin, "/img/missing@2x.png")
    assert (img["element"], img["text"], img["status"]) == ("img srcset", "Harbour at dawn", 404)
    closed = next(r for r in links_run.results["links"] if r["text"] == "Partner site")
    assert closed["internal"] is False and closed["status"] is None and "connection refused" in closed["reason"]


def test_redirect_chain_is_recorded_hop_by_hop(links_run: QARun, servers: dict[str, Served]) -> None:
    origin = servers["links"].origin
    row = row_for(links_run, origin, "/old")
    assert row["redirects"] == [
        {"url": origin + "/old", "status": 301},
        {"url": origin + "/older", "status": 302},
        {"url": origin + "/target.html", "status": 200},
    ]
    assert row["status"] == 200


def test_javascript_anchor_and_link_come_from_the_rendered_dom(links_run: QARun, servers: dict[str, Served]) -> None:
    origin = servers["links"].origin
    assert row_for(links_run, origin, "/js.html#late")["result"] == "ok"
    added = row_for(links_run, origin, "/added-by-script.html")
    assert added["source"] == origin + "/js.html" and added["text"] == "A link only JavaScript adds"


def test_css_url_and_stylesheet_are_checked(links_run: QARun, servers: dict[str, Served]) -> None:
    origin = servers["links"].origin
    bg = row_for(links_run, origin, "/img/bg.png")
    assert (bg["element"], bg["source"], bg["result"]) == ("css url()", origin + "/css/site.css", "ok")
    assert row_for(links_run, origin, "/css/site.css")["element"] == "link stylesheet"


def test_retry_after_is_waited_for_then_the_link_is_ok(
    links_run: QARun, servers: dict[str, Served], tmp_path: Path
) -> None:
    import asyncio

    from qa.links.engine import EngineSecrets, EngineSettings, check_urls
    from qa.net import USER_AGENT

    row = row_for(links_run, servers["links"].origin, "/busy.html")
    assert row["result"] == "ok" and row["status"] == 200  # the crawl loaded it: the audit asks no more
    url = servers["links"].origin + "/busy.html"
    (tmp_path / "t.jsonl").write_text(json.dumps({"key": url, "url": url}) + "\n")
    settings = EngineSettings(site_origin=servers["links"].origin, own_hosts=["127.0.0.1"], user_agent=USER_AGENT)
    asyncio.run(check_urls(tmp_path / "t.jsonl", tmp_path / "c.jsonl", settings, EngineSecrets()))
    checked = json.loads((tmp_path / "c.jsonl").read_text(encoding="utf-8"))
    assert checked["status"] == 200 and checked["retries"] == 1
    hits = [t for m, p, ua, t in servers["links"].requests if p == "/busy.html" and QA_UA in ua]
    assert len(hits) == 2 and hits[1] - hits[0] >= 0.9  # Retry-After: 1 was honoured, not hammered


def test_mailto_and_tel_are_checked_by_syntax_only(links_run: QARun) -> None:
    rows = [r for r in links_run.results["links"] if r["url"].startswith(("mailto:", "tel:"))]
    assert {r["result"] for r in rows} == {"ok"} and len(rows) == 2


def test_each_url_requested_once_with_get_or_head_only(links_run: QARun, servers: dict[str, Served]) -> None:
    requests = servers["links"].requests
    assert {m for m, *_ in requests} <= {"GET", "HEAD"}
    by_link_check = [p for m, p, ua, _ in requests if QA_UA in ua and p not in ("/", "/robots.txt", "/sitemap.xml")]
    repeated = {p for p in by_link_check if by_link_check.count(p) > 1} - {"/busy.html"}
    assert not repeated, f"requested more than once: {repeated}"
    # linked three times (nav, #section, #nowhere), and the crawl loaded it: its answer is known, no request
    assert by_link_check.count("/good.html") == 0


def test_broken_internal_links_become_findings_for_the_gate(links_run: QARun, servers: dict[str, Served]) -> None:
    origin = servers["links"].origin
    findings = [f for f in links_run.results["findings"] if f["rule"] == "broken-link"]
    assert {f["details"]["link"].removeprefix(origin) for f in findings} == {
        "/missing.html",
        "/img/missing@2x.png",
        "/added-by-script.html",
    }
    assert all(f["sc"] == [] and f["outcome"] == "violation" for f in findings)
    summary = links_run.results["link_check"]
    assert summary["broken_internal"] == 3 and summary["broken_external"] == 1
    assert summary["counts"]["warning"] == 1 and summary["counts"]["info"] == 1  # the redirect is information
    assert summary["engine"] == "LinkChecker 10.6.0"


def test_link_check_workbook_lists_broken_links_and_warnings(links_run: QARun) -> None:
    wb = load_workbook(links_run.run_dir / "link-check.xlsx")
    assert wb.sheetnames == ["概要", "リンク切れ", "警告", "情報", "全リンク"]
    broken = list(wb["リンク切れ"].iter_rows(min_row=2, values_only=True))
    assert len(broken) == 4 and {r[2] for r in broken} >= {"A page that does not exist", "Harbour at dawn"}
    kinds = {r[1] for r in wb["警告"].iter_rows(min_row=2, values_only=True)}
    assert kinds == {"ページ内リンク先なし"}
    info = list(wb["情報"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[6], r[7].count("→")) for r in info] == [
        ("リダイレクト", links_run.results["run"]["start_url"].rstrip("/") + "/target.html", 2)
    ]  # where to update the link to, and the chain it went through
    assert wb["全リンク"].max_row - 1 == len(links_run.results["links"])
    assert wb["リンク切れ"].page_setup.orientation == "landscape"


def test_planned_sitemap_differences(links_run: QARun, servers: dict[str, Served]) -> None:
    origin = servers["links"].origin
    wb = load_workbook(links_run.run_dir / "sitemap.xlsx")
    diff = {
        (r[1], r[2] or "", r[3] or "", (r[5] or "").removeprefix(origin))
        for r in wb["計画との差分"].iter_rows(min_row=2, values_only=True)
    }
    assert diff == {
        ("計画にあるが存在しない", "Planned page", "", ""),
        ("タイトルが異なる", "A different planned title", "Script page | Links test", "/js.html"),
        ("計画にないページ", "", "Target | Links test", "/target.html"),
        ("計画にないページ", "", "Busy | Links test", "/busy.html"),
    }


def test_sitemap_tree_and_sitemap_xml(links_run: QARun, servers: dict[str, Served]) -> None:
    origin = servers["links"].origin
    wb = load_workbook(links_run.run_dir / "sitemap.xlsx")
    nav = [(r[1], r[3].removeprefix(origin), r[5]) for r in wb["ナビゲーション"].iter_rows(min_row=2, values_only=True)]
    assert nav[0] == (1, "/", "トップ")
    assert (2, "/good.html", "ページ") in nav
    # a 404 is no page of the finished site: listed once, apart, with its reason (issue: "never as site pages")
    assert all(url != "/missing.html" for _, url, _ in nav)
    exceptions = [r for r in wb["例外事項"].iter_rows(min_row=2, values_only=True)]
    assert any(str(r[1]).endswith("/missing.html") and r[2] == 404 for r in exceptions), exceptions
    xml = (links_run.run_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{origin}/good.html</loc>" in xml and "missing.html" not in xml


def test_https_page_with_http_resource_and_link(servers: dict[str, Served], tmp_path: Path) -> None:
    tls = servers["links-tls"].origin
    config = tmp_path / "qa.yaml"  # the certificate is verified: the test's own CA is given, as a user would
    config.write_text(f"tls:\n  ca_bundle: {servers['links-tls'].ca_bundle}\n", encoding="utf-8")
    run = run_qa(
        "audit", tls + "/", "--config", str(config), "--only", "links", "--own-host", "127.0.0.1", out=tmp_path
    )
    assert run.code in (0, 1), run.stderr
    http = servers["links"].origin
    assert problems(run, tls) == {
        ("/", f"{http}/img/ok.png", "warning", "mixed-content"),
        ("/", f"{http}/good.html", "warning", "insecure-link"),
    }


def test_unreadable_planned_sitemap_is_one_line_error(tmp_path: Path, servers: dict[str, Served]) -> None:
    bad = tmp_path / "plan.csv"
    bad.write_text("just,words\nno,urls\n", encoding="utf-8")
    run = run_qa("audit", servers["links"].origin + "/", "--planned-sitemap", str(bad), out=tmp_path)
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0 and "no column of URLs" in run.stderr


def test_external_links_off_and_excluded_urls_never_requested(servers: dict[str, Served], tmp_path: Path) -> None:
    before = len(servers["links"].requests)
    run = run_qa(
        "audit",
        servers["links"].origin + "/",
        "--only",
        "links",
        "--own-host",
        "127.0.0.1",
        "--no-external-links",
        "--exclude",
        "busy",
        out=tmp_path,
    )
    partner = next(r for r in run.results["links"] if r["text"] == "Partner site")
    assert partner["result"] == "ignored" and "external" in partner["reason"]
    busy = row_for(run, servers["links"].origin, "/busy.html")
    assert busy["result"] == "ignored" and "never requested" in busy["reason"]
    assert not [p for _, p, _, _ in servers["links"].requests[before:] if p == "/busy.html"]


def test_planned_sitemap_from_xlsx_with_hierarchy_columns(tmp_path: Path) -> None:
    from qa.discover.planned import read_planned

    wb = Workbook()
    ws = wb.active
    ws.append(["サイトマップ（計画）"])
    ws.append(["No.", "第1階層", "第2階層", "URL", "備考"])
    ws.append([1, "トップページ", None, "https://www.city.example.jp/", None])
    ws.append([2, None, "企業立地", "https://www.city.example.jp/invest/index.html", "新規"])
    ws.append([3, None, None, None, "空行"])
    wb.save(tmp_path / "plan.xlsx")
    plan = read_planned(tmp_path / "plan.xlsx")
    assert [(p["title"], p["path"], p["row"]) for p in plan["pages"]] == [
        ("トップページ", "/", 3),
        ("企業立地", "/invest", 4),
    ]


def test_planned_sitemap_csv_saved_by_japanese_excel(tmp_path: Path) -> None:
    from qa.discover.planned import read_planned

    (tmp_path / "plan.csv").write_bytes("ページ名,アドレス\nお知らせ,/news/\n".encode("cp932"))
    assert read_planned(tmp_path / "plan.csv")["pages"] == [
        {"title": "お知らせ", "url": "/news/", "path": "/news", "row": 2}
    ]


@pytest.mark.parametrize(
    ("url", "bad"),
    [
        ("mailto:invest@example.jp", False),
        ("mailto:a@example.jp,b@example.jp?subject=%E8%B3%87%E6%96%99", False),
        ("mailto:?to=info@example.jp", False),
        ("mailto:?subject=share&body=https%3A%2F%2Fexample.jp%2F", False),  # the reader picks the recipient
        ("mailto:invest@example", True),
        ("mailto:invest.example.jp", True),
        ("mailto:", True),
        ("tel:+81-3-1234-5678", False),
        ("tel:03-1234-5678", False),
        ("tel:(03)1234-5678;ext=12", False),
        ("tel:03-1234-567O", True),
        ("tel:", True),
    ],
)
def test_mailto_and_tel_syntax(url: str, bad: bool) -> None:
    from qa.links.syntax import mailto_problem, tel_problem

    problem = mailto_problem(url) if url.startswith("mailto:") else tel_problem(url)
    assert bool(problem) is bad, problem


def test_staging_access_reaches_the_site_and_never_other_hosts(tmp_path: Path) -> None:
    """Basic auth, headers and cookies go to the site under test only; nothing secret is written out."""
    import asyncio
    import base64

    from qa.links.engine import EngineSecrets, EngineSettings, check_urls

    seen: dict[str, list[dict[str, str]]] = {"site": [], "other": []}

    def handler_for(name: str, protected: bool) -> type:
        class Auth(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:
                seen[name].append(dict(self.headers))
                expected = "Basic " + base64.b64encode(b"staff:s3cret").decode()
                if protected and self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="staging"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        return Auth

    servers = []
    for name, protected in (("site", True), ("other", False)):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(name, protected))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    site, other = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
    try:
        targets = tmp_path / "targets.jsonl"
        targets.write_text(
            "".join(json.dumps({"key": u, "url": u}) + "\n" for u in (site + "/private.txt", other + "/public.txt"))
        )
        secrets = EngineSecrets(("staff", "s3cret"), {"X-Staging-Token": "tok-123"}, {"session": "abc"})
        settings = EngineSettings(site_origin=site, own_hosts=["127.0.0.1"])
        asyncio.run(check_urls(targets, tmp_path / "checked.jsonl", settings, secrets))
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    out = (tmp_path / "checked.jsonl").read_text(encoding="utf-8")
    rows = {json.loads(line)["key"]: json.loads(line) for line in out.splitlines()}
    assert rows[site + "/private.txt"]["status"] == 200 and rows[other + "/public.txt"]["status"] == 200
    assert seen["site"][-1]["X-Staging-Token"] == "tok-123" and "session=abc" in seen["site"][-1]["Cookie"]
    assert seen["other"] and all(
        "Authorization" not in h and "X-Staging-Token" not in h and "Cookie" not in h for h in seen["other"]
    )
    for secret in ("s3cret", "tok-123", "abc"):
        assert secret not in out


def test_credentials_in_a_link_are_redacted(tmp_path: Path) -> None:
    from qa.links.join import judge_occurrence

    occ = {"source": "https://staging.example.jp/", "url": "https://user:pw@files.example.jp/a.pdf", "element": "a"}
    row = judge_occurrence(occ, "https://staging.example.jp", False, [], {}, {})
    assert "pw" not in json.dumps(row) and row["url"] == "https://***@files.example.jp/a.pdf"


def test_hosts_not_declared_own_get_linkcheckers_polite_spacing(servers: dict[str, Served], tmp_path: Path) -> None:
    """Without --own-host, requests to one host are spaced by LinkChecker's 0.1–0.6 s, one after another."""
    import asyncio

    from qa.links.engine import EngineSecrets, EngineSettings, check_urls

    origin = servers["links"].origin
    urls = [f"{origin}/good.html?polite={i}" for i in range(5)]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps({"key": u, "url": u}) + "\n" for u in urls))
    asyncio.run(
        check_urls(tmp_path / "t.jsonl", tmp_path / "c.jsonl", EngineSettings(site_origin=origin), EngineSecrets())
    )
    times = sorted(t for m, p, ua, t in servers["links"].requests if "polite=" in p)
    assert len(times) == 5
    assert all(b - a >= 0.09 for a, b in zip(times, times[1:], strict=False))


def test_timeouts_are_retried_then_broken_and_503_retry_after_is_honoured(tmp_path: Path) -> None:
    import asyncio

    from qa.links.engine import EngineSecrets, EngineSettings, check_urls

    hits: list[str] = []

    class Flaky(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path == "/slow":
                time.sleep(3)
            if self.path == "/unavailable" and hits.count("/unavailable") == 1:
                self.send_response(503)
                self.send_header("Retry-After", "1")
            else:
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        urls = [origin + "/slow", origin + "/unavailable"]
        (tmp_path / "t.jsonl").write_text("".join(json.dumps({"key": u, "url": u}) + "\n" for u in urls))
        settings = EngineSettings(site_origin=origin, own_hosts=["127.0.0.1"], timeout=0.5, retries=1)
        asyncio.run(check_urls(tmp_path / "t.jsonl", tmp_path / "c.jsonl", settings, EngineSecrets()))
    finally:
        server.shutdown()
        server.server_close()
    rows = {r["key"]: r for r in map(json.loads, (tmp_path / "c.jsonl").read_text().splitlines())}
    slow, unavailable = rows[origin + "/slow"], rows[origin + "/unavailable"]
    assert not slow["valid"] and slow["error"] == "timed out" and slow["retries"] == 1 and hits.count("/slow") == 2
    assert unavailable["status"] == 200 and unavailable["retries"] == 1 and unavailable["waited"] == 1


def test_qa_report_rebuilds_link_and_sitemap_deliverables_from_results_alone(links_run: QARun, tmp_path: Path) -> None:
    run_dir = tmp_path / "copy"
    run_dir.mkdir()
    shutil.copy(links_run.run_dir / "results.json", run_dir)  # results.json alone: no site, no plan file
    rebuilt = run_qa("report", str(run_dir))
    assert rebuilt.code == 0, rebuilt.stderr
    for name in ("link-check.xlsx", "sitemap.xlsx", "sitemap.xml"):
        assert (run_dir / name).is_file()
    assert "計画との差分" in load_workbook(run_dir / "sitemap.xlsx").sheetnames
