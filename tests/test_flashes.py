"""Flashing images (2.3.1): animated GIFs drawn here with Pillow, decoded by the browser (ImageDecoder) in a real
Chromium audit. More than three flashes a second over more than a quarter of a 10° field is needs-review under
2.3.1; slow, small or faint flashing is not. The threshold arithmetic is checked on frames written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from qa.check.animated_images import FLASH_AREA_PX, flashes_of
from qa.demo.server import serve
from tests.conftest import QARun, run_qa


def gif(path: Path, size: tuple[int, int], colours: list[str], ms: int) -> None:
    frames = [Image.new("RGB", size, colour) for colour in colours]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=ms, loop=0)


def audit(root: Path, images: str, browser: str, out: Path) -> QARun:
    """``images`` (img elements) on one page of ``root``, audited with the animated-images check in ``browser``."""
    (root / "index.html").write_text(
        '<!doctype html><html lang="en"><head><title>Flashing</title></head><body><main><h1>Flashing</h1>'
        f"{images}</main></body></html>",
        encoding="utf-8",
    )
    with serve(root) as url:
        run = run_qa("audit", url, "--only", "animated-images", "--browser", browser, "--viewport", "desktop", out=out)
    assert (run.run_dir / "results.json").exists(), run.stderr
    return run


@pytest.fixture(scope="module")
def flash_run(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    root = tmp_path_factory.mktemp("flash-site")
    gif(root / "fast.gif", (300, 200), ["black", "white"] * 6, 100)  # 5 flashes a second, 60,000 px²
    gif(root / "slow.gif", (300, 200), ["black", "white"] * 3, 1000)  # one change a second
    gif(root / "small.gif", (60, 40), ["black", "white"] * 6, 100)  # fast, but 2,400 px²
    gif(root / "faint.gif", (300, 200), ["#808080", "#8c8c8c"] * 6, 100)  # fast, luminance changes under 10 %
    images = (
        '<img id="fast" src="fast.gif" alt="Fast"><img id="slow" src="slow.gif" alt="Slow">'
        '<img id="small" src="small.gif" alt="Small"><img id="faint" src="faint.gif" alt="Faint">'
    )
    return audit(root, images, "chromium", tmp_path_factory.mktemp("flash"))


def test_an_image_flashing_over_the_threshold_is_needs_review_with_count_and_area(flash_run: QARun) -> None:
    flashing = [f for f in flash_run.results["findings"] if f["rule"] == "image-flashes"]
    assert [f["target"] for f in flashing] == ["#fast"], flashing
    finding = flashing[0]
    assert finding["outcome"] == "needs-review" and finding["sc"] == ["2.3.1"]
    assert finding["details"]["per_second"] == 5 and finding["details"]["area"] == "60,000"
    assert flash_run.results["pages"][0]["facts"]["flashes_measured"] is True
    check = next(c for c in flash_run.results["checks"] if c["id"] == "animated-images")
    assert check["criteria"]["2.3.1"] == "partial" and check["errors"] == 0


def frames(levels: list[float], ms: int) -> list[dict]:
    return [{"us": ms * 1000, "cells": [round(level * 1000)] * 4} for level in levels]


def test_three_flashes_a_second_is_the_limit_and_four_exceed_it() -> None:
    three = frames([0.0, 1.0] * 3 + [0.0], 1000 // 6)  # six transitions within a second: three flashes
    four = frames([0.0, 1.0] * 4 + [0.0], 1000 // 8)
    assert flashes_of(three, 400, 300, loops=False).per_second == 3
    assert flashes_of(four, 400, 300, loops=False).per_second == 4
    assert flashes_of(four, 400, 300, loops=False).area_px == 400 * 300 > FLASH_AREA_PX


def test_changes_between_light_colours_are_not_flashes() -> None:
    # Both sides above 0.80 relative luminance: not a flash, however fast (WCAG's "darker image below 0.80").
    assert flashes_of(frames([0.85, 1.0] * 8, 50), 400, 300, loops=True).per_second == 0


def test_a_flash_across_the_loop_end_counts_only_for_a_looping_image() -> None:
    # dark, light, light, light…: one rise per pass; looping, the fall back to dark comes at the loop's end
    sequence = frames([0.0, 1.0], 100)
    assert flashes_of(sequence, 400, 300, loops=False).per_second == 0
    assert flashes_of(sequence, 400, 300, loops=True).per_second == 1


def test_where_the_frames_cannot_be_decoded_flashing_is_not_examined_and_not_machine_checked(tmp_path: Path) -> None:
    """WebKit has no ImageDecoder: the image's length is still judged (2.2.2), its flashes are not (2.3.1)."""
    gif(tmp_path / "fast.gif", (300, 200), ["black", "white"] * 6, 100)
    run = audit(tmp_path, '<img id="fast" src="fast.gif" alt="Fast">', "webkit", tmp_path / "out")
    (page,) = run.results["pages"]
    assert page["facts"]["flashes_measured"] is False
    assert page["facts"]["not_examined"]["animated-images"]["criteria"] == ["2.3.1"]
    criteria = run.results["judgement"]["criteria"]
    assert not [f for f in run.results["findings"] if f["rule"] == "image-flashes"]
    assert criteria["2.3.1"]["verdict"] == "not-verified" and criteria["2.3.1"]["checks"] == [], criteria["2.3.1"]
    assert criteria["2.2.2"]["checks"] == ["animated-images"] and criteria["2.2.2"]["verdict"] == "needs-review"
