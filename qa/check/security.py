"""Security exposure, passive only (IPA 「安全なウェブサイトの作り方」 and WordPress hardening): the security headers
and cookies of the site's HTML responses, version disclosure, WordPress user enumeration and XML-RPC, directory
listings, debug logs and configuration backups at well-known paths, and error pages that reveal stack traces or
file paths.

Only GET of the audited pages (a bounded sample per origin) and of a small fixed list of well-known paths, a few at
a time, through the suite's own client (the site's credentials go to its own origin only). Never a payload. What a
path answers is judged by its content, never by its status alone: a soft-404 page at ``/.env`` is not an exposed
``.env``. Headers are a property of the server, so a finding is reported once per origin, naming how many of the
sampled pages share it. The contents of an exposed file never enter the results: only its URL, size and kind.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from qa.check import Inventory, RunCheck, RunContext
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page
from qa.net import Fetched, fetch
from qa.redact import MASK, redact_text
from qa.urls import origin

MAX_PAGES = 10  # audited pages per origin whose headers and markup are read: headers are server-wide
MAX_BODY = 300_000  # of a page, enough for the head's generator tag and asset URLs
MAX_PROBE = 64_000  # of a well-known path: enough to tell what it is
PARALLEL = 4  # requests in flight to one site
MAX_EXAMPLES = 10
HTML_TYPES = ("text/html", "application/xhtml+xml")

IPA = "https://www.ipa.go.jp/security/vuln/websecurity/about.html"
WP_HARDENING = "https://developer.wordpress.org/advanced-administration/security/hardening/"
MDN_HEADERS = "https://developer.mozilla.org/ja/docs/Web/HTTP/Headers/"

# Session cookies (the ones a script never needs to read): without HttpOnly a script injected into the page can
# steal the session (IPA 1.5, 5.). Other cookies may be read by the site's own script: a person decides.
SESSION_COOKIE = re.compile(
    r"^(PHPSESSID|JSESSIONID|ASP\.NET_SessionId|ASPSESSIONID\w*|CFID|CFTOKEN|connect\.sid|laravel_session|"
    r"sessionid|session|sid|_session_id|wordpress_(logged_in_|sec_)?[0-9a-f]{32}|wp-settings-\d+|\w*sess\w*)$",
    re.IGNORECASE,
)
VERSIONED_SERVER = re.compile(r"[A-Za-z][\w.-]*/\d[\w.]*")
GENERATOR = re.compile(r"<meta\b[^>]*\bname\s*=\s*[\"']?generator[\"']?[^>]*>", re.IGNORECASE)
CONTENT_ATTR = re.compile(r"\bcontent\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)
VER_ASSET = re.compile(r"(?:src|href)\s*=\s*[\"']([^\"']+[?&](?:amp;)?ver=[\w.-]*\d[\w.-]*)[\"']", re.IGNORECASE)
AUTHOR_PATH = re.compile(r"/author/([^/?#]+)")
LISTING = re.compile(
    r"<title>\s*(Index of /|Directory listing for /)|<h1>\s*(Index of /|Directory listing for /)", re.IGNORECASE
)
# What an error page must not show (IPA 5.: エラーメッセージをそのまま出力しない): a stack trace, a file path of the
# server, the framework's debug page.
LEAKS = (
    ("stack trace", re.compile(r"Traceback \(most recent call last\)|Stack trace:|\bat [\w$.]+\([\w$]+\.java:\d+\)")),
    ("PHP error", re.compile(r"\b(Fatal error|Parse error|Warning|Notice|Deprecated)</b>?:.{0,200}? in <b>?/", re.S)),
    ("server file path", re.compile(r"(/var/www/|/home/[\w.-]+/|/srv/[\w.-]+/|/usr/share/nginx/|[A-Z]:\\inetpub\\)")),
    ("framework debug page", re.compile(r"Whoops, looks like something went wrong|DEBUG = True|Django Version:")),
    ("server signature", re.compile(r"<address>[^<]*(Apache|nginx|LiteSpeed)/\d[^<]*</address>", re.IGNORECASE)),
)


def _env_like(body: bytes) -> bool:
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    assignments = [line for line in lines if re.match(r"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=", line)]
    return bool(lines) and len(assignments) >= max(1, len(lines) * 0.8) and "<" not in body.decode("latin1")[:200]


# Well-known paths of files that must never be public, each with what its content looks like when it is the real
# thing (a soft-404 or a login page at the same path is not).
EXPOSED_FILES: tuple[tuple[str, str, Callable[[bytes], bool]], ...] = (
    (
        "/wp-content/debug.log",
        "debug log",
        lambda b: bool(re.search(rb"PHP (Fatal error|Warning|Notice|Deprecated)", b)),
    ),
    ("/debug.log", "debug log", lambda b: bool(re.search(rb"PHP (Fatal error|Warning|Notice|Deprecated)", b))),
    ("/wp-config.php.bak", "configuration backup", lambda b: b"DB_PASSWORD" in b or b"DB_NAME" in b),
    ("/wp-config.php~", "configuration backup", lambda b: b"DB_PASSWORD" in b or b"DB_NAME" in b),
    ("/wp-config.php.save", "configuration backup", lambda b: b"DB_PASSWORD" in b or b"DB_NAME" in b),
    ("/wp-config.php.orig", "configuration backup", lambda b: b"DB_PASSWORD" in b or b"DB_NAME" in b),
    ("/wp-config.old", "configuration backup", lambda b: b"DB_PASSWORD" in b or b"DB_NAME" in b),
    ("/.env", "environment file", _env_like),
    ("/.git/HEAD", "Git repository", lambda b: bool(re.match(rb"(ref: refs/|[0-9a-f]{40}\s*$)", b))),
    ("/.git/config", "Git repository", lambda b: b"[core]" in b),
    ("/.svn/entries", "Subversion repository", lambda b: bool(re.match(rb"\d+\s*\n", b)) or b"<wc-entries" in b),
    ("/phpinfo.php", "phpinfo page", lambda b: b"phpinfo()" in b or b"PHP Version" in b),
    ("/info.php", "phpinfo page", lambda b: b"phpinfo()" in b or b"PHP Version" in b),
    ("/.DS_Store", "Finder metadata", lambda b: b[4:8] == b"Bud1"),
)
LISTED_DIRS = ("/wp-content/uploads/", "/wp-content/", "/wp-includes/", "/uploads/", "/images/", "/assets/", "/files/")


def _msg(ja: str, fix_ja: str, fix_en: str, help_url: str = IPA) -> dict[str, str]:
    return {"ja": ja, "fix_ja": fix_ja, "fix_en": fix_en, "help": help_url}


class Security(RunCheck):
    id = "security"
    title = "Security exposure (IPA guide, WordPress hardening; passive)"
    family = "security"
    provides = ("security-probes", "security-headers")
    inventories = (
        Inventory(
            "security-probes",
            "セキュリティ 確認したパス",
            "Security paths checked",
            (
                ("origin", "オリジン", "Origin"),
                ("path", "パス", "Path"),
                ("status", "ステータス", "Status"),
                ("exposed", "露出", "Exposed"),
                ("rule", "ルール", "Rule"),
                ("evidence", "根拠", "Evidence"),
                ("soft_404", "ソフト404", "Soft 404"),
            ),
            (26, 30, 8, 6, 20, 36, 8),
        ),
        Inventory(
            "security-headers",
            "セキュリティ ヘッダー",
            "Security headers",
            (
                ("url", "ページURL", "Page URL"),
                ("Content-Security-Policy", "Content-Security-Policy ヘッダー", "Content-Security-Policy header"),
                ("X-Frame-Options", "X-Frame-Options ヘッダー", "X-Frame-Options header"),
                ("X-Content-Type-Options", "X-Content-Type-Options ヘッダー", "X-Content-Type-Options header"),
                ("Referrer-Policy", "Referrer-Policy ヘッダー", "Referrer-Policy header"),
                ("Permissions-Policy", "Permissions-Policy ヘッダー", "Permissions-Policy header"),
                ("Strict-Transport-Security", "Strict-Transport-Security ヘッダー", "Strict-Transport-Security header"),
                ("server", "Server ヘッダー", "Server header"),
                ("X-Powered-By", "X-Powered-By ヘッダー", "X-Powered-By header"),
            ),
            (30, 24, 12, 12, 16, 20, 20, 16, 14),
        ),
    )
    messages = {
        "no-clickjacking-protection": _msg(
            "{pages} ページの HTML 応答に Content-Security-Policy の frame-ancestors も X-Frame-Options もなく、"
            "他サイトの枠内に表示できます（クリックジャッキング）。",
            "Content-Security-Policy: frame-ancestors 'self'（または X-Frame-Options: SAMEORIGIN）を返すよう"
            "サーバーを設定する。",
            "Send Content-Security-Policy: frame-ancestors 'self' (or X-Frame-Options: SAMEORIGIN) on HTML responses.",
        ),
        "no-csp": _msg(
            "{pages} ページの HTML 応答に Content-Security-Policy がありません。",
            "サイトに合わせた Content-Security-Policy を定め、HTML 応答で返す。",
            "Define a Content-Security-Policy fitting the site and send it on HTML responses.",
            MDN_HEADERS + "Content-Security-Policy",
        ),
        "no-nosniff": _msg(
            "{pages} ページの応答に X-Content-Type-Options: nosniff がありません。",
            "すべての応答で X-Content-Type-Options: nosniff を返すようサーバーを設定する。",
            "Send X-Content-Type-Options: nosniff on every response.",
            MDN_HEADERS + "X-Content-Type-Options",
        ),
        "no-referrer-policy": _msg(
            "{pages} ページの応答に Referrer-Policy がありません（ブラウザーの既定に任されています）。",
            "Referrer-Policy: strict-origin-when-cross-origin などを明示する。",
            "Send an explicit Referrer-Policy such as strict-origin-when-cross-origin.",
            MDN_HEADERS + "Referrer-Policy",
        ),
        "no-permissions-policy": _msg(
            "{pages} ページの応答に Permissions-Policy がありません。",
            "使わない機能（camera, microphone, geolocation など）を Permissions-Policy で無効にする。",
            "Disable the features the site does not use (camera, microphone, geolocation ...) with Permissions-Policy.",
            MDN_HEADERS + "Permissions-Policy",
        ),
        "cookie-not-secure": _msg(
            "Cookie「{cookie}」に Secure 属性がありません。{note}",
            "Cookie に Secure 属性を付け、HTTPS でだけ送られるようにする。",
            "Set the Secure attribute so the cookie is sent over HTTPS only.",
        ),
        "cookie-not-httponly": _msg(
            "Cookie「{cookie}」に HttpOnly 属性がありません。スクリプトから読める必要があるか確認してください。",
            "スクリプトで読む必要のない Cookie（特にセッション ID）に HttpOnly 属性を付ける。",
            "Set HttpOnly on every cookie scripts need not read (session ids above all).",
        ),
        "cookie-no-samesite": _msg(
            "Cookie「{cookie}」に SameSite 属性がありません。",
            "Cookie に SameSite=Lax（または Strict）を明示する。",
            "Set SameSite=Lax (or Strict) on the cookie explicitly.",
        ),
        "server-version": _msg(
            "サーバーのソフトウェアとバージョンが公開されています: {value}",
            "Server ヘッダーやエラーページの署名からバージョンを除く"
            "（Apache: ServerTokens Prod, ServerSignature Off）。",
            "Remove versions from the Server header and error page signatures (Apache: ServerTokens Prod, "
            "ServerSignature Off).",
        ),
        "powered-by": _msg(
            "X-Powered-By ヘッダーで実行環境が公開されています: {value}",
            "X-Powered-By ヘッダーを返さないよう設定する（PHP: expose_php = Off）。",
            "Stop sending X-Powered-By (PHP: expose_php = Off).",
        ),
        "generator-version": _msg(
            "generator メタタグで CMS とバージョンが公開されています: {value}",
            "generator メタタグを出力しないよう設定する（WordPress: remove_action('wp_head', 'wp_generator')）。",
            "Stop printing the generator meta tag (WordPress: remove_action('wp_head', 'wp_generator')).",
            WP_HARDENING,
        ),
        "wp-readme": _msg(
            "/readme.html が公開され、WordPress であることとバージョンの手掛かりを示しています。",
            "readme.html を削除するか、アクセスを拒否する。",
            "Delete readme.html or deny access to it.",
            WP_HARDENING,
        ),
        "asset-version": _msg(
            "CSS・JavaScript の URL の ?ver= でソフトウェアのバージョンが分かります（例: {example}）。",
            "?ver= にプラグインやコアのバージョンを出さない（ビルドごとのハッシュなどにする）。",
            "Do not put core or plugin versions in ?ver= (use a build hash instead).",
            WP_HARDENING,
        ),
        "wp-users-listed": _msg(
            "/wp-json/wp/v2/users が認証なしでユーザー {count} 人の一覧（スラッグ: {users}）を返します。",
            "REST API のユーザー一覧を未ログインでは返さないようにする（プラグインや rest_endpoints フィルター）。",
            "Stop the REST API listing users to visitors who are not logged in "
            "(a plugin or the rest_endpoints filter).",
            WP_HARDENING,
        ),
        "wp-author-enumeration": _msg(
            "/?author=1 が投稿者ページ {location} に転送され、ユーザー名が分かります。",
            "?author= による投稿者アーカイブへの転送を止める。",
            "Stop ?author= redirecting to the author archive (it reveals user names).",
            WP_HARDENING,
        ),
        "xmlrpc-enabled": _msg(
            "/xmlrpc.php が応答しています（パスワード総当たりや増幅攻撃に使われます）。",
            "使わないなら xmlrpc.php へのアクセスを拒否する。",
            "Deny access to xmlrpc.php unless it is used.",
            WP_HARDENING,
        ),
        "directory-listing": _msg(
            "{path} でディレクトリの一覧が表示されます。",
            "ディレクトリの一覧表示を無効にする（Apache: Options -Indexes）。",
            "Turn directory listings off (Apache: Options -Indexes).",
        ),
        "exposed-file": _msg(
            "{path} の{kind}が誰でも読めます（{bytes} バイト）。",
            "このファイルを公開ディレクトリから削除し、アクセスを拒否する。",
            "Remove the file from the public directory and deny access to such files.",
        ),
        "error-page-details": _msg(
            "エラーページ（{probe}）が内部の情報を表示しています（{leak}）。",
            "エラーページには定型の文言だけを表示し、詳細はサーバーのログにだけ記録する。",
            "Show a fixed text on error pages and keep the details in the server's log.",
        ),
    }

    async def run(self, ctx: RunContext) -> list[Finding]:
        pages = _sample(ctx.results.pages)
        start = ctx.results.run.start_url
        if not pages and start:
            site = origin(start)
            pages = {site: [start if MASK not in start else site + "/"]}
        limit = asyncio.Semaphore(PARALLEL)
        probes: list[dict[str, Any]] = []
        headers: list[dict[str, Any]] = []
        findings: list[Finding] = []
        for site, urls in pages.items():
            audit = SiteAudit(self.id, site, ctx.client, limit)
            findings += await audit.run(urls)
            probes += [{"origin": site, **p} for p in audit.probes]
            headers += audit.headers_seen
        ctx.results.extra["security-probes"] = probes
        ctx.results.extra["security-headers"] = headers
        return findings


def _sample(pages: list[Page]) -> dict[str, list[str]]:
    """Per origin, the first audited HTML pages (in crawl order; the start page first)."""
    out: dict[str, list[str]] = {}
    for page in pages:
        if page.error or page.status != 200 or page.content_type not in ("", *HTML_TYPES):
            continue
        url = page.final_url or page.url
        if MASK in url:
            # Recorded with its secret masked (?token=***): a request there would not be the page audited, and
            # the server's answer to it (a 403, a login page) would be judged as the page's headers.
            continue
        urls = out.setdefault(origin(url), [])
        if url not in urls and len(urls) < MAX_PAGES:
            urls.append(url)
    return out


class SiteAudit:
    """One origin: what its pages' responses say and what its well-known paths answer."""

    def __init__(self, check: str, site: str, client: Any, limit: asyncio.Semaphore) -> None:
        self.check, self.site, self.client, self.limit = check, site, client, limit
        self.https = site.startswith("https:")
        self.findings: list[Finding] = []
        self.probes: list[dict[str, Any]] = []  # every path asked and what it answered, found or not
        self.headers_seen: list[dict[str, Any]] = []  # the security headers of each sampled HTML page

    async def get(self, path_or_url: str, max_bytes: int = MAX_PROBE, **kw: Any) -> Fetched:
        url = path_or_url if "://" in path_or_url else self.site + path_or_url
        async with self.limit:
            return await fetch(self.client, url, max_bytes, **kw)

    def add(self, rule: str, outcome: str, url: str, message: str, target: str = "", **details: Any) -> None:
        self.findings.append(
            Finding(rule, outcome, url, "http", "-", check=self.check, target=target, message=message, details=details)
        )

    def probe(self, path: str, answer: Fetched, rule: str = "", evidence: str = "", soft_404: bool = False) -> None:
        """What was asked and what it said, found (``rule``: the finding it made) or not: the sheet shows what the
        check covered, in language-neutral values (the findings sheet has the words)."""
        self.probes.append(
            {
                "path": path,
                "status": answer.status,
                "exposed": bool(rule),
                "rule": rule,
                "evidence": evidence,
                "soft_404": soft_404,
            }
        )

    async def run(self, urls: list[str]) -> list[Finding]:
        random_path = f"/qa-probe-{secrets.token_hex(6)}-does-not-exist"
        answers = await asyncio.gather(
            *(self.get(u, MAX_BODY) for u in urls),
            self.get(random_path, MAX_PROBE),
            self.get(random_path + ".php", MAX_PROBE),
        )
        page_answers = [a for a in answers[: len(urls)] if a.status == 200]
        not_found = answers[len(urls)]
        self.headers(page_answers)
        self.cookies(page_answers)
        self.disclosure(page_answers)
        self.error_pages(answers[len(urls) :])
        await asyncio.gather(self.wordpress(), self.listings(), self.files(not_found))
        return self.findings

    # --- what the pages' own responses say -------------------------------------------------------------------

    def headers(self, answers: list[Fetched]) -> None:
        html = [a for a in answers if a.content_type.split(";")[0].strip() in HTML_TYPES]
        missing: dict[str, list[str]] = {}
        for answer in html:
            h = answer.headers
            csp = " ".join(h.get_list("Content-Security-Policy")).lower()
            self.headers_seen.append(
                {
                    "url": answer.url,
                    **{name: h.get(name, "") for name in _HEADERS},
                }
            )
            lacks = {
                "no-clickjacking-protection": not re.search(r"\bframe-ancestors\b", csp)
                and not h.get("X-Frame-Options"),
                "no-csp": not csp,
                "no-nosniff": h.get("X-Content-Type-Options", "").strip().lower() != "nosniff",
                "no-referrer-policy": not h.get("Referrer-Policy"),
                "no-permissions-policy": not h.get("Permissions-Policy"),
            }
            for rule, lacking in lacks.items():
                if lacking:
                    missing.setdefault(rule, []).append(answer.url)
        outcomes = {"no-clickjacking-protection": VIOLATION, "no-nosniff": VIOLATION}
        for rule, urls in missing.items():
            pages = f"{len(urls)}/{len(html)}"
            self.add(
                rule,
                outcomes.get(rule, NEEDS_REVIEW),
                self.site + "/",
                f"{_LACKING[rule]} on {pages} sampled HTML page(s)",
                pages=pages,
                urls=urls[:MAX_EXAMPLES],
            )

    def cookies(self, answers: list[Fetched]) -> None:
        seen: dict[str, tuple[dict[str, str], str]] = {}
        for answer in answers:
            for raw in answer.headers.get_list("Set-Cookie"):
                cookie = parse_set_cookie(raw)
                if cookie and cookie["name"] not in seen:
                    seen[cookie["name"]] = (cookie, answer.url)
        note = "" if self.https else "（HTTP で配信されているため Secure は本番の HTTPS で確認が必要です）"
        for name, (cookie, url) in sorted(seen.items()):
            target = f"cookie:{name}"
            if "secure" not in cookie:
                self.add(
                    "cookie-not-secure",
                    VIOLATION if self.https else NEEDS_REVIEW,
                    self.site + "/",
                    f"cookie {name} lacks Secure"
                    + ("" if self.https else " (served over http: check Secure on the https site)"),
                    target,
                    cookie=name,
                    page=url,
                    note=note,
                )
            if "httponly" not in cookie:
                session = bool(SESSION_COOKIE.match(name))
                self.add(
                    "cookie-not-httponly",
                    VIOLATION if session else NEEDS_REVIEW,
                    self.site + "/",
                    f"cookie {name} lacks HttpOnly" + (" (a session cookie)" if session else ""),
                    target,
                    cookie=name,
                    page=url,
                )
            if "samesite" not in cookie:
                self.add(
                    "cookie-no-samesite",
                    NEEDS_REVIEW,
                    self.site + "/",
                    f"cookie {name} lacks SameSite",
                    target,
                    cookie=name,
                    page=url,
                )

    def disclosure(self, answers: list[Fetched]) -> None:
        servers = {a.headers.get("server", "") for a in answers}
        for value in sorted(v for v in servers if VERSIONED_SERVER.search(v)):
            self.add("server-version", VIOLATION, self.site + "/", f"Server: {value}", "header:Server", value=value)
        for value in sorted({a.headers.get("X-Powered-By", "") for a in answers} - {""}):
            self.add(
                "powered-by", VIOLATION, self.site + "/", f"X-Powered-By: {value}", "header:X-Powered-By", value=value
            )
        generators: dict[str, str] = {}
        assets: dict[str, str] = {}
        for answer in answers:
            text = answer.text
            for tag in GENERATOR.findall(text):
                content = CONTENT_ATTR.search(tag)
                value = (content.group(1) or content.group(2) or "").strip() if content else ""
                if re.search(r"\d", value):
                    generators.setdefault(value, answer.url)
            for asset in VER_ASSET.findall(text):
                assets.setdefault(asset.replace("&amp;", "&"), answer.url)
        for value, url in sorted(generators.items()):
            self.add(
                "generator-version",
                VIOLATION,
                self.site + "/",
                f"generator: {value}",
                "meta[name=generator]",
                value=value,
                page=url,
            )
        if assets:
            examples = sorted(assets)[:MAX_EXAMPLES]
            self.add(
                "asset-version",
                NEEDS_REVIEW,
                self.site + "/",
                f"{len(assets)} asset URL(s) carry ?ver=",
                example=examples[0],
                assets=examples,
                count=len(assets),
            )

    def error_pages(self, answers: list[Fetched]) -> None:
        reported: set[str] = set()
        for answer in answers:
            text = answer.text
            for leak, pattern in LEAKS:
                if match := pattern.search(text):
                    path = urlsplit(answer.url).path
                    rule = "server-version" if leak == "server signature" else "error-page-details"
                    excerpt = redact_text(match.group(0)[:120])  # the page's own words: no secret kept
                    self.probe(path, answer, rule, excerpt)
                    if leak in reported:
                        break
                    reported.add(leak)
                    if leak == "server signature":
                        value = re.sub(r"<[^>]+>", "", match.group(0)).strip()
                        self.add(
                            "server-version",
                            VIOLATION,
                            self.site + "/",
                            f"error page: {value}",
                            "error page",
                            value=value,
                        )
                    else:
                        self.add(
                            "error-page-details",
                            VIOLATION,
                            self.site + "/",
                            f"the error page of {path} shows a {leak}",
                            f"error-page:{leak}",
                            probe=path,
                            leak=leak,
                            excerpt=excerpt,
                        )
                    break
            else:
                self.probe(urlsplit(answer.url).path, answer)

    # --- fixed well-known paths -----------------------------------------------------------------------------

    async def wordpress(self) -> None:
        users, author, readme, xmlrpc = await asyncio.gather(
            self.get("/wp-json/wp/v2/users"),
            self.get("/?author=1", follow_redirects=False),
            self.get("/readme.html"),
            self.get("/xmlrpc.php"),
        )
        slugs = _user_slugs(users)
        self.probe("/wp-json/wp/v2/users", users, "wp-users-listed" if slugs else "", ", ".join(slugs[:MAX_EXAMPLES]))
        if slugs:
            self.add(
                "wp-users-listed",
                VIOLATION,
                self.site + "/wp-json/wp/v2/users",
                f"the REST API lists {len(slugs)} user(s) to anyone",
                count=len(slugs),
                users=", ".join(slugs[:MAX_EXAMPLES]),
            )
        location = author.headers.get("location", "") if author.status in (301, 302, 303, 307, 308) else ""
        name = AUTHOR_PATH.search(location)
        self.probe("/?author=1", author, "wp-author-enumeration" if name else "", location)
        if name:
            self.add(
                "wp-author-enumeration",
                VIOLATION,
                self.site + "/?author=1",
                f"/?author=1 redirects to {location}",
                location=location,
                user=name.group(1),
            )
        is_readme = readme.status == 200 and b"WordPress" in readme.body and b"<title>" in readme.body
        self.probe("/readme.html", readme, "wp-readme" if is_readme else "")
        if is_readme:
            self.add("wp-readme", VIOLATION, self.site + "/readme.html", "/readme.html is public")
        answers = xmlrpc.status in (200, 405) and b"XML-RPC" in xmlrpc.body
        self.probe("/xmlrpc.php", xmlrpc, "xmlrpc-enabled" if answers else "")
        if answers:
            self.add("xmlrpc-enabled", VIOLATION, self.site + "/xmlrpc.php", "/xmlrpc.php answers")

    async def listings(self) -> None:
        answers = await asyncio.gather(*(self.get(path) for path in LISTED_DIRS))
        for path, answer in zip(LISTED_DIRS, answers, strict=True):
            listed = answer.status == 200 and bool(LISTING.search(answer.text))
            self.probe(path, answer, "directory-listing" if listed else "")
            if listed:
                self.add("directory-listing", VIOLATION, self.site + path, f"{path} lists its files", path=path)

    async def files(self, not_found: Fetched) -> None:
        answers = await asyncio.gather(*(self.get(path) for path, _, _ in EXPOSED_FILES))
        for (path, kind, looks_like), answer in zip(EXPOSED_FILES, answers, strict=True):
            # The content decides; an answer identical to a page that does not exist is a soft 404 whatever it says.
            real = answer.status == 200 and answer.body != not_found.body and looks_like(answer.body)
            self.probe(path, answer, "exposed-file" if real else "", soft_404=answer.status == 200 and not real)
            if real:
                size = int(answer.headers.get("Content-Length") or len(answer.body))
                self.add(
                    "exposed-file",
                    VIOLATION,
                    self.site + path,
                    f"{path} is readable by anyone ({kind}, {size} bytes)",
                    path=path,
                    kind=_KINDS_JA.get(kind, kind),
                    kind_en=kind,
                    bytes=size,
                )


