"""No fault, signal or full disk loses a run: a resumed run equals an uninterrupted one (links included), a signal
in any phase keeps what finished, the suite's own fetches are bounded, a run that audited nothing does not pass,
and damaged input or an unwritable folder is one line.

Real parts: the real ``python -m qa`` process, real Chromium, real servers on loopback; signals are sent for real.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qa.config import Config
from tests.conftest import REPO, PageHandler, run_qa
from tests.gensite import serve_generated

SITE_PAGES = 24
CONFIG = "concurrency: 2\nscreenshots: false\nuse_sitemaps: false\nlinks: {own_hosts: ['127.0.0.1']}\n"
ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")


def _audit(url: str, out: Path, config: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "qa", "audit", url, "--out", str(out), "--quiet", "--config", str(config), *ONE_CELL]
    return subprocess.Popen([*cmd, *extra], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip


def _records(run_dir: Path) -> list[dict]:
    path = run_dir / "records.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line)["page"] for line in lines if line.endswith("}")]


def _wait_for(condition, what: str, proc: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert proc.poll() is None, f"qa ended before {what}: {proc.stderr.read().decode()}"
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


def _interrupt_after(proc: subprocess.Popen, out: Path, pages: int, sig: int) -> Path:
    """Send ``sig`` once ``pages`` visits are recorded (SIGKILL to the whole process group, as a CI timeout)."""
    found: list[Path] = []

    def recorded() -> bool:
        found[:] = [r.parent for r in out.glob("*/records.jsonl")]
        return bool(found) and len(_records(found[0])) >= pages

    _wait_for(recorded, f"{pages} pages recorded", proc)
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.send_signal(sig)
    proc.communicate(timeout=180)
    return found[0]


def _links(results: dict) -> tuple[dict, int, int, list[str]]:
    lc = results["link_check"]
    rows = sorted(json.dumps(row, sort_keys=True) for row in results["links"])
    return lc["counts"], lc["links"], lc["unique_urls"], rows


# -- 7: a resumed run equals an uninterrupted one, links included ---------------------------------------------


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str, dict]]:
    folder = tmp_path_factory.mktemp("links-resume")
    config = folder / "qa.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    with serve_generated(SITE_PAGES, delay=0.15) as url:
        run = run_qa("audit", url, "--config", str(config), *ONE_CELL, out=folder / "clean")
        assert run.code in (0, 1), run.stderr
        yield folder, config, url, run.results


@pytest.mark.parametrize(
    ("sig", "pages"),
    [(signal.SIGTERM, 2), (signal.SIGTERM, SITE_PAGES * 2 // 3), (signal.SIGKILL, SITE_PAGES // 2)],
    ids=["sigterm-early", "sigterm-late", "sigkill"],
)
def test_resumed_run_has_the_links_of_an_uninterrupted_one(clean_run, sig: int, pages: int) -> None:
    folder, config, url, clean = clean_run
    assert clean["link_check"]["links"] > SITE_PAGES  # every page links home and to its children
    out = folder / f"out-{sig}-{pages}"
    run_dir = _interrupt_after(_audit(url, out, config), out, pages, sig)
    finished = [p for p in _records(run_dir) if p["error_kind"] != "interrupted"]
    assert 0 < len(finished) < SITE_PAGES + 1, "interrupted part-way"

    resumed = run_qa("audit", "--resume", str(run_dir), "--quiet")
    assert resumed.code in (0, 1), resumed.stderr
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert results["run"]["status"] == "complete" and results["run"]["resumed"]
    assert _links(results) == _links(clean)


def test_a_resumed_run_records_its_interruption_and_shows_its_resumption_in_the_run_s_time_zone(clean_run) -> None:
    """After Ctrl-C (exit 4, partial) and --resume, results.json still says the run was stopped once, beside the
    time it was resumed; run-log.xlsx shows that time as it shows the start and end (time zone of the
    deliverables), not as the raw stored timestamp."""
    folder, config, url, _ = clean_run
    out = folder / "out-sigint-log"
    proc = _audit(url, out, config)
    run_dir = _interrupt_after(proc, out, 2, signal.SIGINT)
    assert proc.returncode == 4
    partial = _assert_partial_with_reports(run_dir)
    assert partial["run"]["interruptions"] == 1

    resumed = run_qa("audit", "--resume", str(run_dir), "--quiet")
    assert resumed.code in (0, 1), resumed.stderr
    run = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))["run"]
    assert run["status"] == "complete" and len(run["resumed"]) == 1
    assert run["interruptions"] == 1
    log = {r[0]: r[1] for r in load_workbook(run_dir / "run-log.xlsx")["実行状況"].iter_rows(values_only=True)}
    shown = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} JST")
    assert shown.fullmatch(log["開始日時"]) and shown.fullmatch(log["再開した実行"]), log


# -- 8: a signal outside the crawl keeps what finished and writes partial reports -----------------------------


class _Slow:
    """What the test site answers slowly, and a record of what was asked."""

    def __init__(self) -> None:
        self.robots = threading.Event()  # robots.txt drips while set
        self.asked: set[str] = set()


@contextmanager
def _serve(handler: type, host: str = "127.0.0.1") -> Iterator[str]:
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _slow_site(slow: _Slow, external: str = "") -> Iterator[str]:
    link = f'<a href="{external}">elsewhere</a>' if external else ""

    class Site(PageHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            slow.asked.add(path)
            if path == "/robots.txt":
                if slow.robots.is_set():
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    while slow.robots.is_set():  # one byte at a time: every read succeeds, the answer never ends
                        self.wfile.write(b"#")
                        self.wfile.flush()
                        time.sleep(0.2)
                    return
                body = f"Sitemap: http://{self.headers['Host']}/sitemap.xml\n".encode()
                return self._send(body, "text/plain")
            if path == "/sitemap.xml":
                loc = f"http://{self.headers['Host']}/listed.html"
                body = (
                    '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<url><loc>{loc}</loc></url></urlset>"
                ).encode()
                return self._send(body, "application/xml")
            if path in ("/", "/listed.html"):
                title = "Home" if path == "/" else "Listed only in the sitemap"
                page = (
                    f'<!doctype html><html lang="en"><head><title>{title}</title></head>'
                    f"<body><main><h1>{title}</h1><p>Text.</p>{link}</main></body></html>"
                )
                return self._send(page.encode(), "text/html; charset=utf-8")
            self._send(b"not found", "text/plain", 404)

        def _send(self, body: bytes, ctype: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with _serve(Site) as url:
        yield url


def _assert_partial_with_reports(run_dir: Path) -> dict:
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert results["run"]["status"] == "partial"
    assert "部分的" in load_workbook(run_dir / "run-log.xlsx")["実行状況"]["B2"].value
    assert (run_dir / "report.html").exists() and (run_dir / "summary.md").exists()
    assert (run_dir.parent / "latest").resolve() == run_dir.resolve()
    return results


def test_signal_during_discovery_keeps_the_run_and_resume_discovers_again(tmp_path: Path) -> None:
    slow = _Slow()
    slow.robots.set()
    config = tmp_path / "qa.yaml"
    config.write_text("screenshots: false\nlinks: {enabled: false}\ntimeouts: {navigation: 120}\n", encoding="utf-8")
    out = tmp_path / "out"
    with _slow_site(slow) as url:
        proc = _audit(url, out, config)
        _wait_for(lambda: "/robots.txt" in slow.asked, "robots.txt requested", proc)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
        slow.robots.clear()
        assert proc.returncode == 4, stderr.decode()
        assert "Traceback" not in stderr.decode()
        run_dir = next(out.glob("2*"))
        _assert_partial_with_reports(run_dir)

        resumed = run_qa("audit", "--resume", str(run_dir), "--quiet")
        assert resumed.code in (0, 1), resumed.stderr
        results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        assert results["run"]["status"] == "complete"
        audited = {p["url"] for p in results["pages"] if not p["error"]}
        assert audited == {url, url + "listed.html"}  # the sitemap the interrupted discovery never read


def test_a_page_in_flight_at_the_signal_is_recorded_once_after_resume(tmp_path: Path) -> None:
    stalled = threading.Event()  # the first visit of /slow is answered only when the test releases it

    class Site(PageHandler):
        def do_GET(self) -> None:
            if self.path == "/slow" and not stalled.is_set():
                stalled.set()
                time.sleep(30)  # longer than the 10 s a stopping run gives a page in flight
            title = "Slow" if self.path == "/slow" else "Home"
            self.send_html(
                f'<!doctype html><html lang="en"><title>{title}</title><main><a href="/slow">s</a></main>'.encode()
            )

    config = tmp_path / "qa.yaml"
    config.write_text(CONFIG + "timeouts: {navigation: 60}\n", encoding="utf-8")
    out = tmp_path / "out"
    with _serve(Site) as url:
        proc = _audit(url, out, config)
        _wait_for(stalled.is_set, "/slow requested", proc)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 4, stderr.decode()
        run_dir = next(out.glob("2*"))
        assert [p["error_kind"] for p in _records(run_dir) if p["url"].endswith("/slow")] == ["interrupted"]

        resumed = run_qa("audit", "--resume", str(run_dir), "--quiet")
    assert resumed.code in (0, 1), resumed.stderr
    pages = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))["pages"]
    assert sorted((p["url"], p["title"], p["error_kind"]) for p in pages) == [
        (url, "Home", ""),
        (url + "slow", "Slow", ""),
    ]


def test_signal_during_the_link_check_keeps_the_run_and_resume_completes_it(tmp_path: Path) -> None:
    slow = _Slow()
    hold = threading.Event()

    class SlowTarget(PageHandler):
        def do_GET(self) -> None:
            slow.asked.add("target")
            hold.wait(60)
            self.send_html(b"<!doctype html><title>late</title>")

    config = tmp_path / "qa.yaml"
    config.write_text("screenshots: false\nuse_sitemaps: false\nlinks: {timeout: 90, retries: 0}\n", encoding="utf-8")
    out = tmp_path / "out"
    with _serve(SlowTarget, "127.0.0.2") as target, _slow_site(slow, external=target + "slow") as url:
        proc = _audit(url, out, config)
        _wait_for(lambda: "target" in slow.asked, "the link check reached the slow target", proc)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 4, stderr.decode()
        assert time.monotonic() - started < 30, "stopped promptly, not after the slow link"
        run_dir = next(out.glob("2*"))
        results = _assert_partial_with_reports(run_dir)
        assert [p["url"] for p in results["pages"] if not p["error"]] == [url]  # the crawl's work is kept

        hold.set()
        resumed = run_qa("audit", "--resume", str(run_dir), "--quiet")
        assert resumed.code in (0, 1), resumed.stderr
        results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        assert results["run"]["status"] == "complete"
        assert results["link_check"]["counts"]["ok"] >= 1


# -- 10: a run that audited nothing does not pass -------------------------------------------------------------


def test_a_run_that_audited_no_page_is_exit_3_with_its_reports(tmp_path: Path) -> None:
    class Missing(PageHandler):
        def do_GET(self) -> None:
            self.send_html(b"<!doctype html><title>Not found</title><h1>Not found</h1>", status=404)

    config = tmp_path / "qa.yaml"
    config.write_text("screenshots: false\nuse_sitemaps: false\n", encoding="utf-8")
    with _serve(Missing) as url:
        run = run_qa("audit", url + "gone.html", "--config", str(config), *ONE_CELL, out=tmp_path / "out")
    assert run.code == 3, run.stdout + run.stderr
    assert "gate:" not in run.stdout
    errors = [line for line in run.stderr.splitlines() if line.startswith("qa: error")]
    assert len(errors) == 1 and "no page could be audited" in errors[0], run.stderr
    assert "Traceback" not in run.stderr
    assert any("No page could be audited" in note for note in run.results["run"]["notes"])
    assert (run.run_dir / "run-log.xlsx").exists() and (run.run_dir / "report.html").exists()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("max_page_mb: .inf\n", "max_page_mb"),
        ("max_page_mb: .nan\n", "max_page_mb"),
        ("max_page_mb: 0.0000001\n", "max_page_mb"),
        ("timeouts: {page: 1.0e+300}\n", "timeouts.page"),
        ("timeouts: {navigation: .inf}\n", "timeouts.navigation"),
        ("timeouts: {script: 0.00001}\n", "timeouts.script"),
        ("links: {timeout: .nan}\n", "links.timeout"),
        (f"timeouts: {{navigation: {10**400}}}\n", "timeouts.navigation"),
    ],
)
def test_config_values_that_make_every_page_fail_are_refused_in_one_line(tmp_path: Path, text: str, key: str) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text(text, encoding="utf-8")
    run = run_qa("audit", "http://127.0.0.1:9/", "--config", str(config))
    assert run.code == 2, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and f"'{key}'" in run.stderr, run.stderr


# -- 14: a full or read-only output folder is one line, never a broken file or a wrong `latest` ------------------


@contextmanager
def _tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A real small filesystem (a full disk is a fault a test cannot otherwise produce); needs root."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def _one_line_error(run, text: str) -> None:
    assert run.code == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qa: error:") and text in lines[0], run.stderr


def _sizes(run_dir: Path) -> tuple[int, int]:
    """(bytes of what the crawl and results.json take, bytes of everything) in a finished run folder."""
    data = ("records.jsonl", "frontier.jsonl", "run.json", "coverage.json", "results.json", "links")
    total = sum(p.stat().st_size for p in run_dir.rglob("*") if p.is_file())
    kept = sum(p.stat().st_size for p in run_dir.rglob("*") if p.is_file() and p.relative_to(run_dir).parts[0] in data)
    return kept, total


def test_a_full_disk_is_one_line_and_leaves_no_broken_file(tmp_path: Path) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    with serve_generated(6) as url:
        audit = ("audit", url, "--config", str(config), *ONE_CELL)
        clean = run_qa(*audit, out=tmp_path / "clean")
        assert clean.code in (0, 1), clean.stderr
        kept, total = _sizes(clean.run_dir)

        # full during the crawl: the pages recorded so far are kept, and the run resumes once there is room
        with _tmpfs(tmp_path / "tiny", "size=16k") as out:
            run = run_qa(*audit, out=out)
            _one_line_error(run, "No space left on device")
            assert "qa audit --resume" in run.stderr
            assert not (out / "latest").exists()
            run_dir = next(out.glob("2*"))
            subprocess.run(["mount", "-o", "remount,size=64m", str(out)], check=True)
            resumed = run_qa("audit", "--resume", str(run_dir), "--quiet")
            assert resumed.code == clean.code, resumed.stderr
            assert json.loads((run_dir / "results.json").read_text(encoding="utf-8"))["run"]["status"] == "complete"
            assert (out / "latest").resolve() == run_dir.resolve()

        # full while the reports are written: no half-written workbook, `latest` does not point at the run
        room = (kept + (total - kept) // 2) // 4096 * 4096
        with _tmpfs(tmp_path / "small", f"size={room}") as out:
            run = run_qa(*audit, out=out)
            _one_line_error(run, "No space left on device")
            run_dir = next(out.glob("2*"))
            for path in run_dir.rglob("*"):
                assert not path.name.endswith(".tmp"), path
                if path.suffix == ".xlsx":
                    load_workbook(path).close()  # every workbook there is whole
            assert not (out / "latest").exists()


def test_a_read_only_output_folder_is_one_line(tmp_path: Path, site) -> None:
    with _tmpfs(tmp_path / "ro", "ro,size=1m") as out:
        run = run_qa("audit", site("clean"), *ONE_CELL, out=out)
        _one_line_error(run, "Read-only file system")


# -- 14: damaged or hostile input is one line ------------------------------------------------------------------


def _import(book: Path, folder: Path):
    return run_qa("review", "import", str(book), "--reviews", str(folder / "reviews.yaml"), "--run", str(folder))


def test_a_damaged_or_hostile_workbook_is_one_line(tmp_path: Path, site) -> None:
    from openpyxl import Workbook

    run = run_qa("audit", site("clean"), *ONE_CELL, out=tmp_path / "out")
    assert run.code in (0, 1), run.stderr
    good = run.run_dir / "checklist-wcag22.xlsx"
    before = (run.run_dir / "results.json").read_bytes()

    def variant(name: str, change) -> Path:
        wb = load_workbook(good)
        change(wb)
        path = tmp_path / name
        wb.save(path)
        return path

    def meta(wb) -> dict:
        return json.loads(wb["_qa"]["A1"].value)

    def set_meta(wb, value: str) -> None:
        wb["_qa"]["A1"].value = value

    text = tmp_path / "notes.xlsx"
    text.write_text("verdicts: all pass\n", encoding="utf-8")
    archive = tmp_path / "archive.xlsx"
    import zipfile

    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    cases = {
        text: "not an Excel workbook",
        archive: "not an Excel workbook",
        variant("not-json.xlsx", lambda wb: set_meta(wb, "{broken")): "'_qa' sheet is damaged",
        variant("list.xlsx", lambda wb: set_meta(wb, "[1, 2]")): "'_qa' sheet is damaged",
        variant(
            "no-sheet.xlsx", lambda wb: set_meta(wb, json.dumps({**meta(wb), "criteria": {"sheet": "Gone"}}))
        ): "no usable 'criteria' sheet",
        variant(
            "bad-column.xlsx",
            lambda wb: set_meta(wb, json.dumps({**meta(wb), "pages": {**meta(wb)["pages"], "first_input": "x"}})),
        ): "no usable 'pages' sheet",
    }
    for book, expected in cases.items():
        done = _import(book, run.run_dir)
        lines = done.stderr.strip().splitlines()
        assert done.code == 2 and len(lines) == 1 and expected in lines[0], (book.name, done.stderr)
        assert not (run.run_dir / "reviews.yaml").exists()
    assert (run.run_dir / "results.json").read_bytes() == before  # nothing was changed by a refused workbook

    # short rows (a person deleted the cells after the verdict): read as empty cells, not a crash
    shaped = Workbook()
    shaped.active.title = "C"
    shaped["C"].append(["SC"])
    shaped["C"].append(["1.4.3", None, None, None, "pass"])
    shaped["C"].append(["2.4.2"])
    shaped.create_sheet("_qa").append([json.dumps({"criteria": {"sheet": "C", "first_input": 5, "url_col": 0}})])
    short = tmp_path / "short.xlsx"
    shaped.save(short)
    done = run_qa("review", "import", str(short), "--reviews", str(tmp_path / "reviews.yaml"))
    assert done.code == 0, done.stderr
    assert "1 verdict(s) read" in done.stdout


def test_a_large_workbook_is_read_as_a_stream(tmp_path: Path, site) -> None:
    import random
    import string

    from openpyxl import Workbook

    run = run_qa("audit", site("clean"), *ONE_CELL, out=tmp_path / "out")
    assert run.code in (0, 1), run.stderr
    # the checklist plus a sheet of ~6 MB (compressed) of notes a person pasted in
    book = tmp_path / "big.xlsx"
    wb = Workbook(write_only=True)
    source = load_workbook(run.run_dir / "checklist-wcag22.xlsx")
    for ws in source.worksheets:
        copy = wb.create_sheet(ws.title)
        for row in ws.iter_rows(values_only=True):
            copy.append(row)
    notes = wb.create_sheet("Notes")
    rng = random.Random(1)
    for _ in range(80_000):
        notes.append(["".join(rng.choices(string.ascii_letters, k=8)) for _ in range(10)])
    wb.save(book)
    assert book.stat().st_size > 5_000_000

    # The peak memory of the new program alone: VmHWM, read by the child as it exits. Not wait4's ru_maxrss, which
    # Linux carries over from the parent across vfork+exec (in a long pytest run, the parent's 500 MB).
    probe = (
        "import atexit, runpy, sys\n"
        "hwm = lambda: [line for line in open('/proc/self/status') if line.startswith('VmHWM')][0]\n"
        "atexit.register(lambda: sys.stderr.write(hwm()))\n"
        "sys.argv = ['qa'] + sys.argv[1:]\n"
        "runpy.run_module('qa', run_name='__main__')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, "review", "import", str(book), "--reviews", str(tmp_path / "reviews.yaml")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "verdict(s) read" in proc.stdout
    peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", proc.stderr).group(1))
    assert peak_kb < 250_000, f"{peak_kb // 1000} MB to read a workbook"


def test_a_url_list_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_bytes(b"http://127.0.0.1:9/\nhttp://127.0.0.1:9/\x83y\x81[\x83W.html\n")  # Shift_JIS
    run = run_qa("audit", "--urls", str(urls))
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 2 is not UTF-8" in lines[0], run.stderr


_HEADER = {"id": "20260101-000000-abcd", "started": "2026-01-01T00:00:00+00:00", "start_url": "http://127.0.0.1:9/"}
_PAGE = {"url": "http://127.0.0.1:9/", "browser": "chromium", "viewport": "desktop", "title": "kept"}


@pytest.mark.parametrize(
    "name, files",
    [
        ("a JSON list", {"results.json": "[1, 2]"}),
        ("pages not a list", {"results.json": json.dumps({"schema_version": "1.2", "run": _HEADER, "pages": "x"})}),
        ("a folder", {"results.json/x": ""}),
        ("a killed run's damaged header", {"run.json": "{broken"}),
    ],
)
def test_a_damaged_run_file_given_to_report_is_one_line(tmp_path: Path, name: str, files: dict[str, str]) -> None:
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    run = run_qa("report", str(tmp_path))
    lines = run.stderr.strip().splitlines()
    assert run.code == 2 and len(lines) == 1, (name, run.stderr)
    assert str(tmp_path) in lines[0] and "re-run the audit" in lines[0], lines[0]


def test_damaged_record_and_frontier_lines_are_skipped_like_cut_short_ones(tmp_path: Path) -> None:
    from qa.store import load_results, read_frontier

    (tmp_path / "run.json").write_text(json.dumps(_HEADER), encoding="utf-8")
    damaged = [{"page": 5}, {"page": {"url": "x"}}, {"page": _PAGE, "findings": 3}, [1], {"page": {**_PAGE, "url": 7}}]
    lines = [*map(json.dumps, damaged), json.dumps({"page": _PAGE, "findings": []})]
    (tmp_path / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    frontier = [{"url": 5}, {"url": "http://127.0.0.1:9/a", "depth": "x"}, {"skip": None}, {"url": _PAGE["url"]}]
    (tmp_path / "frontier.jsonl").write_text("".join(json.dumps(e) + "\n" for e in frontier), encoding="utf-8")
    run = run_qa("report", str(tmp_path))
    assert run.code in (0, 1, 3) and "error" not in run.stderr, run.stderr
    results = load_results(tmp_path)
    assert [p.title for p in results.pages] == ["kept"] and results.run.status == "partial"
    assert read_frontier(tmp_path) == ([("http://127.0.0.1:9/", 0)], [], False)


# -- 9: the suite's own fetches are bounded in size and time ---------------------------------------------------


def _bomb(megabytes: int) -> bytes:
    """A valid sitemap of ``megabytes`` MB uncompressed, gzip-compressed to a few hundred kB."""
    import zlib

    pack = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [pack.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')]
    block = b"".join(b"<url><loc>http://127.0.0.1/p/%d.html</loc></url>" % i for i in range(100))
    for _ in range(megabytes * 1_000_000 // len(block)):
        parts.append(pack.compress(block))
    parts.append(pack.compress(b"</urlset>") + pack.flush())
    return b"".join(parts)


def test_sitemap_and_robots_bombs_are_read_within_bounds(tmp_path: Path) -> None:
    import asyncio
    import gzip
    import tracemalloc

    from qa.discover.seeds import listed_pages
    from qa.net import make_client

    bomb = _bomb(300)
    assert len(bomb) < 2_000_000
    robots = gzip.compress(b"# " + b"x" * 200_000_000 + b"\nSitemap: /never.xml\n")  # compressed in transit

    class Bombs(PageHandler):
        def do_GET(self) -> None:
            host = self.headers["Host"]
            if self.path == "/robots.txt" and self.server.robots_bomb:  # type: ignore[attr-defined]
                return self.send_html(robots, headers={"Content-Type": "text/plain", "Content-Encoding": "gzip"})
            if self.path == "/robots.txt":
                body = f"Sitemap: http://{host}/big.xml.gz\n".encode()
                return self.send_html(body, headers={"Content-Type": "text/plain"})
            if self.path == "/big.xml.gz":
                return self.send_html(bomb, headers={"Content-Type": "application/gzip"})
            self.send_html(b"not found", status=404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bombs)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"

    async def discover() -> tuple[list[str], list[str]]:
        problems: list[str] = []
        async with make_client(10) as client:
            pages = await listed_pages(url, Config(), client, problems=problems)
        return pages, problems

    try:
        for robots_bomb in (False, True):
            server.robots_bomb = robots_bomb  # type: ignore[attr-defined]
            tracemalloc.start()
            try:
                pages, problems = asyncio.run(discover())
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert peak < 80_000_000, f"{peak // 1_000_000} MB to read {'robots.txt' if robots_bomb else 'a sitemap'}"
            if robots_bomb:
                assert pages == [] and any("robots.txt: larger than" in p for p in problems), problems
            else:
                assert len(pages) == 100  # the distinct URLs it listed before the limit
                assert any("big.xml.gz" in p and "sitemaps limit" in p for p in problems), problems
    finally:
        server.shutdown()
        server.server_close()


def test_a_robots_txt_that_drips_does_not_stall_the_run(tmp_path: Path) -> None:
    stop = threading.Event()

    class Drip(PageHandler):
        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                while not stop.is_set():  # a byte every half second: no single read ever times out
                    self.wfile.write(b"#")
                    self.wfile.flush()
                    time.sleep(0.5)
                return
            if self.path == "/":
                return self.send_html(b'<!doctype html><html lang="en"><title>Home</title><main><h1>Home</h1></main>')
            self.send_html(b"not found", status=404)

    config = tmp_path / "qa.yaml"
    config.write_text("screenshots: false\nlinks: {enabled: false}\ntimeouts: {navigation: 3}\n", encoding="utf-8")
    with _serve(Drip) as url:
        try:
            started = time.monotonic()
            run = run_qa("audit", url, "--config", str(config), *ONE_CELL, out=tmp_path / "out", timeout=240)
            elapsed = time.monotonic() - started
        finally:
            stop.set()
    assert run.code in (0, 1), run.stderr
    assert elapsed < 120
    notes = run.results["run"]["notes"]
    assert any("robots.txt: no complete answer within 3 s" in n for n in notes), notes
    assert any("no complete answer" in p for p in run.results["discovery"]["problems"])


def test_an_interrupted_demo_run_is_resumed_on_the_demo_site_served_again(tmp_path: Path) -> None:
    """`qa audit` with no URL audits the built-in demo site on a port of the moment; after Ctrl-C the run says to
    continue with --resume, and that works: the demo is served again on the port its pages were recorded under."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "qa", "audit", "--out", str(out), "--quiet", "--only", "seo", *ONE_CELL]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    run_dir = _interrupt_after(proc, out, 2, signal.SIGINT)
    assert proc.returncode == 4
    partial = _assert_partial_with_reports(run_dir)
    assert any(n.startswith("The built-in demo site") for n in partial["run"]["notes"])
    resumed = run_qa("audit", "--resume", str(run_dir), "--quiet")
    assert resumed.code in (0, 1), resumed.stderr
    run = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert run["run"]["status"] == "complete" and run["run"]["start_url"] == partial["run"]["start_url"]
    assert len(run["pages"]) > len(partial["pages"])
    # every page answered as the demo answers (its one broken download a 404), none unreachable
    assert {p["error_kind"] for p in run["pages"] if p["error"]} <= {"http-error"}, run["pages"]
