"""``qa doctor``: what each engine of the matrix will run on, and the one command that fixes what is missing.

The answers come from the code that starts the engines (qa.visit.engines, playwright_driver, webdriver_driver) and
finds the rule engines (qa.check._engines), so the doctor and a run never disagree.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
from dataclasses import dataclass

from playwright.async_api import async_playwright

from qa.check._engines import engine_data, engine_folder, engine_label, engine_script
from qa.check.axe import BUNDLED_AXE
from qa.visit.engines import _managed, system_firefox
from qa.visit.matrix import BrowserSpec, Matrix
from qa.visit.playwright_driver import PRODUCTS, system_chromium
from qa.visit.plugins import plugin_drivers
from qa.visit.webdriver_driver import SYSTEM_PYTHON, WEBKITGTK_DRIVER, webkitgtk_available

VERSION_TIMEOUT_S = 20
FIX_CHROMIUM = "python -m playwright install chromium  (or: apt-get install chromium chromium-headless-shell)"
FIX_FIREFOX = "python -m playwright install firefox  (or: apt-get install firefox-esr)"
FIX_WEBKITGTK = "apt-get install webkit2gtk-driver xvfb python3-gi gir1.2-webkit2-4.1"
FIX_WEBKIT = f"python -m playwright install webkit  (or: {FIX_WEBKITGTK})"


@dataclass
class Item:
    """One line of the diagnosis: ``ok``, what will be used (or what is missing), and the fix when not ok."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _executable(path: str) -> str | None:
    return path if os.access(path, os.X_OK) else shutil.which(path)


def _webkitgtk_parts() -> list[str]:
    """What of WebKitGTK's WebDriver setup is missing: WebKitWebDriver, Xvfb, the system Python (python3-gi)."""
    if webkitgtk_available() and shutil.which("Xvfb"):
        return []
    missing = [] if shutil.which(os.path.basename(WEBKITGTK_DRIVER)) else ["WebKitWebDriver (on PATH)"]
    missing += [] if os.access(SYSTEM_PYTHON, os.X_OK) else [f"python3-gi ({SYSTEM_PYTHON})"]
    return missing + ([] if shutil.which("Xvfb") else ["Xvfb"])


# WebKitWebDriver has no --version: the WebKitGTK library it drives says its own, through the system Python's GI.
WEBKITGTK_VERSION = (
    "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2 as W; "
    "print(f'WebKitGTK {W.get_major_version()}.{W.get_minor_version()}.{W.get_micro_version()}')"
)


def program_version(path: str) -> str:
    """The program's own ``--version`` line (what a run records as the browser version comes from the browser once
    started; this is the installed build), or "" when it does not answer."""
    command = [SYSTEM_PYTHON, "-c", WEBKITGTK_VERSION] if path.endswith("/WebKitWebDriver") else [path, "--version"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=VERSION_TIMEOUT_S, env=_quiet_env())
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return lines[-1] if done.returncode == 0 and lines else ""


def _quiet_env() -> dict[str, str]:
    # Firefox asks for a display for --version when it has none and MOZ_HEADLESS is unset.
    return {**os.environ, "MOZ_HEADLESS": "1"}


def with_version(item: Item, path: str, driver: str) -> Item:
    """The line says what will run: the program, its version, the driver that talks to it."""
    version = program_version(path)
    item.detail += f"; {version or 'version unknown'}; driver: {driver}"
    return item


