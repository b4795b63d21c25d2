"""LinkChecker, driven through its Python API in a child process: each unique URL checked once, one JSON line back.

Why a child process: LinkChecker keeps per-URL state for the whole run and its memory grows on large sites; a
process that ends when the check ends bounds it, and a crash there cannot take the audit down. Why the API and
not the ``linkchecker`` program: structured rows, no privilege drop to ``nobody`` when run as root, and the
hooks below (per-host throttle, Retry-After, retries, staging access), none of which the program offers.

LinkChecker (GPL-2.0-or-later) is imported in-process here; the suite is GPL-2.0-or-later for that reason.

Fed while it runs: :class:`LinkEngine` starts the child before the crawl and hands it each URL as soon as the
crawl decides it needs checking (one JSON line on the child's standard input); the child checks while the crawl goes
on, and ends when told the list is complete. A child whose input ends without that word (the audit was interrupted
or died) stops at once.

Manners: the site under audit (``site_connections`` requests in flight, the crawl's own concurrency) and hosts
the user declares as their own (``own_host_connections`` each) are checked with no artificial wait; every other
host gets LinkChecker's own throttle, one request per 0.1–0.6 s. LinkChecker sleeps while holding one lock for all
hosts, so one slow external host would stall the own host too; the throttle here keeps the same spacing per host
but sleeps outside the lock.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import random
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

POLITE_WAIT = (0.1, 0.6)  # LinkChecker's Aggregate.wait_time_{min,max}_default
QUEUE_AHEAD = 200  # URLs handed to LinkChecker ahead of its threads: the rest wait in the pipe
MAX_ANCHORS = 5000  # anchor names sent back for one page (a link's fragment is looked up among them)
STOP_POLL_S = 0.1  # how often LinkChecker's idle threads look whether they are to stop (its own: 1 s)
ABORT_GRACE_S = 3.0  # how long an interrupted child may take to stop before it is killed
END = {"end": True}  # the last line of a complete list of targets


@dataclass
class EngineSettings:
    """Everything the child needs except secrets (those travel separately and are never written to disk)."""

    site_origin: str
    own_hosts: list[str] = field(default_factory=list)  # "host" or "host:port", lower case
    timeout: float = 20
    retries: int = 1
    retry_after_max: float = 60
    threads: int = 10
    own_host_connections: int = 8
    # requests in flight to the site under audit, with no wait (its owner is auditing it); 0: as polite as any host
    site_connections: int = 0
    user_agent: str = ""
    # The exact origins the site's access goes to (qa.access.SiteAccess.origins), and how TLS is verified there.
    origins: list[str] = field(default_factory=list)
    ca_bundle: str | None = None
    insecure: bool = False


@dataclass
class EngineSecrets:
    basic: tuple[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def netloc_of(url: str) -> str:
    """``host`` or ``host:port`` (default ports dropped), without credentials, lower case."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return host if port in (None, default) else f"{host}:{port}"


def is_own(netloc: str, own_hosts: list[str]) -> bool:
    return netloc in own_hosts or netloc.split(":")[0] in own_hosts


