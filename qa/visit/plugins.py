"""Drivers beyond the built-in ones. A module in this package that defines ``DRIVER`` (its ``driver:`` name in
browsers.yaml) and ``async def launch(pw, spec, preload) -> Engine`` is a driver: ``engines.launch`` finds it by that
name, and browsers.yaml accepts the name. A new engine is that one file (held to tests/test_engine_contract.py)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

BUILTIN = ("playwright", "executable", "channel", "endpoint", "webdriver")
# Only modules that say so are imported: some files here are not for this interpreter (wk_browser.py runs under the
# system Python with GObject bindings).
_DECLARES = re.compile(r"^DRIVER\s*[:=]", re.M)

Launcher = Callable[[Any, Any, tuple[str, ...]], Awaitable[Any]]


def plugin_drivers() -> dict[str, Launcher]:
    """driver name -> its launch function, for every plug-in driver module of the package."""
    import qa.visit as package

    return _found(tuple(package.__path__))


@cache
def _found(paths: tuple[str, ...]) -> dict[str, Launcher]:
    found: dict[str, Launcher] = {}
    for info in sorted(pkgutil.iter_modules(list(paths)), key=lambda m: m.name):
        source = Path(info.module_finder.path, f"{info.name}.py")  # type: ignore[union-attr]
        if info.ispkg or not source.is_file() or not _DECLARES.search(source.read_text(encoding="utf-8")):
            continue
        module = importlib.import_module(f"qa.visit.{info.name}")
        name, launch = getattr(module, "DRIVER", None), getattr(module, "launch", None)
        if isinstance(name, str) and callable(launch) and name not in BUILTIN:
            found[name] = launch
    return found


def driver_names() -> tuple[str, ...]:
    return BUILTIN + tuple(plugin_drivers())
