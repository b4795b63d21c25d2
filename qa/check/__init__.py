"""Check: judge each loaded page (PageCheck), the whole crawl (SiteCheck), or the run with network access
after the crawl (RunCheck, e.g. the link check) and write findings.

A new check is one new file: a module in this package, or a ``.py`` file in the project's ``checks/``
folder, defining a subclass of one of these. The suite finds and runs it.

Checks hand each other named artifacts: a check lists what it writes in ``provides`` and what it reads in
``requires``. Selecting a check (``qa audit --only ID``) selects the checks providing what it requires; a required
artifact nobody provides stops the run before it starts, and one missing on an audited page at judge time is a
check error on that page (see docs/results-schema.md, "Artifacts").
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import pkgutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from qa.config import Config
from qa.errors import ConfigError
from qa.model import NEEDS_REVIEW, Finding, Page, Results
from qa.scope import PageScope
from qa.visit.driver import PageEvents, Session
from qa.vocab import CORE, FAMILIES  # noqa: F401 (re-exported)

PARTIAL = "partial"  # a clean result still needs a person
FULL = "full"  # a clean result is a pass
# The check never decides the criterion: it lists what a person must look at (media to watch, handlers to try).
AID = "aid"
EVIDENCE_KINDS = (FULL, PARTIAL, AID)  # strongest first

# Artifacts. A page artifact (provided by a page check) is kept in ``page.facts``, a run artifact (provided by a
# site or run check) in ``results.extra``, under its own name unless listed here: the built-in artifacts were
# stored before they had names.
STORED_AS = {
    "screenshots": "screenshot",
    "content-fingerprint": "fingerprint",
    "browser-layout": "browser",
    "axe-results": "axe",
    "page-structure": "structure",
    "alt-text-counts": "alt_text",
    "focus-order": "focus",
    "reflow-measure": "reflow",
    "text-spacing-counts": "text_spacing",
    "page-events": "js_errors",
    "page-counts": "counts",
    "link-results": "links",
    "render-diff": "render_diff",
    "site-probes": "site_probes",
    "planned-sitemap": "planned_sitemap",
}
# Recorded by the visit itself on every audited page, whichever checks run (qa.run.page_visit): the JavaScript
# errors, console errors and failed requests ("page-events"), the element counts and widths ("page-counts").
VISIT_ARTIFACTS = ("page-events", "page-counts")


@dataclass(frozen=True)
class Inventory:
    """A sheet of the 公開前チェック workbook (prepublish-check.xlsx) listing what a check found on the site (the
    certificates, the cookies set before consent, ...), not only its findings. The rows are a run artifact: a list
    of dicts under ``artifact`` in ``results.extra``, keyed by the column keys; the check that writes it lists it in
    ``provides`` (page checks write page facts, and a site check of theirs gathers them into the run artifact).
    A value may be ``{"ja": …, "en": …}`` (words shown in the workbook's language), a list (joined) or a bool
    (はい / いいえ, yes / no)."""

    artifact: str  # the run artifact holding the rows (results.extra[artifact]: list of dicts)
    title_ja: str  # the sheet name (31 characters at most) in Japanese and English deliverables
    title_en: str
    columns: tuple[tuple[str, str, str], ...]  # (key in each row, header ja, header en)
    widths: tuple[int, ...] = ()  # column widths in characters (default: narrowed to print on A4 landscape)


class MissingArtifact(Exception):
    """A required artifact is absent where the check was to judge (its provider failed or did not run there)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"the artifact(s) {', '.join(missing)} are missing on this page")


def stored_as(artifact: str) -> str:
    return STORED_AS.get(artifact, artifact)


def missing_on(page: Page, requires: tuple[str, ...]) -> list[str]:
    """The page artifacts of ``requires`` the page's facts lack."""
    return [a for a in requires if stored_as(a) not in page.facts]


# One row of a check's rule table (``PageContext.reviews``): the key its elements are asked for by, the rule, its
# criteria, its impact, the English message ("{name}": a value of the element) and the element's values kept as the
# finding's details.
ReviewRule = tuple[str, str, list[str], str, str, tuple[str, ...]]


