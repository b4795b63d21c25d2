"""What the suite installs and decodes: a pinned, reproducible dependency tree, no binaries in the repository, and
image parsers limited to the PNGs the suite wrote itself."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from PIL import Image

from qa.model import Finding, Page
from qa.report._crops import Cropper

REPO = Path(__file__).resolve().parent.parent


def _pins(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        m = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;#]+)", line.strip())
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_constraints_pin_every_dependency_at_the_version_pyproject_names() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _pins(project["dependencies"])
    locked = _pins((REPO / "constraints.txt").read_text(encoding="utf-8").splitlines())
    assert wanted, "pyproject.toml pins its direct dependencies"
    assert {name: locked.get(name) for name in wanted} == wanted
    for requirement in project["optional-dependencies"]["test"]:
        name = re.split(r"[<>=!\[ ]", requirement, maxsplit=1)[0].lower()
        assert name in locked, f"{name} (test extra) is not locked"
    # every line of the lock is an exact pin, so a fresh install resolves to the same tree
    body = [x for x in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines() if x and x[0] != "#"]
    assert body and all("==" in x for x in body)


def test_pillow_is_past_the_releases_with_published_vulnerabilities() -> None:
    major = int(Image.__version__.split(".")[0])
    assert major >= 12, Image.__version__


def test_no_binary_or_downloaded_package_is_tracked() -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    tracked = [REPO / f.decode() for f in files if f]
    assert tracked, "a git checkout"
    packages = [p.name for p in tracked if p.suffix in (".whl", ".egg", ".deb", ".tgz") or p.name.endswith(".tar.gz")]
    large = [p.name for p in tracked if p.is_file() and p.stat().st_size > 1_000_000]
    assert packages == [] and large == []


def test_only_pngs_are_decoded_from_a_run_folder(tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    Image.new("RGB", (200, 200), "white").save(shots / "page.png", format="PNG")
    # the same picture in formats whose parsers the suite never needs, under the name a screenshot has
    Image.new("RGB", (200, 200), "white").save(shots / "fake.png", format="GIF")
    Image.new("RGB", (200, 200), "white").save(shots / "fake2.png", format="JPEG")

    def crop(screenshot: str) -> Path | None:
        page = Page(url=f"http://127.0.0.1/{screenshot}", browser="chromium", viewport="desktop")
        page.facts.update(screenshot=f"screenshots/{screenshot}", device_pixel_ratio=1)
        finding = Finding("image-alt", "violation", page.url, page.browser, page.viewport)
        finding.details["bbox"] = {"x": 10, "y": 10, "width": 50, "height": 50}
        return Cropper(tmp_path).crop(finding, page)

    assert crop("page.png") is not None
    assert crop("fake.png") is None
    assert crop("fake2.png") is None
