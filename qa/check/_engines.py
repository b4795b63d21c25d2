"""The rule engines beside axe-core (IBM Equal Access, HTML_CodeSniffer): where they are installed, how they get
there, what every engine check shares, and the merge of their findings into one finding per barrier.

The engines are npm packages pinned in ``qa/data/rule-engines.json``. They are never committed: ``qa setup`` and
``scripts/install-system-deps.sh`` fetch them from the npm registry into the engines cache, and a check reads its
script from there. An engine that is not installed makes its check fail on every page with a note naming the fix,
and covers no criterion, so the judge never counts a criterion it did not check. The newest axe-core is pinned and
installed the same way (key ``axe``); without it the copy bundled with axe-playwright-python runs (qa.check.axe).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from qa.check import PageCheck, PageContext
from qa.check._js import CSS_PATH
from qa.model import NEEDS_REVIEW, VIOLATION, Finding
from qa.visit.driver import Library

# Engine check id -> the name its evidence carries; axe's findings merge with theirs.
ENGINE_NAMES = {"axe": "axe-core", "ace": "IBM Equal Access", "htmlcs": "HTML_CodeSniffer"}
_RANK = {name: i for i, name in enumerate(ENGINE_NAMES)}  # on equal outcomes, the earlier engine's rule leads
NPM_TIMEOUT_S = 300
AXE_PRESENT = "typeof axe === 'object' && typeof axe.run === 'function'"  # true once axe-core has run in the document


@cache
def engine_data() -> dict[str, Any]:
    return json.loads(resources.files("qa.data").joinpath("rule-engines.json").read_text(encoding="utf-8"))


def engines_dir() -> Path:
    """The engines cache: ``QA_ENGINES_DIR``, else ``~/.cache/qa-suite/engines`` (XDG_CACHE_HOME respected)."""
    if os.environ.get("QA_ENGINES_DIR"):
        return Path(os.environ["QA_ENGINES_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa-suite" / "engines"


def engine_folder(key: str) -> Path:
    spec = engine_data()["engines"][key]
    return engines_dir() / f"{spec['package']}-{spec['version']}"


def engine_label(key: str) -> str:
    spec = engine_data()["engines"][key]
    return f"{spec['title']} ({spec['package']} {spec['version']})"


class EngineMissing(Exception):
    """The engine's package is not in the engines cache."""

    def __init__(self, key: str) -> None:
        super().__init__(f"{engine_label(key)} is not installed in {engine_folder(key)}; install it with: qa setup")


@cache
def _script(key: str, folder: Path) -> str | None:
    path = folder / engine_data()["engines"][key]["file"]
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return None
    # Inside a function, so that the page's own globals (an ``ace`` editor, an AMD ``define``) neither clash with
    # the engine's nor change how it loads; each engine leaves one global the check calls (axe, ace_ibma, HTMLCS).
    return f"(function (define, exports, module) {{\n{source}\n}}).call(window);"


def engine_script(key: str) -> str | None:
    """The engine's browser script, ready to inject, or None when it is not installed."""
    return _script(key, engine_folder(key))


def top_frame_preload(key: str) -> tuple[str, ...]:
    """The engine's script as a preload of the top document only (an engine that checks the document from the top
    needs no copy in each frame), or nothing when it is not installed."""
    source = engine_script(key)
    return (f"if (window === window.top) {{\n{source}\n}}",) if source else ()


def install_engines(log: Any = print) -> list[str]:
    """Fetch every pinned engine missing from the cache (``npm pack``, integrity checked, unpacked through a
    temporary folder and a rename). Returns the problems, one line each; an empty list when all are installed."""
    problems = []
    for key, spec in engine_data()["engines"].items():
        dest = engine_folder(key)
        if (dest / spec["file"]).is_file():
            continue
        npm = shutil.which("npm")
        if npm is None:
            problems.append(
                f"{engine_label(key)} not installed: npm is missing; install Node.js and npm "
                "(apt-get install nodejs npm), then run: qa setup"
            )
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".download-") as tmp:
            try:
                done = subprocess.run(
                    [npm, "pack", f"{spec['package']}@{spec['version']}", "--json", "--silent"],
                    cwd=tmp,
                    capture_output=True,
                    text=True,
                    timeout=NPM_TIMEOUT_S,
                )
                packed = json.loads(done.stdout)[0] if done.returncode == 0 else {}
            except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
                packed = {}
            if packed.get("integrity") != spec["integrity"]:
                problems.append(
                    f"{engine_label(key)} not installed: npm could not fetch it with the pinned integrity; "
                    "check the network to the npm registry, then run: qa setup"
                )
                continue
            with tarfile.open(Path(tmp) / packed["filename"]) as tar:
                tar.extractall(Path(tmp) / "x", filter="data")
            try:
                (Path(tmp) / "x" / "package").rename(dest)
            except OSError:  # unpacked meanwhile by another install
                if not (dest / spec["file"]).is_file():
                    raise
        log(f"qa: installed {engine_label(key)} into {dest}")
    return problems


