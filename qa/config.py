"""Project configuration (``qa.yaml``) as typed models, and how every configuration file is validated.

Each file is a pydantic model (:class:`Section`): unknown keys are rejected with the nearest valid name, types are
strict (``true`` is not a number), an empty value means the default, and a field's description is its help text
(the error messages and the docs quote it). :func:`parse` reports every problem of a file at once, one line each,
naming the file, the key and the fix. Adding a setting is one line in the section that owns it.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from qa import vocab
from qa.errors import ConfigError

MISSING = "is missing"


class Section(BaseModel):
    """One mapping of a configuration file (and the base of every configuration model)."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, data: Any) -> Any:
        # `key:` with nothing after it (YAML null) keeps the default, as an absent key does
        if isinstance(data, dict):  # (on assignment too: then `data` holds every field)
            fields = cls.model_fields
            return {
                k: fields[k].get_default(call_default_factory=True) if v is None and k in fields else v
                for k, v in data.items()
                if v is not None or k not in fields or not fields[k].is_required()  # a required one is missing
            }
        return data


def checked(problem: Callable[[Any], str | None]) -> AfterValidator:
    """A validator from a function returning an error text (or None): the text follows the key in the error."""

    def run(value: Any) -> Any:
        if text := problem(value):
            raise invalid(text)
        return value

    return AfterValidator(run)


def invalid(problem: str) -> PydanticCustomError:
    """A validator's error: ``problem`` follows the key in the message (``'sampling.random' must be ...``)."""
    return PydanticCustomError("qa", "{problem}", {"problem": problem})


def _http_url(value: str) -> str | None:
    return (
        None if re.match(r"(?i)https?://[^/\s]+", value) else "must be an http(s) address, e.g. https://www.example.jp/"
    )


def _text_file(value: str) -> str | None:
    return None if Path(value).is_file() else "names no file here; give the path of the text file (one term a line)"


def _timezone(value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "is not a known time zone; write it like Asia/Tokyo or UTC"
    return None


def _within(low: float, high: float, unit: str = "") -> Callable[[Any], str | None]:
    """A finite number in [low, high]: ``.inf``, ``.nan`` or an absurd value would make every page fail."""

    def check(v: Any) -> str | None:
        if low <= v <= high and math.isfinite(v):  # compared first: a huge int does not convert to float
            return None
        shown = repr(v) if len(repr(v)) < 24 else repr(v)[:20] + "..."
        return f"must be a number from {low:g} to {high:g}{unit}, got {shown}"

    return check


def _concurrency(v: Any) -> str | None:
    return None if v == "auto" or v > 0 else "must be a number greater than 0, or auto"


def check_profiles(v: Any) -> str | None:
    if not v:
        return "must name at least one profile"
    bad = [p for p in v if p not in vocab.PROFILE_IDS]
    if bad:
        return f"has unknown profile(s) {', '.join(map(str, bad))}; choose from {', '.join(vocab.PROFILE_IDS)}"
    return None


def _labels(v: Any) -> str | None:
    bad = [k for k in v if k not in vocab.VERDICTS]
    if bad:
        return f"has unknown verdict '{bad[0]}' (verdicts: {', '.join(vocab.VERDICTS)})"
    if not all(isinstance(x, str) and x and "," not in x for x in v.values()):
        return "labels must be non-empty text without commas (they fill a drop-down list)"
    return None


def _regexes(v: list[str]) -> str | None:
    for pattern in v:
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"has '{pattern}', not a valid regular expression ({exc})"
    return None


def _origins(v: list[str]) -> str | None:
    from urllib.parse import urlsplit

    for o in v:
        parts = urlsplit(o)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") or parts.query:
            return f"has '{o}', not an origin; write scheme, host and port only, e.g. https://cdn.example.jp:8443"
    return None


def _headers(v: dict[str, str]) -> str | None:
    for name in v:
        if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
            return f"has '{name}', not a header name; write it like X-Api-Key"
    return None


def _site_connections(v: Any) -> str | None:
    return None if v == "auto" or (isinstance(v, int) and v >= 0) else "must be 0 or more, or auto"


def _counts(v: dict[str, Any]) -> str | None:
    if all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in v.values()):
        return None
    return "must map outcome, rule or criterion names to whole numbers >= 0"


