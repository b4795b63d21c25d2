"""``browsers.yaml``: which browsers and viewports a run covers."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from qa.config import Section, checked, nearest, parse, read_yaml
from qa.errors import ConfigError, UsageError


def _known_driver(name: str) -> str | None:
    from qa.visit.plugins import driver_names

    known = driver_names()
    return None if name in known else f"must be one of {', '.join(known)}"


ENDPOINT_KINDS = ("playwright", "cdp", "webdriver", "bidi")
ENDPOINT_SCHEMES = {
    "playwright": ("ws://", "wss://"),
    "cdp": ("http://", "https://", "ws://", "wss://"),
    "webdriver": ("http://", "https://"),
    "bidi": ("ws://", "wss://"),
}


class EndpointEntry(Section):
    """One place a browser of the entry runs; ``${NAME}`` in a URL or header value is read from the environment."""

    playwright: str | None = Field(None, description="a Playwright browser server, ws://host:3000/")
    cdp: str | None = Field(None, description="a Chromium DevTools endpoint, http://host:9222 (cloud browsers)")
    webdriver: str | None = Field(None, description="a W3C WebDriver server or Selenium Grid, http://host:4444")
    bidi: str | None = Field(None, description="a Firefox Remote Agent (WebDriver BiDi), ws://host:9222")
    local: bool = Field(False, description="a browser launched here, as the entry's other keys say")
    headers: dict[str, str] = Field(
        {}, description="HTTP headers for the connection (e.g. Authorization: 'Bearer ${TOKEN}'), never recorded"
    )
    slots: int | None = Field(
        None, ge=1, description="pages in flight on this endpoint (default: what 'concurrency' gives a browser)"
    )


class BrowserEntry(Section):
    name: str = Field(description="the name --browser selects")
    engine: Literal["chromium", "firefox", "webkit"] = Field(description="chromium, firefox or webkit")
    driver: Annotated[str, checked(_known_driver)] = Field(
        "playwright",
        description="how the browser is started: playwright, executable, channel, endpoint, webdriver, or a "
        "plug-in driver's name (qa/visit/plugins.py)",
    )
    executable: str | None = Field(None, description="path of the browser program")
    channel: str | None = Field(None, description="a Playwright channel such as chrome or msedge")
    endpoint: str | None = Field(None, description="a remote browser: ws:// for Playwright, http:// for WebDriver")
    webdriver: str | None = Field(
        None, description="path of a WebDriver server such as WebKitWebDriver or safaridriver"
    )
    args: list[str] = Field([], description="extra command-line arguments for the browser")
    capabilities: dict[str, Any] = Field(
        {}, description="extra WebDriver capabilities (e.g. platformName for a Selenium Grid)"
    )
    headless: bool = Field(True, description="run without a window")
    endpoints: list[EndpointEntry] = Field(
        [], description="several places to run this browser; the audit shares its pages among them"
    )


class ViewportEntry(Section):
    name: str = Field(description="the name --viewport selects")
    width: int | None = Field(None, description="CSS pixels")
    height: int | None = Field(None, description="CSS pixels")
    device_scale_factor: int | float = Field(1, description="device pixel ratio")
    mobile: bool = Field(False, description="emulate a mobile browser (meta viewport honoured)")
    touch: bool = Field(False, description="emulate a touch screen")
    device: str | None = Field(None, description="a Playwright device name such as 'iPhone 13' (sets the rest)")


class BrowsersFile(Section):
    """``browsers.yaml``."""

    browsers: list[BrowserEntry] = Field([], description="the browsers a run may use")
    viewports: list[ViewportEntry] = Field([], description="the viewports a run may use")


@dataclass(frozen=True)
class Endpoint:
    """One entry of ``endpoints:``; ``url`` and header values as written (``${NAME}`` unexpanded)."""

    kind: str  # one of ENDPOINT_KINDS, or "local"
    url: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    slots: int | None = None


@dataclass(frozen=True)
class BrowserSpec:
    name: str
    engine: str
    driver: str = "playwright"
    executable: str | None = None
    channel: str | None = None
    endpoint: str | None = None
    webdriver: str | None = None
    args: tuple[str, ...] = ()
    headless: bool = True
    capabilities: tuple[tuple[str, Any], ...] = ()
    # Set by the run, not browsers.yaml: the site's own certificates, ("host:port", PEM), which the suite verified
    # against tls.ca_bundle; each engine trusts them its own way (qa.visit.tls).
    trusted: tuple[tuple[str, str], ...] = ()
    endpoints: tuple[Endpoint, ...] = ()


@dataclass(frozen=True)
class ViewportSpec:
    name: str
    width: int
    height: int
    device_scale_factor: float = 1
    mobile: bool = False
    touch: bool = False
    device: str | None = None


@dataclass
class Matrix:
    browsers: list[BrowserSpec] = field(default_factory=list)
    viewports: list[ViewportSpec] = field(default_factory=list)

    def cells(self) -> list[tuple[BrowserSpec, ViewportSpec]]:
        return [(b, v) for b in self.browsers for v in self.viewports]


def _unique(entries: list[dict[str, Any]], key: str, source: str) -> list[str]:
    """The list's problems (empty, a name twice), checked once every entry is valid (the file's structural errors
    come first, all at once)."""
    if not entries:
        return [f"{source}: '{key}' must be a non-empty list of entries"]
    names = [e["name"] for e in entries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    return [f"{source}: '{key}' names must be unique; '{name}' appears twice" for name in dupes]


# What each driver needs (one of), and the options that mean nothing to it.
NEEDS = {
    "executable": ("executable",),
    "channel": ("channel",),
    "endpoint": ("endpoint",),
    "webdriver": ("webdriver", "endpoint"),
}
IGNORED = {
    "playwright": ("webdriver", "capabilities"),
    "executable": ("channel", "endpoint", "webdriver", "capabilities"),
    "channel": ("endpoint", "webdriver", "capabilities"),
    "endpoint": ("executable", "channel", "webdriver", "capabilities", "args"),
    "webdriver": ("channel",),
}
HOW = {
    "executable": "the path of the browser program, e.g. /usr/bin/chromium",
    "channel": "a Playwright channel such as chrome or msedge",
    "endpoint": "a Playwright server URL, ws://host:port/...",
    "webdriver": "a WebDriver server path (e.g. /usr/bin/WebKitWebDriver, /usr/bin/safaridriver) "
    "or 'endpoint: http://grid:4444/wd/hub'",
}


def _check_driver(b: dict[str, Any], where: str) -> list[str]:
    """One line per option that is missing, meaningless or malformed for the chosen driver."""
    found = []
    driver = b["driver"]
    needs = NEEDS.get(driver, ())
    if needs and not any(b.get(k) for k in needs):
        found.append(f"{where}: driver '{driver}' needs '{needs[0]}': {HOW[driver]}")
    for key in IGNORED.get(driver, ()):
        if b.get(key) and not (key == "capabilities" and b.get("endpoints")):  # a WebDriver endpoint's
            found.append(f"{where}: '{key}' has no effect with driver '{driver}'; remove it or change the driver")
    endpoint = b.get("endpoint") or ""
    if endpoint:
        schemes = ("http://", "https://") if driver == "webdriver" else ("ws://", "wss://")
        if not endpoint.startswith(schemes):
            kind = "a WebDriver URL" if driver == "webdriver" else "a Playwright server URL"
            start = " or ".join(schemes)
            found.append(f"{where}: 'endpoint' must be {kind} starting with {start}, got {endpoint!r}")
    if driver == "webdriver" and b.get("webdriver") and endpoint:
        found.append(f"{where}: give either 'webdriver' (a local server) or 'endpoint' (a remote one), not both")
    if driver == "channel" and b["engine"] == "webkit" and not found:  # said once: the fix is another driver
        found.append(f"{where}: WebKit has no Playwright channels; use driver 'playwright' or 'webdriver'")
    return found


ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")  # ${NAME} in an endpoint's URL or header


def expand_env(text: str, where: str) -> str:
    """``${NAME}`` replaced by the environment variable; a missing one is a one-line error naming it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"{where}: environment variable {name} is not set; export it or remove ${{{name}}}")
        return os.environ[name]

    return ENV_REFERENCE.sub(value, text)