# selectorOf(el): the one selector every engine's element gets, so that findings about one element match. Where
# axe-core is in the page it is axe's own (the targets of axe's findings); elsewhere the suite's cssPath. Nodes of
# the document's head (title, meta) and the document itself are the page: ``html``, as axe names them.
SELECTOR_JS = (
    CSS_PATH
    + """
const axeHere = """
    + AXE_PRESENT
    + """ && axe.utils && typeof axe.utils.getSelector === 'function';
let axeSetUp = false;
const selectorOf = (node) => {
  let el = node && node.nodeType === 1 ? node : document.documentElement;
  if (el.closest('head')) el = document.documentElement;
  if (el.ownerDocument !== document) {  // in a frame: axe's "frame >>> element"
    const frame = el.ownerDocument.defaultView && el.ownerDocument.defaultView.frameElement;
    return frame ? selectorOf(frame) + ' >>> ' + cssPath(el) : cssPath(el);
  }
  const root = el.getRootNode();
  if (root !== document) return root.host ? selectorOf(root.host) + ' ' + cssPath(el) : cssPath(el);
  if (el === document.documentElement) return 'html';
  if (axeHere) {
    try {
      if (!axe._selectorData && !axeSetUp) { axe.setup(document); axeSetUp = true; }
      return axe.utils.getSelector(el);
    } catch (e) { /* fall through */ }
  }
  return cssPath(el);
};
const doneWithSelectors = () => { if (axeSetUp) { try { axe.teardown(); } catch (e) {} } };
// In a region the settings exclude from every check (qa.check._scope marks it): up through shadow roots to their
// hosts and out of frames to the frame element, so that excluding a widget's host or an iframe excludes its inside.
const excludedNode = (node) => {
  let el = node && (node.nodeType === 1 ? node : node.parentElement);
  while (el) {
    if (el.closest('[data-qa-excluded]')) return true;
    const root = el.getRootNode();
    const view = el.ownerDocument.defaultView;
    el = root.host || (view && view !== window ? view.frameElement : null);
  }
  return false;
};
const boxOf = (node) => {
  if (!node || node.nodeType !== 1 || node.closest('head')) return null;
  const b = node.getBoundingClientRect();
  return {x: Math.round(b.left + scrollX), y: Math.round(b.top + scrollY),
          width: Math.round(b.width), height: Math.round(b.height)};
};
const htmlOf = (node) => {
  if (!node || node.nodeType !== 1) return '';
  const html = node.outerHTML;
  if (node === document.documentElement) return html.slice(0, html.indexOf('>') + 1);  // its start tag
  return html.length > 2000 ? html.slice(0, 2000) + '…' : html;
};
"""
)


def in_page(body: str) -> str:
    """A function expression ``async (arg) => { ... }`` whose body can use selectorOf, boxOf and htmlOf."""
    head, _, rest = body.partition("{")
    return f"{head}{{\n{SELECTOR_JS}\n{rest}"


def demoted(engine: str, rule: str) -> bool:
    """The rule's definite failures are needs-review (rule-engines.json ``demoted``; a key may hold ``*``, for a
    family of rules that share the flaw, such as HTML_CodeSniffer's H91 names of every element type)."""
    keys = engine_data()["demoted"].get(engine, {})
    return rule in keys or any("*" in k and fnmatch.fnmatchcase(rule, k) for k in keys)