def browser_item(spec: BrowserSpec, managed: dict[str, str]) -> Item:
    """What ``qa.visit.engines.launch`` will start for this entry, or why it cannot."""
    name = spec.name
    if spec.driver in plugin_drivers():
        return Item(name, True, f"plug-in driver '{spec.driver}' (started by its own module; not checked here)")
    if spec.endpoint:
        return Item(name, True, f"remote {spec.driver} endpoint {spec.endpoint} (not checked here)")
    if spec.driver == "webdriver":
        found = _executable(spec.webdriver or "")
        if found is None:
            fix = FIX_WEBKITGTK if "WebKitWebDriver" in (spec.webdriver or "") else "install it, or correct it"
            return Item(name, False, f"WebDriver server {spec.webdriver} not found", f"{fix} ('webdriver:' entry)")
        if found == WEBKITGTK_DRIVER and (missing := _webkitgtk_parts()):
            return Item(name, False, f"WebKitGTK needs {', '.join(missing)}", FIX_WEBKITGTK)
        return with_version(Item(name, True, f"WebDriver server {found}"), found, "webdriver")
    if spec.executable:
        found = _executable(spec.executable)
        if found is None:
            return Item(
                name,
                False,
                f"executable {spec.executable} not found",
                "install the browser, or correct 'executable:' in browsers.yaml",
            )
        driver = "webdriver-bidi" if spec.engine == "firefox" else "playwright"
        return with_version(Item(name, True, f"{PRODUCTS[spec.engine]} at {found}"), found, driver)
    if spec.channel:
        return Item(name, True, f"Playwright channel '{spec.channel}' (found by Playwright at launch)")
    if managed[spec.engine]:
        path = managed[spec.engine]
        return with_version(Item(name, True, f"Playwright's own {PRODUCTS[spec.engine]} at {path}"), path, "playwright")
    if spec.engine == "chromium":
        found = system_chromium(spec.headless)
        if found:
            return with_version(Item(name, True, f"system Chromium {found}"), found, "playwright")
        return Item(name, False, "no Chromium (neither Playwright's nor Debian's chromium)", FIX_CHROMIUM)
    if spec.engine == "firefox":
        found = system_firefox()
        if found:
            return with_version(
                Item(name, True, f"system Firefox {found} over WebDriver BiDi"), found, "webdriver-bidi"
            )
        return Item(name, False, "no Firefox (neither Playwright's nor firefox-esr)", FIX_FIREFOX)
    missing = _webkitgtk_parts()
    if not missing:
        found = shutil.which(os.path.basename(WEBKITGTK_DRIVER)) or WEBKITGTK_DRIVER
        item = Item(name, True, f"WebKitGTK through {found} on a private Xvfb display")
        return with_version(item, found, "webdriver")
    why = f"no WebKit (Playwright's is not installed; WebKitGTK needs {', '.join(missing)})"
    return Item(name, False, why, FIX_WEBKIT)


async def diagnose_browsers(matrix: Matrix) -> list[Item]:
    async with async_playwright() as pw:
        managed = {engine: getattr(pw, engine).executable_path if _managed(pw, engine) else "" for engine in PRODUCTS}
    return [browser_item(spec, managed) for spec in matrix.browsers]


def rule_engines() -> list[Item]:
    """The rule engines beside axe-core: a run without one records its checks as not run; without the newest
    axe-core the bundled one runs (the run records which)."""
    items = []
    for key in engine_data()["engines"]:
        if engine_script(key) is not None:
            items.append(Item(engine_label(key), True, str(engine_folder(key))))
        elif key == "axe":
            detail = f"not installed in {engine_folder(key)}; the bundled axe-core {BUNDLED_AXE} runs instead"
            items.append(Item(engine_label(key), False, detail, "qa setup"))
        else:
            items.append(Item(engine_label(key), False, f"not installed in {engine_folder(key)}", "qa setup"))
    return items


def link_checker() -> Item:
    try:
        return Item("LinkChecker", True, f"version {importlib.metadata.version('linkchecker')}")
    except importlib.metadata.PackageNotFoundError:
        return Item("LinkChecker", False, "not installed in this Python", "python -m pip install linkchecker")


def ocr() -> Item:
    """Tesseract, which the images-of-text check reads images with (English; Japanese on Japanese pages)."""
    from qa.check import _ocr

    name = "Tesseract OCR"
    found = _ocr.program()
    if found is None:
        return Item(name, False, "not installed: images are not read for text (1.4.5)", _ocr.FIX)
    if "jpn" not in _ocr.languages():
        return Item(name, False, f"{found} has no Japanese (jpn) data", "apt-get install tesseract-ocr-jpn")
    return Item(name, True, f"{found} ({', '.join(sorted(_ocr.languages() - {'osd'}))})")


def spelling_dictionaries() -> Item:
    """The Hunspell dictionaries of the language family's spelling check (through Enchant)."""
    name = "Hunspell en_US and en_GB"
    fix = "apt-get install hunspell-en-us hunspell-en-gb libenchant-2-2"
    try:
        import enchant
    except ImportError:
        return Item(
            name, False, "the Enchant library (pyenchant) is not installed", f"pip install 'qa-suite[spelling]'; {fix}"
        )
    missing = [d for d in ("en_US", "en_GB") if not enchant.dict_exists(d)]
    if missing:
        return Item(name, False, f"no {' and '.join(missing)} dictionary", fix)
    return Item(name, True, f"through Enchant {enchant.get_enchant_version()}")
