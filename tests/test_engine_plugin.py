"""An engine is one new file: a module in qa/visit defining DRIVER and launch() is found by its name, accepted in
browsers.yaml and started by the run like a built-in driver."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

import qa.visit
from qa.access import SiteAccess
from qa.errors import ConfigError
from qa.urls import origin_key
from qa.visit.engines import launch
from qa.visit.matrix import load_matrix

from .conftest import PageHandler, serve_handler

PLUGIN = '''"""A plug-in driver: Chromium through Playwright, under a name of its own."""
from dataclasses import replace

from qa.visit.playwright_driver import launch_playwright

DRIVER = "wrapped-chromium"


async def launch(pw, spec, preload=()):
    engine = await launch_playwright(pw, replace(spec, driver="playwright"), preload)
    engine.driver = DRIVER
    return engine
'''


@pytest.fixture
def plugin_folder(tmp_path: Path):
    folder = tmp_path / "drivers"
    folder.mkdir()
    (folder / "wrapped_chromium.py").write_text(PLUGIN, encoding="utf-8")
    qa.visit.__path__.append(str(folder))  # the package gains one file, as a new module in qa/visit would
    try:
        yield folder
    finally:
        qa.visit.__path__.remove(str(folder))


def _matrix(tmp_path: Path, driver: str) -> Path:
    path = tmp_path / "browsers.yaml"
    path.write_text(
        f"browsers:\n  - {{name: mine, engine: chromium, driver: {driver}}}\n"
        "viewports:\n  - {name: desktop, width: 800, height: 600}\n",
        encoding="utf-8",
    )
    return path


def test_an_unknown_driver_is_a_one_line_error_listing_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_matrix(_matrix(tmp_path, "wrapped-chromium"))
    assert "must be one of playwright" in str(err.value) and "\n" not in str(err.value)


def test_a_plugin_driver_is_accepted_and_runs_a_page(plugin_folder: Path, tmp_path: Path) -> None:
    matrix = load_matrix(_matrix(tmp_path, "wrapped-chromium"))
    spec, viewport = matrix.browsers[0], matrix.viewports[0]

    class Page(PageHandler):
        def do_GET(self) -> None:
            self.send_html(b"<!doctype html><html lang=en><title>plug-in</title><p>hello</p></html>")

    async def visit(base: str) -> tuple[str, int | None, str]:
        async with async_playwright() as pw:
            engine = await launch(pw, spec)
            try:
                session = await engine.new_session(viewport, SiteAccess(origins=(origin_key(base),)))
                nav = await session.goto(base, 30)
                title = await session.evaluate("() => document.title")
                await session.close()
                return engine.driver, nav.status, title
            finally:
                await engine.close()

    with serve_handler(Page) as base:
        driver, status, title = asyncio.run(visit(base))
    assert (driver, status, title) == ("wrapped-chromium", 200, "plug-in")
