"""The browser matrix: Chromium, Firefox ESR and WebKitGTK × desktop, tablet and phone, for real, on loopback pages
under tests/sites/browsers/ (each page carries one browser problem)."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import async_playwright

from qa.access import SiteAccess
from qa.demo.server import serve
from qa.errors import ConfigError
from qa.visit.engines import launch
from qa.visit.matrix import ViewportSpec, load_matrix
from tests.conftest import REPO, SITES, PageHandler, QARun, run_qa, serve_handler

CELLS = [f"{b}/{v}" for b in ("chromium", "firefox", "webkit") for v in ("desktop", "tablet", "phone")]


def test_the_shipped_matrix_is_three_engines_by_three_viewports_in_both_copies() -> None:
    assert (REPO / "browsers.yaml").read_text() == (REPO / "qa/data/browsers.yaml").read_text()
    matrix = load_matrix(REPO / "browsers.yaml")
    assert [(b.name, b.engine) for b in matrix.browsers] == [
        ("chromium", "chromium"),
        ("firefox", "firefox"),
        ("webkit", "webkit"),
    ]
    assert [(v.name, v.width, v.height) for v in matrix.viewports] == [
        ("desktop", 1366, 768),
        ("tablet", 820, 1180),
        ("phone", 390, 844),
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("driver: webdriver", "driver 'webdriver' needs 'webdriver'"),
        ("driver: webdriver\n    endpoint: ws://grid:4444", "must be a WebDriver URL starting with http://"),
        ("driver: endpoint\n    endpoint: http://x:3000", "must be a Playwright server URL starting with ws://"),
        ("driver: executable", "driver 'executable' needs 'executable'"),
        ("driver: channel", "driver 'channel' needs 'channel'"),
        (
            "driver: playwright\n    webdriver: /usr/bin/safaridriver",
            "'webdriver' has no effect with driver 'playwright'",
        ),
        (
            "driver: webdriver\n    webdriver: /usr/bin/safaridriver\n    endpoint: http://grid:4444/wd/hub",
            "not both",
        ),
        ("driver: selenium", "'browsers[0].driver' must be one of"),
        ("driver: webdriver\n    endpoint: http://grid:4444/wd/hub\n    capabilities: [mac]", "must be dict"),
    ],
)
def test_driver_options_are_validated_with_one_line_errors(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "browsers.yaml"
    path.write_text(
        f"browsers:\n  - name: safari\n    engine: webkit\n    {entry}\n"
        "viewports:\n  - {name: d, width: 800, height: 600}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_matrix(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_safari_and_grid_entries_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "browsers.yaml"
    path.write_text(
        "browsers:\n"
        "  - {name: safari, engine: webkit, driver: webdriver, webdriver: /usr/bin/safaridriver}\n"
        "  - {name: grid, engine: webkit, driver: webdriver, endpoint: 'http://grid:4444/wd/hub',"
        " capabilities: {platformName: mac}}\n"
        "viewports:\n  - {name: d, width: 800, height: 600}\n"
    )
    safari, grid = load_matrix(path).browsers
    assert safari.webdriver == "/usr/bin/safaridriver" and grid.capabilities == (("platformName", "mac"),)


def test_a_bad_matrix_file_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "browsers.yaml"
    path.write_text(
        "browsers:\n  - {name: s, engine: webkit, driver: webdriver}\nviewports:\n  - {name: d, width: 8, height: 6}\n"
    )
    run = run_qa("audit", "http://127.0.0.1:9/", "--browsers", str(path), out=tmp_path / "out")
    assert run.code == 2
    assert run.stderr.count("\n") == 1 and "needs 'webdriver'" in run.stderr


@pytest.fixture(scope="module")
def matrix_run(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    out = tmp_path_factory.mktemp("matrix")
    with serve(SITES / "browsers") as base:
        return run_qa("audit", f"{base}index.html", out=out)


def _findings(run: QARun, rule: str, page: str) -> list[dict]:
    return [f for f in run.results["findings"] if f["rule"] == rule and f["url"].endswith(page)]


def _cells(run: QARun, rule: str, page: str) -> set[str]:
    return {c for f in _findings(run, rule, page) for c in f["seen_in"]}


def test_every_engine_and_viewport_ran_and_names_the_real_engine(matrix_run: QARun) -> None:
    assert matrix_run.code == 1, matrix_run.stderr
    results = matrix_run.results
    assert results["run"]["cells"] == CELLS
    browsers = results["run"]["engines"]["browsers"]
    assert browsers["chromium"]["product"] == "Chromium"
    assert browsers["firefox"]["product"] == "Firefox" and browsers["firefox"]["version"].startswith("1")
    assert browsers["webkit"]["product"] == "WebKitGTK" and browsers["webkit"]["version"].startswith("2.")
    # browsers.yaml says "driver: playwright" for all three; the results say what drove each in fact.
    assert browsers["chromium"]["driver"] == "playwright" and browsers["chromium"]["executable"]
    assert browsers["webkit"]["driver"] == "webdriver" and browsers["firefox"]["driver"] in ("bidi", "playwright")
    for entry in results["matrix"]["browsers"]:
        assert entry["driver"] == browsers[entry["name"]]["driver"] and entry["configured"] == "playwright"
    visited = {(p["url"].rsplit("/", 1)[-1], f"{p['browser']}/{p['viewport']}") for p in results["pages"]}
    assert len(visited) == 5 * 9
    for page in results["pages"]:
        assert not page["error"], page
        assert page["status"] == 200 and page["load_ms"] > 0
        width, height = page["facts"]["browser"]["viewport"]
        viewport = {"desktop": (1366, 768), "tablet": (820, 1180), "phone": (390, 844)}[page["viewport"]]
        assert (width, height) == viewport, page["browser"]
        assert page["facts"]["browser"]["viewport_meta"].startswith("width=device-width")
        shot = matrix_run.run_dir / page["facts"]["screenshot"]
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        # WebDriver captures the viewport only, and the results say so.
        assert page["facts"]["screenshot_full_page"] is (page["browser"] != "webkit")


def test_overflow_only_at_phone_width_is_caught_in_every_engine(matrix_run: QARun) -> None:
    assert _cells(matrix_run, "horizontal-overflow", "/phone-overflow.html") == {
        "chromium/phone",
        "firefox/phone",
        "webkit/phone",
    }
    (finding,) = _findings(matrix_run, "horizontal-overflow", "/phone-overflow.html")
    assert finding["target"] == "#banner" and finding["sc"] == [] and finding["check"] == "browser"
    assert len([f for f in matrix_run.results["findings"] if f["rule"] == "horizontal-overflow"]) == 1


def test_a_javascript_error_is_caught_in_every_cell(matrix_run: QARun) -> None:
    assert _cells(matrix_run, "js-error", "/js-error.html") == set(CELLS)
    messages = {f["message"] for f in _findings(matrix_run, "js-error", "/js-error.html")}
    assert all("callsAFunctionThatDoesNotExist" in m for m in messages)
    assert not [f for f in matrix_run.results["findings"] if f["rule"] == "js-error" and "js-error" not in f["url"]]


def test_a_broken_image_is_caught_once_with_all_nine_cells(matrix_run: QARun) -> None:
    (image,) = _findings(matrix_run, "broken-image", "/broken-image.html")
    assert image["target"] == "#photo" and sorted(image["seen_in"]) == sorted(CELLS)
    (request,) = _findings(matrix_run, "failed-request", "/broken-image.html")
    assert request["target"].endswith("/images/no-such-photo.png") and sorted(request["seen_in"]) == sorted(CELLS)


def test_axe_reaches_into_an_iframe_in_every_engine(matrix_run: QARun) -> None:
    # Firefox once ran a preloaded axe in the frame's initial blank document, and found nothing inside frames.
    (missing,) = _findings(matrix_run, "image-alt", "/broken-image.html")
    assert missing["target"] == "#plan-frame >>> #plan" and sorted(missing["seen_in"]) == sorted(CELLS)
    assert missing["outcome"] == "violation"


def test_a_page_rendering_differently_across_engines_is_flagged_with_a_diff_image(matrix_run: QARun) -> None:
    diffs = [f for f in matrix_run.results["findings"] if f["rule"] == "render-difference"]
    assert {(f["url"].rsplit("/", 1)[-1], f["browser"], f["viewport"]) for f in diffs} == {
        ("engine-diff.html", "firefox", v) for v in ("desktop", "tablet", "phone")
    }
    for f in diffs:
        assert f["outcome"] == "needs-review" and f["sc"] == []
        assert (matrix_run.run_dir / f["details"]["diff_image"]).is_file()
    compared = matrix_run.results["render_diff"]["engines"]
    assert len(compared) == 5 * 3 * 2  # pages × viewports × (engines - reference)


def test_the_workbook_has_the_matrix_linked_to_screenshots(matrix_run: QARun) -> None:
    wb = load_workbook(matrix_run.run_dir / "browser-check.xlsx")
    ws = wb["マトリクス"]
    header = [c.value for c in ws[1]]
    assert header[2:] == CELLS
    rows = {ws.cell(r, 1).value.rsplit("/", 1)[-1]: r for r in range(2, 7)}
    status = {name: [ws.cell(r, c).value for c in range(3, 12)] for name, r in rows.items()}
    assert status["index.html"] == ["OK"] * 9
    assert status["phone-overflow.html"] == ["OK", "OK", "NG"] * 3
    assert status["js-error.html"] == ["NG"] * 9
    assert status["engine-diff.html"] == ["OK"] * 3 + ["要確認"] * 3 + ["OK"] * 3
    link = ws.cell(rows["phone-overflow.html"], 11).hyperlink.target
    assert link.startswith("screenshots/") and (matrix_run.run_dir / link).is_file()
    env = [row for row in wb["環境"].iter_rows(values_only=True)]
    assert ("ブラウザ", "webkit") == env[3][:2] and env[3][2].startswith("WebKitGTK 2.")
    assert any(row[1] == "phone" and row[2] == "390×844 CSS px" for row in env)
    assert len(wb["サムネイル"]._images) == 4 * 9  # every page with a problem, every cell


def test_compare_with_a_previous_run_flags_the_page_that_changed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "browsers", site)
    one = ["--browser", "chromium", "--viewport", "desktop"]
    with serve(site) as base:
        first = run_qa("audit", f"{base}index.html", *one, out=tmp_path / "a")
        page = site / "broken-image.html"
        page.write_text(page.read_text().replace("<h1>", '<h1 style="background:#c00;height:400px">'))
        second = run_qa("audit", f"{base}index.html", *one, "--compare", str(first.run_dir), out=tmp_path / "b")
    assert second.code == 1, second.stderr
    changed = [f for f in second.results["findings"] if f["rule"] == "visual-change"]
    assert [f["url"].rsplit("/", 1)[-1] for f in changed] == ["broken-image.html"]
    assert (second.run_dir / changed[0]["details"]["diff_image"]).is_file()
    assert len(second.results["render_diff"]["previous_run"]["pages"]) == 5


def test_webkit_sessions_restart_after_a_crash_and_close_cleanly() -> None:
    spec = next(b for b in load_matrix(REPO / "browsers.yaml").browsers if b.name == "webkit")
    viewport = load_matrix(REPO / "browsers.yaml").viewports[2]

    async def scenario(base: str) -> None:
        async with async_playwright() as pw:
            engine = await launch(pw, spec)
            session = await engine.new_session(viewport)
            assert (await session.goto(f"{base}index.html", 30)).status == 200
            group = session.service.process.pid
            session.service.process.kill()  # the WebDriver server dies mid-run
            nav = await session.goto(f"{base}index.html", 10)
            assert nav.error and nav.status is None
            await session.close()
            for _ in range(100):  # the browser's exit is reaped apart from close(): poll, don't guess a delay
                if not _in_group(group):
                    break
                await asyncio.sleep(0.05)
            assert not _in_group(group), "the crashed session's browser was left running"
            fresh = await engine.new_session(viewport)
            nav = await fresh.goto(f"{base}js-error.html", 30)
            assert nav.status == 200 and await fresh.evaluate("() => innerWidth") == 390
            display = engine.display.proc
            await engine.close()
            assert display.poll() is not None and not engine.sessions

    with serve(SITES / "browsers") as base:
        asyncio.run(scenario(base))


@pytest.mark.skipif(not os.access("/usr/bin/firefox-esr", os.X_OK), reason="needs Debian's firefox-esr")
def test_firefox_over_webdriver_bidi_has_exact_viewports_reports_events_and_closes_without_leftovers() -> None:
    matrix = load_matrix(REPO / "browsers.yaml")
    spec = next(b for b in matrix.browsers if b.name == "firefox")

    async def scenario(base: str) -> set[int]:
        async with async_playwright() as pw:
            engine = await launch(pw, spec)
            assert engine.product == "Firefox" and engine.version.startswith("1")
            phone = await engine.new_session(matrix.viewports[2])
            desktop = await engine.new_session(matrix.viewports[0])
            assert await phone.evaluate("() => [innerWidth, innerHeight]") == [390, 844]
            assert await desktop.evaluate("() => [innerWidth, innerHeight]") == [1366, 768]
            # The browser's own toolbars are hidden to save CPU, yet the site still sees an ordinary window.
            mode = "() => ['browser', 'fullscreen'].filter((m) => matchMedia(`(display-mode: ${m})`).matches)"
            assert await phone.evaluate(mode) == ["browser"]
            # Each tab hears only its own page: the image that fails on one is not reported by the other.
            nav, other = await asyncio.gather(
                phone.goto(f"{base}broken-image.html", 30), desktop.goto(f"{base}js-error.html", 30)
            )
            assert (nav.status, nav.final_url, nav.content_type) == (200, f"{base}broken-image.html", "text/html")
            for _ in range(50):  # events travel apart from the navigation's reply: allow them a moment
                if phone._events.failed_requests and desktop._events.js_errors:
                    break
                await asyncio.sleep(0.1)
            phone_events, desktop_events = phone.take_events(), desktop.take_events()
            assert [r["url"].rsplit("/", 1)[-1] for r in phone_events.failed_requests] == ["no-such-photo.png"]
            assert not phone_events.js_errors and not desktop_events.failed_requests
            assert "callsAFunctionThatDoesNotExist" in desktop_events.js_errors[0]
            missing = await phone.goto(f"{base}no-such-page.html", 30)
            assert missing.status == 404 and not missing.error
            started = _descendants(os.getpid())
            assert any("firefox" in _cmdline(p) for p in started)
            await engine.close()
            return started

    with serve(SITES / "browsers") as base:
        started = asyncio.run(scenario(base))
    for _ in range(50):
        alive = {p for p in started if Path(f"/proc/{p}").exists() and "firefox" in _cmdline(p)}
        if not alive:
            break
        time.sleep(0.1)
    assert not alive


@pytest.mark.skipif(not os.access("/usr/bin/firefox-esr", os.X_OK), reason="needs Debian's firefox-esr")
def test_firefox_over_webdriver_bidi_gets_into_a_protected_staging_site() -> None:
    """Basic auth, an extra header and a session cookie, as a staging site behind a login needs them."""
    expected = "Basic " + base64.b64encode(b"qa:s3cret").decode()

    class Staging(PageHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != expected:
                self.send_html(b"", 401, {"WWW-Authenticate": 'Basic realm="staging"'})
                return
            seen = f"<p id=h>{self.headers.get('X-Staging')}</p><p id=c>{self.headers.get('Cookie')}</p>"
            self.send_html(f"<title>in</title>{seen}".encode())

    spec = next(b for b in load_matrix(REPO / "browsers.yaml").browsers if b.name == "firefox")

    async def scenario(base: str) -> tuple[int | None, list[str]]:
        access = SiteAccess(
            http_credentials=("qa", "s3cret"),
            headers={"X-Staging": "yes"},
            cookies=[{"name": "sid", "value": "42", "url": base}],
            origins=(base.rstrip("/"),),  # where they may go (qa.access.SiteAccess.origins)
        )
        async with async_playwright() as pw:
            engine = await launch(pw, spec)
            try:
                session = await engine.new_session(ViewportSpec("desktop", 1366, 768), access)
                nav = await session.goto(base, 30)
                seen = await session.evaluate("() => ['h', 'c'].map((id) => document.getElementById(id)?.textContent)")
                return nav.status, seen
            finally:
                await engine.close()

    with serve_handler(Staging) as base:
        assert asyncio.run(scenario(base)) == (200, ["yes", "sid=42"])


def _in_group(pgid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier and pid not in found}
        found |= frontier
    return found


def test_chromium_full_page_screenshot_is_the_whole_page_at_device_resolution(tmp_path: Path) -> None:
    """The suite's own full-page capture (no viewport resize) must give what Playwright's full-page screenshot
    gives: the whole document, at a phone's 3× pixel ratio, pixel for pixel."""
    from io import BytesIO

    from PIL import Image, ImageChops

    from qa.visit.matrix import ViewportSpec

    spec = next(b for b in load_matrix(REPO / "browsers.yaml").browsers if b.name == "chromium")
    phone = ViewportSpec(name="phone-3x", width=390, height=844, device_scale_factor=3, mobile=True, touch=True)

    async def scenario(base: str) -> tuple[Image.Image, Image.Image, int]:
        async with async_playwright() as pw:
            engine = await launch(pw, spec)
            session = await engine.new_session(phone)
            await session.goto(f"{base}index.html", 30)
            assert await session.screenshot(tmp_path / "ours.png", full_page=True) is True
            reference = Image.open(BytesIO(await session.page.screenshot(full_page=True)))
            height = await session.evaluate("() => document.documentElement.scrollHeight")
            await session.close()
            await engine.close()
            return Image.open(tmp_path / "ours.png"), reference, height

    with serve(REPO / "qa" / "demo" / "site") as base:
        ours, reference, css_height = asyncio.run(scenario(base))
    assert css_height > 844, "the page must be taller than the phone's viewport for this test to mean anything"
    assert ours.size == reference.size == (390 * 3, css_height * 3)
    assert ImageChops.difference(ours.convert("RGB"), reference.convert("RGB")).getbbox() is None


