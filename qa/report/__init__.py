"""Report: every deliverable is a pure function of a run's results, its stored judgement included (verdicts, gate,
trend: ``qa.judge.judgement``); a report reads the judgement, never decides it.

A new report is one new module in this package defining ``render(results, out_dir) -> list[Path]`` and
a ``NAME``; :func:`render_all` runs them all, so ``qa report RUN_DIR`` rebuilds everything without the site.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

from qa.model import Results
from qa.report._axe_ja import AXE_VERSION
from qa.report._parallel import overlapped

Renderer = Callable[[Results, Path], list[Path]]
DEFAULT_ORDER = 50


def reporters() -> list[tuple[int, Renderer]]:
    """Every report's (ORDER, render), in order. ORDER (default 50): reports that list the others (summary,
    index) set a higher one and render after them."""
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
        if not info.name.startswith("_")
    ]
    found = [
        (getattr(module, "ORDER", DEFAULT_ORDER), module.render)
        for module in modules
        if hasattr(module, "render") and hasattr(module, "NAME")
    ]
    return sorted(found, key=lambda item: item[0])


def render_all(results: Results, out_dir: Path, meanwhile: Callable[[], object] | None = None) -> list[Path]:
    """Every report; ``meanwhile``: the caller's own work, done while forked reports finish."""
    written: list[Path] = []
    found = reporters()
    AXE_VERSION.set(results.run.engines.get("axe-core", ""))  # its Japanese locale
    # Reports that fork their heavy jobs (the checklists) go on in children while the others render here; the
    # ones listing the others wait for them.
    with overlapped():
        for order, render in found:
            if order <= DEFAULT_ORDER:
                written += render(results, out_dir)
        if meanwhile:
            meanwhile()
    for order, render in found:
        if order > DEFAULT_ORDER:
            written += render(results, out_dir)
    return written
