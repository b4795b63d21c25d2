"""Scripted steps before the checks (``steps`` in qa.yaml): close a consent banner, log in through a form.

Each action is carried out through the one driver interface (a script in the page, a key press, a navigation),
so the same steps run in every engine: Playwright, Firefox over WebDriver BiDi, WebKitGTK over WebDriver. A click
is the element's own ``click()`` (what a mouse click on it dispatches, without the pointer); a fill sets the value
and fires ``input`` and ``change`` as typing does. Values to type come only from environment variables, are
registered as secrets the moment they are read, and never appear in a result or a message. ``goto`` opens pages of
the site's own origin only. What the steps submit is the user's responsibility (docs/steps.md).

:func:`run_steps` takes any list of steps, so a caller with steps of its own (per URL pattern) reuses it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qa.config import Config, Step
from qa.errors import ConfigError
from qa.redact import redact_url, register_secret
from qa.urls import normalise, origin_key
from qa.visit.driver import DriverFault, Navigation, Session

POLL_S = 0.1
SETTLE_S = 0.3  # a click or key press that starts a navigation starts it within a task or two

# 'missing', 'hidden', 'visible' or 'invalid' (a selector the browser cannot parse).
FIND_JS = """(sel) => {
  let el;
  try { el = document.querySelector(sel); } catch (e) { return 'invalid'; }
  if (!el) return 'missing';
  const r = el.getBoundingClientRect(), st = getComputedStyle(el);
  return (r.width > 0 || r.height > 0) && st.visibility !== 'hidden' && st.display !== 'none' ? 'visible' : 'hidden';
}"""
CLICK_JS = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return false;
  el.scrollIntoView({block: 'center'});
  if (el.focus) el.focus();
  el.click();
  return true;
}"""
# The value through the element's own setter (frameworks such as React watch it), then the events typing fires.
FILL_JS = """([sel, value]) => {
  const el = document.querySelector(sel);
  if (!el) return false;
  el.focus();
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value');
  if (setter && setter.set) setter.set.call(el, value); else el.value = value;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return el.value === value;
}"""
STORAGE_JS = """(items) => { for (const [k, v] of items) localStorage.setItem(k, v); return localStorage.length; }"""


class StepFailed(Exception):
    """A step could not be carried out: which list, which step, which selector, and why."""


@dataclass
class SessionSteps:
    """What one browser session has been through."""

    once_done: bool = False  # its once_per_session steps have run
    ran: bool = False  # any steps ran in it: later pages are no longer seen as a visitor who clicked nothing


def describe(step: Step) -> str:
    """The step in the words of qa.yaml, without any value typed."""
    action = step.action
    if step.fill is not None:
        return f"fill: {step.fill.selector} (value from ${step.fill.value_env})"
    if step.wait is not None:
        return f"wait: {step.wait} ms"
    if step.goto is not None:
        return f"goto: {redact_url(step.goto)}"
    return f"{action}: {getattr(step, action)}"


def check_steps(config: Config, site_url: str, environ: Mapping[str, str] | None = None) -> None:
    """Before anything starts: every value a step types is set in the environment (and masked in all outputs from
    now on), and every ``goto`` stays on the site's origin."""
    environ = os.environ if environ is None else environ
    for where, steps in (
        ("steps.once_per_session", config.steps.once_per_session),
        ("steps.before_each_page", config.steps.before_each_page),
    ):
        for i, step in enumerate(steps):
            if step.fill is not None:
                value = environ.get(step.fill.value_env)
                if not value:
                    raise ConfigError(
                        f"{where}[{i}] fills {step.fill.selector} from ${step.fill.value_env}, which is not set; "
                        f"export {step.fill.value_env} before the run"
                    )
                register_secret(value)
            if step.goto is not None and _goto_target(step.goto, site_url) is None:
                raise ConfigError(
                    f"{where}[{i}] goto {redact_url(step.goto)}: steps open pages of the site's origin "
                    f"{origin_key(site_url)} only"
                )


def _goto_target(url: str, site_url: str) -> str | None:
    target = normalise(url, site_url)
    return target if target and origin_key(target) == origin_key(site_url) else None


async def run_steps(
    session: Session,
    steps: Sequence[Step],
    site_url: str,
    where: str = "steps",
    environ: Mapping[str, str] | None = None,
    navigation_timeout_s: float = 30,
) -> None:
    """Carry out ``steps`` in order in the session's current page; :class:`StepFailed` names the first that
    could not be (an optional step whose element is missing is skipped)."""
    environ = os.environ if environ is None else environ
    for i, step in enumerate(steps):
        try:
            await _run_step(session, step, site_url, environ, navigation_timeout_s)
        except StepFailed as exc:
            raise StepFailed(f"step {where}[{i}] ({describe(step)}) failed: {exc}") from None
        except DriverFault:
            raise
        except Exception as exc:  # the page went away under a script it did not expect to lose
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StepFailed(f"step {where}[{i}] ({describe(step)}) failed: {text[:300]}") from None


