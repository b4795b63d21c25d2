"""Getting into a protected staging site: credentials from the environment or a secrets file, HTTP Basic auth,
and a form login (WordPress's own or one described in ``qa.yaml``) whose cookies every browser context and the
HTTP client reuse.

Credentials never come from the command line (it ends up in shell history and process lists) and every value is
registered with :mod:`qa.redact` the moment it is read, so no output can carry it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import Field, create_model

from qa.config import Config, Section, parse, read_yaml
from qa.errors import ConfigError, SiteError, UsageError
from qa.redact import SECRET_KEYS, redact_url, register_secret
from qa.urls import origin_key


@dataclass
class Tls:
    """How certificates are checked: verified by default, against the system's CAs plus ``ca_bundle``."""

    ca_bundle: str | None = None  # PEM file of the staging CA(s), trusted besides the system's
    insecure: bool = False  # tls.insecure: certificates of the site's origins are not verified (said in the run notes)


@dataclass
class SiteAccess:
    """How to get into a protected staging site; applied to every browser session and HTTP request, but only
    towards ``origins``: the site's exact origin and the ones ``access.origins`` lists. Empty: nowhere."""

    http_credentials: tuple[str, str] | None = None  # HTTP Basic auth (user, password)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[dict[str, Any]] = field(default_factory=list)  # Playwright cookie dicts (name, value, url|domain)
    origins: tuple[str, ...] = ()  # exact origins (scheme://host[:port], see qa.urls.origin_key)
    tls: Tls = field(default_factory=Tls)
    # The storage-state file's localStorage of the allowed origins: origin -> [{"name", "value"}]
    local_storage: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was left out, and why (warnings for the run notes)

    def allows(self, url: str) -> bool:
        """May the site's credentials, headers and cookies go to this URL?"""
        key = origin_key(url)
        return bool(key) and key in self.origins

    @property
    def sends_anything(self) -> bool:
        return bool(self.http_credentials or self.headers or self.cookies)

    def scoped_cookie(self, cookie: dict[str, Any]) -> dict[str, Any] | None:
        """A cookie for the site, bound to one allowed origin's host only (no domain cookie that subdomains would get,
        ``secure`` on https), or None when it belongs to no allowed origin. Browsers do not tell ports apart for
        cookies: a cookie for ``host:8443`` also goes to ``host:9000`` (docs/security.md)."""
        if cookie.get("url"):
            target = origin_key(cookie["url"])
        else:
            host = str(cookie.get("domain") or "").lstrip(".").lower()
            target = next((o for o in self.origins if urlsplit(o).hostname == host), "")
        if not target or target not in self.origins:
            return None
        kept = {k: v for k, v in cookie.items() if k in ("name", "value", "expires", "httpOnly", "sameSite")}
        return {**kept, "url": target + "/", "secure": target.startswith("https:")}


@dataclass
class Credentials:
    basic_user: str = ""
    basic_password: str = field(default="", repr=False)
    wp_user: str = ""  # WordPress user whose application password reads drafts through the REST API
    wp_app_password: str = field(default="", repr=False)
    login_user: str = ""  # the login form's user (WordPress: a user who may preview drafts)
    login_password: str = field(default="", repr=False)

    @property
    def basic(self) -> tuple[str, str] | None:
        return (self.basic_user, self.basic_password) if self.basic_user and self.basic_password else None

    @property
    def rest(self) -> tuple[str, str] | None:
        return (self.wp_user, self.wp_app_password) if self.wp_user and self.wp_app_password else None

    @property
    def login(self) -> tuple[str, str] | None:
        return (self.login_user, self.login_password) if self.login_user and self.login_password else None


ENV = {f.name: f"QA_{f.name.upper()}" for f in fields(Credentials)}  # basic_user -> QA_BASIC_USER, ...
# The secrets file: the credentials' names, each also settable from the environment.
SecretsFile = create_model(
    "SecretsFile",
    __base__=Section,
    **{
        f.name: (str | None, Field(None, description=f"or the environment variable {ENV[f.name]}"))
        for f in fields(Credentials)
    },
)
WORDPRESS_LOGIN = {
    "url": "wp-login.php",  # relative to where WordPress is installed
    "username": "#user_login",
    "password": "#user_pass",
    "submit": "#wp-submit",
    "success": "",
}


