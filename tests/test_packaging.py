"""Packaging for a public release: the licence the suite declares, its dependencies' licences (read from the installed
distributions' metadata), and a wheel that carries the data files and HTML assets the suite reads at run time."""

from __future__ import annotations

import email
import importlib.metadata as md
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SUITE_LICENCE = "GPL-2.0-or-later"
# What may be combined with GPL-2.0-or-later code and distributed under it (Apache-2.0 through the "or later": the
# combination is distributable under GPL-3.0). GPL-2.0-only is not here: the suite also links Apache-2.0 code
# (playwright, selenium, requests), which GPL-2.0-only cannot be combined with. A GPL-3.0 or AGPL dependency would
# change the suite's own licence: a decision for a person, so it fails here too.
COMPATIBLE = {
    "0BSD",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "CC0-1.0",
    "GPL-2.0-or-later",
    "HPND",
    "ISC",
    "LGPL-2.1-or-later",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MIT-CMU",
    "MPL-2.0",
    "PSF-2.0",
    "Python-2.0",
    "Unlicense",
    "Zlib",
}
# Licence names as older metadata writes them (the License field, trove classifiers, a licence file's first line).
ALIASES = {
    "mit license": "MIT",
    "mit": "MIT",
    "osi approved :: mit license": "MIT",
    "apache 2.0": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "osi approved :: apache software license": "Apache-2.0",
    "bsd license": "BSD-3-Clause",
    "osi approved :: bsd license": "BSD-3-Clause",
    "osi approved :: mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "osi approved :: gnu general public license v2 or later (gplv2+)": "GPL-2.0-or-later",
    # pyenchant's License field says LGPL; its LICENSE.txt is the GNU Lesser General Public License 2.1 (or later)
    "lgpl": "LGPL-2.1-or-later",
}


def spdx(name: str) -> str:
    name = name.strip().removeprefix("License :: ").strip()
    return ALIASES.get(name.lower(), name)


def licence_of(dist: md.Distribution) -> str:
    """The SPDX expression the distribution declares: License-Expression, else a short License field, else its
    licence classifiers (OR: any of them may be chosen), else the first line of its licence file."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    field = (meta.get("License") or "").strip()
    if field and "\n" not in field and len(field) < 40:
        return " OR ".join(spdx(part) for part in field.split(" OR "))
    classifiers = [spdx(c) for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return " OR ".join(dict.fromkeys(classifiers))
    for name in meta.get_all("License-File") or []:
        for path in (f"licenses/{name}", name):
            text = dist.read_text(path)
            if text:
                return spdx(text.strip().splitlines()[0])
    return ""


def compatible(expression: str) -> bool:
    """An SPDX expression (without nesting): OR means any one may be chosen, AND means all apply."""
    expression = expression.replace("(", "").replace(")", "")
    return bool(expression) and any(
        all(term.strip() in COMPATIBLE for term in choice.split(" AND ")) for choice in expression.split(" OR ")
    )


def runtime_distributions() -> dict[str, md.Distribution]:
    """What ``pip install 'qa-suite[spelling]'`` installs: the dependencies and every extra but the test tools,
    through their own requirements."""
    wanted = list(PYPROJECT["project"]["dependencies"])
    for extra, requirements in PYPROJECT["project"]["optional-dependencies"].items():
        if extra != "test":
            wanted += requirements
    found: dict[str, md.Distribution] = {}
    todo = [Requirement(r) for r in wanted]
    while todo:
        req = todo.pop()
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        if key in found:
            continue
        found[key] = md.distribution(req.name)
        for line in found[key].requires or []:
            sub = Requirement(line)
            if sub.marker is None or sub.marker.evaluate({"extra": ""}):
                todo.append(sub)
    return found


def test_the_suite_declares_its_licence_and_ships_its_text() -> None:
    assert PYPROJECT["project"]["license"] == SUITE_LICENCE
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 2, June 1991" in text
    assert "any later version" in text  # the "or later" the expression relies on is offered by the text


def test_every_runtime_dependency_has_a_licence_compatible_with_the_suites() -> None:
    dists = runtime_distributions()
    assert {"linkchecker", "playwright", "pyenchant", "openpyxl", "selenium"} <= set(dists)
    licences = {name: licence_of(dist) for name, dist in dists.items()}
    unknown = sorted(name for name, expression in licences.items() if not expression)
    assert not unknown, f"no licence metadata: {unknown}"
    bad = {name: expression for name, expression in licences.items() if not compatible(expression)}
    assert not bad, f"licences not compatible with {SUITE_LICENCE}: {bad}"
    assert licences["linkchecker"] == "GPL-2.0-or-later"  # why the suite is GPL-2.0-or-later


def test_the_page_side_engines_and_the_shipped_axe_messages_have_compatible_licences() -> None:
    """Not linked into Python (injected into the pages under test), but their licences are stated and checked."""
    engines = json.loads((REPO / "qa/data/rule-engines.json").read_text(encoding="utf-8"))["engines"]
    assert {key: spec["license"] for key, spec in engines.items()} == {
        "axe": "MPL-2.0",
        "ace": "Apache-2.0",
        "htmlcs": "BSD-3-Clause",
    }
    notice = (REPO / "qa/data/axe-core-4.12.1-ja.NOTICE").read_text(encoding="utf-8")
    assert "Mozilla Public License, v. 2.0" in notice


def test_the_check_rejects_what_cannot_be_combined() -> None:
    assert compatible("MIT OR Apache-2.0") and compatible("Apache-2.0 OR BSD-3-Clause") and compatible("MPL-2.0")
    for expression in ("GPL-2.0-only", "GPL-3.0-only", "AGPL-3.0-or-later", "SSPL-1.0", "Proprietary", ""):
        assert not compatible(expression), expression
    assert not compatible("MIT AND SSPL-1.0") and compatible("MIT AND PSF-2.0")
    assert spdx("License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)") == "GPL-2.0-or-later"


@pytest.mark.slow  # builds the wheel (pip fetches the build backend)
def test_the_wheel_carries_the_data_files_html_assets_and_metadata(tmp_path: Path) -> None:
    # Built from a copy of the tracked tree, so the build leaves nothing (build/, *.egg-info) in the checkout.
    source = tmp_path / "src"
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True
    )
    for name in listed.stdout.splitlines():
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("qa_suite-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        name
        for name in listed.stdout.splitlines()
        if name.startswith("qa/") and not name.endswith(".py") and (REPO / name).is_file()
    }
    assert shipped and not shipped - names, sorted(shipped - names)  # every data file, asset and demo page
    for needed in ("qa/data/browsers.yaml", "qa/data/rule-engines.json", "qa/demo/site/index.html"):
        assert needed in names
    assert any(n.startswith("qa/report/html_assets/") for n in names)
    assert not any(n.startswith(("tests/", "benchmarks/", "reports_out/")) for n in names)
    info = next(n for n in names if n.endswith(".dist-info/METADATA"))
    meta = email.message_from_bytes(zipfile.ZipFile(wheel).read(info))
    assert meta["License-Expression"] == SUITE_LICENCE
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "spelling" in meta.get_all("Provides-Extra")
    assert 'pyenchant==3.3.0; extra == "spelling"' in meta.get_all("Requires-Dist")
    assert "Topic :: Software Development :: Quality Assurance" in meta.get_all("Classifier")
    assert meta["Description-Content-Type"] == "text/markdown" and "qa-suite" in meta.get_payload()
