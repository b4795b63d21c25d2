"""A large page's checks split over two tabs when the crawl has a core to spare (qa.run.page_visit).

The real ``qa audit`` in real Chromium against loopback pages of more than 5,000 elements, with barriers for the
checks that run in the second tab (generic link text, presentational markup, a focus outline taken away, a block
wider than a phone, text clipped by a box of fixed height):

- audited alone (a core to spare), the checks after the rule engines run in a second tab, and they find exactly what
  they find when the same page is audited in one tab (pages waiting: no core to spare), each barrier once, and the
  page's missing image is one failed request in both;
- a page that loads differently the second time (another number of elements) is judged in its first tab only, and
  says why the second tab was not used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PageHandler, run_qa, serve_handler

ITEMS = 6_000  # list items, each an li and a span: past the 5,000 elements that make a page large

HEAVY = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A long catalogue of parts</title>
<style>
  .clip {{ height: 1.3em; overflow: hidden; width: 14em; }}
  .plain:focus {{ outline: none; }}
</style></head>
<body>
<header><a class="plain" href="#main">Skip to the catalogue</a></header>
<main id="main">
<h1>Catalogue</h1>
<p><center><font color="gray">Prices as of this week</font></center></p>
<p>For the order form, <a href="/form">click here</a>. For the price list, <a href="/prices">click here</a>.</p>
<div style="width: 1500px">A notice laid out wider than any phone, which a narrow window has to scroll sideways.</div>
<p><img src="/missing.png" alt="Map of the office" width="80" height="40"></p>
<p class="clip">Opening hours are nine to five on weekdays; on public holidays the office stays closed all day.</p>
<ul>{items}</ul>
</main>
</body></html>"""
SMALL = (
    '<!doctype html><html lang="en"><head><title>Page {n}</title></head>'
    "<body><main><h1>Page {n}</h1></main></body></html>"
)
CONFIG = "timeouts: {navigation: 60, script: 300, page: 900}\nscreenshots: true\n"


def _heavy(items: int = ITEMS) -> bytes:
    return HEAVY.format(items="".join(f"<li><span>Part {i}</span></li>" for i in range(items))).encode()


class Site(PageHandler):
    loads = 0  # of /changing: each load has one more list item than the last

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.endswith(".png"):
            self.send_html(b"not here", status=404)
        elif self.path == "/heavy":
            self.send_html(_heavy())
        elif self.path == "/changing":
            type(self).loads += 1
            self.send_html(_heavy(ITEMS + type(self).loads))
        else:
            self.send_html(SMALL.format(n=self.path.strip("/") or "home").encode())


@pytest.fixture
def base() -> Iterator[str]:
    """The site's base URL; skipped on one core, where the crawl never has a core to spare (by design)."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU core: the crawl never has a core to spare for a second tab")
    Site.loads = 0
    with serve_handler(Site) as url:
        yield url


def _audit(tmp_path: Path, name: str, urls: list[str], *extra: str) -> dict:
    listing = tmp_path / f"{name}.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    config = tmp_path / f"{name}.yaml"
    config.write_text(CONFIG + "".join(extra), encoding="utf-8")
    run = run_qa(
        "audit", "--urls", str(listing), "--config", str(config), "--only", "a11y",
        "--browser", "chromium", "--viewport", "desktop", out=tmp_path / name, timeout=900,
    )  # fmt: skip
    assert run.code in (0, 1), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    return run.results


def _found(results: dict, url: str, checks: set[str]) -> list[tuple[str, str, str, str]]:
    return sorted(
        (f["check"], f["rule"], f["outcome"], f["target"])
        for f in results["findings"]
        if f["url"] == url and f["check"] in checks
    )


def test_a_large_page_alone_splits_its_checks_and_finds_what_one_tab_finds(base: str, tmp_path: Path) -> None:
    heavy = base + "heavy"
    split = _audit(tmp_path, "split", [heavy])
    # One tab at a time with two more pages waiting: no core to spare, every check in the page's one tab.
    whole = _audit(tmp_path, "whole", [heavy, base + "one", base + "two"], "concurrency: 1\n")
    page = next(p for p in split["pages"] if p["url"] == heavy)
    assert page["error"] == "", page["error"]
    moved = set(page["facts"]["second_tab"]["checks"])
    assert {"link-purpose", "presentational-markup", "focus", "reflow", "text-spacing", "resize-text"} <= moved
    assert not {"axe", "ace", "htmlcs", "screenshot"} & moved  # the rule engines stay in the first tab
    assert page["facts"]["counts"]["elements"] > 2 * ITEMS
    assert not moved & set(page["facts"].get("check_errors") or {}), page["facts"]["check_errors"]
    assert moved <= set(page["facts"]["timings_ms"]) and "second_tab" in page["facts"]["timings_ms"]

    alone = next(p for p in whole["pages"] if p["url"] == heavy)
    assert "second_tab" not in alone["facts"], alone["facts"].get("second_tab")
    found, expected = _found(split, heavy, moved), _found(whole, heavy, moved)
    assert found == expected
    # each barrier once, and the ones the page was written with among them
    assert len(found) == len(set(found))
    rules = {(check, rule) for check, rule, *_ in found}
    assert {"focus", "link-purpose", "presentational-markup", "reflow"} <= {check for check, _ in rules}, rules
    # the page's failed requests are the first tab's: the missing image once, not once per tab nor again for the
    # animated-images check's own fetch of it
    failed = [r["url"] for r in page["facts"]["failed_requests"]]
    assert failed == [base + "missing.png"] == [r["url"] for r in alone["facts"]["failed_requests"]]


def test_a_page_that_loads_differently_is_judged_in_its_first_tab(base: str, tmp_path: Path) -> None:
    changing = base + "changing"
    results = _audit(tmp_path, "changing", [changing])
    page = results["pages"][0]
    assert page["error"] == "", page["error"]
    reason = page["facts"]["second_tab"]["not_used"]
    assert "elements in the second tab" in reason, reason
    timings = page["facts"]["timings_ms"]
    assert {"link-purpose", "focus", "reflow", "text-spacing"} <= set(timings) and "second_tab" not in timings
    assert not {"link-purpose", "focus", "reflow"} & set(page["facts"].get("check_errors") or {})
    checks = {f["check"] for f in results["findings"] if f["url"] == changing}
    assert {"link-purpose", "presentational-markup", "reflow"} <= checks, checks
