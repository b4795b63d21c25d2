"""Report: every deliverable is a pure function of a run's results.

A new report is one new module in this package defining ``render(results, out_dir) -> list[Path]`` and
a ``NAME``; :func:`render_all` runs them all, so ``qa report RUN_DIR`` rebuilds everything without the site.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

from qa.model import Results

Renderer = Callable[[Results, Path], list[Path]]


def reporters() -> dict[str, Renderer]:
    found: dict[str, Renderer] = {}
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
        if not info.name.startswith("_")
    ]
    # ORDER (default 50): reports that list the others (summary, index) render after them.
    for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 50)):
        if hasattr(module, "render") and hasattr(module, "NAME"):
            found[module.NAME] = module.render
    return found


def render_all(results: Results, out_dir: Path) -> list[Path]:
    written: list[Path] = []
    for render in reporters().values():
        written += render(results, out_dir)
    return written
