"""Start the engine a browsers.yaml entry asks for.

``driver: playwright`` means Playwright's own browser where it is installed, else the operating system's:
Debian's chromium, firefox-esr over WebDriver BiDi (``bidi_driver``), WebKitGTK through W3C WebDriver.
Closed networks where Playwright cannot download browsers still get all three.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

from playwright.async_api import Playwright

from qa.errors import BrowserUnavailable
from qa.visit.bidi_driver import launch_bidi
from qa.visit.driver import Engine
from qa.visit.matrix import BrowserSpec
from qa.visit.playwright_driver import launch_playwright
from qa.visit.plugins import plugin_drivers
from qa.visit.remote import launch_pool
from qa.visit.webdriver_driver import launch_webdriver, webkitgtk_available

SYSTEM_FIREFOX = ("/usr/bin/firefox-esr", "/usr/bin/firefox")


def _managed(pw: Playwright, engine: str) -> bool:
    path = getattr(pw, engine).executable_path
    return bool(path) and os.access(path, os.X_OK)


def system_firefox() -> str | None:
    """firefox-esr (or firefox) on PATH, as ``system_chromium`` looks for Chromium."""
    return next((found for p in SYSTEM_FIREFOX if (found := shutil.which(os.path.basename(p)))), None)


async def launch(pw: Playwright, spec: BrowserSpec, preload: tuple[str, ...] = ()) -> Engine:
    """One browser process; ``preload``: scripts every document gets at its start (see ``PageCheck.preload``)."""
    if spec.endpoints:
        return await launch_pool(pw, spec, preload, launch)
    plugin = plugin_drivers().get(spec.driver)
    if plugin is not None:
        return await plugin(pw, spec, preload)
    if spec.driver == "webdriver":
        return await launch_webdriver(spec, preload)
    if spec.engine == "firefox" and spec.driver in ("playwright", "executable") and not spec.endpoint:
        if spec.executable:
            return await launch_bidi(spec, spec.executable, preload, pw.devices)
        if not _managed(pw, "firefox") and not spec.channel:
            firefox = system_firefox()
            if firefox is None:
                raise BrowserUnavailable(
                    f"browser '{spec.name}': no Firefox found; run 'python -m playwright install firefox' "
                    "or 'apt-get install firefox-esr'"
                )
            return await launch_bidi(spec, firefox, preload, pw.devices)
    if spec.engine == "webkit" and spec.driver == "playwright" and not spec.endpoint and not spec.executable:
        if not _managed(pw, "webkit"):
            if not webkitgtk_available():
                raise BrowserUnavailable(
                    f"browser '{spec.name}': no WebKit found; run 'python -m playwright install webkit' or "
                    "'apt-get install webkit2gtk-driver xvfb python3-gi gir1.2-webkit2-4.1'"
                )
            return await launch_webdriver(replace(spec, driver="webdriver"), preload)
    return await launch_playwright(pw, spec, preload)
