"""HTTPS and certificate (family ``tls``): after the crawl, a TLS scan of the site's https origin(s) and what the
pages linked and loaded over http.

Per origin (the start URL's, and the other https origins of the site: ``access.origins`` and where its pages
ended up): the certificate (trusted through the system's CAs or only through ``tls.ca_bundle``, host name,
expiry, a warning within 30 days), the protocol versions offered (TLS 1.0 / 1.1 are findings) and whether a
weak cipher (NULL, anonymous, EXPORT, DES, 3DES, RC4, MD5) is accepted; the http:// form of the start URL must
redirect to https; HSTS must be sent with a max-age of a year or more. On the pages (primary cell): own-site
links and resources over http, and mixed content (http resources on an https page).

The scan is Python's ssl (OpenSSL) handshakes with the certificate read by ``cryptography``: SSLyze, the library
made for this, pins a ``cryptography`` older than the one this project is locked to. A handshake only, nothing
sent; the suite's own two requests (the http form, one GET of the start URL for HSTS) are plain GETs.

An http-only site is one finding ("not over HTTPS"), not one per page. On a staging host (``claim.site_url``
names another host), what only production can show (a publicly trusted chain, HSTS, the http:// redirect when
the http form does not answer) is needs-review saying so, not a violation. The certificate problem of the start
origin is the one recorded before the crawl (rule ``tls-certificate``, qa.run.entry): not repeated here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import re
import socket
import ssl
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from qa.access import Tls
from qa.check import Inventory, RunCheck, RunContext
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page
from qa.net import fetch, inspect_certificate, tls_context
from qa.urls import origin

CERT_RULE = "tls-certificate"  # the rule of qa.run.entry's finding, shared so one problem is one finding
HSTS_MIN_AGE = 31_536_000  # one year, as the HSTS preload list asks
LEGACY = {"TLSv1.0": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}
MODERN = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}
# Cipher classes broken or without protection; offered by the scan at security level 0 so OpenSSL proposes them.
WEAK_CIPHERS = "aNULL:eNULL:EXPORT:DES:3DES:RC4:MD5:@SECLEVEL=0"
MAX_URLS = 50  # http URLs kept per page as evidence
PROBE_TIMEOUT_S = 10.0  # per handshake or request of the scan (a firewall may drop legacy handshakes silently)
FACT = "tls_http"  # page facts: the http:// URLs the page links to or loads (primary cell)
# Verification errors that are about time, not about the chain (X509_V_ERR_CERT_NOT_YET_VALID, _HAS_EXPIRED).
TIME_ERRORS = (9, 10)
PRODUCTION, STAGING, UNKNOWN = "production", "staging", "unknown"
# What an http URL of the inventory is (the workbook shows the words of its language: qa.check.Inventory).
PAGE_KIND = {"ja": "ページ", "en": "page"}
LINK = {"ja": "リンク", "en": "link"}
RESOURCE = {"ja": "リソース", "en": "resource"}


def _legacy_context(version: ssl.TLSVersion, ciphers: str = "ALL:@SECLEVEL=0") -> ssl.SSLContext | None:
    """A client context offering only ``version`` (None when this OpenSSL cannot offer it at all)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with warnings.catch_warnings():  # TLS 1.0 / 1.1 are deprecated: offering them is the point of the scan
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            context.minimum_version = context.maximum_version = version
            context.set_ciphers(ciphers)
        except (ValueError, ssl.SSLError):
            return None
    return context


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout_s: float) -> tuple[str, str]:
    """(protocol, cipher) of a completed handshake; raises ssl.SSLError / OSError when the server refuses."""
    with socket.create_connection((host, port), timeout=timeout_s) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            cipher = tls.cipher()
            return str(tls.version()), cipher[0] if cipher else ""


@dataclass
class Scan:
    """What the scan saw of one https origin (one row of the certificate inventory)."""

    origin: str
    reachable: bool = True
    problem: str = ""  # qa.net.inspect_certificate's problem (does not verify, expires soon)
    rejected: bool = False
    trust: str = ""  # public | staging_ca | untrusted | unknown
    subject: str = ""
    issuer: str = ""
    sans: list[str] = field(default_factory=list)
    not_after: str = ""
    days_left: int | None = None
    host_match: bool | None = None
    protocols: dict[str, bool | None] = field(default_factory=dict)  # None: this OpenSSL cannot offer it
    cipher: str = ""  # negotiated with the default (modern) settings
    weak_cipher: str = ""  # a weak cipher the server accepted
    weak_tested: bool = True


