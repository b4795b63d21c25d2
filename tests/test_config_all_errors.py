"""Every error of a configuration file at once, one line each (the "did you mean" lines kept), never a traceback:
browsers.yaml's structural and per-entry problems, and reviews.yaml's entries."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_qa

UNREACHABLE = "http://127.0.0.1:9/"  # never fetched: the files are read and rejected first


def error_lines(run, path: Path) -> list[str]:
    assert run.code == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert all(line.startswith(f"qa: error: {path}: ") for line in lines), run.stderr
    return [line.removeprefix(f"qa: error: {path}: ") for line in lines]


def test_browsers_yaml_structural_errors_all_at_once(tmp_path) -> None:
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text(
        "browsers:\n"
        "  - {name: chromium, engin: chromium}\n"  # a misspelt required key
        "  - {name: ff, engine: gecko}\n"
        "  - {name: wk, engine: webkit, headless: maybe}\n"
        "viewports:\n  - {name: desktop, width: wide, height: 768}\n"
    )
    lines = error_lines(run_qa("audit", UNREACHABLE, "--browsers", str(matrix)), matrix)
    assert lines == [
        "unknown key 'browsers[0].engin' (did you mean 'engine'?)",
        "'browsers[1].engine' must be one of chromium, firefox, webkit (chromium, firefox or webkit)",
        "'browsers[2].headless' must be bool (run without a window), got 'maybe'",
        "'viewports[0].width' must be int (CSS pixels), got 'wide'",
    ]


def test_browsers_yaml_entry_problems_all_at_once(tmp_path) -> None:
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text(
        "browsers:\n"
        "  - {name: chromium, engine: chromium}\n"
        "  - {name: chromium, engine: firefox}\n"
        "  - {name: local, engine: chromium, driver: executable}\n"
        "  - {name: grid, engine: webkit, driver: webdriver, endpoint: 'ws://grid:4444/', channel: chrome}\n"
        "  - {name: wkc, engine: webkit, driver: channel, channel: chrome}\n"
        "viewports:\n  - {name: desktop}\n  - {name: phone, width: 390, height: 844}\n"
    )
    lines = error_lines(run_qa("audit", UNREACHABLE, "--browsers", str(matrix)), matrix)
    assert lines == [
        "'browsers' names must be unique; 'chromium' appears twice",
        "'browsers[2]': driver 'executable' needs 'executable': the path of the browser program, e.g. "
        "/usr/bin/chromium",
        "'browsers[3]': 'channel' has no effect with driver 'webdriver'; remove it or change the driver",
        "'browsers[3]': 'endpoint' must be a WebDriver URL starting with http:// or https://, got 'ws://grid:4444/'",
        "'browsers[4]': WebKit has no Playwright channels; use driver 'playwright' or 'webdriver'",
        "'viewports[0]' needs width and height (or a Playwright device name)",
    ]


def test_a_valid_browsers_yaml_is_accepted_by_doctor(tmp_path) -> None:
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text(
        "browsers:\n  - {name: chromium, engine: chromium}\nviewports:\n  - {name: desktop, width: 1366, height: 768}\n"
    )
    run = run_qa("doctor", "--browsers", str(matrix))
    assert run.code == 0 and "qa: error" not in run.stderr


def test_reviews_yaml_every_bad_entry_at_once(tmp_path) -> None:
    reviews = tmp_path / "reviews.yaml"
    reviews.write_text(
        "reviews:\n"
        "  - {sc: '1.4.3', verdict: pass, reviewer: Sato, date: 2026-11-01}\n"
        "  - {sc: '9.9.9', verdict: pass, reviewer: Sato, date: 2026-11-01}\n"
        "  - {sc: '1.1.1', verdict: maybe, reviewer: Sato, date: 2026-11-01}\n"
        "  - {sc: '1.4.3', verdict: fail, reviewer: Ito, date: 2026-11-02}\n"
        "  - {sc: '2.4.2', verdict: pass, reviewer: Sato, date: 1st of May}\n"
    )
    config = tmp_path / "qa.yaml"
    config.write_text(f"reviews_file: {reviews}\n")
    lines = error_lines(run_qa("audit", UNREACHABLE, "--config", str(config), out=tmp_path / "out"), reviews)
    assert len(lines) == 4, lines
    assert lines[0] == "reviews[1]: sc '9.9.9' is not a WCAG A/AA success criterion (write it like '1.4.3')"
    assert lines[1].startswith("reviews[2]: verdict 'maybe' is not a human verdict")
    assert lines[2] == "reviews[3]: a second review of 1.4.3 site-wide; keep one"
    assert lines[3] == "reviews[4]: date '1st of May' is not a date (write it as YYYY-MM-DD)"
