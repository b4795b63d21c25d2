"""Start the engine a browsers.yaml entry asks for.

``driver: playwright`` means Playwright's own browser where it is installed, else the operating system's:
Debian's chromium, firefox-esr through Playwright's WebDriver BiDi channel (with the relay in ``ffshim``),
WebKitGTK through W3C WebDriver. Closed networks where Playwright cannot download browsers still get all three.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from playwright.async_api import Playwright

from qa.errors import BrowserUnavailable
from qa.visit.driver import Engine
from qa.visit.ffshim import write_wrapper
from qa.visit.matrix import BrowserSpec
from qa.visit.playwright_driver import launch_playwright
from qa.visit.webdriver_driver import launch_webdriver, webkitgtk_available

SYSTEM_FIREFOX = ("/usr/bin/firefox-esr", "/usr/bin/firefox")


def _managed(pw: Playwright, engine: str) -> bool:
    path = getattr(pw, engine).executable_path
    return bool(path) and os.access(path, os.X_OK)


def system_firefox() -> str | None:
    return next((p for p in SYSTEM_FIREFOX if os.access(p, os.X_OK)), None) or shutil.which("firefox")


async def _launch_firefox_bidi(pw: Playwright, spec: BrowserSpec, firefox: str, preload: tuple[str, ...]) -> Engine:
    """A stock Firefox through Playwright's ``moz-firefox`` BiDi channel and the relay shim."""
    folder = Path(tempfile.mkdtemp(prefix="qa-firefox-"))
    shimmed = replace(spec, driver="channel", channel="moz-firefox", executable=str(write_wrapper(folder, firefox)))
    try:
        engine = await launch_playwright(pw, shimmed, preload)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    engine.spec = spec
    engine.cleanup.append(folder)
    return engine


async def launch(pw: Playwright, spec: BrowserSpec, preload: tuple[str, ...] = ()) -> Engine:
    """One browser process; ``preload``: scripts every document gets at its start (see ``PageCheck.preload``)."""
    if spec.driver == "webdriver":
        return await launch_webdriver(spec, preload)
    if spec.engine == "firefox" and spec.driver in ("playwright", "executable") and not spec.endpoint:
        if spec.executable:
            return await _launch_firefox_bidi(pw, spec, spec.executable, preload)
        if not _managed(pw, "firefox") and not spec.channel:
            firefox = system_firefox()
            if firefox is None:
                raise BrowserUnavailable(
                    f"browser '{spec.name}': no Firefox found; run 'python -m playwright install firefox' "
                    "or 'apt-get install firefox-esr'"
                )
            return await _launch_firefox_bidi(pw, spec, firefox, preload)
    if spec.engine == "webkit" and spec.driver == "playwright" and not spec.endpoint and not spec.executable:
        if not _managed(pw, "webkit"):
            if not webkitgtk_available():
                raise BrowserUnavailable(
                    f"browser '{spec.name}': no WebKit found; run 'python -m playwright install webkit' or "
                    "'apt-get install webkit2gtk-driver xvfb python3-gi gir1.2-webkit2-4.1'"
                )
            return await launch_webdriver(replace(spec, driver="webdriver"), preload)
    return await launch_playwright(pw, spec, preload)
