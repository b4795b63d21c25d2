"""The tls family (HTTPS and certificate): real TLS servers on loopback with a test CA made in the test
(tests/test_trust.py's ``pki``), scanned by ``qa audit``; what a user reads: results.json, the exit code with
``--fail-on tls-problems``, prepublish-check.xlsx and the operation sheet."""

from __future__ import annotations

import json
import ssl
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import PageHandler, run_qa, serve_handler
from tests.test_trust import pki, serve_on, server_tls  # noqa: F401 (pki: the test CA fixture)

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")
YEAR = 31_536_000


def site_handler(body: bytes, headers: dict[str, str]) -> type[PageHandler]:
    class Site(PageHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/img.png"):
                self.send_response(404)
                self.end_headers()
                return
            self.send_html(body, headers=headers)

    return Site


def redirecting_to(target: str) -> type[PageHandler]:
    class Redirect(PageHandler):
        def do_GET(self) -> None:
            self.send_html(b"", 301, {"Location": target})

    return Redirect


class Plain(PageHandler):
    """The http form of a site that does not redirect: it serves the page over http too."""

    def do_GET(self) -> None:
        self.send_html(b"<title>plain</title><main><h1>plain</h1></main>")


def legacy_tls(pem: Path) -> ssl.SSLContext:
    """A server still offering TLS 1.0 / 1.1 and every cipher OpenSSL has, anonymous ones included."""
    context = server_tls(pem)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def openssl_offers_tls10() -> bool:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
            context.set_ciphers("ALL:@SECLEVEL=0")
        except (ValueError, ssl.SSLError):
            return False
    return True


@contextmanager
def https_site(
    pem: Path, body: bytes, headers: dict[str, str], redirect: bool | None, tls: ssl.SSLContext | None = None
) -> Iterator[tuple[str, str | None]]:
    """(https base, the http form: a server redirecting to the site, one serving it plainly, or none)."""
    with ExitStack() as stack:
        base = stack.enter_context(serve_on("127.0.0.1", site_handler(body, headers), tls or server_tls(pem)))
        http = None
        if redirect is not None:
            http = stack.enter_context(serve_handler(redirecting_to(base) if redirect else Plain))
        yield base, http


def audit(tmp_path: Path, base: str, *extra: str, claim: dict | None = None, **tls: object):  # noqa: ANN201
    tmp_path.mkdir(exist_ok=True)
    config = tmp_path / "qa.yaml"
    settings = {"tls": tls, "links": {"enabled": False}, **({"claim": claim} if claim else {})}
    config.write_text(json.dumps(settings), encoding="utf-8")
    return run_qa("audit", base, "--config", str(config), *ONE_CELL, *extra, out=tmp_path / "out")


def tls_findings(results: dict) -> list[dict]:
    return [f for f in results["findings"] if f["check"] == "tls"]


def sheet(path: Path, name: str) -> list[dict]:
    rows = list(load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def summary_row(path: Path, family: str) -> tuple:
    rows = list(load_workbook(path)["概要"].iter_rows(values_only=True))
    return next(r for r in rows if r[0] == family)


CLEAN = b"""<!doctype html><html lang="en"><title>Clean</title><main><h1>Clean</h1>
<p><a href="/about">About</a> <a href="https://127.0.0.1/other">secure link</a></p></main></html>"""


def test_a_sound_https_site_has_nothing_found_and_the_certificate_listed(tmp_path: Path, pki) -> None:  # noqa: F811
    hsts = {"Strict-Transport-Security": f"max-age={2 * YEAR}; includeSubDomains"}
    with https_site(pki["good"], CLEAN, hsts, redirect=True) as (base, http):
        run = audit(
            tmp_path, base, "--only", "tls", "--fail-on", "tls-problems", ca_bundle=str(pki["ca"]), http_url=http
        )
    assert run.code == 0, run.stderr + run.stdout
    results = run.results
    assert tls_findings(results) == []
    assert results["inventory"]["families"]["tls"]["ran"] is True
    assert results["judgement"]["gate"]["counts"].get("tls-problems", 0) == 0
    [cert] = results["tls-certificates"]
    assert cert["origin"] == base.rstrip("/") and "qa test CA" in cert["issuer"] and cert["host_match"] is True
    assert (
        195 <= cert["days_left"] <= 200 and "staging CA only" in cert["trust"]["en"]
    )  # a private CA: said, not failed
    assert "TLSv1.0 not offered" in cert["protocols"]["en"] and "TLSv1.2 offered" in cert["protocols"]["en"]
    assert cert["http_redirect"]["en"].startswith("301 → https://") and str(2 * YEAR) in cert["hsts"]["en"]
    book = run.run_dir / "prepublish-check.xlsx"
    assert summary_row(book, "HTTPS・証明書")[1:5] == ("実施", 0, 0, 0)
    assert summary_row(book, "セキュリティ")[1] == "未実施"  # not OK, not 0: that family did not run
    [row] = sheet(book, "証明書・TLS")
    assert row["オリジン"] == cert["origin"] and row["残り日数"] == cert["days_left"]
    assert (
        row["信頼"] == cert["trust"]["ja"]
        and row["ホスト名一致"] == "はい"
        and "TLSv1.0 なし" in row["提供するプロトコル"]
    )
    assert sheet(book, "指摘 HTTPS・証明書")[0]["ページURL"] == "指摘なし"
    ops = {r["ID"]: r for r in sheet(run.run_dir / "operation-check.xlsx", "検証完了チェックシート")}
    assert ops["prepublish-tls"]["結果"] == "OK" and ops["prepublish-security"]["結果"] == "未確認"
    assert "prepublish-check.xlsx" in (run.run_dir / "INDEX.md").read_text(encoding="utf-8")


# A realistic page: an http image from another host (mixed content), an http link into the site, one outside.
MIXED = b"""<!doctype html><html lang="ja"><title>Mixed</title><main><h1>Mixed</h1>
<img src="http://127.0.0.2:9/banner.png" alt="banner">
<p><a href="http://127.0.0.1/old-page">old page</a> <a href="http://example.test/partner">partner</a></p>
</main></html>"""


def test_legacy_protocols_weak_ciphers_no_hsts_no_redirect_and_mixed_content_are_found(tmp_path: Path, pki) -> None:  # noqa: F811
    if not openssl_offers_tls10():
        pytest.skip("this system's OpenSSL cannot offer TLS 1.0 at all (a capability limit of the test machine)")
    with https_site(pki["good"], MIXED, {}, redirect=False, tls=legacy_tls(pki["good"])) as (base, http):
        run = audit(
            tmp_path, base, "--only", "tls", "--fail-on", "tls-problems", ca_bundle=str(pki["ca"]), http_url=http
        )
    assert run.code == 1, run.stderr + run.stdout
    found = {f["rule"]: f for f in tls_findings(run.results)}
    assert set(found) == {
        "tls-legacy-protocol",
        "tls-weak-cipher",
        "tls-hsts",
        "tls-http-redirect",
        "tls-mixed-content",
        "tls-http-link",
        "tls-external-http-link",
    }, found
    assert found["tls-legacy-protocol"]["details"]["protocols"] == "TLSv1.0, TLSv1.1"
    assert (
        found["tls-hsts"]["outcome"] == "violation" and "no Strict-Transport-Security" in found["tls-hsts"]["message"]
    )
    assert found["tls-http-redirect"]["details"]["result"] == "HTTP 200"
    assert found["tls-mixed-content"]["details"]["urls"] == ["http://127.0.0.2:9/banner.png"]
    assert found["tls-http-link"]["details"]["urls"] == ["http://127.0.0.1/old-page"]
    assert found["tls-external-http-link"]["outcome"] == "needs-review"
    gate = run.results["judgement"]["gate"]
    assert gate["counts"]["tls-problems"] == 6 and any(r.startswith("tls-problems: 6") for r in gate["reasons"])
    book = run.run_dir / "prepublish-check.xlsx"
    assert summary_row(book, "HTTPS・証明書")[1:4] == ("実施", 6, 1)
    rows = sheet(book, "指摘 HTTPS・証明書")
    legacy = next(r for r in rows if r["ルール"] == "tls-legacy-protocol")
    assert legacy["判定"] == "違反" and "TLSv1.0, TLSv1.1" in legacy["内容"] and "TLS 1.2" in legacy["修正方法"]
    urls = {r["http の URL"] for r in sheet(book, "httpのURL")}
    assert {"http://127.0.0.2:9/banner.png", "http://127.0.0.1/old-page", "http://example.test/partner"} <= urls
    ops = {r["ID"]: r for r in sheet(run.run_dir / "operation-check.xlsx", "検証完了チェックシート")}
    assert ops["prepublish-tls"]["結果"] == "NG" and "tls-legacy-protocol" in ops["prepublish-tls"]["根拠・備考"]


@pytest.mark.parametrize(
    ("cert", "insecure", "problem", "days"),
    [
        ("expired", True, "expired", (-2, -1)),
        ("wrong-host", True, "mismatch", (195, 200)),
        ("expiring", False, "expires in", (8, 10)),
    ],
)
def test_a_certificate_problem_is_one_finding_with_its_details_listed(
    tmp_path: Path,
    pki,  # noqa: F811
    cert: str,
    insecure: bool,
    problem: str,
    days: tuple[int, int],
) -> None:
    hsts = {"Strict-Transport-Security": f"max-age={YEAR}"}
    with https_site(pki[cert], CLEAN, hsts, redirect=True) as (base, http):
        run = audit(tmp_path, base, "--only", "tls", ca_bundle=str(pki["ca"]), insecure=insecure, http_url=http)
    assert run.code in (0, 1), run.stderr
    found = tls_findings(run.results)
    assert [f["rule"] for f in found] == ["tls-certificate"], found  # recorded once, before the crawl
    assert problem in found[0]["message"].lower() and found[0]["outcome"] == "violation"
    [row] = run.results["tls-certificates"]
    assert days[0] <= row["days_left"] <= days[1]
    assert row["host_match"] is (cert != "wrong-host")
    assert run.results["judgement"]["gate"]["counts"]["tls-problems"] == 1


@pytest.mark.parametrize("claim", [None, "https://www.example.jp/"])
def test_an_http_only_site_is_one_not_over_https_finding(tmp_path: Path, claim: str | None) -> None:
    """Once, not per page; on a staging host (claim.site_url names the public one) it is for production to show."""
    pages = {
        "/": b'<title>Home</title><main><h1>Home</h1><a href="/a">a</a> <a href="/b">b</a></main>',
        "/a": b"<title>A</title><main><h1>A</h1></main>",
        "/b": b'<title>B</title><main><h1>B</h1><img src="/logo.png" alt="logo"></main>',
    }

    class Site(PageHandler):
        def do_GET(self) -> None:
            self.send_html(pages.get(self.path, b"<title>x</title>"), 200 if self.path in pages else 404)

    with serve_handler(Site) as base:
        run = audit(tmp_path, base, "--only", "tls", claim={"site_url": claim} if claim else {})
    assert run.code in (0, 1), run.stderr
    found = tls_findings(run.results)
    assert [f["rule"] for f in found] == ["tls-not-https"], found
    assert found[0]["details"]["pages"] == 3
    if claim:
        assert found[0]["outcome"] == "needs-review" and "production" in found[0]["message"]
    else:
        assert found[0]["outcome"] == "violation"
    book = run.run_dir / "prepublish-check.xlsx"
    assert summary_row(book, "HTTPS・証明書")[1:4] == (("実施", 0, 1) if claim else ("実施", 1, 0))
    assert summary_row(book, "SEO（検索エンジン最適化）")[1] == "未実施"


def test_a_short_hsts_max_age_is_a_finding_and_on_staging_it_is_for_production_to_show(tmp_path: Path, pki) -> None:  # noqa: F811
    with https_site(pki["good"], CLEAN, {"Strict-Transport-Security": "max-age=300"}, redirect=True) as (base, http):
        run = audit(tmp_path / "a", base, "--only", "tls", ca_bundle=str(pki["ca"]), http_url=http)
        staging = audit(
            tmp_path / "b",
            base,
            "--only",
            "tls",
            claim={"site_url": "https://www.example.jp/"},
            ca_bundle=str(pki["ca"]),
            http_url=http,
        )
    [found] = tls_findings(run.results)
    assert found["rule"] == "tls-hsts" and found["outcome"] == "violation"
    assert "max-age=300 is shorter than one year" in found["message"]
    assert "1 年" in sheet(run.run_dir / "prepublish-check.xlsx", "指摘 HTTPS・証明書")[0]["内容"]
    assert [(f["rule"], f["outcome"]) for f in tls_findings(staging.results)] == [("tls-hsts", "needs-review")]