def load_credentials(config: Config, environ: dict[str, str] | None = None) -> Credentials:
    """The environment wins over the secrets file; both are optional."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    path = config.access.secrets_file
    if path:
        values = _read_secrets(Path(path))
    for name, var in ENV.items():
        if environ.get(var):
            values[name] = environ[var]
    creds = Credentials(**{k: v for k, v in values.items() if v})
    for name in ("basic_password", "wp_app_password", "login_password"):
        register_secret(getattr(creds, name))
    register_secret(creds.wp_app_password.replace(" ", ""))  # WordPress shows it in groups of four
    return creds


def _read_secrets(path: Path) -> dict[str, str]:
    data = read_yaml(path, "secrets file")
    values = parse(SecretsFile, data, str(path), show_values=False).model_dump()
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path}: the secrets file is readable by other users; run 'chmod 600 {path}'")
    return {k: v for k, v in values.items() if v}


def site_access(
    creds: Credentials, base: SiteAccess | None = None, start_url: str = "", config: Config | None = None
) -> SiteAccess:
    """What the run sends to the site, and where: the start URL's origin and ``access.origins``; TLS from ``tls``."""
    base = base or SiteAccess()
    config = config or Config()
    listed = config.access.origins
    origins = tuple(dict.fromkeys(o for o in (origin_key(start_url), *base.origins, *map(origin_key, listed)) if o))
    ca_bundle = config.tls.ca_bundle or base.tls.ca_bundle
    if ca_bundle and not Path(ca_bundle).is_file():
        raise ConfigError(f"tls.ca_bundle: {ca_bundle} not found; give the path of the staging CA's PEM file")
    access = SiteAccess(
        http_credentials=creds.basic or base.http_credentials,
        headers=dict(base.headers),
        origins=origins,
        tls=Tls(ca_bundle, config.tls.insecure or base.tls.insecure),
    )
    access.cookies = [c for c in map(access.scoped_cookie, base.cookies) if c]
    access.headers.update(config_headers(config))
    if config.access.storage_state:
        apply_storage_state(access, Path(config.access.storage_state))
    return access


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_header(name: str, value: str, where: str, environ: Mapping[str, str]) -> str:
    """``${VARIABLE}`` in a header value, from the environment; a value that had one (or any Authorization value)
    is a secret from now on, masked in every output."""

    def variable(match: re.Match[str]) -> str:
        found = environ.get(match.group(1))
        if not found:
            raise ConfigError(f"{where} {name}: the environment variable {match.group(1)} is not set; export it")
        return found

    expanded = _VARIABLE.sub(variable, value)
    if expanded != value or SECRET_KEYS.search(name):
        register_secret(expanded)
    return expanded