@dataclass
class PageContext:
    """Everything a page check may use: the live page, its record, the run's settings."""

    session: Session
    page: Page
    config: Config
    run_dir: Path
    primary: bool  # the first browser/viewport cell: discovery and site-wide facts come from it
    events: PageEvents = field(default_factory=PageEvents)
    check_id: str = ""
    scope: PageScope = field(default_factory=PageScope)  # what is left out on this page (qa.scope)
    # Steps (qa.yaml ``steps``) ran earlier in this page's browser session: what the page shows is no longer what a
    # visitor who clicked nothing sees (a banner accepted, a login done).
    after_steps: bool = False
    # The rule engines' sharing across cells (qa.check._share.Ticket): a reference cell whose DOM-only rule
    # findings this cell reuses, or None (every rule runs).
    reuse: Any = None
    # What one check measured that a later check of the same visit would measure again on the same page, by name
    # (e.g. the text boxes as loaded, which the text-spacing and resize-text checks both compare against).
    memo: dict[str, Any] = field(default_factory=dict)

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

    def not_examined(self, reason: str, criteria: Iterable[str] = ()) -> None:
        """Say that this check could not examine the page (for ``criteria``; by default for every criterion it
        covers), with the reason in words: the page then gets no evidence from it, so no criterion there is passed
        or counted as machine-checked on a probe that never ran."""
        self.page.facts.setdefault("not_examined", {})[self.check_id] = {"reason": reason, "criteria": sorted(criteria)}

    def reviews(self, rules: Iterable[ReviewRule], items_of: Callable[[str], list[dict[str, Any]]]) -> list[Finding]:
        """Needs-review findings from a check's table of rules: for each rule, one per element ``items_of(key)``
        gives (a dict with ``target``, ``html`` and the message's values), the rule's table row in order."""
        return [
            self.finding(
                rule,
                NEEDS_REVIEW,
                sc,
                target=item["target"],
                html=item["html"],
                impact=impact,
                message=message.format(**item),
                details={k: item[k] for k in kept},
            )
            for key, rule, sc, impact, message, kept in rules
            for item in items_of(key)
        ]


class PageCheck:
    """Runs on every loaded HTML page, in each browser/viewport cell (or only the primary one)."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    family: ClassVar[str] = "a11y"  # one of FAMILIES, or CORE
    # rule id -> {"ja": Japanese message, "fix_ja"/"fix_en": the fix in one sentence, "help": a link}; "{key}" in
    # the message is a value of the finding's details. A rule without one is reported in English, marked so.
    messages: ClassVar[dict[str, dict[str, str]]] = {}
    # success criterion -> FULL, PARTIAL or AID (the kind of evidence the check gives for it); checks may add to it
    # at run time (axe derives it from its rules)
    criteria: ClassVar[dict[str, str]] = {}
    primary_only: ClassVar[bool] = False
    # Library scripts (axe-core) the browsers preload into every document; the check still calls
    # ``session.inject`` for engines that cannot preload.
    preload: ClassVar[tuple[str, ...]] = ()
    preload_engines: ClassVar[tuple[str, ...]] = ()  # the browser engines that get ``preload`` (empty: every one)
    # Checks run in this order; ones that change the page (viewport, styles, focus) run late.
    order: ClassVar[int] = 50
    # Runs on the page as loaded, before the page's scripted steps (qa.visit.steps): the privacy check's first look.
    before_steps: ClassVar[bool] = False
    # Only reads the page: no focus, keys, pointer, viewport, style or DOM changes, no requests (they change the
    # page's own performance entries), no waiting on the page. Such checks next to each other in ``order`` run side
    # by side and their scripts reach the page in one call (qa.visit.batch): a call's crossing costs about as much
    # as a small check's script.
    reads_only: ClassVar[bool] = False
    provides: ClassVar[tuple[str, ...]] = ()  # page artifacts it writes into page.facts
    requires: ClassVar[tuple[str, ...]] = ()  # page artifacts of checks that run before it (lower order)
    inventories: ClassVar[tuple[Inventory, ...]] = ()  # sheets of the prepublish workbook (run artifacts)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "run" in cls.__dict__:
            cls.run = _requiring(cls.__dict__["run"])  # type: ignore[method-assign]

    async def run(self, ctx: PageContext) -> list[Finding]:
        raise NotImplementedError

    def covered(self) -> dict[str, str]:
        return dict(self.criteria)


def _requiring(run: Any) -> Any:
    """A page check's ``run`` that first makes sure its required artifacts are on the page: the visit records the
    exception as this check's error on the page, so a check never judges a page without its inputs."""

    @functools.wraps(run)
    async def checked(self: PageCheck, ctx: PageContext) -> list[Finding]:
        if missing := missing_on(ctx.page, type(self).requires):
            raise MissingArtifact(missing)
        return await run(self, ctx)

    return checked


class SiteCheck:
    """Runs once after the crawl, over all pages (titles unique, navigation consistent, ...).

    It judges from the results alone (the page checks' artifacts, ``results.run.config``), so ``qa report
    --rejudge RUN_DIR`` can run it again over a finished run."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    family: ClassVar[str] = "a11y"  # one of FAMILIES, or CORE
    # rule id -> {"ja": Japanese message, "fix_ja"/"fix_en": the fix in one sentence, "help": a link}; "{key}" in
    # the message is a value of the finding's details. A rule without one is reported in English, marked so.
    messages: ClassVar[dict[str, dict[str, str]]] = {}
    criteria: ClassVar[dict[str, str]] = {}
    provides: ClassVar[tuple[str, ...]] = ()  # run artifacts it writes into results.extra
    requires: ClassVar[tuple[str, ...]] = ()  # page artifacts, or run artifacts of other site checks
    inventories: ClassVar[tuple[Inventory, ...]] = ()  # sheets of the prepublish workbook (listed in provides)
    settings: ClassVar[tuple[str, ...]] = ()  # the qa.yaml keys it reads from results.run.config

    def run(self, results: Results) -> list[Finding]:
        raise NotImplementedError

    def owns(self, finding: Finding) -> bool:
        """Whether the finding is one of this check's (dropped when it is judged again)."""
        return finding.check == self.id

    def covered(self) -> dict[str, str]:
        return dict(self.criteria)


