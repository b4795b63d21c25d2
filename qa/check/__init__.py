"""Check: judge each loaded page (PageCheck), the whole crawl (SiteCheck), or the run with network access
after the crawl (RunCheck, e.g. the link check) and write findings.

A new check is one new file: a module in this package, or a ``.py`` file in the project's ``checks/``
folder, defining a subclass of one of these. The suite finds and runs it.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from qa.errors import ConfigError
from qa.model import Finding, Page, Results
from qa.visit.driver import PageEvents, Session
from qa.vocab import CORE, FAMILIES  # noqa: F401 (re-exported)

PARTIAL = "partial"  # a clean result still needs a person
FULL = "full"  # a clean result is a pass


@dataclass
class PageContext:
    """Everything a page check may use: the live page, its record, the run's settings."""

    session: Session
    page: Page
    config: dict[str, Any]
    run_dir: Path
    primary: bool  # the first browser/viewport cell: discovery and site-wide facts come from it
    events: PageEvents = field(default_factory=PageEvents)
    check_id: str = ""

    def finding(self, rule: str, outcome: str, sc: list[str] | None = None, **kw: Any) -> Finding:
        return Finding(
            rule=rule,
            outcome=outcome,
            sc=list(sc or []),
            url=self.page.url,
            browser=self.page.browser,
            viewport=self.page.viewport,
            check=self.check_id,
            **kw,
        )


class PageCheck:
    """Runs on every loaded HTML page, in each browser/viewport cell (or only the primary one)."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    family: ClassVar[str] = "a11y"  # one of FAMILIES, or CORE
    # success criterion -> PARTIAL or FULL; checks may add to it at run time (axe derives it from its rules)
    criteria: ClassVar[dict[str, str]] = {}
    primary_only: ClassVar[bool] = False
    # Library scripts (axe-core) the browsers preload into every document; the check still calls
    # ``session.inject`` for engines that cannot preload.
    preload: ClassVar[tuple[str, ...]] = ()
    # Checks run in this order; ones that change the page (viewport, styles, focus) run late.
    order: ClassVar[int] = 50

    async def run(self, ctx: PageContext) -> list[Finding]:
        raise NotImplementedError

    def covered(self) -> dict[str, str]:
        return dict(self.criteria)


class SiteCheck:
    """Runs once after the crawl, over all pages (titles unique, navigation consistent, ...)."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    family: ClassVar[str] = "a11y"  # one of FAMILIES, or CORE
    criteria: ClassVar[dict[str, str]] = {}

    def run(self, results: Results) -> list[Finding]:
        raise NotImplementedError

    def covered(self) -> dict[str, str]:
        return dict(self.criteria)


@dataclass
class RunContext:
    """What a RunCheck may use after the crawl: the results so far, the run folder, settings, HTTP."""

    results: Results
    run_dir: Path
    config: dict[str, Any]
    client: Any  # httpx.AsyncClient with the site's access (auth, headers) applied
    access: Any = None  # qa.visit.driver.SiteAccess
    compare: Path | None = None  # the previous run folder (--compare RUN), for comparisons with it


class RunCheck:
    """Runs once after the crawl and may use the network (link check) or the run folder (screenshot diffs).

    It may add findings (returned) and its own top-level section to ``results.extra``.
    """

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    family: ClassVar[str] = "a11y"  # one of FAMILIES, or CORE
    criteria: ClassVar[dict[str, str]] = {}

    def enabled(self, config: dict[str, Any]) -> bool:
        return True

    def begin(self, run_dir: Path, config: dict[str, Any]) -> None:
        """Called before the crawl starts."""

    def on_page(self, page: Page, visit: Any, primary: bool) -> None:
        """Called after every visit with the page and its ``qa.run.page_visit.VisitResult`` (links, ...);
        collect here what ``run`` needs, streaming it to the run folder rather than holding it in memory."""

    async def run(self, ctx: RunContext) -> list[Finding]:
        raise NotImplementedError

    def covered(self) -> dict[str, str]:
        return dict(self.criteria)


AnyCheck = PageCheck | SiteCheck | RunCheck
BASES = (PageCheck, SiteCheck, RunCheck)


def _checks_in(module: Any) -> list[AnyCheck]:
    found = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if obj.__module__ != module.__name__:
            continue
        if issubclass(obj, BASES) and obj not in BASES and obj.id:
            found.append(obj())
    return found


def builtin_checks() -> list[AnyCheck]:
    checks: list[AnyCheck] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            checks += _checks_in(importlib.import_module(f"{__name__}.{info.name}"))
    return checks


def project_checks(folder: Path) -> list[AnyCheck]:
    """The team's own checks: every ``*.py`` file in the folder (files starting with ``_`` are skipped)."""
    checks: list[AnyCheck] = []
    if not folder.is_dir():
        return checks
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"qa_project_checks.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # a team's check must not take the suite down with a traceback
            raise ConfigError(f"{path}: the check could not be loaded ({type(exc).__name__}: {exc}); fix it") from None
        checks += _checks_in(module)
    return checks


def in_families(check: AnyCheck, selected: list[str]) -> bool:
    """Selected by its family or by its own id (``--only links`` or ``--only axe``); core checks always run."""
    return check.family == CORE or check.family in selected or check.id in selected


def load_checks(folder: Path | None) -> list[AnyCheck]:
    checks = builtin_checks() + (project_checks(folder) if folder else [])
    ids = [c.id for c in checks]
    for c in checks:
        if ids.count(c.id) > 1:
            raise ConfigError(f"two checks share the id '{c.id}'; rename one of them")
    return checks