def _host_matches(host: str, sans: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    for name in sans:
        kind, _, value = name.partition(":")
        if ip is not None:
            if kind == "IP" and value == str(ip):
                return True
            continue
        value = value.lower().rstrip(".")
        if kind == "DNS" and (
            value == host.lower()
            or (value.startswith("*.") and host.lower().partition(".")[2] == value[2:] and "." in value[2:])
        ):
            return True
    return False


def _describe(der: bytes, scan: Scan, host: str) -> None:
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return
    scan.subject, scan.issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        scan.sans = [f"DNS:{n}" for n in names.get_values_for_type(x509.DNSName)]
        scan.sans += [f"IP:{n}" for n in names.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        scan.sans = []
    after = cert.not_valid_after_utc
    scan.not_after = after.isoformat(timespec="seconds")
    scan.days_left = (after - dt.datetime.now(dt.UTC)).days
    scan.host_match = _host_matches(host, scan.sans)


def _trust(host: str, port: int, tls: Tls, timeout_s: float) -> str:
    """public: the system's CAs verify the chain; staging_ca: only with tls.ca_bundle; untrusted: neither (a
    certificate that is merely expired or for another host still has a trusted chain)."""

    def verifies(context: ssl.SSLContext) -> bool | None:
        context.check_hostname = False
        try:
            _handshake(host, port, context, timeout_s)
        except ssl.SSLCertVerificationError as exc:
            return exc.verify_code in TIME_ERRORS
        except (OSError, ssl.SSLError):
            return None
        return True

    system = verifies(httpx.create_ssl_context())
    if system:
        return "public"
    if tls.ca_bundle and verifies(tls_context(tls)):
        return "staging_ca"
    return "unknown" if system is None else "untrusted"


def scan_origin(url: str, tls: Tls, timeout_s: float, scan: Scan) -> None:
    """The blocking part of the scan (handshakes), run in a thread."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    scan.trust = _trust(host, port, tls, timeout_s)
    default = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    default.check_hostname, default.verify_mode = False, ssl.CERT_NONE
    try:
        scan.cipher = " / ".join(_handshake(host, port, default, timeout_s))
    except (OSError, ssl.SSLError):
        scan.reachable = False
        return
    for name, version in {**LEGACY, **MODERN}.items():
        context = _legacy_context(version)
        if context is None:
            scan.protocols[name] = None
            continue
        try:
            _handshake(host, port, context, timeout_s)  # the context offers this version only
            scan.protocols[name] = True
        except (OSError, ssl.SSLError):
            scan.protocols[name] = False
    weak = _legacy_context(ssl.TLSVersion.TLSv1_2, WEAK_CIPHERS)
    if weak is None:
        scan.weak_tested = False
        return
    try:
        scan.weak_cipher = _handshake(host, port, weak, timeout_s)[1]
    except (OSError, ssl.SSLError):
        scan.weak_cipher = ""


def _hsts_max_age(value: str) -> int | None:
    m = re.search(r"(?i)max-age\s*=\s*\"?(\d+)", value)
    return int(m.group(1)) if m else None


class TlsCheck(RunCheck):
    id = "tls"
    title = "HTTPS and certificate"
    family = "tls"
    provides = ("tls-certificates", "tls-http-urls")
    inventories: ClassVar[tuple[Inventory, ...]] = (
        Inventory(
            "tls-certificates",
            "証明書・TLS",
            "Certificates and TLS",
            (
                ("origin", "オリジン", "Origin"),
                ("trust", "信頼", "Trust"),
                ("subject", "主体者", "Subject"),
                ("issuer", "発行者", "Issuer"),
                ("sans", "別名 (SAN)", "Names (SAN)"),
                ("host_match", "ホスト名一致", "Host name matches"),
                ("not_after", "有効期限", "Not after"),
                ("days_left", "残り日数", "Days left"),
                ("protocols", "提供するプロトコル", "Protocols offered"),
                ("cipher", "暗号スイート", "Cipher"),
                ("weak_cipher", "弱い暗号", "Weak cipher accepted"),
                ("hsts", "HSTS ヘッダー", "HSTS header"),
                ("http_redirect", "http からの転送", "http:// redirect"),
            ),
            (26, 14, 24, 24, 22, 8, 14, 7, 20, 22, 12, 22, 22),
        ),
        Inventory(
            "tls-http-urls",
            "httpのURL",
            "URLs over http",
            (
                ("page", "ページ", "Page"),
                ("url", "http の URL", "URL over http"),
                ("kind", "種類", "Kind"),
                ("element", "要素", "Element"),
            ),
            (40, 50, 16, 16),
        ),
    )
    messages: ClassVar[dict[str, dict[str, str]]] = {
        CERT_RULE: {
            "ja": "TLS 証明書に問題があります: {problem}",
            "fix_ja": "有効期限内で、ホスト名に一致し、信頼される認証局が発行した証明書を設定する。",
            "fix_en": "Install a certificate that is valid now, matches the host name and chains to a trusted CA.",
        },
        "tls-not-https": {
            "ja": "サイトが HTTPS で配信されていません（{pages} ページを http で試験）。",
            "fix_ja": "サイト全体を HTTPS で配信し、http:// へのアクセスは https:// へ転送する。",
            "fix_en": "Serve the whole site over HTTPS and redirect http:// to https://.",
        },
        "tls-page-http": {
            "ja": "https のサイトのページが http で配信されています: {text}",
            "fix_ja": "このページも https で配信し、http:// からは https:// へ転送する。",
            "fix_en": "Serve this page over https too and redirect http:// to https://.",
        },
        "tls-mixed-content": {
            "ja": "https のページが http のリソースを読み込んでいます（混在コンテンツ、{count} 件）。",
            "fix_ja": "画像・スクリプト・スタイルシートなどの URL を https:// に直す。",
            "fix_en": "Load images, scripts, style sheets and other resources over https://.",
            "help": "https://developer.mozilla.org/ja/docs/Web/Security/Mixed_content",
        },
        "tls-http-link": {
            "ja": "サイト内への http:// のリンクがあります（{count} 件）。",
            "fix_ja": "サイト内へのリンクを https:// （または相対 URL）に直す。",
            "fix_en": "Link to the site's own pages with https:// (or relative URLs).",
        },
        "tls-external-http-link": {
            "ja": "外部サイトへの http:// のリンクがあります（{count} 件）。https で提供されていないか確認する。",
            "fix_ja": "リンク先が https に対応していれば https:// に直す。",
            "fix_en": "Use https:// for the linked sites that offer it.",
        },
        "tls-http-redirect": {
            "ja": "http:// のアドレス {http_url} が https に転送されません（{result}）。",
            "fix_ja": "http:// へのアクセスを恒久的なリダイレクト（301/308）で https:// へ転送する。",
            "fix_en": "Redirect every http:// request permanently (301/308) to https://.",
        },
        "tls-hsts": {
            "ja": "HSTS（Strict-Transport-Security）が不十分です: {ja}",
            "fix_ja": "https の応答に Strict-Transport-Security: max-age=31536000（1年）以上を付ける。",
            "fix_en": "Send Strict-Transport-Security with max-age=31536000 (one year) or more on https answers.",
            "help": "https://developer.mozilla.org/ja/docs/Web/HTTP/Headers/Strict-Transport-Security",
        },
        "tls-legacy-protocol": {
            "ja": "古いプロトコル {protocols} で接続できます。",
            "fix_ja": "サーバーの設定で TLS 1.0 / 1.1 を無効にし、TLS 1.2 以上だけを提供する。",
            "fix_en": "Disable TLS 1.0 and 1.1 on the server; offer TLS 1.2 and above only.",
        },
        "tls-weak-cipher": {
            "ja": "弱い暗号スイート {cipher} で接続できます。",
            "fix_ja": "NULL・匿名・EXPORT・DES・3DES・RC4・MD5 の暗号スイートを無効にする。",
            "fix_en": "Disable NULL, anonymous, EXPORT, DES, 3DES, RC4 and MD5 cipher suites.",
        },
        "tls-staging-ca": {
            "ja": "{origin} の証明書は tls.ca_bundle の認証局でのみ信頼され、公開の認証局では信頼されません。",
            "fix_ja": "公開の認証局が発行した証明書を設定する。",
            "fix_en": "Install a certificate issued by a public CA.",
        },
    }

    def on_page(self, page: Page, visit: Any, primary: bool) -> None:
        """The page's http:// links and resources, kept in its facts (``tls_http``): written with the page's record,
        so a resumed run still has those of the pages visited before it stopped."""
        if not primary or page.error:
            return
        found = [
            {"url": item.get("href", ""), "element": item.get("element", ""), "kind": kind}
            for kind, items in ((LINK, visit.links), (RESOURCE, visit.resources))
            for item in items
            if str(item.get("href", "")).lower().startswith("http://")
        ]
        if found:
            page.facts[FACT] = found[:MAX_URLS]

    async def run(self, ctx: RunContext) -> list[Finding]:
        results, config = ctx.results, ctx.config
        start = results.run.start_url
        tls = ctx.access.tls if ctx.access is not None else Tls(config.tls.ca_bundle, config.tls.insecure)
        timeout = min(float(config.timeouts.navigation), PROBE_TIMEOUT_S)  # a dropped handshake must not hold the run
        stage = _stage(start, config.claim.site_url)
        pages = [p for p in results.pages if not p.error]
        primary = results.run.cells[0] if results.run.cells else ""
        page_urls = {p.url: p.final_url or p.url for p in pages if not primary or p.cell == primary}
        host = (urlsplit(start).hostname or "").lower()
        findings: list[Finding] = []

        def finding(rule: str, outcome: str, url: str, message: str, **details: Any) -> Finding:
            return Finding(rule, outcome, url, "http", "-", check=self.id, message=message, details=details)

        if urlsplit(start).scheme != "https":
            plain = sorted({u for u in page_urls.values() if urlsplit(u).scheme == "http"})
            outcome = NEEDS_REVIEW if stage == STAGING else VIOLATION
            where = "; production (claim.site_url) may differ: check it there" if stage == STAGING else ""
            findings.append(
                finding(
                    "tls-not-https",
                    outcome,
                    start,
                    f"the site is not served over HTTPS: {len(plain)} page(s) audited over http{where}",
                    pages=len(plain),
                    examples=plain[:10],
                )
            )
            not_https = {"ja": "HTTPS で配信されていない（http のみ）", "en": "not over HTTPS (http only)"}
            results.extra["tls-certificates"] = [{"origin": origin(start), "trust": not_https}]
            results.extra["tls-http-urls"] = [{"page": u, "url": u, "kind": PAGE_KIND, "element": ""} for u in plain]
            return findings

        origins = [origin(start)]
        for url in [*page_urls.values(), *(ctx.access.origins if ctx.access is not None else ())]:
            o = origin(url)
            if o.startswith("https://") and (urlsplit(o).hostname or "").lower() == host and o not in origins:
                origins.append(o)
        recorded = {f.target for f in results.findings if f.rule == CERT_RULE}
        scans = await asyncio.gather(*(self._scan(o, tls, timeout) for o in origins))
        hsts, hsts_text = await self._hsts(ctx, start)
        redirect, redirect_text = await self._redirect(ctx, start, config.tls.http_url)
        rows = []
        for scan in scans:
            rows.append(_row(scan, hsts_text, redirect_text, scan is scans[0]))
            findings += self._origin_findings(scan, recorded, stage, finding)
        results.extra["tls-certificates"] = rows

        target = origins[0] + "/"
        if hsts is not None:
            findings.append(
                finding(
                    "tls-hsts",
                    NEEDS_REVIEW if stage == STAGING else VIOLATION,
                    target,
                    f"HSTS: {hsts[0]}",
                    text=hsts[0],
                    ja=hsts[1],
                )
            )
        if redirect is not None:
            outcome, text, http_url = redirect
            findings.append(
                finding(
                    "tls-http-redirect",
                    outcome,
                    target,
                    f"{http_url} does not redirect to https ({text})",
                    http_url=http_url,
                    result=text,
                )
            )
        http = {p.url: p.facts[FACT] for p in pages if p.facts.get(FACT) and p.url in page_urls}
        page_findings, results.extra["tls-http-urls"] = self._page_findings(page_urls, http, host, finding)
        return findings + page_findings

    async def _scan(self, url: str, tls: Tls, timeout: float) -> Scan:
        scan = Scan(url)
        cert = await inspect_certificate(url, tls, timeout)
        if cert is None:
            scan.reachable = False
            return scan
        scan.problem, scan.rejected = cert.problem, cert.rejected
        await asyncio.to_thread(scan_origin, url, tls, timeout, scan)
        if cert.der:
            _describe(cert.der, scan, urlsplit(url).hostname or "")
        return scan

    def _origin_findings(self, scan: Scan, recorded: set[str], stage: str, finding: Any) -> list[Finding]:
        out: list[Finding] = []
        target = scan.origin + "/"
        if not scan.reachable:
            problem = "no TLS handshake"
            out.append(finding(CERT_RULE, NEEDS_REVIEW, target, f"{scan.origin}: {problem}", problem=problem))
            return out
        if scan.problem and scan.origin not in recorded:
            what = "does not verify" if scan.rejected else "expires soon"
            out.append(
                finding(
                    CERT_RULE,
                    VIOLATION,
                    target,
                    f"the site's TLS certificate {what}: {scan.problem}",
                    problem=scan.problem,
                    days_left=scan.days_left,
                )
            )
        if scan.trust == "staging_ca" and stage == PRODUCTION:
            # elsewhere the inventory says it: a private staging CA is expected, only production shows the public one
            out.append(
                finding(
                    "tls-staging-ca",
                    VIOLATION,
                    target,
                    f"{scan.origin}: the certificate is trusted only through tls.ca_bundle, not by a public CA",
                    origin=scan.origin,
                )
            )
        legacy = [name for name in LEGACY if scan.protocols.get(name)]
        if legacy:
            out.append(
                finding(
                    "tls-legacy-protocol",
                    VIOLATION,
                    target,
                    f"{scan.origin} offers {', '.join(legacy)}",
                    protocols=", ".join(legacy),
                )
            )
        if scan.weak_cipher:
            out.append(
                finding(
                    "tls-weak-cipher",
                    VIOLATION,
                    target,
                    f"{scan.origin} accepts the weak cipher {scan.weak_cipher}",
                    cipher=scan.weak_cipher,
                )
            )
        return out

    async def _hsts(self, ctx: RunContext, start: str) -> tuple[tuple[str, str] | None, dict[str, str]]:
        """((problem, in Japanese) or None, what the inventory says in both languages)."""
        answer = await fetch(ctx.client, start, 200_000)
        if not answer.status:
            problem = answer.problem or "no answer"
            return None, {"ja": f"確認できず（{problem}）", "en": f"not checked ({problem})"}
        value = answer.headers.get("Strict-Transport-Security")
        if not value:
            return ("no Strict-Transport-Security header", "ヘッダーがない"), {"ja": "なし", "en": "absent"}
        sent = {"ja": f"あり: {value}", "en": value}
        age = _hsts_max_age(value)
        if age is None:
            return (f"no max-age in '{value}'", f"max-age の指定がない（{value}）"), sent
        if age < HSTS_MIN_AGE:
            return (
                f"max-age={age} is shorter than one year ({HSTS_MIN_AGE})",
                f"max-age={age} が 1 年（{HSTS_MIN_AGE} 秒）未満",
            ), sent
        return None, sent

    async def _redirect(
        self, ctx: RunContext, start: str, http_url: str | None
    ) -> tuple[tuple[str, str, str] | None, dict[str, str]]:
        """((outcome, what happened, the http URL) when it is a finding, else None; what the inventory says)."""
        parts = urlsplit(start)
        url = http_url or urlunsplit(("http", parts.hostname or "", parts.path or "/", parts.query, ""))
        answer = await fetch(ctx.client, url, 100_000, follow_redirects=False)
        location = answer.headers.get("location", "") if answer.status else ""
        if answer.status in (301, 302, 303, 307, 308) and location.lower().startswith("https://"):
            return None, {"ja": f"転送あり: {answer.status} → {location}", "en": f"{answer.status} → {location}"}
        if not answer.status:
            text = f"no answer ({answer.problem or 'unreachable'})"
            # a staging host (or one on another port) often has no http listener: only production can show it
            stage = _stage(start, ctx.config.claim.site_url)
            guessed = not http_url and parts.port not in (None, 443)
            outcome = NEEDS_REVIEW if stage == STAGING or guessed else VIOLATION
            return (outcome, text, url), {"ja": f"応答なし（{answer.problem or 'unreachable'}）", "en": text}
        text = f"HTTP {answer.status}" + (f" → {location}" if location else "")
        return (VIOLATION, text, url), {"ja": f"https への転送なし（{text}）", "en": f"no redirect to https ({text})"}

    def _page_findings(
        self, page_urls: dict[str, str], http: dict[str, list[dict[str, str]]], host: str, finding: Any
    ) -> tuple[list[Finding], list[dict[str, str]]]:
        """Findings per page (served over http, mixed content, http links) and the inventory of http URLs."""
        out: list[Finding] = []
        rows: list[dict[str, str]] = []
        for url, final in page_urls.items():
            if urlsplit(final).scheme == "http":
                out.append(finding("tls-page-http", VIOLATION, url, f"the page is served over http: {final}"))
                rows.append({"page": url, "url": final, "kind": PAGE_KIND, "element": ""})
        for page, items in http.items():
            rows += [{"page": page, **i} for i in items]
            if urlsplit(page_urls[page]).scheme != "https":
                continue
            mixed = sorted({i["url"] for i in items if i["kind"] == RESOURCE})
            own = sorted({i["url"] for i in items if i["kind"] == LINK and _host(i["url"]) == host})
            external = sorted({i["url"] for i in items if i["kind"] == LINK and _host(i["url"]) != host})
            for rule, outcome, urls, what in (
                ("tls-mixed-content", VIOLATION, mixed, "loads resource(s) over http"),
                ("tls-http-link", VIOLATION, own, "links to the site over http"),
                ("tls-external-http-link", NEEDS_REVIEW, external, "links to other sites over http"),
            ):
                if urls:
                    out.append(
                        finding(
                            rule,
                            outcome,
                            page,
                            f"the page {what}: {', '.join(urls[:5])}" + (" …" if len(urls) > 5 else ""),
                            count=len(urls),
                            urls=urls[:MAX_URLS],
                        )
                    )
        return out, rows


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _stage(start: str, site_url: str | None) -> str:
    """PRODUCTION when claim.site_url names the audited host, STAGING when it names another, else UNKNOWN."""
    if not site_url:
        return UNKNOWN
    return PRODUCTION if _host(site_url) == _host(start) else STAGING


TRUST = {
    "public": {"ja": "公開の認証局で信頼", "en": "public CA"},
    "staging_ca": {
        "ja": "tls.ca_bundle のみ（公開の認証局での信頼は本番で確認）",
        "en": "staging CA only (check production)",
    },
    "untrusted": {"ja": "信頼されない", "en": "untrusted"},
    "unknown": {"ja": "不明", "en": "unknown"},
    "unreachable": {"ja": "接続できず", "en": "no TLS handshake"},
}


def _protocols(scan: Scan, lang: str) -> str:
    words = {True: ("提供", "offered"), False: ("なし", "not offered"), None: ("確認できず", "not testable")}
    return ", ".join(f"{name} {words[offered][lang == 'en']}" for name, offered in scan.protocols.items())


def _row(scan: Scan, hsts: dict[str, str], redirect: dict[str, str], first: bool) -> dict[str, Any]:
    """One origin's inventory row; the HSTS header and the http redirect are the start origin's."""
    no_weak = {"ja": "なし", "en": "none"} if scan.weak_tested else {"ja": "確認できず", "en": "not testable"}
    return {
        "origin": scan.origin,
        "trust": TRUST.get(scan.trust, TRUST["unknown"])
        if scan.reachable
        else {"ja": "接続できず", "en": "no TLS handshake"},
        "subject": scan.subject,
        "issuer": scan.issuer,
        "sans": scan.sans,
        "host_match": scan.host_match,
        "not_after": scan.not_after,
        "days_left": scan.days_left,
        "protocols": {"ja": _protocols(scan, "ja"), "en": _protocols(scan, "en")},
        "cipher": scan.cipher,
        "weak_cipher": scan.weak_cipher or no_weak,
        "hsts": hsts if first else "",
        "http_redirect": redirect if first else "",
    }