@dataclass
class RunContext:
    """What a RunCheck may use after the crawl: the results so far, the run folder, settings, HTTP."""

    results: Results
    run_dir: Path
    config: Config
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
    # rule id -> {"ja": Japanese message, "fix_ja"/"fix_en": the fix in one sentence, "help": a link}; "{key}" in
    # the message is a value of the finding's details. A rule without one is reported in English, marked so.
    messages: ClassVar[dict[str, dict[str, str]]] = {}
    criteria: ClassVar[dict[str, str]] = {}
    provides: ClassVar[tuple[str, ...]] = ()  # run artifacts it writes into results.extra
    requires: ClassVar[tuple[str, ...]] = ()  # page artifacts, or run artifacts of site checks
    inventories: ClassVar[tuple[Inventory, ...]] = ()  # sheets of the prepublish workbook (listed in provides)

    def enabled(self, config: Config) -> bool:
        return True

    def begin(self, run_dir: Path, config: Config) -> None:
        """Called before the crawl starts."""

    async def crawl_started(self, site: str, config: dict[str, Any], access: Any) -> None:
        """Called as the crawl starts (after ``begin``), with the start URL, the settings (exclusions of the site's
        entry included) and the site access: a check that works while the crawl runs starts here."""

    async def abandon(self) -> None:
        """Called instead of ``run`` when the run ends early (interrupted): stop what ``crawl_started`` started."""

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


def select_checks(checks: list[AnyCheck], selected: list[str]) -> list[AnyCheck]:
    """The checks of the selected families or ids, with the checks providing what they require, transitively
    (``--only consistent-help`` runs page-structure too), in the order given."""
    providers = _providers(checks)
    chosen = {c.id for c in checks if in_families(c, selected)}
    todo = [c for c in checks if c.id in chosen]
    while todo:
        check = todo.pop()
        for artifact in check.requires:
            if artifact in VISIT_ARTIFACTS:
                continue
            found = providers.get(artifact, [])
            if not found:
                raise ConfigError(
                    f"check '{check.id}' requires the artifact '{artifact}', which no check provides; "
                    "add a check providing it or remove the requirement"
                )
            _check_order(check, artifact, found)
            for provider in found:
                if provider.id not in chosen:
                    chosen.add(provider.id)
                    todo.append(provider)
    return [c for c in checks if c.id in chosen]


def _providers(checks: list[AnyCheck]) -> dict[str, list[AnyCheck]]:
    out: dict[str, list[AnyCheck]] = {}
    for check in checks:
        for artifact in check.provides:
            out.setdefault(artifact, []).append(check)
    for artifact, found in out.items():
        if len({isinstance(c, PageCheck) for c in found}) > 1:
            raise ConfigError(
                f"the artifact '{artifact}' is provided both per page and per run ({', '.join(c.id for c in found)}); "
                "rename one of them"
            )
    return out


def _check_order(check: AnyCheck, artifact: str, providers: list[AnyCheck]) -> None:
    """A check runs after what it reads: page checks by ``order`` (and in the cells the provider runs in), site
    checks before run checks, run checks side by side (so none reads another's)."""
    problem = ""
    for p in providers:
        if isinstance(check, PageCheck):
            if not isinstance(p, PageCheck):
                problem = f"'{p.id}' runs after the crawl, after every page check"
            elif p.order >= check.order:
                problem = f"'{p.id}' does not run before it; give '{check.id}' an order above {p.order}"
            elif p.primary_only and not check.primary_only:
                problem = f"'{p.id}' runs in the primary cell only; make '{check.id}' primary_only too"
        elif isinstance(p, RunCheck):
            problem = f"'{p.id}' is a run check, which runs side by side with the other run checks, after site checks"
        if problem:
            raise ConfigError(f"check '{check.id}' requires the artifact '{artifact}', but {problem}")


def site_check_order(checks: list[SiteCheck]) -> list[SiteCheck]:
    """Site checks ordered so that each runs after the site checks providing what it requires."""
    done: list[SiteCheck] = []
    pending = list(checks)
    while pending:
        wanted = {a for c in pending for a in c.provides}
        ready = [c for c in pending if not set(c.requires) & wanted] or pending[:1]  # a cycle: as listed
        done.append(ready[0])
        pending.remove(ready[0])
    return done


def load_checks(folder: Path | None) -> list[AnyCheck]:
    checks = builtin_checks() + (project_checks(folder) if folder else [])
    ids = [c.id for c in checks]
    for c in checks:
        if ids.count(c.id) > 1:
            raise ConfigError(f"two checks share the id '{c.id}'; rename one of them")
    return checks