class LinkEngine:
    """The LinkChecker child, fed while it runs: :meth:`start`, then :meth:`add` each URL as it becomes known
    (the child checks it meanwhile), then :meth:`finish` to wait for the last result; results go to ``out``.

    The secrets go to the child through its standard input: never on its command line or on disk.
    """

    def __init__(self, out: Path, settings: EngineSettings, secrets: EngineSecrets) -> None:
        self.out, self.settings, self.secrets = out, settings, secrets
        self.proc: asyncio.subprocess.Process | None = None
        self.added = 0

    async def start(self) -> None:
        job = {"out": str(self.out.resolve()), "settings": asdict(self.settings), "secrets": asdict(self.secrets)}
        # the child imports this very copy of the suite, installed or not
        paths = [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "qa.links.engine", stdin=asyncio.subprocess.PIPE, env=env
        )
        self._send(job)

    def add(self, url: str, key: str = "", fragments: list[str] | None = None, anchors: bool = False) -> None:
        """Check ``url`` (reported under ``key``); ``fragments``: anchors to look for in its HTML; ``anchors``:
        send back every anchor name of its HTML (for fragments not known yet). Never blocks: what the child has not
        read yet waits in the pipe's buffer."""
        self._send({"key": key or url, "url": url, "fragments": fragments or [], "anchors": anchors})
        self.added += 1

    def _send(self, row: dict[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None, "start() first"
        self.proc.stdin.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")

    async def finish(self) -> int:
        """Tell the child the list is complete and wait for its last result; returns its exit code."""
        assert self.proc is not None and self.proc.stdin is not None, "start() first"
        try:
            self._send(END)
            await self.proc.stdin.drain()
            self.proc.stdin.close()
            await self.proc.wait()
        except (BrokenPipeError, ConnectionResetError):  # the child died: what it wrote is kept
            await self.proc.wait()
        finally:
            await self.abort()  # cancelled while waiting: stop checking, keep what was written
        return self.proc.returncode or 0

    async def abort(self) -> None:
        """Stop the child now (the audit was interrupted); the results it wrote are kept."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), ABORT_GRACE_S)
            except TimeoutError:  # seen with a request hanging on a slow server: the child must not hold the run
                self.proc.kill()
                await self.proc.wait()


async def check_urls(targets: Path, out: Path, settings: EngineSettings, secrets: EngineSecrets) -> int:
    """Check every target listed in ``targets`` (JSON lines: key, url, fragments) into ``out``; returns the child's
    exit code."""
    engine = LinkEngine(out, settings, secrets)
    await engine.start()
    with open(targets, encoding="utf-8") as fh:
        for line in fh:
            target = json.loads(line)
            engine.add(target["url"], target.get("key", ""), target.get("fragments"), target.get("anchors", False))
    return await engine.finish()


def child_main() -> None:
    job = json.loads(sys.stdin.readline())
    settings = EngineSettings(**job["settings"])
    secrets = EngineSecrets(**job["secrets"])
    if secrets.basic:
        secrets.basic = tuple(secrets.basic)
    with open(job["out"], "w", encoding="utf-8") as sink:
        complete = run_linkchecker(sys.stdin, sink, settings, secrets, Path(job["out"]).parent)
    if not complete:  # the audit stopped without finishing the list: nothing is waiting for the rest
        os._exit(1)


def run_linkchecker(targets: Any, sink: Any, settings: EngineSettings, secrets: EngineSecrets, folder: Path) -> bool:
    """Check the targets read line by line from ``targets`` until the end line; False when the input ended
    without it (the results written so far stand, the checks still queued are dropped). ``folder``: where a
    combined CA bundle may be written."""
    import re

    import requests
    from linkcheck import configuration, director
    from linkcheck.checker.const import WARN_HTTP_REDIRECTED
    from linkcheck.checker.httpurl import HttpUrl
    from linkcheck.checker.urlbase import CompactUrlData
    from linkcheck.director import checker
    from linkcheck.htmlutil import linkparse
    from linkcheck.logger import _Logger

    from qa.urls import origin_key

    own_hosts = [h.lower() for h in settings.own_hosts]
    site = netloc_of(settings.site_origin)
    origins = set(settings.origins or [origin_key(settings.site_origin)])
    write_lock = threading.Lock()
    verify_with = combined_bundle(settings.ca_bundle, folder) if settings.ca_bundle else True

    def scope(request: Any) -> None:
        """The site's headers and cookies on a request to an allowed origin; no credentials of any kind on a
        request anywhere else. Applied to the first request and again to every redirect hop."""
        if origin_key(request.url) not in origins:
            for name in (*secrets.headers, "Authorization", "Cookie"):
                request.headers.pop(name, None)
            return
        request.headers.update(secrets.headers)
        if secrets.cookies:
            ours = "; ".join(f"{k}={v}" for k, v in secrets.cookies.items())
            jar = request.headers.get("Cookie")
            request.headers["Cookie"] = f"{jar}; {ours}" if jar else ours

    def scope_redirects(session: Any) -> None:
        """requests rebuilds each redirect hop's headers in ``rebuild_auth``: scope them there too (it keeps
        other headers on a hop to another host, and Authorization on an http -> https one)."""
        if getattr(session, "qa_scoped", False):
            return
        rebuild_auth = session.rebuild_auth

        def rebuild(prepared: Any, response: Any) -> None:
            rebuild_auth(prepared, response)
            scope(prepared)

        session.rebuild_auth = rebuild
        session.qa_scoped = True

    class Wire(CompactUrlData):
        """LinkChecker's transport object plus the fields the suite needs (a subclass gets a __dict__)."""

    class SuiteLogger(_Logger):
        LoggerName = "qa-suite"
        LoggerArgs: dict = {}

        def start_output(self) -> None:
            super().start_output()

        def end_output(self, **kwargs: Any) -> None:
            pass

        def log_url(self, u: Any) -> None:
            row = {
                "key": getattr(u, "qa_key", u.url),
                "url": u.url,
                "valid": bool(u.valid),
                "result": u.result,
                "status": getattr(u, "qa_status", None),
                "content_type": u.content_type or "",
                "redirects": getattr(u, "qa_chain", []),
                "warnings": [[tag or "", text] for tag, text in u.warnings if tag != WARN_HTTP_REDIRECTED],
                "missing_anchors": getattr(u, "qa_missing", None),
                **({"anchors": u.qa_anchors} if getattr(u, "qa_anchors", None) is not None else {}),
                "error": getattr(u, "qa_error", ""),
                "retries": getattr(u, "qa_retries", 0),
                "waited": round(getattr(u, "qa_waited", 0.0), 2),
                "seconds": round(u.checktime or 0.0, 3),
            }
            with write_lock:
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                sink.flush()

    class Throttle:
        def __init__(self) -> None:
            self.lock = threading.Lock()
            self.due: dict[str, float] = {}
            self.slots: dict[str, threading.BoundedSemaphore] = {}

        def fast(self, netloc: str) -> bool:
            return is_own(netloc, own_hosts) or (netloc == site and settings.site_connections > 0)

        def wait(self, netloc: str) -> None:
            if self.fast(netloc):
                return
            with self.lock:
                now = time.monotonic()
                start = max(self.due.get(netloc, now), now)
                self.due[netloc] = start + random.uniform(*POLITE_WAIT)
            if start > now:
                time.sleep(start - now)

        def slot(self, netloc: str) -> threading.BoundedSemaphore | None:
            if not self.fast(netloc):
                return None  # polite hosts are spaced out by wait() already
            with self.lock:
                if netloc not in self.slots:
                    n = settings.site_connections if netloc == site and settings.site_connections else 0
                    self.slots[netloc] = threading.BoundedSemaphore(n or settings.own_host_connections)
                return self.slots[netloc]

    throttle = Throttle()

    class SuiteHttpUrl(HttpUrl):
        qa_key = ""
        qa_fragments: list[str] = []
        qa_want_anchors = False

        def reset(self) -> None:
            super().reset()
            self.qa_chain: list[dict[str, Any]] = []
            self.qa_status: int | None = None
            self.qa_retries = 0
            self.qa_waited = 0.0
            self.qa_missing: list[str] | None = None
            self.qa_anchors: list[str] | None = None
            self.qa_error = ""
            self.qa_leaves = ""

        def _netloc(self) -> str:
            return netloc_of(self.url)

        def _trusted(self) -> bool:
            """The site itself or a declared own host: staging access applies, robots.txt does not."""
            n = self._netloc()
            return n == site or is_own(n, own_hosts)

        def allows_robots(self, url: str) -> bool:
            return True if self._trusted() else super().allows_robots(url)

        def build_request(self) -> Any:
            scope_redirects(self.session)
            request = super().build_request()
            scope(request)  # access to the site under test never leaks to other origins
            return request

        def get_request_kwargs(self) -> dict[str, Any]:
            kwargs = super().get_request_kwargs()
            # Verified (system CAs plus tls.ca_bundle); tls.insecure spares the site and the own hosts only.
            kwargs["verify"] = False if settings.insecure and self._trusted() else verify_with
            return kwargs

        def send_request(self, request: Any) -> None:
            super().send_request(request)
            while self.url_connection.status_code in (429, 503) and self.qa_retries < max(settings.retries, 1):
                delay = retry_after(self.url_connection.headers.get("Retry-After"))
                if delay is None or delay > settings.retry_after_max:
                    return
                self.url_connection.close()
                self.qa_retries += 1
                self.qa_waited += delay
                time.sleep(delay)
                super().send_request(request)

        def get_redirects(self, request: Any) -> Any:
            previous = self.url_connection
            if self._leaves_the_web(previous):
                return
            for response in super().get_redirects(request):
                self.qa_chain.append({"url": previous.url, "status": previous.status_code})
                previous = response
                yield response
                if self._leaves_the_web(response):
                    return

        def _leaves_the_web(self, response: Any) -> bool:
            """A redirect to mailto:, tel: or an app's scheme: the browser hands it to another program, so the
            chain ends there (requests would fail on it as a connection it cannot make)."""
            if not response.is_redirect:
                return False
            target = urljoin(response.url, response.headers.get("location", ""))
            if urlsplit(target).scheme.lower() in ("http", "https"):
                return False
            self.qa_leaves = target
            return True

        def check_connection(self) -> None:
            slot = throttle.slot(self._netloc())
            if slot:
                slot.acquire()
            try:
                for attempt in range(settings.retries + 1):
                    try:
                        super().check_connection()
                        break
                    except (requests.exceptions.Timeout, requests.exceptions.ConnectionError):
                        if attempt >= settings.retries:
                            raise
                        self.qa_retries += 1
                        self.qa_chain = []
                        time.sleep(min(2.0**attempt, 5.0))
                if self.url_connection is not None:
                    self.qa_status = self.url_connection.status_code
                    if self.qa_chain or self.qa_leaves:
                        self.qa_chain.append({"url": self.url_connection.url, "status": self.qa_status})
                    if self.qa_leaves:  # the last hop, not requested: its status is the other program's
                        self.qa_chain.append({"url": self.qa_leaves, "status": None})
            finally:
                if slot:
                    slot.release()

        def check_content(self) -> bool:
            parse = super().check_content()
            if (self.qa_fragments or self.qa_want_anchors) and self.valid and self.is_html():
                found: set[str] = set()
                try:
                    linkparse.find_links(self.get_soup(), lambda url, *a, **kw: found.add(url), linkparse.AnchorTags)
                    self.qa_missing = [f for f in self.qa_fragments if not {f, unquote(f)} & found]
                    if self.qa_want_anchors:
                        self.qa_anchors = sorted(found)[:MAX_ANCHORS]
                except Exception:  # content that cannot be parsed: the anchors stay unverified (None)
                    self.qa_missing = self.qa_anchors = None
            return parse

        def handle_exception(self) -> str:
            self.qa_error = cause_of(sys.exc_info()[1])
            return super().handle_exception()

        def to_wire(self) -> Any:
            wire = Wire(self.to_wire_dict())
            wire.qa_key, wire.qa_status, wire.qa_chain = self.qa_key, self.qa_status, self.qa_chain
            wire.qa_retries, wire.qa_waited, wire.qa_missing = self.qa_retries, self.qa_waited, self.qa_missing
            wire.qa_error, wire.qa_anchors = self.qa_error, self.qa_anchors
            return wire

    config = configuration.Configuration()
    config.update(
        threads=max(settings.threads, settings.site_connections),
        timeout=settings.timeout,
        recursionlevel=0,  # check, never crawl: the browser crawl decided what is in scope
        checkextern=True,
        verbose=True,
        status=False,
        resultcachesize=0,  # each URL arrives once; the cache would only hold memory
        aborttimeout=30,
    )
    if settings.user_agent:
        config["useragent"] = settings.user_agent
    for allowed in sorted(origins) if secrets.basic else []:
        config["authentication"].append(
            {
                "pattern": re.compile("^" + re.escape(allowed) + "(/|$)", re.I),
                "user": secrets.basic[0],
                "password": secrets.basic[1],
            }
        )
    logger = SuiteLogger()
    config["logger"] = logger
    config.sanitize()
    # LinkChecker's threads look whether they were stopped once a second, and its finish() waits for each of them:
    # every audit with links ended with up to a second of nothing (0.5-1.3 s measured). Ten idle threads that look
    # ten times a second cost nothing measurable.
    checker.QUEUE_POLL_INTERVALL_SECS = STOP_POLL_S
    aggregate = director.get_aggregate(config)
    aggregate.wait_for_host = throttle.wait  # type: ignore[method-assign]
    aggregate.logger.start_log_output()
    aggregate.start_threads()
    complete = False
    for n, line in enumerate(targets):
        target = json.loads(line)
        if target == END:
            complete = True
            break
        while aggregate.urlqueue.qsize() > QUEUE_AHEAD:
            time.sleep(0.01)
        url_data = SuiteHttpUrl(target["url"], 0, aggregate, extern=(0, 0))
        url_data.qa_key = target["key"]
        url_data.qa_fragments = target.get("fragments") or []
        url_data.qa_want_anchors = bool(target.get("anchors"))
        url_data.cache_url = f"qa:{n}"  # unique: two spellings of one URL must both come back
        aggregate.urlqueue.put(url_data)
    if not complete:
        return False
    aggregate.urlqueue.join()
    aggregate.finish()
    aggregate.end_log_output()
    return True


def combined_bundle(ca_bundle: str, folder: Path) -> str:
    """One PEM file of the CAs requests trusts (certifi's) and the staging CA: requests takes a single file, and
    external links must still verify against the public CAs."""
    import certifi

    path = folder / "ca-bundle.pem"
    path.write_bytes(Path(certifi.where()).read_bytes() + b"\n" + Path(ca_bundle).read_bytes())
    return str(path)


def cause_of(exc: BaseException | None) -> str:
    """What went wrong, in a few words, from the whole exception chain (requests wraps urllib3 wraps socket)."""
    import socket
    import ssl

    seen = []
    while exc is not None and len(seen) < 10:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__ or next((a for a in exc.args if isinstance(a, BaseException)), None)
    for e in seen:
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, socket.gaierror):
            return "host not found"
        if isinstance(e, ssl.SSLError):
            return "TLS/certificate error"
    text = " ".join(f"{type(e).__name__} {e}" for e in seen).lower()
    for needle, why in (
        ("refused", "connection refused"),
        ("errno 111", "connection refused"),
        ("timed out", "timed out"),
        ("timeout", "timed out"),
        ("name or service", "host not found"),
        ("ssl", "TLS/certificate error"),
        ("reset", "connection reset"),
    ):
        if needle in text:
            return why
    return ""


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


if __name__ == "__main__":
    child_main()
