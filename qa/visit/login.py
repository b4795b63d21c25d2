"""Logging in to the staging site once, in a real browser, before the crawl; its cookies go to every session."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from qa.access import Credentials, SiteAccess
from qa.errors import ConfigError, SiteError
from qa.redact import redact_url
from qa.urls import normalise, origin_key


async def form_login(
    start_url: str, form: dict[str, str], creds: Credentials, access: SiteAccess, timeout_s: float
) -> list[dict[str, Any]]:
    """Log in once in a real browser and return the session's cookies."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    from qa.visit.playwright_driver import access_options, chromium_executable, grant_access

    if creds.login is None:
        raise ConfigError(
            "a login form is configured but no credentials were given; set QA_LOGIN_USER and QA_LOGIN_PASSWORD "
            "(or login_user/login_password in the secrets file)"
        )
    url = normalise(form["url"], start_url) or start_url
    site = origin_key(start_url)

    def allowed(address: str) -> bool:
        return origin_key(address) == site or access.allows(address)

    if not allowed(url):
        raise ConfigError(
            f"the login page {redact_url(url)} is not on the site's origin {site}; the password is typed only there "
            "(add its origin to access.origins if it is yours)"
        )
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_executable(pw))
        try:
            context = await browser.new_context(**access_options(access))
            page = await context.new_page()
            await grant_access(page, access, chromium=True)
            ms = timeout_s * 1000
            try:
                await page.goto(url, timeout=ms)
                if not allowed(page.url):
                    # The login page sent us elsewhere (production's login, a single sign-on host): the password
                    # is typed on the site's own origins only.
                    raise SiteError(
                        f"login at {redact_url(url)} led to {redact_url(page.url)}, another origin; the password is "
                        "not typed there (add that origin to access.origins if it is yours)"
                    )
                # Where the form sends the password: a staging copy's form may still post to production
                # (WordPress builds the login form's action from its siteurl). Judged before anything is typed.
                # (formAction is the document's URL when the button has no formaction of its own: not used then.)
                action = await page.eval_on_selector(
                    form["submit"],
                    "el => !el.form ? location.href : el.hasAttribute('formaction') ? el.formAction : el.form.action",
                )
                if not allowed(action):
                    raise SiteError(
                        f"the login form at {redact_url(url)} sends the password to {redact_url(action)}, another "
                        "origin; it is not submitted (add that origin to access.origins if it is yours)"
                    )
                await _fill_form(page, form, creds.login, ms)
                async with page.expect_navigation(timeout=ms):
                    await page.click(form["submit"], timeout=ms)
                await page.wait_for_load_state("load", timeout=ms)
                if form["success"]:
                    logged_in = await page.locator(form["success"]).count() > 0
                else:
                    logged_in = await page.locator(form["password"]).count() == 0
            except PlaywrightError as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise SiteError(
                    f"login at {redact_url(url)} could not be completed ({first}); check access.login in qa.yaml"
                ) from None
            if not logged_in:
                raise SiteError(f"login at {redact_url(url)} failed; check QA_LOGIN_USER and QA_LOGIN_PASSWORD")
            cookies = await context.cookies()
        finally:
            await browser.close()
    # The session's cookies for the site's own host only (a cookie the login page's third parties set stays here).
    host = urlsplit(site).hostname
    return [{**c, "url": site + "/"} for c in cookies if c.get("domain", "").lstrip(".") == host]


async def _fill_form(page: Any, form: dict[str, str], login: tuple[str, str], ms: float) -> None:
    """Type the user name and password, and check both landed where they belong.

    Login pages move focus on their own (WordPress focuses the user field 200 ms after parsing). When that lands
    between Playwright focusing a field and typing, the password goes into the user field: WordPress then reports
    an empty password, seen on a loaded CI machine. Retyping once the page is quiet fixes it.
    """
    for _ in range(3):
        await page.fill(form["username"], login[0], timeout=ms)
        await page.fill(form["password"], login[1], timeout=ms)
        typed = (
            await page.input_value(form["username"], timeout=ms),
            await page.input_value(form["password"], timeout=ms),
        )
        if typed == login:
            return
        await page.wait_for_timeout(250)
    raise SiteError(
        f"login at {redact_url(page.url)}: what was typed did not stay in the user and password fields; "
        "check access.login's username and password selectors in qa.yaml"
    )