def to_date(value: Any) -> Any:
    """A date as YAML reads it (2027-03-31), as text or as a spreadsheet's datetime."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(f"must be a date like 2027-03-31, got {value!r}") from None


Date = Annotated[datetime.date, BeforeValidator(to_date)]
Text = Annotated[str, checked(lambda v: None if v else MISSING)]  # required, and not empty
Number = int | float  # an int stays an int (results.json records what was written)
Seconds = Annotated[Number, checked(_within(1, 86_400, " (seconds)"))]
Regexes = Annotated[list[str], checked(_regexes)]
Labels = Annotated[dict[str, Any], checked(_labels)]


# Sections are added here by the pipeline stage that owns them; the layout mirrors qa.yaml.
class Timeouts(Section):
    navigation: Seconds = Field(30, description="seconds to wait for a page to load")
    script: Seconds = Field(30, description="seconds a check's script may run")
    page: Seconds = Field(120, description="seconds a whole page (all checks) may take")


# Crawler traps: calendars, session ids and relative-link loops generate endless URLs.
class Traps(Section):
    max_depth: int = Field(20, gt=0, description="clicks from the start page beyond which links are not followed")
    max_url_length: int = Field(500, gt=0, description="longer URLs are skipped")
    max_repeated_segments: int = Field(3, gt=0, description="URLs repeating one path segment more often are skipped")
    max_per_pattern: int = Field(
        100, gt=0, description="pages per URL pattern (digits and query values ignored), e.g. /calendar/2026/11"
    )


class Axe(Section):
    tags: list[str] = Field(
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"], description="axe-core tags to run"
    )
    enable_rules: list[str] = Field([], description="axe rules to run besides the tags (jis2016 adds duplicate-id)")
    experimental: bool = Field(
        True, description="run axe's experimental rules of the WCAG levels in tags; their failures need review"
    )


class Login(Section):
    url: str | None = Field(None, description="login page of a form login (WordPress's own is used without this)")
    username: str = Field("#user_login", description="CSS selector of the user name field")
    password: str = Field("#user_pass", description="CSS selector of the password field")
    submit: str = Field("#wp-submit", description="CSS selector of the submit button")
    success: str = Field("", description="CSS selector present only when logged in (default: no password field)")


class Access(Section):
    secrets_file: str | None = Field(
        None, description="YAML file of credentials (basic_user, basic_password, login_user, ...)"
    )
    origins: Annotated[list[str], checked(_origins)] = Field(
        [],
        description="origins (scheme://host[:port]) besides the start URL's that may get the site's credentials, "
        "headers and cookies",
    )
    login: Login = Field(default_factory=Login, description="a form login")
    headers: Annotated[dict[str, str], checked(_headers)] = Field(
        {},
        description="extra request headers for the site's origins only; write secrets as ${VARIABLE}, read from the "
        "environment (e.g. X-Api-Key: ${QA_API_KEY})",
    )
    bearer_token_env: str | None = Field(
        None, description="environment variable holding a bearer token: sent as 'Authorization: Bearer …' to the site"
    )
    storage_state: str | None = Field(
        None,
        description="a Playwright storage-state file (cookies and localStorage) to start logged in; entries for "
        "other origins than the site's are dropped with a warning",
    )


class Tls(Section):
    ca_bundle: str | None = Field(
        None, description="PEM file of the staging site's CA, trusted besides the system's CAs"
    )
    insecure: bool = Field(
        False, description="do not verify the site's certificate (said in every report; credentials stay scoped)"
    )
    http_url: Annotated[str, checked(_http_url)] | None = Field(
        None,
        description="the http:// address that must redirect to the site (tls check; default: the start URL's host "
        "over http on port 80)",
    )


class UnsafeLinks(Section):
    skip: bool = Field(
        True, description="never open links that look destructive or session-ending (?action=delete, /logout, ...)"
    )
    patterns: Regexes = Field([], description="more regexes of links never to open (besides the built-in ones)")


class WordPress(Section):
    discover: bool = Field(True, description="list pages through the REST API of a WordPress site")
    drafts: bool = Field(True, description="with credentials, audit previews of drafts, pending and scheduled posts")
    post_types: list[str] = Field([], description="only these post types (default: every public one)")


class Gate(Section):
    fail_on: list[vocab.GateOutcome] = Field(
        [vocab.A11Y_VIOLATIONS], description=f"outcomes that fail the run: {', '.join(vocab.GATE_OUTCOMES)}"
    )
    max: Annotated[dict[str, Any], checked(_counts)] | None = Field(
        None, description="allowed counts per outcome, rule id or criterion, e.g. {needs-review: 20, color-contrast: 3}"
    )
    accepted: str = Field("accepted.yaml", description="reviewed accepted issues (used when the file exists)")


class AltText(Section):
    max_length: int = Field(150, gt=0, description="alt text longer than this (CJK characters count twice) is reviewed")


class Focus(Section):
    max_stops: int = Field(40, gt=0, description="focus stops per page in the focus check")
    # Off by default: Firefox ESR (BiDi) and WebKitGTK (WebDriver, Xvfb) run unfocused headless windows where
    # synthetic Tab presses show no :focus-visible style, so every link read as "focus removed" there.
    all_cells: bool = Field(False, description="run the focus check in every browser/viewport cell, not only the first")


class Privacy(Section):
    banner: str = Field("", description="CSS selector of the consent banner, besides the common consent tools")
    accept: str = Field("", description="CSS selector of the banner's accept button: what accepting adds is recorded")
    reject: str = Field("", description="CSS selector of the banner's reject button: what rejecting still adds")
    policy_link: Regexes = Field(
        [], description="regexes of the privacy policy link's text or URL, besides the built-in Japanese and English"
    )
    trackers: list[str] = Field([], description="hosts (or parent domains) counted as trackers, besides the built-in")
    first_party: list[str] = Field([], description="hosts counted as the site's own (its CDN, its other domains)")


class Links(Section):
    enabled: bool = Field(True, description="check every link and resource of the crawled pages")
    check_external: bool = Field(True, description="also check links to other sites (checked politely, never crawled)")
    own_hosts: list[str] = Field(
        [], description="hosts (host or host:port) you own, checked fast with no artificial wait"
    )
    ignore: list[str] = Field([], description="regexes of link URLs never requested (reported as ignored)")
    timeout: Seconds = Field(20, description="seconds to wait for one link's response")
    retries: int = Field(1, ge=0, description="extra attempts after a timeout or a dropped connection")
    retry_after_max: Seconds = Field(
        60, description="longest Retry-After (429/503) to wait for before retrying, in seconds"
    )
    threads: int = Field(10, gt=0, description="links checked at once (all hosts together)")
    own_host_connections: int = Field(8, gt=0, description="requests in flight to one own host at a time")
    site_connections: Annotated[int | Literal["auto"], checked(_site_connections)] = Field(
        "auto",
        description="requests in flight to the audited site itself (your server), with no wait between them; "
        "auto: as many as the crawl's pages in flight; 0: as politely as any other site",
    )


class Sitemap(Section):
    planned: str | None = Field(
        None, description="the planned sitemap (CSV or xlsx of titles and URLs) to compare with"
    )


class Sampling(Section):
    method: Literal["all", "random", "representative", "mixed"] = Field(
        "all", description="JB.1.2 page selection: all, random, representative or mixed"
    )
    random: int = Field(25, gt=0, description="pages drawn at random (random, mixed)")
    seed: int = Field(1, description="seed of the random draw (the same seed draws the same pages)")
    representative: list[str] = Field([], description="representative page URLs (absolute or relative)")


class Claim(Section):
    date: str | datetime.date | None = Field(
        None, description="表明日 (date of the claim, YYYY-MM-DD); default: the run's date"
    )
    scope: str | None = Field(None, description="対象となるウェブページの説明 (scope and exclusions)")
    technologies: list[str] = Field([], description="依存したウェブコンテンツ技術; default: found on the pages")
    tester: str | None = Field(None, description="試験実施者 (who tested)")
    organisation: str | None = Field(None, description="試験実施者の所属 (the tester's organisation)")
    site_url: Annotated[str, checked(_http_url)] | None = Field(
        None, description="the public address the claim is about (default: the start URL that was tested)"
    )


class Language(Section):
    variant: Literal["en-US", "en-GB"] = Field(
        "en-US", description="the spelling the site's English text must follow: en-US (American) or en-GB (British)"
    )
    glossary: Annotated[str, checked(_text_file)] | None = Field(
        None, description="text file of the project's own terms (place, company and product names), one a line"
    )


class Fill(Section):
    selector: Text = Field(description="CSS selector of the field")
    value_env: Text = Field(
        description="environment variable holding the value (never written in qa.yaml, never in any output)"
    )


STEP_ACTIONS = ("click", "fill", "wait_for", "press", "wait", "goto")


class Step(Section):
    """One action of ``steps``: exactly one of click, fill, wait_for, press, wait, goto."""

    click: str | None = Field(None, description="click the element this CSS selector finds")
    fill: Fill | None = Field(None, description="type a value from an environment variable into a field")
    wait_for: str | None = Field(None, description="wait until an element this CSS selector finds is visible")
    press: str | None = Field(None, description="press a key, e.g. Enter, Escape, Tab")
    wait: Annotated[int, checked(_within(0, 60_000, " (milliseconds)"))] | None = Field(
        None, description="wait this many milliseconds"
    )
    goto: str | None = Field(None, description="open this URL (absolute or relative; the site's own origin only)")
    optional: bool = Field(False, description="skip the step when its element is not there (a banner already gone)")
    timeout: Seconds = Field(10, description="seconds the step's element is waited for")

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        given = [a for a in STEP_ACTIONS if getattr(self, a) is not None]
        if len(given) != 1:
            raise invalid(f"needs exactly one action of {', '.join(STEP_ACTIONS)}; it has {len(given) or 'none'}")
        return self

    @property
    def action(self) -> str:
        return next(a for a in STEP_ACTIONS if getattr(self, a) is not None)


class Steps(Section):
    before_each_page: list[Step] = Field(
        [], description="actions run on every page once it has loaded, before the checks (e.g. close a banner)"
    )
    once_per_session: list[Step] = Field(
        [], description="actions run once in each browser session, on its first page (e.g. a login flow)"
    )


class VerdictLabels(Section):
    ja: Labels = Field({}, description="verdict -> text in Japanese deliverables (e.g. not-applicable: 適合)")
    en: Labels = Field({}, description="verdict -> text in English deliverables")


def _selectors(v: list[str]) -> str | None:
    import soupsieve

    for selector in v:
        try:
            soupsieve.compile(selector)
        except Exception as exc:  # SelectorSyntaxError, and what soupsieve does not know how to match
            return f"has '{selector}', not a valid CSS selector ({str(exc).splitlines()[0]})"
    return None


Selectors = Annotated[list[str], checked(_selectors)]


# Rule ids are checked against the rule engines and checks the run has, before the crawl (qa.check._scope).
class Rules(Section):
    disable: list[str] = Field(
        [],
        description="rule ids never reported: axe-core, IBM Equal Access and HTML_CodeSniffer rules as findings name "
        "them (an HTML_CodeSniffer code also disables the codes under it), the suite's own check or rule ids, or a "
        "success criterion (1.4.3: every engine's and check's findings on it); their criteria are then never 適合 "
        "from the checks alone",
    )
    enable: list[str] = Field(
        [],
        description="rule ids run besides the defaults: axe-core rules outside axe.tags, the engines' quiet "
        "page-wide reminders, the suite's own checks outside families",
    )


class OverrideTimeouts(Section):
    navigation: Seconds | None = Field(None, description="seconds to wait for a page to load")
    script: Seconds | None = Field(None, description="seconds a check's script may run")
    page: Seconds | None = Field(None, description="seconds a whole page (all checks) may take")


class Override(Section):
    match: Annotated[str, checked(lambda v: _regexes([v]) if v else MISSING)] = Field(
        ..., description="regex searched in the page URL: the settings below apply to the pages it matches"
    )
    rules: Rules = Field(default_factory=Rules, description="rules disabled or enabled on these pages (added)")
    exclude_selectors: Selectors = Field([], description="more regions excluded from every check on these pages")
    hide_selectors: Selectors = Field([], description="more elements hidden (visibility: hidden) on these pages")
    remove_selectors: Selectors = Field([], description="more elements removed from the page on these pages")
    viewports: list[str] = Field(
        [],
        description="the only viewports these pages are audited in (the run's first viewport, where links are "
        "found, always runs)",
    )
    timeouts: OverrideTimeouts = Field(
        default_factory=OverrideTimeouts, description="timeouts of these pages (the keys given replace the run's)"
    )


class Config(Section):
    """``qa.yaml``."""

    start_url: str | None = Field(None, description="the URL the crawl starts from")
    urls_file: str | None = Field(None, description="a file listing exactly the URLs to audit")
    out: str = Field("reports_out", description="where run folders are written")
    browsers_file: str = Field("browsers.yaml", description="the browser and viewport matrix")
    browsers: list[str] = Field([], description="browser names from browsers.yaml to use")
    viewports: list[str] = Field([], description="viewport names from browsers.yaml to use")
    checks_dir: str = Field("checks", description="folder of the team's own checks")
    max_pages: int = Field(500, gt=0, description="the most pages to audit")
    include: Regexes = Field([], description="regexes a URL must match to be audited")
    exclude: Regexes = Field([], description="regexes of URLs never audited")
    concurrency: Annotated[int | Literal["auto"], checked(_concurrency)] = Field(
        "auto",
        description="pages in flight per browser; auto: 4 per CPU core with one browser, 2 per core shared by several",
    )
    follow_links: bool = Field(True, description="follow same-origin links from each page")
    use_sitemaps: bool = Field(True, description="read robots.txt and sitemap.xml for pages")
    screenshots: bool = Field(True, description="save a screenshot of every page in every browser/viewport")
    timeouts: Timeouts = Field(default_factory=Timeouts, description="how long to wait")
    retries: int = Field(1, ge=0, description="times a page is retried after a browser crash or a dropped connection")
    max_page_mb: Annotated[Number, checked(_within(0.1, 10_000, " (MB)"))] = Field(
        10, description="pages larger than this many MB are skipped with a record"
    )
    traps: Traps = Field(default_factory=Traps, description="limits against crawler traps")
    axe: Axe = Field(default_factory=Axe, description="what axe-core runs")
    access: Access = Field(default_factory=Access, description="getting into a protected staging site")
    tls: Tls = Field(default_factory=Tls, description="how the site's certificate is verified")
    unsafe_links: UnsafeLinks = Field(default_factory=UnsafeLinks, description="links never opened")
    wordpress: WordPress = Field(default_factory=WordPress, description="WordPress discovery")
    families: list[vocab.Family] = Field(
        list(vocab.FAMILIES),
        description=f"check families to run (qa audit --only FAMILY): {', '.join(vocab.FAMILIES)}",
    )
    gate: Gate = Field(default_factory=Gate, description="the publication gate")
    operation_checks: str = Field(
        "operation-checks.yaml",
        description="manual rows of the operation-check sheet (the built-in list when the file does not exist)",
    )
    site_lang: str = Field("", description="the site's language as a BCP 47 tag, e.g. en-US or ja (3.1.1 check)")
    alt_text: AltText = Field(default_factory=AltText, description="the alt text check")
    language: Language = Field(default_factory=Language, description="the spelling check of the site's English text")
    focus: Focus = Field(default_factory=Focus, description="the focus check")
    links: Links = Field(default_factory=Links, description="the link check")
    privacy: Privacy = Field(default_factory=Privacy, description="the privacy check: consent banner, policy link")
    sitemap: Sitemap = Field(default_factory=Sitemap, description="the planned sitemap comparison")
    lang: Literal["ja", "en"] = Field("ja", description="language of the deliverables: ja or en")
    # Conformance deliverables (qa.judge, qa.report.checklist): see docs/verdicts.md.
    profiles: Annotated[list[vocab.ProfileId], checked(check_profiles)] = Field(
        ["wcag22", "jis2016"], description="checklists to produce: jis2016, wcag21, wcag22"
    )
    level: vocab.Level = Field("AA", description="target conformance level: A or AA")
    reviews_file: str = Field("reviews.yaml", description="human verdicts kept in the repository ('qa review import')")
    sampling: Sampling = Field(default_factory=Sampling, description="JB.1.2 selection of the judged pages")
    claim: Claim = Field(default_factory=Claim, description="the conformance claim (JIS X 8341-3 表明)")
    timezone: Annotated[str, checked(_timezone)] = Field(
        "Asia/Tokyo", description="time zone of the dates and times in the deliverables"
    )
    labels: VerdictLabels = Field(default_factory=VerdictLabels, description="the deliverables' verdict texts")
    # Scoping what is checked (qa.scope, qa.check._scope): docs/scope.md.
    exclude_selectors: Selectors = Field(
        [],
        description="CSS selectors of regions left out of every check (third-party embeds); named in the reports",
    )
    hide_selectors: Selectors = Field(
        [], description="CSS selectors of elements hidden (visibility: hidden) before the checks, in every browser"
    )
    remove_selectors: Selectors = Field(
        [], description="CSS selectors of elements removed from the page before the checks, in every browser"
    )
    exclude_wp_admin_bar: bool = Field(
        True, description="leave the WordPress admin bar (#wpadminbar, shown when logged in) out of every check"
    )
    rules: Rules = Field(default_factory=Rules, description="rules disabled or enabled by id for the whole run")
    overrides: list[Override] = Field(
        [], description="settings for the pages whose URL matches a regex (every matching entry applies, in order)"
    )
    steps: Steps = Field(
        default_factory=Steps, description="scripted actions before the checks: logins, consent banners (docs/steps.md)"
    )
    share_rules: bool = Field(
        True,
        description="matrix cells whose rendered DOM equals another cell's take the rule engines' DOM-only findings "
        "from it instead of running those rules again (each marked reused_from); false: every rule runs in every cell",
    )
    companion_engines_every_cell: bool = Field(
        False,
        description="with share_rules: run IBM Equal Access and HTML_CodeSniffer in full in every cell; by default "
        "they run once per rendered DOM (a cell whose DOM equals another cell's takes their DOM-only findings and "
        "leaves their layout rules to that cell, while axe-core's layout rules run in every cell)",
    )


def nearest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else f"valid keys: {', '.join(sorted(choices))}"


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any, source: str, show_values: bool = True) -> M:
    """``data`` as ``model``, defaults filled in; or a ConfigError with one line per problem of the file.

    ``show_values=False`` for a file of secrets: a wrong value is not repeated in the error."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of keys to values")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(f"{source}: {line}" for line in problems(exc, model, show_values))) from None