async def _run_step(
    session: Session, step: Step, site_url: str, environ: Mapping[str, str], navigation_timeout_s: float
) -> None:
    if step.wait is not None:
        await asyncio.sleep(step.wait / 1000)
    elif step.press is not None:
        await session.press(step.press)
        await settle(session, step.timeout)
    elif step.goto is not None:
        target = _goto_target(step.goto, site_url)
        if target is None:
            raise StepFailed(f"not on the site's origin {origin_key(site_url)}; not opened")
        nav = await session.goto(target, navigation_timeout_s)
        if nav.fault is not None:
            raise StepFailed(f"the page did not load ({nav.fault.value})")
        if nav.status and nav.status >= 400:
            raise StepFailed(f"the page answered HTTP {nav.status}")
        if origin_key(nav.final_url) != origin_key(site_url):
            raise StepFailed(f"it led to {redact_url(nav.final_url)}, another origin")
    else:
        selector = step.click or step.wait_for or (step.fill.selector if step.fill else "")
        if not await wait_for(session, selector, step.timeout, step.optional):
            return  # optional, and not there
        if step.click is not None:
            if not await session.evaluate(CLICK_JS, selector):
                raise StepFailed(f"'{selector}' was gone before it could be clicked")
            await settle(session, step.timeout)
        elif step.fill is not None:
            value = environ.get(step.fill.value_env) or ""
            if not value:
                raise StepFailed(f"${step.fill.value_env} is not set")
            if not await session.evaluate(FILL_JS, [selector, value]):
                raise StepFailed(f"the value did not stay in '{selector}' (not a text field?)")


async def wait_for(session: Session, selector: str, timeout_s: float, optional: bool = False) -> bool:
    """True once an element ``selector`` finds is visible; False when ``optional`` and it is not there in time."""
    deadline = time.monotonic() + timeout_s
    state = "missing"
    while True:
        try:
            state = await session.evaluate(FIND_JS, selector)
        except DriverFault:
            raise
        except Exception:  # between two documents: ask the next one
            state = "missing"
        if state == "invalid":
            raise StepFailed(f"'{selector}' is not a valid CSS selector")
        if state == "visible":
            return True
        if time.monotonic() >= deadline:
            if optional:
                return False
            found = "is there but not visible" if state == "hidden" else "matches no element"
            raise StepFailed(f"'{selector}' {found} after {timeout_s:g} s")
        await asyncio.sleep(POLL_S)


async def settle(session: Session, timeout_s: float) -> None:
    """Let a navigation the action started begin, then wait for its document to finish loading."""
    await asyncio.sleep(SETTLE_S)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if await session.evaluate("() => document.readyState") == "complete":
                return
        except DriverFault:
            raise
        except Exception:  # the old document is gone, the new one not there yet
            pass
        await asyncio.sleep(POLL_S)


async def current_url(session: Session) -> str:
    try:
        return str(await session.evaluate("() => location.href"))
    except DriverFault:
        raise
    except Exception:
        return ""


async def prime_local_storage(session: Session, local_storage: Mapping[str, Sequence[Any]], timeout_s: float) -> None:
    """The storage-state file's localStorage, origin by origin: a page of each is opened (its robots.txt, the
    cheapest page an origin has) and the entries written there, in any engine."""
    for origin, items in local_storage.items():
        nav = await session.goto(origin + "/robots.txt", timeout_s)
        if nav.fault is not None:
            raise StepFailed(f"storage_state: {origin} could not be opened to set its localStorage ({nav.fault.value})")
        await session.evaluate(STORAGE_JS, [[i["name"], i["value"]] for i in items])


def wants_steps(config: Config, state: SessionSteps) -> bool:
    steps = config.steps
    return bool(steps.before_each_page or (steps.once_per_session and not state.once_done))


async def prepare_page(
    session: Session,
    config: Config,
    state: SessionSteps,
    site_url: str,
    requested: str,
    loaded: str,
    environ: Mapping[str, str] | None = None,
) -> Navigation | None:
    """The session's once_per_session steps (on its first page), then the before_each_page steps. A page the steps
    left (a login flow) is opened again, as ``requested``: its navigation is returned (None when the steps left the
    page ``loaded`` where it was), so the checks always see the page asked for."""
    steps, timeout = config.steps, config.timeouts.navigation
    nav = None
    if steps.once_per_session and not state.once_done:
        state.once_done = state.ran = True  # a failure ends the session: the next one tries again
        await run_steps(session, steps.once_per_session, site_url, "steps.once_per_session", environ, timeout)
        nav = await _back_to(session, requested, loaded, timeout)
        loaded = nav.final_url if nav else loaded
    if steps.before_each_page:
        state.ran = True
        await run_steps(session, steps.before_each_page, site_url, "steps.before_each_page", environ, timeout)
        nav = await _back_to(session, requested, loaded, timeout) or nav
    return nav


async def _back_to(session: Session, requested: str, loaded: str, timeout_s: float) -> Navigation | None:
    if normalise(await current_url(session)) in (normalise(loaded), normalise(requested)):
        return None
    nav = await session.goto(requested, timeout_s)
    if nav.fault is not None or (nav.status or 0) >= 400:
        why = nav.fault.value if nav.fault else f"HTTP {nav.status}"
        raise StepFailed(f"after the steps, the page could not be opened again ({why})")
    return nav