@pytest.mark.parametrize("scripts", [True, False], ids=["heap-reported-by-scripts", "heap-read-over-devtools"])
def test_a_chromium_tab_heap_is_collected_once_over_budget(scripts: bool) -> None:
    """Documents a tab has left stay in its heap until V8 collects them; the driver forces a collection when the
    heap passes its budget (not on every page: that cost 15-25 % of an audit), so a long crawl stays bounded.
    The heap size comes with the visit's scripts; a page where none ran has it read over DevTools."""
    from qa.visit import playwright_driver

    retained = 15_000_000  # about what each page below keeps alive in its window

    class Heavy(PageHandler):
        def do_GET(self) -> None:
            self.send_html(
                b"<title>heavy</title>"
                b"<script>window.keep = Array.from({length: 300000}, (_, i) => ({i, s: 'x' + i}));</script>"
            )

    spec = next(b for b in load_matrix(REPO / "browsers.yaml").browsers if b.name == "chromium")

    async def scenario(base: str) -> tuple[list[float], int]:
        async with async_playwright() as pw:
            engine = await launch(pw, spec)
            try:
                session = await engine.new_session(ViewportSpec("desktop", 1366, 768))
                used = []
                for i in range(14):
                    await session.goto(f"{base}p{i}", 30)
                    if scripts:
                        assert await session.evaluate("() => document.title") == "heavy"
                    heap = await (await session._devtools()).send("Runtime.getHeapUsage")
                    used.append(heap["usedSize"])
                return used, session.collections
            finally:
                await engine.close()

    with serve_handler(Heavy) as base:
        used, collections = asyncio.run(scenario(base))
    assert collections >= 2
    assert max(used) < playwright_driver.GC_HEAP_BUDGET_BYTES + 1.5 * retained, [round(u / 1e6) for u in used]
