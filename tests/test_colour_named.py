"""1.4.1 Use of Color: text that names things by a colour alone ("the red mushrooms will kill you") is listed for a
person where the page shows other text in that colour (the colour then carries the meaning); the same words on a
page with no text in that colour (prose about red roofs), or where only links are coloured, are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.demo.server import serve
from tests.conftest import QARun, run_qa

PAGE = '<!doctype html><html lang="en"><head><title>{title}</title><style>{style}</style></head><body><main>{body}'
PAGES = {
    # the GDS accessibility tool audit's page, as published
    "mushrooms.html": (
        ".poisonous { color: #a1150b } .safe { color: #0a6703 }",
        "<h1>Mushrooms</h1><p id='key'>The green mushrooms listed here are OK to eat. The red mushrooms will kill "
        "you.</p><ul><li class='poisonous'>Amanita</li><li class='safe'>Chanterelle</li>"
        "<li class='poisonous'>Tylopilus</li></ul>",
    ),
    "roofs.html": (
        "a { color: #c00 }",
        "<h1>Old town</h1><p>From the castle you see the red roofs of the old town and the blue hills beyond.</p>"
        "<p>Read <a href='mushrooms.html'>more about the town</a>.</p>",
    ),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    root: Path = tmp_path_factory.mktemp("colour-site")
    links = "".join(f'<a href="{name}">{name}</a> ' for name in PAGES)
    (root / "index.html").write_text(PAGE.format(title="Home", style="", body=links), encoding="utf-8")
    for name, (style, body) in PAGES.items():
        (root / name).write_text(PAGE.format(title=name, style=style, body=body), encoding="utf-8")
    with serve(root) as url:
        run = run_qa(
            "audit",
            url,
            "--only",
            "sensory-words",
            "--browser",
            "chromium",
            "--viewport",
            "desktop",
            out=tmp_path_factory.mktemp("colour"),
        )
    assert (run.run_dir / "results.json").exists(), run.stderr
    return run


def on(run: QARun, page: str) -> list[dict]:
    return [f for f in run.results["findings"] if f["url"].endswith("/" + page)]


def test_things_named_by_a_colour_the_page_shows_are_listed_under_1_4_1(run: QARun) -> None:
    (finding,) = on(run, "mushrooms.html")
    assert (finding["rule"], finding["outcome"], finding["sc"], finding["target"]) == (
        "colour-reference",
        "needs-review",
        ["1.4.1"],
        "#key",
    )
    assert finding["details"]["words"].lower() == "the green mushrooms"


def test_colour_words_in_prose_without_text_in_that_colour_are_not(run: QARun) -> None:
    assert on(run, "roofs.html") == []
    assert run.results["pages"] and all("sensory_words" in p["facts"] for p in run.results["pages"])