# What a strict type error asks for, in the words of the messages.
WANT = {
    "int_type": "int",
    "float_type": "float",
    "string_type": "str",
    "bool_type": "bool",
    "list_type": "list",
    "dict_type": "dict",
    "date_type": "date",
}


def problems(exc: ValidationError, model: type[BaseModel], show_values: bool = True) -> list[str]:
    """One line per key of a validation error (a union's alternatives merged): key, problem, help."""
    found: dict[str, dict[str, Any]] = {}
    typos: set[str] = set()
    for error in exc.errors(include_url=False):
        loc, kind = error["loc"], error["type"]
        key, help_text, known = _locate(model, loc)
        if kind == "extra_forbidden":
            found[f"+{key}"] = {"line": f"unknown key '{key}' ({nearest(str(loc[-1]), known)})"}
            meant = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.5)
            if meant:  # a misspelt required key: the missing one is the same mistake, said once
                typos.add(f"{key.rsplit('.', 1)[0]}.{meant[0]}" if "." in key else meant[0])
            continue
        if loc and isinstance(loc[-1], int):
            help_text = ""  # a whole entry of a list: the list's help does not describe it
        if kind == "literal_error" and loc and isinstance(loc[-1], int):
            key = key.rsplit("[", 1)[0]  # one value of a list: the list is named
        entry = found.setdefault(key, {"wants": [], "problem": "", "input": error["input"], "help": help_text})
        if kind in WANT:
            entry["wants"].append(WANT[kind])
        elif kind == "literal_error" and loc and str(loc[-1]).startswith("literal["):  # a union's alternative
            entry["wants"].append(error["ctx"]["expected"].replace("'", ""))
        elif not entry["problem"]:
            entry["problem"] = _problem(error)
    lines = []
    for key, entry in found.items():
        if key in typos and entry.get("problem") == MISSING:
            continue
        help_text = f" ({entry['help']})" if entry.get("help") else ""
        if "line" in entry:
            lines.append(entry["line"])
        elif entry["problem"]:
            lines.append(f"'{key}' {entry['problem']}{help_text}" if key else entry["problem"])
        else:
            want = " or ".join(dict.fromkeys(entry["wants"]))
            got = f", got {entry['input']!r}" if show_values else ""
            lines.append(f"'{key}' must be {want}{help_text}{got}")
    return lines


