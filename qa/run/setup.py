"""``qa setup``: make every engine of the configured matrix available, and the rule engines beside axe-core.

For each browser the doctor finds missing: Playwright's own build where it can be downloaded, else the operating
system's packages, the ones the suite's drivers use without Playwright's builds (Debian chromium, firefox-esr over
WebDriver BiDi, WebKitGTK through WebKitWebDriver). Closed networks cannot download Playwright's browsers; the
system packages come from the distribution's own mirror. ``--dry-run`` prints the plan and changes nothing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from qa.check._engines import engine_data, engine_folder, engine_label, engine_script, install_engines
from qa.errors import BrowserUnavailable
from qa.run.doctor import Item, diagnose_browsers
from qa.visit.matrix import BrowserSpec, Matrix

# What each engine needs from Debian when Playwright's build cannot be downloaded; scripts/install-system-deps.sh
# installs the same (tests/test_setup.py keeps them alike).
SYSTEM_PACKAGES = {
    "chromium": ["chromium", "chromium-headless-shell"],
    "firefox": ["firefox-esr"],
    "webkit": ["webkit2gtk-driver", "xvfb", "xauth", "python3-gi", "gir1.2-webkit2-4.1"],
}
DOWNLOAD_TIMEOUT_S = 900
APT_TIMEOUT_S = 1800


@dataclass
class Plan:
    """What setup does for one missing browser entry: a Playwright download (if any), then system packages (if
    any) where the download fails; ``manual`` when only the user can fix it (a path in browsers.yaml)."""

    item: Item
    download: str = ""  # the name `playwright install` takes: chromium, firefox, webkit, or a channel (chrome)
    packages: list[str] = field(default_factory=list)
    manual: str = ""


def plan_for(spec: BrowserSpec, item: Item) -> Plan:
    if spec.endpoint or spec.driver not in ("playwright", "channel", "webdriver"):
        return Plan(item, manual=item.fix or "start or correct it; qa setup installs local browsers only")
    if spec.driver == "channel":
        return Plan(item, download=spec.channel or "")
    if spec.driver == "webdriver":
        if "WebKitWebDriver" in (spec.webdriver or ""):
            return Plan(item, packages=SYSTEM_PACKAGES["webkit"])
        return Plan(item, manual=item.fix)
    if spec.executable:
        return Plan(item, manual=item.fix)
    return Plan(item, download=spec.engine, packages=SYSTEM_PACKAGES[spec.engine])


def download_command(name: str) -> list[str]:
    """Playwright's download; with the libraries its builds need (``--with-deps``) where apt-get can install them
    (as root, or through sudo, which Playwright calls itself), as on a CI runner's fresh image."""
    can_install = os.geteuid() == 0 or shutil.which("sudo") is not None
    deps = ["--with-deps"] if shutil.which("apt-get") and can_install else []
    return [sys.executable, "-m", "playwright", "install", *deps, name]


def apt_commands(packages: list[str]) -> list[list[str]] | None:
    """apt-get (through sudo when not root), or None where there is none to run."""
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    prefix: list[str] = []
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if sudo is None:
            return None
        prefix = [sudo]
    install = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", apt, "install", "-y", "-q", "--no-install-recommends"]
    return [[*prefix, apt, "update", "-q"], [*install, *packages]]


def shell(command: list[str]) -> str:
    return " ".join(command).replace(sys.executable, "python")


def missing_rule_engines() -> list[str]:
    return [key for key in engine_data()["engines"] if engine_script(key) is None]


def setup(matrix: Matrix, dry_run: bool, log: Callable[[str], None] = print) -> list[Item]:
    """Run (or with ``dry_run`` print) the plan; returns the browsers still missing afterwards."""
    if dry_run:
        for key in missing_rule_engines():
            log(f"would fetch: {engine_label(key)} into {engine_folder(key)} (npm, pinned version and integrity)")
    else:
        # Without them an audit still runs and records them as not run; a problem here is a warning.
        for problem in install_engines(log=log):
            print(f"qa: warning: {problem}", file=sys.stderr)
    items = asyncio.run(diagnose_browsers(matrix))
    plans = []
    for spec, item in zip(matrix.browsers, items, strict=True):
        if item.ok:
            log(f"ok:       {item.name}: {item.detail}")
        else:
            plans.append(plan_for(spec, item))
    packages: list[str] = []
    for plan in plans:
        name = plan.item.name
        if plan.manual:
            log(f"missing:  {name}: {plan.item.detail}; qa setup cannot install it: {plan.manual}")
            continue
        if plan.download:
            command = download_command(plan.download)
            fallback = f"; where the download fails: apt-get install {' '.join(plan.packages)}" if plan.packages else ""
            if dry_run:
                log(f"would run: {shell(command)}  ({name}){fallback}")
                continue
            log(f"running:  {shell(command)}  ({name})")
            failure = _download(command)
            if not failure:
                continue
            then = f"; the system packages instead: {' '.join(plan.packages)}" if plan.packages else ""
            log(f"download failed: {name}: {failure}{then}")
        elif dry_run:
            log(f"would run: apt-get install {' '.join(plan.packages)}  ({name})")
            continue
        packages += [p for p in plan.packages if p not in packages]
    if packages and not dry_run:
        commands = apt_commands(packages)
        if commands is None:
            log(f"no apt-get (or no sudo) here: install these packages yourself: {' '.join(packages)}")
        else:
            for command in commands:  # whether the packages arrived is what the diagnosis below says
                log(f"running:  {' '.join(command)}")
                if problem := _run(command, APT_TIMEOUT_S):
                    log(f"apt-get failed: {problem}")
    if dry_run:
        return [plan.item for plan in plans]
    return [item for item in asyncio.run(diagnose_browsers(matrix)) if not item.ok]


def _download(command: list[str]) -> str:
    """Playwright's download; "" when it worked, else its first error line (its retries are noise here)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode == 0:
        return ""
    errors = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.startswith("Error")]
    return errors[0] if errors else f"exit status {done.returncode}"


def _run(command: list[str], timeout: int) -> str:
    """The command with its output shown (apt-get's progress is the user's to see); "" or what went wrong."""
    try:
        code = subprocess.run(command, timeout=timeout).returncode
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return f"exit status {code}" if code else ""


def fail_missing(missing: list[Item]) -> None:
    """The one line when setup could not make the whole matrix available (exit 3, as a run without the browser)."""
    if missing:
        names = ", ".join(item.name for item in missing)
        fixes = "; ".join(f"{item.name}: {item.fix}" for item in missing if item.fix)
        raise BrowserUnavailable(f"qa setup could not make {names} available; {fixes or 'see qa doctor'}")