class RuleEngine(PageCheck):
    """A rule engine injected into the page and run on the loaded document, right after axe-core."""

    engine: ClassVar[str] = ""  # its key in rule-engines.json
    present: ClassVar[str] = ""  # a JavaScript expression, true once the engine's script has run in the document
    # Filled from the engine's own rule metadata on the first page, as axe's are: empty until then, and empty for
    # an engine that is not installed, so that its criteria never count as checked.
    live_criteria: ClassVar[dict[str, str]] = {}
    version: ClassVar[str] = ""

    def covered(self) -> dict[str, str]:
        return dict(type(self).live_criteria)

    @classmethod
    def reset(cls) -> None:
        cls.live_criteria, cls.version = {}, ""

    @classmethod
    def installed_version(cls) -> str:
        """The version in the engines cache, "" when the engine is not installed."""
        return engine_data()["engines"][cls.engine]["version"] if engine_script(cls.engine) else ""

    async def load(self, ctx: PageContext) -> None:
        source = engine_script(self.engine)
        if source is None:
            raise EngineMissing(self.engine)
        await ctx.session.inject(source, self.present)
        type(self).version = engine_data()["engines"][self.engine]["version"]

    def library(self) -> Library:
        """The engine as a library for ``session.evaluate_with``: in a world of its own where the browser has
        isolated worlds, which leaves the page's scripts untouched (HTML_CodeSniffer leaves about a hundred globals
        in its document, a bare ``translation`` among them)."""
        source = engine_script(self.engine)
        if source is None:
            raise EngineMissing(self.engine)
        type(self).version = engine_data()["engines"][self.engine]["version"]
        return Library(f"qa-{self.engine}", source, self.present)

    def outcome(self, rule: str, definite: bool, enabled: frozenset[str] = frozenset()) -> str | None:
        """A definite failure is a violation unless the rule cried wolf on accessible pages (demoted to needs
        review); the rest needs review, except the quiet rules' page-wide reminders (None: not a finding) unless
        the settings switch the rule on (``enabled``)."""
        data = engine_data()
        if definite:
            return NEEDS_REVIEW if demoted(self.engine, rule) else VIOLATION
        return None if rule in data["quiet"][self.engine] and rule not in enabled else NEEDS_REVIEW


def merge_engine_findings(findings: list[Finding]) -> list[Finding]:
    """One barrier, one finding: findings of different engines about the same element (one selector for all, see
    SELECTOR_JS) that share a success criterion become one finding, the strongest outcome's, with every engine's
    rule in ``details["engines"]``. axe-core's own rules stay one finding each, as the engine defines them; another
    engine's finding joins the first such finding it matches. Findings of other checks pass unchanged."""
    groups: list[list[Finding]] = []
    slots: list[Finding | list[Finding]] = []
    by_target: dict[tuple[str, str, str], list[tuple[list[Finding], set[str]]]] = {}
    for f in findings:
        if f.check not in ENGINE_NAMES:
            slots.append(f)
            continue
        key = (f.url, f.target, f"{f.browser}/{f.viewport}")
        open_groups = by_target.setdefault(key, [])
        home = None
        if f.check != "axe" and f.sc:
            home = next(((g, sc) for g, sc in open_groups if sc & set(f.sc)), None)
        if home is None:
            group: list[Finding] = [f]
            groups.append(group)
            slots.append(group)
            open_groups.append((group, set(f.sc)))
        else:
            home[0].append(f)
            home[1].update(f.sc)
    return [s if isinstance(s, Finding) else _one_finding(s) for s in slots]


def _one_finding(group: list[Finding]) -> Finding:
    lead = min(group, key=lambda f: (f.outcome != VIOLATION, _RANK[f.check], group.index(f)))
    sc = list(dict.fromkeys(s for f in [lead, *group] for s in f.sc))
    evidence = [
        {"engine": ENGINE_NAMES[f.check], "rule": f.rule, "outcome": f.outcome, "sc": f.sc, "message": f.message}
        | ({"reused_from": f.details["reused_from"]} if f.details.get("reused_from") else {})
        for f in group
    ]
    details = {**lead.details, "engines": evidence}
    if not details.get("bbox"):
        details["bbox"] = next((f.details["bbox"] for f in group if f.details.get("bbox")), None)
    return dataclasses.replace(lead, sc=sc, details=details)