def _problem(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "qa":
        return ctx["problem"]
    if kind in ("model_type", "model_attributes_type"):
        return "must be a mapping of keys to values"
    if kind == "missing":
        return MISSING
    if kind == "greater_than":
        return f"must be greater than {ctx['gt']}"
    if kind == "greater_than_equal":
        return f"must be {ctx['ge']} or more"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx["expected"])
        if isinstance(error["loc"][-1], int):  # one value of a list
            return f"has unknown value '{error['input']}' ({nearest(str(error['input']), allowed)})"
        return f"must be one of {', '.join(allowed)}"
    return error["msg"][:1].lower() + error["msg"][1:]


def _locate(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str, list[str]]:
    """(the key as a person writes it, e.g. 'browsers[0].engine'; its help; the keys valid beside it)."""
    key, help_text, known = "", "", list(model.model_fields)
    node: Any = model
    for part in loc:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            known = list(node.model_fields)
            key = f"{key}.{part}" if key else str(part)
            info = node.model_fields.get(str(part))
            help_text, node = (info.description or "", info.annotation) if info else ("", None)
        elif isinstance(part, int) and get_origin(node) is list:
            key, node = f"{key}[{part}]", get_args(node)[0]
        else:
            break  # a union alternative's tag, or inside a free-form mapping: not part of the key
    return key, help_text, known