def config_headers(config: Config, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``access.headers`` (variables expanded) and the bearer token of ``access.bearer_token_env``."""
    env = os.environ if environ is None else environ
    headers = {k: expand_header(k, v, "access.headers:", env) for k, v in config.access.headers.items()}
    var = config.access.bearer_token_env
    if var:
        token = env.get(var)
        if not token:
            raise ConfigError(f"access.bearer_token_env: the environment variable {var} is not set; export it")
        register_secret(token)
        headers["Authorization"] = f"Bearer {token}"
    return headers


def parse_header_arg(arg: str, environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """``--header 'Name: value'`` (the value may be ``${VARIABLE}``, which keeps it out of shell history)."""
    name, sep, value = arg.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name) or not value:
        raise UsageError(f"--header '{name}...': write it as 'Name: value', e.g. --header 'X-Staging: ${{QA_STAGING}}'")
    return name, expand_header(name, value, "--header", os.environ if environ is None else environ)


def apply_storage_state(access: SiteAccess, path: Path) -> None:
    """A Playwright storage-state file: its cookies and localStorage for the allowed origins join ``access``;
    those of other origins are dropped (the trust rule) and said in ``access.notes``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"access.storage_state: {path} not found; save one with Playwright's storage_state()"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"access.storage_state: {path} is not a storage-state JSON file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cookies", []), list):
        raise ConfigError(f"access.storage_state: {path} has no 'cookies' list; it is not a storage-state file")
    dropped: set[str] = set()
    for cookie in data.get("cookies") or []:
        if not isinstance(cookie, dict) or not cookie.get("name"):
            continue
        scoped = access.scoped_cookie(cookie)
        if scoped is None:
            dropped.add(str(cookie.get("domain") or cookie.get("url") or "?").lstrip("."))
            continue
        if len(str(scoped.get("value", ""))) >= 8:  # a session token, not a yes/no flag
            register_secret(str(scoped["value"]))
        access.cookies.append(scoped)
    for entry in data.get("origins") or []:
        origin = origin_key(str(entry.get("origin", ""))) if isinstance(entry, dict) else ""
        items = [
            {"name": str(i["name"]), "value": str(i.get("value", ""))}
            for i in (entry.get("localStorage") or [] if isinstance(entry, dict) else [])
            if isinstance(i, dict) and i.get("name")
        ]
        if not origin or origin not in access.origins:
            dropped.add(origin or "?")
            continue
        if items:
            access.local_storage.setdefault(origin, []).extend(items)
    if dropped:
        access.notes.append(
            f"access.storage_state: cookies and storage for {', '.join(sorted(dropped))} dropped: the site's cookies "
            f"go only to {', '.join(access.origins)} (add an origin to access.origins if it is yours)"
        )


async def check_basic_auth(client: httpx.AsyncClient, url: str, creds: Credentials) -> None:
    """A site behind HTTP Basic auth answers 401: say which credentials are missing or wrong, exit 3."""
    try:
        response = await client.get(url)
    except httpx.HTTPError:
        return  # preflight already reported an unreachable site
    if response.status_code != 401:
        return
    if creds.basic is None:
        raise SiteError(
            f"{redact_url(url)} asks for a password (HTTP 401); set QA_BASIC_USER and QA_BASIC_PASSWORD "
            "(or basic_user/basic_password in the secrets file)"
        )
    raise SiteError(
        f"{redact_url(url)} rejected the Basic-auth credentials (HTTP 401); check QA_BASIC_USER and QA_BASIC_PASSWORD"
    )


def login_form(config: Config, wordpress_base: str | None, start_url: str, access: SiteAccess) -> dict[str, str] | None:
    """The login form to use: the configured one, WordPress's own on a WordPress site, or none.

    The password is typed only into a page of an allowed origin: a staging copy whose WordPress ``home`` still
    names production would otherwise have it typed into production's login page."""
    form = config.access.login.model_dump()
    if form["url"]:
        url = urljoin(start_url, form["url"])
        if not access.allows(url):
            raise ConfigError(
                f"access.login.url {redact_url(url)} is not on the site's origin {origin_key(start_url)}; "
                f"the password is typed only there: add {origin_key(url)} to access.origins if it is yours"
            )
        return form
    if wordpress_base is None or not access.allows(wordpress_base):
        return None
    return {**WORDPRESS_LOGIN, "url": wordpress_base + WORDPRESS_LOGIN["url"]}


def login_excludes(form: dict[str, str] | None, wordpress: bool) -> list[str]:
    """URLs a logged-in crawl must never open: the login page itself, logout links, the admin area."""
    patterns = [r"[?&]action=logout", r"/logout\b"]
    if wordpress:
        patterns += [r"/wp-admin/", r"/wp-login\.php"]
    if form and form["url"] and not wordpress:
        patterns.append(r"^[^?#]*" + _path_pattern(form["url"]))
    return patterns


def _path_pattern(url: str) -> str:
    return re.escape(urlsplit(url).path or "/") + r"(\?|$)"