def _endpoints(b: dict[str, Any], where: str) -> tuple[tuple[Endpoint, ...], list[str]]:
    """The entry's endpoints, and one line per problem of theirs."""
    out, problems = [], []
    for i, e in enumerate(b.get("endpoints") or []):
        at = f"{where}.endpoints[{i}]"
        kinds = [k for k in ENDPOINT_KINDS if e.get(k)] + (["local"] if e.get("local") else [])
        if len(kinds) != 1:
            problems.append(f"{at}: give exactly one of {', '.join(ENDPOINT_KINDS)} or 'local: true'")
            continue
        kind = kinds[0]
        url = "" if kind == "local" else e[kind]
        if url and not url.startswith(ENDPOINT_SCHEMES[kind]):
            problems.append(f"{at}: '{kind}' must start with {' or '.join(ENDPOINT_SCHEMES[kind])}, got {url!r}")
        if kind == "cdp" and b["engine"] != "chromium":
            problems.append(f"{at}: 'cdp' is Chromium's DevTools protocol; engine is {b['engine']}")
        if kind == "bidi" and b["engine"] != "firefox":
            problems.append(f"{at}: 'bidi' endpoints are Firefox's Remote Agent; engine is {b['engine']}")
        if kind == "local" and e.get("headers"):
            problems.append(f"{at}: 'headers' has no effect on a local browser; remove them")
        headers = tuple(sorted(e.get("headers", {}).items()))
        for text in [url, *(v for _, v in headers)]:
            try:
                expand_env(text, at)  # a missing variable is told now, not mid-crawl
            except ConfigError as exc:
                problems.append(str(exc))
        out.append(Endpoint(kind, url, headers, e.get("slots")))
    return tuple(out), problems