def _unwrap(node: Any) -> Any:
    """``X | None`` -> X; ``Annotated[X, ...]`` -> X (a union of several types stays as it is)."""
    while True:
        if get_origin(node) is Annotated:
            node = get_args(node)[0]
        elif get_origin(node) in (Union, UnionType):
            args = [a for a in get_args(node) if a is not type(None)]
            if len(args) != 1:
                return node
            node = args[0]
        else:
            return node


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML in which a key given twice in one mapping is an error: PyYAML keeps the last one silently, so a
    second ``exclude:`` or ``unsafe_links:`` would drop the first one's patterns unseen (``<<`` merges still
    override)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice; keep one of them", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found; check the path or create the file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a {what} file; give the path of the YAML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        line = text_line_of(path.read_bytes(), exc.start)
        raise ConfigError(f"{path}: line {line} is not UTF-8 text; save the {what} as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{line} is not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax") from None
    if isinstance(data, dict):
        for key in data:
            if not isinstance(key, str):
                raise ConfigError(f"{path}: key {key!r} is not a name; write keys as words (quote it: '{key}')")
    return data


def text_line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


ENV_PREFIX = "QA_"
NESTED = "__"  # QA_GATE__FAIL_ON -> gate.fail_on


def env_overrides(environ: Mapping[str, str] | None = None, warn: bool = True) -> dict[str, Any]:
    """The settings given as ``QA_<KEY>`` variables (``QA_<SECTION>__<KEY>`` inside a section), as nested data.

    Each variable is validated on its own by the Config model, so an error is one line naming the variable. A
    ``QA_`` variable whose first part is not a setting (QA_BASIC_PASSWORD, a CI's own QA_BOT_TOKEN) is not one and is
    left alone; one whose name is close to a setting's is reported as a likely typo. An empty variable is unset."""
    import os
    import sys

    environ = os.environ if environ is None else environ
    fields = list(Config.model_fields)
    data: dict[str, Any] = {}
    problems_found: list[str] = []
    for var in sorted(environ):
        raw = environ[var]
        if not var.startswith(ENV_PREFIX) or not raw.strip():
            continue
        parts = var[len(ENV_PREFIX) :].lower().split(NESTED)
        if parts[0] not in fields:
            close = difflib.get_close_matches(parts[0], fields, n=1, cutoff=0.85)
            if close and warn:
                print(
                    f"qa: warning: {var} is not a setting (did you mean QA_{close[0].upper()}?); ignored",
                    file=sys.stderr,
                )
            continue
        nested: dict[str, Any] = {}
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _env_value(raw, _annotation(Config, parts))
        try:
            parse(Config, nested, var)
        except ConfigError as exc:
            problems_found += str(exc).splitlines()
            continue
        _merge(data, nested)
    if problems_found:
        raise ConfigError("\n".join(problems_found))
    return data


