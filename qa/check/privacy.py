"""Privacy before consent (GDPR): what a visitor's browser is given before they said yes to anything.

The page check runs first in every visit of the primary cell, before any check touches the page: the session is
a fresh visitor who has clicked nothing, so every cookie in its jar, every storage entry and every host the page
contacted came before consent. It records them with whether a consent banner shows and whether a privacy-policy
link is there. When ``privacy.accept`` / ``privacy.reject`` name the banner's buttons, the first page showing one
is also tried once: reject (what is still added), then, as a fresh visitor again, accept (what accepting adds);
the cookies are cleared after each so the rest of the crawl stays before consent.

The site check turns the pages' records into the inventory a data-protection reviewer asks for (each cookie: name,
domain, party, lifetime, first page, before consent or not; each third-party host: category, pages) and the
findings: a tracker contacted or a tracking cookie set before consent (violation), an unknown third-party host or a
known embed (fonts, video, maps) before consent (needs review), no banner where one is needed, pages without a
link to the privacy policy. Cookie values and storage values are never read into the results.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from qa.check import Inventory, PageCheck, PageContext, SiteCheck
from qa.check._site import site_finding
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Page, Results
from qa.visit.driver import DriverFault

SETTLE_MS = 8000  # the most a click's consequences (scripts it loads, cookies they set) are waited for
MAX_HOSTS = 100  # third-party hosts kept per page
MAX_PAGES_LISTED = 20  # pages named per inventory row

# A small table of well-known third-party hosts (a host matches itself and its subdomains): the category, and
# whether contacting it before consent is tracking (analytics, advertising, social pixels).
HOSTS: dict[str, tuple[str, bool]] = {
    **dict.fromkeys(
        (
            "google-analytics.com",
            "analytics.google.com",
            "googletagmanager.com",
            "hotjar.com",
            "hotjar.io",
            "clarity.ms",
            "mc.yandex.ru",
            "matomo.cloud",
            "mixpanel.com",
            "segment.com",
            "segment.io",
            "treasuredata.com",
            "ptengine.jp",
            "ptengine.com",
            "userheat.com",
            "nr-data.net",
        ),
        ("analytics", True),
    ),
    **dict.fromkeys(
        (
            "doubleclick.net",
            "googlesyndication.com",
            "googleadservices.com",
            "adservice.google.com",
            "connect.facebook.net",
            "facebook.com",
            "bat.bing.com",
            "ads-twitter.com",
            "analytics.tiktok.com",
            "px.ads.linkedin.com",
            "snap.licdn.com",
            "criteo.com",
            "criteo.net",
            "adsrvr.org",
            "amazon-adsystem.com",
            "yjtag.yahoo.co.jp",
            "b.yjtag.jp",
            "s.yjtag.jp",
            "ads.yahoo.co.jp",
            "line-scdn.net",
            "tr.line.me",
        ),
        ("advertising", True),
    ),
    **dict.fromkeys(
        ("fonts.googleapis.com", "fonts.gstatic.com", "use.typekit.net", "p.typekit.net", "fonts.bunny.net"),
        ("fonts", False),
    ),
    **dict.fromkeys(
        ("youtube.com", "youtube-nocookie.com", "ytimg.com", "googlevideo.com", "vimeo.com", "vimeocdn.com"),
        ("video", False),
    ),
    **dict.fromkeys(
        ("maps.googleapis.com", "maps.gstatic.com", "openstreetmap.org", "api.mapbox.com", "map.yahooapis.jp"),
        ("maps", False),
    ),
    **dict.fromkeys(
        ("platform.twitter.com", "syndication.twitter.com", "static.addtoany.com", "connect.facebook.com"),
        ("social", False),
    ),
    **dict.fromkeys(
        (
            "cdnjs.cloudflare.com",
            "cdn.jsdelivr.net",
            "unpkg.com",
            "ajax.googleapis.com",
            "code.jquery.com",
            "stackpath.bootstrapcdn.com",
        ),
        ("cdn", False),
    ),
    **dict.fromkeys(
        ("cdn.cookielaw.org", "cookielaw.org", "consent.cookiebot.com", "cookiebot.com", "cookie-script.com"),
        ("consent", False),
    ),
}
# Cookies analytics and advertising scripts set on the site's own domain.
TRACKING_COOKIE = re.compile(
    r"^(_ga(_\w+)?|_gid|_gat(_\w+)?|_gcl_\w+|__utm[abcvz]|_fbp|_fbc|_hj\w+|_clck|_clsk|_uetsid|_uetvid|"
    r"_ttp|_pin_unauth|_yjsu_yjad|_ym_\w+|mp_\w+_mixpanel|ajs_(anonymous|user)_id|_td|_ptid)$"
)
# Cookies a CDN or load balancer sets for itself (bot management, stickiness): strictly necessary, not tracking, even
# on another domain.
NECESSARY_COOKIE = re.compile(r"^(__cf_bm|_cfuvid|cf_clearance|__cflb|AWSALB|AWSALBCORS|AWSALBTG|AWSALBTGCORS)$")
POLICY_TEXT = re.compile(
    r"privacy|data protection|cookie policy|プライバシー|個人情報|クッキーポリシー|Cookieポリシー", re.IGNORECASE
)
POLICY_URL = re.compile(r"privacy|kojinjoho|personal[-_]?(info|data)|datenschutz|cookie-policy", re.IGNORECASE)
# Second-level labels under which a registrable domain takes three labels (example.co.jp, city.example.lg.jp).
SECOND_LEVEL = {"co", "or", "ne", "go", "ac", "ad", "ed", "gr", "lg", "com", "net", "org", "gov", "edu"}

# What the page holds and shows before anything touched it. Names only: storage values and cookie values are
# the visitor's data. Resource timing lists what the document (and its frames' documents) fetched.
STATE_JS = r"""
(bannerSel) => {
  const keys = (s) => { try { return Object.keys(s); } catch (e) { return null; } };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none' && st.opacity !== '0';
  };
  const cmp = ['#onetrust-banner-sdk', '#CybotCookiebotDialog', '#cookie-notice', '#cookie-law-info-bar',
    '.cky-consent-container', '.cmplz-cookiebanner', '#moove_gdpr_cookie_info_bar', '#BorlabsCookieBox',
    '.cc-window', '#cookiescript_injected', '#usercentrics-root', '.fc-consent-root', '#qc-cmp2-container',
    '[aria-label*="cookie" i][role="dialog"]', '[id*="cookie-banner" i]', '[class*="cookie-banner" i]',
    '[id*="consent-banner" i]', '[class*="consent-banner" i]'];
  let banner = null;
  for (const sel of (bannerSel ? [bannerSel] : []).concat(cmp)) {
    let el = null;
    try { el = document.querySelector(sel); } catch (e) { continue; }
    if (el && visible(el)) { banner = {how: sel, text: (el.innerText || '').trim().slice(0, 120)}; break; }
  }
  if (!banner) {
    const words = /cookie|consent|クッキー|同意/i;
    for (const el of document.querySelectorAll('div, section, aside, dialog, form, [role=dialog]')) {
      const st = getComputedStyle(el);
      const floating = st.position === 'fixed' || st.position === 'sticky' || el.getAttribute('role') === 'dialog'
        || el.tagName === 'DIALOG';
      if (!floating || !visible(el)) continue;
      const text = (el.innerText || '').trim();
      if (words.test(text) && el.querySelector('button, a, input[type=button], input[type=submit]')) {
        banner = {how: 'text', text: text.slice(0, 120)};
        break;
      }
    }
  }
  // an SVG link's href is an animated string
  const urlOf = (a) => (typeof a.href === 'string' ? a.href : new URL(a.getAttribute('href'), document.baseURI).href);
  const links = [...document.querySelectorAll('a[href]')].slice(0, 2000).map((a) => [
    urlOf(a), ((a.innerText || a.textContent || '') + ' ' + (a.getAttribute('aria-label') || '')).trim().slice(0, 80)]);
  const requests = performance.getEntriesByType('resource').map((e) => e.name).slice(0, 1000);
  return {requests, local: keys(window.localStorage), session: keys(window.sessionStorage), banner, links};
}
"""
CLICK_JS = "(sel) => { const el = document.querySelector(sel); if (!el) return false; el.click(); return true; }"
# Until every script, frame and image in the document has arrived (or the time is up), then a moment for the
# scripts that arrived last to run: what a click loaded has then done what it does.
SETTLE_JS = r"""
async (maxMs) => {
  const start = performance.now();
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  while (performance.now() - start < maxMs) {
    const loaded = new Set(performance.getEntriesByType('resource').map((e) => e.name));
    const pending = [...document.querySelectorAll('script[src], iframe[src], img[src]')]
      .filter((e) => e.src && e.src.startsWith('http') && !loaded.has(e.src) && !(e.tagName === 'IMG' && e.complete));
    if (!pending.length) { await pause(300); return true; }
    await pause(100);
  }
  return false;
}
"""


# Resource timing keeps 250 entries by default: a page with more images would hide the third parties it contacts
# after them. Raised in every document before the page's own scripts run, by engines that preload scripts
# (Playwright's; Firefox over BiDi gets libraries sent after the load, so there the first 250 are what is seen).
TIMING_BUFFER_JS = "performance.setResourceTimingBufferSize && performance.setResourceTimingBufferSize(5000);"


class PrivacyState(PageCheck):
    id = "privacy-state"
    title = "Cookies, storage and third-party hosts before consent"
    family = "privacy"
    primary_only = True
    order = 3  # first of all: nothing may have touched the page yet
    before_steps = True  # and before the scripted steps, which may accept the banner
    provides = ("privacy",)
    preload = (TIMING_BUFFER_JS,)

    def __init__(self) -> None:
        self.tried_consent = False  # the accept/reject trial runs once per run, on the first page it can

    async def run(self, ctx: PageContext) -> list[Finding]:
        settings = ctx.config.privacy
        state = await self.state(ctx)
        record: dict[str, Any] = {
            "cookies": state["cookies"],
            "storage": state["storage"],
            "hosts": state["hosts"],
            "banner": state["banner"],
            "policy_link": state["policy"],
        }
        if ctx.after_steps:  # seen after steps in this session: not a visitor before consent (see _privacy_pages)
            record["after_steps"] = True
        wanted = [(what, sel) for what, sel in (("reject", settings.reject), ("accept", settings.accept)) if sel]
        ctx.page.facts["privacy"] = record  # kept even when the trial below fails
        ready = bool(wanted) and not self.tried_consent and state["cookies"] is not None
        if ready:  # the first page showing one of the buttons (the other may be a layer deeper)
            ready = await ctx.session.evaluate(
                "(sels) => sels.some((s) => !!document.querySelector(s))", [s for _, s in wanted]
            )
        if ready:
            self.tried_consent = True
            try:
                record["consent"] = await self.trial(ctx, wanted, state)
            except DriverFault:
                raise
            except Exception as exc:  # recorded, and the page's check error says what happened
                record["consent"] = {"problem": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
                raise
        return []

    async def state(self, ctx: PageContext) -> dict[str, Any]:
        extra = [re.compile(p, re.IGNORECASE) for p in ctx.config.privacy.policy_link]
        raw = await ctx.session.evaluate(STATE_JS, ctx.config.privacy.banner)
        policy = next(
            (
                {"href": href, "text": text}
                for href, text in raw.get("links") or []
                if POLICY_TEXT.search(text)
                or POLICY_URL.search(href)
                or any(p.search(text) or p.search(href) for p in extra)
            ),
            None,
        )
        cookies = await ctx.session.cookies()
        page_origin = urlsplit(ctx.page.final_url or ctx.page.url)
        storage = [{"name": k, "kind": "localStorage"} for k in raw.get("local") or []]
        storage += [{"name": k, "kind": "sessionStorage"} for k in raw.get("session") or []]
        hosts = sorted({h for u in raw.get("requests") or [] if (h := urlsplit(u).hostname)} - {page_origin.hostname})
        return {
            "cookies": None if cookies is None else [_cookie(c) for c in cookies],
            "storage": storage,
            "hosts": hosts[:MAX_HOSTS],
            "banner": raw.get("banner"),
            "policy": policy,
        }

    async def settle(self, ctx: PageContext) -> None:
        """Wait for what the click loaded; a button that reloads the page is waited for in the new document."""
        for _ in range(2):
            try:
                await ctx.session.evaluate(SETTLE_JS, SETTLE_MS)
                return
            except DriverFault:
                raise
            except Exception:  # the document went away under the script: the page moved on
                await asyncio.sleep(1)

    async def trial(self, ctx: PageContext, wanted: list[tuple[str, str]], before: dict[str, Any]) -> dict[str, Any]:
        """Click each configured button as a fresh visitor: what it added to the cookies, storage and hosts."""
        url = ctx.page.final_url or ctx.page.url
        out: dict[str, Any] = {}
        for what, selector in wanted:
            clicked = await ctx.session.evaluate(CLICK_JS, selector)
            if clicked:
                await self.settle(ctx)
                after = await self.state(ctx)
                out[what] = {
                    "selector": selector,
                    "clicked": True,
                    "cookies": _added(before["cookies"], after["cookies"], ("name", "domain")),
                    "storage": _added(before["storage"], after["storage"], ("name", "kind")),
                    "hosts": sorted(set(after["hosts"]) - set(before["hosts"])),
                }
            else:
                out[what] = {"selector": selector, "clicked": False}
            # A fresh visitor again, for the next button and for the rest of the crawl.
            await ctx.session.clear_cookies()
            await ctx.session.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
            await ctx.session.goto(url, ctx.config.timeouts.navigation)
        return out


def _added(before: list[dict] | None, after: list[dict] | None, key: tuple[str, ...]) -> list[dict]:
    seen = {tuple(c[k] for k in key) for c in before or []}
    return [c for c in after or [] if tuple(c[k] for k in key) not in seen]


def _cookie(c: dict[str, Any]) -> dict[str, Any]:
    expires = c.get("expires", -1)
    return {
        "name": c.get("name", ""),
        "domain": c.get("domain", ""),
        "path": c.get("path", "/"),
        "expires": expires if isinstance(expires, int | float) and expires > 0 else None,
        "http_only": bool(c.get("httpOnly")),
        "secure": bool(c.get("secure")),
        "same_site": c.get("sameSite", ""),
    }


def registrable(host: str) -> str:
    """The part of a host name a site owns (example.co.jp for www.example.co.jp); an IP address is itself."""
    host = host.lower().strip(".")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def known_host(host: str, trackers: list[str]) -> tuple[str, bool] | None:
    """(category, tracking) of a host from the table (its own name or a parent domain's), or None: unknown."""
    labels = host.lower().split(".")
    for i in range(len(labels)):
        name = ".".join(labels[i:])
        if name in trackers:
            return ("tracker (configured)", True)
        if name in HOSTS:
            return HOSTS[name]
    return None


def lifetime_days(expires: float | None, seen: float) -> float | None:
    """Days from when it was seen to its expiry (two decimals under a day, whole days above); None: session."""
    if expires is None:
        return None
    days = max((expires - seen) / 86400, 0)
    return round(days) if days >= 1 else round(days, 2)


class PrivacyReport(SiteCheck):
    id = "privacy"
    title = "Privacy before consent (GDPR): cookies, third parties, consent banner, privacy policy link"
    family = "privacy"
    requires = ("privacy",)
    provides = ("privacy-cookies", "privacy-hosts", "privacy-summary")
    settings = ("privacy",)
    inventories = (
        Inventory(
            "privacy-cookies",
            "Cookie・ストレージ一覧",
            "Cookies and storage",
            (
                ("name", "名前", "Name"),
                ("kind", "種類", "Kind"),
                ("domain", "ドメイン", "Domain"),
                ("third_party", "第三者", "Third party"),
                ("lifetime_days", "有効期間（日・空欄はセッション）", "Lifetime (days; blank: session)"),
                ("expires", "有効期限", "Expires"),
                ("first_seen", "最初に見たページ", "First seen on"),
                ("before_consent", "同意前に設定", "Set before consent"),
                ("set_after", "設定したボタン（同意操作後）", "Set after clicking"),
                ("tracking", "追跡用", "Tracking"),
            ),
            (18, 12, 18, 7, 10, 11, 32, 8, 12, 7),
        ),
        Inventory(
            "privacy-hosts",
            "第三者への通信一覧",
            "Third-party hosts",
            (
                ("host", "ホスト", "Host"),
                ("category", "分類", "Category"),
                ("tracker", "トラッカー", "Tracker"),
                ("before_consent", "同意前に接続", "Contacted before consent"),
                ("set_after", "接続したボタン（同意操作後）", "Contacted after clicking"),
                ("pages", "ページ数", "Pages"),
                ("page_list", "ページ", "Pages (first 20)"),
            ),
            (28, 12, 8, 8, 12, 8, 44),
        ),
    )
    messages = {
        "tracker-before-consent": {
            "ja": "同意の前にトラッカー {host}（{category}）に接続しています（{pages} ページ）。",
            "fix_ja": "同意を得るまでこのスクリプトを読み込まない（同意管理ツールで読み込みを制御する）。",
            "fix_en": "Do not load this script until the visitor consents (let the consent tool load it).",
            "help": "https://www.ppc.go.jp/enforcement/infoprovision/laws/GDPR/",
        },
        "tracking-cookie-before-consent": {
            "ja": "同意の前に追跡用の Cookie「{cookie}」（{domain}、{party}）が設定されています。",
            "fix_ja": "同意を得るまでこの Cookie を設定するスクリプトを動かさない。",
            "fix_en": "Do not run the script setting this cookie until the visitor consents.",
            "help": "https://www.ppc.go.jp/enforcement/infoprovision/laws/GDPR/",
        },
        "third-party-before-consent": {
            "ja": (
                "同意の前に第三者 {host}（{category}）に接続しています（{pages} ページ）。"
                "必要性と同意の要否を確認してください。"
            ),
            "fix_ja": (
                "訪問者の情報（IP アドレスなど）を第三者に送る埋め込みは、同意の後に読み込むか自サイトから配信する。"
            ),
            "fix_en": (
                "Load embeds that send visitor data (IP address) to a third party after consent, or host them yourself."
            ),
        },
        "tracking-after-reject": {
            "ja": "同意を拒否した後も {what} が追加されます。",
            "fix_ja": "拒否された場合はトラッカーを読み込まず、追跡用の Cookie を設定しない。",
            "fix_en": "After a refusal, load no tracker and set no tracking cookie.",
        },
        "no-consent-banner": {
            "ja": "Cookie や第三者への送信がありますが、同意を求めるバナーが見つかりません。",
            "fix_ja": "同意が必要な Cookie・第三者サービスがある場合は、使う前に同意を求める。",
            "fix_en": "Ask for consent before using cookies or third-party services that need it.",
        },
        "consent-button-missing": {
            "ja": (
                "設定された同意バナーのボタン {selector} がどのページにも見つからず、"
                "同意後の変化を確認できませんでした。"
            ),
            "fix_ja": "privacy.accept / privacy.reject の CSS セレクターをバナーのボタンに合わせる。",
            "fix_en": "Point privacy.accept / privacy.reject at the banner's buttons.",
        },
        "cookies-not-verified": {
            "ja": (
                "このブラウザー（{browser}）では Cookie をすべて読み出せないため、同意前の Cookie を確認していません。"
            ),
            "fix_ja": "Chromium を先頭のブラウザーにして再実行するか、Cookie を手作業で確認する。",
            "fix_en": "Run again with Chromium as the first browser, or check the cookies by hand.",
        },
        "no-privacy-policy-link": {
            "ja": "プライバシーポリシーへのリンクがありません（{pages} ページ）。",
            "fix_ja": "すべてのページ（フッターなど共通部分）にプライバシーポリシーへのリンクを置く。",
            "fix_en": "Link the privacy policy from every page (in the shared footer).",
        },
    }

    def run(self, results: Results) -> list[Finding]:
        config = (results.run.config or {}).get("privacy") or {}
        trackers = [t.lower() for t in config.get("trackers") or []]
        own = {registrable(h) for h in config.get("first_party") or []}
        pages = _privacy_pages(results)
        if not pages:
            results.extra.update({"privacy-cookies": [], "privacy-hosts": [], "privacy-summary": {"pages": 0}})
            return []
        site = registrable(urlsplit(pages[0].final_url or pages[0].url).hostname or "")
        own.add(site)
        seen_at = _seen_at(results)
        cookies: dict[tuple[str, str], dict[str, Any]] = {}
        hosts: dict[str, dict[str, Any]] = {}
        storage: dict[tuple[str, str], dict[str, Any]] = {}
        cookies_verified = True
        for page in pages:
            record = page.facts["privacy"]
            url = page.final_url or page.url
            if record["cookies"] is None:
                cookies_verified = False
            for c in record["cookies"] or []:
                row = cookies.setdefault((c["name"], c["domain"]), self.cookie_row(c, url, "", own, seen_at))
                row["pages"] += 1
            for s in record["storage"]:
                storage.setdefault((s["name"], s["kind"]), self.storage_row(s, url, "", page))
            for host in record["hosts"]:
                if registrable(host) in own:
                    continue
                row = hosts.setdefault(host, self.host_row(host, trackers, ""))
                row["page_list"].append(url)
            for trial in (record.get("consent") or {}).values():
                if not isinstance(trial, dict) or not trial.get("clicked"):
                    continue
                after = trial["selector"]
                for c in trial.get("cookies") or []:
                    cookies.setdefault((c["name"], c["domain"]), self.cookie_row(c, url, after, own, seen_at))
                for s in trial.get("storage") or []:
                    storage.setdefault((s["name"], s["kind"]), self.storage_row(s, url, after, page))
                for host in trial.get("hosts") or []:
                    if registrable(host) not in own:
                        hosts.setdefault(host, self.host_row(host, trackers, after))["page_list"].append(url)
        findings = self.judge(pages, cookies, hosts, config)
        if not cookies_verified:
            findings.append(
                site_finding(
                    self.id,
                    pages[0],
                    "cookies-not-verified",
                    NEEDS_REVIEW,
                    [],
                    f"{pages[0].browser} cannot list every cookie: the cookies before consent were not verified",
                    target="cookies",
                    details={"browser": pages[0].browser},
                )
            )
        for row in hosts.values():
            row["pages"] = len(row["page_list"])
            row["page_list"] = row["page_list"][:MAX_PAGES_LISTED]
        order = lambda r: (not r["before_consent"], r["kind"] != "cookie", r["third_party"], r["name"])  # noqa: E731
        results.extra["privacy-cookies"] = sorted([*cookies.values(), *storage.values()], key=order)
        results.extra["privacy-hosts"] = sorted(hosts.values(), key=lambda r: (not r["tracker"], r["host"]))
        results.extra["privacy-summary"] = {
            "pages": len(pages),
            "cookies_verified": cookies_verified,
            "banner_pages": sum(1 for p in pages if p.facts["privacy"]["banner"]),
            "policy_link_pages": sum(1 for p in pages if p.facts["privacy"]["policy_link"]),
            "consent": next((p.facts["privacy"]["consent"] for p in pages if p.facts["privacy"].get("consent")), None),
        }
        return findings

    def cookie_row(self, c: dict[str, Any], url: str, after: str, own: set[str], seen_at: float) -> dict[str, Any]:
        """One cookie, in language-neutral values (the sheet shows booleans as ○/×): ``after`` is the selector of
        the consent button whose click set it, "" when it was set before any."""
        third = registrable(c["domain"]) not in own
        return {
            "name": c["name"],
            "kind": "cookie",
            "domain": c["domain"],
            "third_party": third,
            "lifetime_days": lifetime_days(c["expires"], seen_at),  # None: a session cookie
            "expires": (
                datetime.fromtimestamp(c["expires"], UTC).date().isoformat() if c["expires"] is not None else ""
            ),
            "first_seen": url,
            "before_consent": not after,
            "set_after": after,
            "tracking": bool(TRACKING_COOKIE.match(c["name"])) or (third and not NECESSARY_COOKIE.match(c["name"])),
            "pages": 0,
        }

    def storage_row(self, s: dict[str, Any], url: str, after: str, page: Page) -> dict[str, Any]:
        """Web storage belongs to the page's own origin (a third-party frame's storage is not visible to it);
        localStorage has no expiry, sessionStorage lives as long as the tab (its kind says which)."""
        return {
            "name": s["name"],
            "kind": s["kind"],
            "domain": urlsplit(page.final_url or page.url).hostname or "",
            "third_party": False,
            "lifetime_days": None,
            "expires": "",
            "first_seen": url,
            "before_consent": not after,
            "set_after": after,
            "tracking": bool(TRACKING_COOKIE.match(s["name"])),
            "pages": 0,
        }

    def host_row(self, host: str, trackers: list[str], after: str) -> dict[str, Any]:
        known = known_host(host, trackers)
        category, tracker = known if known else ("unknown", False)
        return {
            "host": host,
            "category": category,
            "tracker": tracker,
            "before_consent": not after,
            "set_after": after,
            "page_list": [],
        }

    def judge(
        self,
        pages: list[Page],
        cookies: dict[tuple[str, str], dict[str, Any]],
        hosts: dict[str, dict[str, Any]],
        config: dict[str, Any],
    ) -> list[Finding]:
        first = pages[0]
        by_url = {p.final_url or p.url: p for p in pages}
        out: list[Finding] = []
        for host, row in sorted(hosts.items()):
            if not row["before_consent"]:
                continue
            page = by_url.get(row["page_list"][0], first)
            n = len(row["page_list"])
            rule, outcome = (
                ("tracker-before-consent", VIOLATION)
                if row["tracker"]
                else ("third-party-before-consent", NEEDS_REVIEW)
            )
            if row["category"] == "cdn" or row["category"] == "consent":
                continue  # a library CDN or the consent tool itself: listed in the inventory, not a finding
            out.append(
                site_finding(
                    self.id,
                    page,
                    rule,
                    outcome,
                    [],
                    f"{host} ({row['category']}) contacted before consent on {n} page(s)",
                    target=f"host:{host}",
                    details={"host": host, "category": row["category"], "pages": n, "urls": row["page_list"][:5]},
                )
            )
        for row in cookies.values():
            if row["before_consent"] and row["tracking"]:
                page = by_url.get(row["first_seen"], first)
                party_en = "third" if row["third_party"] else "first"
                out.append(
                    site_finding(
                        self.id,
                        page,
                        "tracking-cookie-before-consent",
                        VIOLATION,
                        [],
                        f"cookie {row['name']} ({row['domain']}, {party_en} party) set before consent",
                        target=f"cookie:{row['name']}@{row['domain']}",
                        details={
                            "cookie": row["name"],
                            "domain": row["domain"],
                            "party": "第三者" if row["third_party"] else "自サイト",
                            "party_en": party_en,
                        },
                    )
                )
        consent = next((p.facts["privacy"]["consent"] for p in pages if p.facts["privacy"].get("consent")), None)
        rejected = (consent or {}).get("reject") or {}
        if rejected.get("clicked"):
            added = [f"Cookie {c['name']}" for c in rejected["cookies"] if self.tracking_cookie(c, cookies)]
            added += [h for h in rejected["hosts"] if (hosts.get(h) or {}).get("tracker")]
            if added:
                out.append(
                    site_finding(
                        self.id,
                        first,
                        "tracking-after-reject",
                        VIOLATION,
                        [],
                        f"after rejecting, {', '.join(added)} are still added",
                        target="consent:reject",
                        details={"what": "、".join(added), "added": added},
                    )
                )
        wanted = [s for s in (config.get("accept"), config.get("reject")) if s]
        if wanted and consent is None:
            out.append(
                site_finding(
                    self.id,
                    first,
                    "consent-button-missing",
                    NEEDS_REVIEW,
                    [],
                    f"the configured consent buttons ({', '.join(wanted)}) were on no audited page",
                    target="consent",
                    details={"selector": ", ".join(wanted)},
                )
            )
        needs_consent = any(f.rule in ("tracker-before-consent", "tracking-cookie-before-consent") for f in out) or any(
            r["tracker"] or r["category"] in ("unknown", "video", "maps", "social") for r in hosts.values()
        )
        if needs_consent and not any(p.facts["privacy"]["banner"] for p in pages):
            out.append(
                site_finding(
                    self.id,
                    first,
                    "no-consent-banner",
                    NEEDS_REVIEW,
                    [],
                    "no consent banner on any page",
                    target="consent",
                )
            )
        lacking = [p for p in pages if not p.facts["privacy"]["policy_link"]]
        if lacking and len(lacking) == len(pages):
            out.append(
                site_finding(
                    self.id,
                    first,
                    "no-privacy-policy-link",
                    VIOLATION,
                    [],
                    f"no page of {len(pages)} links to a privacy policy",
                    target="a (privacy policy)",
                    details={"pages": f"{len(lacking)}/{len(pages)}"},
                )
            )
        else:
            for p in lacking:
                out.append(
                    site_finding(
                        self.id,
                        p,
                        "no-privacy-policy-link",
                        VIOLATION,
                        [],
                        "no link to the privacy policy on this page",
                        target="a (privacy policy)",
                        details={"pages": f"1/{len(pages)}"},
                    )
                )
        return out

    def tracking_cookie(self, c: dict[str, Any], cookies: dict[tuple[str, str], dict[str, Any]]) -> bool:
        row = cookies.get((c["name"], c["domain"]))
        return bool(row and row["tracking"])


def _privacy_pages(results: Results) -> list[Page]:
    """The primary cell's audited pages with a privacy record, each final URL once, in crawl order. A page seen
    after scripted steps ran in its session (a banner accepted on an earlier page) is not one; each session's
    first page is seen before its steps (docs/steps.md)."""
    seen: set[str] = set()
    out = []
    for p in results.pages:
        if p.error or "privacy" not in p.facts or p.facts["privacy"].get("after_steps"):
            continue
        final = p.final_url or p.url
        if final not in seen:
            seen.add(final)
            out.append(p)
    return out


def _seen_at(results: Results) -> float:
    """When the cookies were seen (the run's start), for their lifetimes."""
    try:
        return datetime.fromisoformat(results.run.started).timestamp()
    except ValueError:
        return time.time()
