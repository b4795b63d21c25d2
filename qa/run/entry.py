"""Entering the staging site before the crawl: Basic auth answered, the login done once, WordPress recognised."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import httpx

from qa.access import Credentials, SiteAccess, check_basic_auth, login_excludes, login_form
from qa.config import Config
from qa.discover.wordpress import WordPressSite, detect, discover_wordpress, site_base
from qa.errors import SiteError
from qa.model import VIOLATION, Finding
from qa.net import Certificate, inspect_certificate
from qa.redact import redact_url
from qa.visit.login import form_login
from qa.visit.matrix import Matrix

TLS_RULE = "tls-certificate"


@dataclass
class SiteEntry:
    wordpress: WordPressSite | None = None
    logged_in: bool = False
    exclude: list[str] = field(default_factory=list)  # URL patterns a (logged-in) crawl must not open
    notes: list[str] = field(default_factory=list)  # for the run notes (what was refused, and why)

    @property
    def urls(self) -> list[str]:
        return self.wordpress.urls if self.wordpress else []


async def enter_site(
    client: httpx.AsyncClient,
    start_url: str,
    config: Config,
    creds: Credentials,
    access: SiteAccess,
) -> SiteEntry:
    """Fail with exit 3 when the site refuses us; log in (cookies go into ``access`` and ``client``); list what
    WordPress knows (offered to the crawl unless a URL list fixes the pages, and recorded on the pages either way)."""
    await check_basic_auth(client, start_url, creds)
    entry = SiteEntry()
    api_root = await detect(client, start_url, access.allows, entry.notes) if config.wordpress.discover else None
    # WordPress's own login is used only when login credentials were given; a configured form always.
    form = login_form(config, site_base(api_root) if api_root and creds.login else None, start_url, access)
    if form:
        # Into ``access``: the HTTP client adds them to requests to the allowed origins only (qa.net.apply_access).
        access.cookies += await form_login(start_url, form, creds, access, config.timeouts.navigation)
        entry.logged_in = True
    if form or api_root:
        entry.exclude = login_excludes(form, api_root is not None)
    if api_root:
        entry.wordpress = await discover_wordpress(client, start_url, config, creds, entry.logged_in, api_root)
    return entry


async def check_certificate(start_url: str, access: SiteAccess, timeout_s: float) -> Certificate | None:
    """The site's certificate, verified before anything is sent: one that does not verify stops the run (exit 3)
    unless ``tls.insecure`` says to go on, and is then a finding, as is one that expires within 30 days."""
    cert = await inspect_certificate(start_url, access.tls, timeout_s)
    if cert and cert.rejected and not access.tls.insecure:
        raise SiteError(
            f"{redact_url(start_url)}: the TLS certificate is not accepted ({cert.problem}); give the staging CA "
            "as tls.ca_bundle in qa.yaml, or set tls.insecure: true to audit it anyway (reported as a finding)"
        )
    return cert


def insecure_note(access: SiteAccess) -> str:
    return (
        "TLS not verified (tls.insecure: true): the site's certificates were accepted whatever they are, so these "
        "pages may not be what the server sent; credentials still went only to " + ", ".join(access.origins)
    )


def certificate_finding(cert: Certificate) -> Finding:
    """A certificate problem of the site under test, in the results (site quality: no success criterion)."""
    what = "does not verify" if cert.rejected else "expires soon"
    return Finding(
        TLS_RULE,
        VIOLATION,
        cert.url + "/",
        "http",
        "-",
        check="tls",
        target=cert.url,
        message=f"the site's TLS certificate {what}: {cert.problem}",
        details={"problem": cert.problem, "expires": cert.expires, "days_left": cert.days_left},
    )


def trust_certificate(matrix: Matrix, cert: Certificate | None, access: SiteAccess) -> Matrix:
    """Browsers told to accept the site's certificate, which the suite verified against ``tls.ca_bundle``: they do
    not read that file themselves (qa.visit.tls)."""
    if cert is None or cert.rejected or not cert.der or not access.tls.ca_bundle:
        return matrix
    parts = urlsplit(cert.url)
    trusted = ((f"{parts.hostname}:{parts.port or 443}", ssl.DER_cert_to_PEM_cert(cert.der)),)
    return Matrix([replace(b, trusted=trusted) for b in matrix.browsers], matrix.viewports)