def _annotation(model: type[BaseModel], parts: list[str]) -> Any:
    node: Any = model
    for part in parts:
        node = _unwrap(node)
        info = node.model_fields.get(part) if isinstance(node, type) and issubclass(node, BaseModel) else None
        if info is None:
            return None
        node = info.annotation
    return node


def _env_value(raw: str, annotation: Any) -> Any:
    """A variable's text as the setting's type: a list comma-separated (or a YAML list), text as written, anything
    else read as YAML (numbers, true/false, auto, a mapping like {needs-review: 20})."""
    node = _unwrap(annotation)
    text = raw.strip()
    if node is str:
        return raw
    if get_origin(node) is list and not text.startswith("["):
        return [item.strip() for item in text.split(",") if item.strip()]
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return raw


def _merge(into: dict[str, Any], data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def load_project_config(path: Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Read ``qa.yaml`` (or the file given), then the ``QA_...`` settings of the environment over it; without a file,
    the defaults and the environment."""
    overrides = env_overrides(environ)
    if path is None:
        default = Path("qa.yaml")
        if not default.exists():
            return parse(Config, overrides, "environment")
        path = default
    data = read_yaml(path, "project configuration")
    if overrides:
        if data is None:
            data = {}
        if isinstance(data, dict):
            data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
            for key, value in overrides.items():
                if isinstance(value, dict) and not isinstance(data.get(key), dict):
                    data[key] = {}  # `gate:` left empty in the file: the section's defaults, then the variable
                _merge(data, {key: value})
    return parse(Config, data, str(path))