def load_matrix(path: Path) -> Matrix:
    source = str(path)
    data = read_yaml(path, "browser matrix")
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: must be a mapping with 'browsers' and 'viewports' lists")
    matrix = parse(BrowsersFile, data, source).model_dump()
    problems = _unique(matrix["browsers"], "browsers", source) + _unique(matrix["viewports"], "viewports", source)
    browsers = []
    for i, b in enumerate(matrix["browsers"]):
        b["args"] = tuple(b["args"])
        b["capabilities"] = tuple(sorted((b["capabilities"] or {}).items()))
        problems += _check_driver(b, f"{source}: 'browsers[{i}]'")
        b["endpoints"], found = _endpoints(b, f"{source}: 'browsers[{i}]'")
        problems += found
        browsers.append(BrowserSpec(**b))
    viewports = []
    for i, v in enumerate(matrix["viewports"]):
        if not v["device"] and not (v["width"] and v["height"]):
            problems.append(f"{source}: 'viewports[{i}]' needs width and height (or a Playwright device name)")
        if v["device"] and not (v["width"] and v["height"]):
            v["width"], v["height"] = 0, 0  # filled from the device description at launch
        viewports.append(ViewportSpec(**v))
    if problems:  # every problem of the file at once, one line each
        raise ConfigError("\n".join(problems))
    return Matrix(browsers, viewports)


def select(matrix: Matrix, browsers: list[str], viewports: list[str], source: str) -> Matrix:
    """The part of the matrix named by --browser / --viewport (all of it when none are named)."""

    def pick(items: list, names: list[str], flag: str) -> list:
        if not names:
            return items
        by_name = {i.name: i for i in items}
        for n in names:
            if n not in by_name:
                raise UsageError(f"{flag} {n}: not in {source} ({nearest(n, list(by_name))})")
        return [by_name[n] for n in dict.fromkeys(names)]

    return Matrix(pick(matrix.browsers, browsers, "--browser"), pick(matrix.viewports, viewports, "--viewport"))
