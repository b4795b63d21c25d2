"""The folder tree is the pipeline: no module imports from a stage after its own.

Order, lowest first: the shared modules at the top of ``qa/`` (model, urls, access, config, vocab, ...), then
discover → visit → links → check → judge → report → run, and the command line (``qa.cli``) above everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import qa
from qa import vocab
from qa.judge.profiles import PROFILES

STAGES = ["discover", "visit", "links", "check", "judge", "report", "run"]
TOP = {"cli", "__main__"}
ROOT = Path(qa.__file__).parent


def rank(module: str) -> int:
    """0 for the shared bottom layer, 1.. for the pipeline stages in order, above them the command line."""
    parts = module.split(".")
    if len(parts) < 2:
        return 0
    if parts[1] in STAGES:
        return 1 + STAGES.index(parts[1])
    if parts[1] in TOP:
        return len(STAGES) + 1
    return 0


def imports(path: Path, module: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")[: -node.level]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name == "qa":  # `from qa import urls`: each name is a module
                found += [f"qa.{alias.name}" for alias in node.names]
            elif name.startswith("qa."):
                found.append(name)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("qa.")]
    return found


def modules() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((path, ".".join(parts)))
    return out


def test_no_import_runs_back_up_the_pipeline() -> None:
    upward = []
    for path, module in modules():
        for target in imports(path, module):
            if rank(target) > rank(module):
                upward.append(f"{module} imports {target}")
    assert upward == []


def test_the_check_seen_by_this_test_is_real() -> None:
    # the walk above must see the pipeline's own modules, or it proves nothing
    names = {m for _, m in modules()}
    assert {"qa.run.audit", "qa.run.crawl", "qa.visit.driver", "qa.check.axe", "qa.judge.gate"} <= names
    assert rank("qa.run.crawl") > rank("qa.check.axe") > rank("qa.visit.driver") > rank("qa.urls")
    assert imports(ROOT / "run" / "crawl.py", "qa.run.crawl")  # it does import the stages below it


def test_profile_ids_are_defined_once() -> None:
    assert set(PROFILES) == set(vocab.PROFILE_IDS)
