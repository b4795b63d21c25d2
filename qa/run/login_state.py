"""``qa login URL --save-storage FILE``: carry out the login flow of ``steps.once_per_session`` once in Chromium and
keep the session's cookies and localStorage as a Playwright storage-state file, for later audits to start logged in
(``--storage-state FILE``) without typing the password again."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import async_playwright

from qa.access import SiteAccess, load_credentials, site_access
from qa.config import Config
from qa.errors import SiteError, UsageError
from qa.redact import redact_url
from qa.store import atomic_path
from qa.urls import normalise, origin_key
from qa.visit.matrix import BrowserSpec, ViewportSpec
from qa.visit.playwright_driver import launch_playwright
from qa.visit.steps import StepFailed, check_steps, run_steps

VIEWPORT = ViewportSpec("desktop", 1280, 800)


async def save_storage_state(config: Config, url: str, path: Path) -> tuple[int, int]:
    """Log in by the steps and write the storage state (the site's origins only, readable by the owner only);
    returns (cookies, localStorage entries) kept."""
    start_url = normalise(url)
    if not start_url:
        raise UsageError(f"qa login: '{url}' is not an http(s) URL; give the site's address")
    steps = config.steps.once_per_session
    if not steps:
        raise UsageError(
            "qa login: steps.once_per_session in qa.yaml is empty; write the login flow there (docs/steps.md)"
        )
    access = site_access(load_credentials(config), SiteAccess(), start_url, config)
    check_steps(config, start_url)
    timeout = config.timeouts.navigation
    async with async_playwright() as pw:
        engine = await launch_playwright(pw, BrowserSpec("chromium", "chromium"))
        try:
            session = await engine.new_session(VIEWPORT, access)
            nav = await session.goto(start_url, timeout)
            if nav.fault is not None:
                raise SiteError(
                    f"qa login: {redact_url(start_url)} could not be opened ({nav.error or nav.fault.value})"
                )
            try:
                await run_steps(session, steps, start_url, "steps.once_per_session", navigation_timeout_s=timeout)
            except StepFailed as exc:
                raise SiteError(f"qa login: {exc}") from None
            state = await session.context.storage_state()
        finally:
            await engine.close()
    kept = site_state(state, access)
    with atomic_path(path) as tmp:
        tmp.touch(mode=0o600)
        os.chmod(tmp, 0o600)  # session cookies are credentials: the owner's only, like the secrets file
        tmp.write_text(json.dumps(kept, indent=1), encoding="utf-8")
    return len(kept["cookies"]), sum(len(o["localStorage"]) for o in kept["origins"])


def site_state(state: dict[str, Any], access: SiteAccess) -> dict[str, Any]:
    """The storage state of the site's origins only: a login that passed through another host leaves its cookies
    out of the file."""
    hosts = {urlsplit(o).hostname for o in access.origins}
    return {
        "cookies": [c for c in state.get("cookies", []) if str(c.get("domain", "")).lstrip(".") in hosts],
        "origins": [o for o in state.get("origins", []) if origin_key(o.get("origin", "")) in access.origins],
    }