_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Strict-Transport-Security",
    "server",
    "X-Powered-By",
)
_LACKING = {
    "no-clickjacking-protection": "no Content-Security-Policy frame-ancestors and no X-Frame-Options",
    "no-csp": "no Content-Security-Policy",
    "no-nosniff": "no X-Content-Type-Options: nosniff",
    "no-referrer-policy": "no Referrer-Policy",
    "no-permissions-policy": "no Permissions-Policy",
}
_KINDS_JA = {
    "debug log": "デバッグログ",
    "configuration backup": "設定ファイルのバックアップ",
    "environment file": "環境変数ファイル",
    "Git repository": "Git リポジトリ",
    "Subversion repository": "Subversion リポジトリ",
    "phpinfo page": "phpinfo ページ",
    "Finder metadata": "Finder のメタデータ",
}


def _user_slugs(answer: Fetched) -> list[str]:
    if answer.status != 200:
        return []
    try:
        data = answer.json()
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [
        str(u.get("slug") or u.get("name")) for u in data if isinstance(u, dict) and (u.get("slug") or u.get("name"))
    ]


def parse_set_cookie(raw: str) -> dict[str, str] | None:
    """A Set-Cookie header as {"name": ..., attribute (lower case): value}; the cookie's value is left out (it may be
    a session id)."""
    first, _, rest = raw.partition(";")
    name, eq, _ = first.partition("=")
    if not eq or not name.strip():
        return None
    cookie = {"name": name.strip()}
    for part in rest.split(";"):
        key, _, value = part.strip().partition("=")
        if key:
            cookie[key.strip().lower()] = value.strip()
    return cookie
