"""Start the engine a browsers.yaml entry asks for."""

from __future__ import annotations

from playwright.async_api import Playwright

from qa.visit.driver import Engine
from qa.visit.matrix import BrowserSpec
from qa.visit.playwright_driver import launch_playwright


async def launch(pw: Playwright, spec: BrowserSpec) -> Engine:
    return await launch_playwright(pw, spec)
