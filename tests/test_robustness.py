"""A suite that never loses a run: a hostile site audited to completion, kill-and-resume, a killed browser,
untrusted content kept harmless, secrets redacted, bad configuration refused in one line.

Real parts throughout: the real ``python -m qa`` process, real Chromium, real sites served on loopback
(``tests/faultsite.py``, ``tests/gensite.py``); faults are produced for real (a renderer that runs out of memory,
a browser process killed with SIGKILL), never simulated.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from functools import partial
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import REPO, PageHandler, QARun, descendants, run_qa, serve_handler
from tests.faultsite import FAULTS, HEALTHY, HOSTILE_LINK_TEXTS, HOSTILE_TITLE, SECRET, serve_faults
from tests.gensite import serve_generated

BROWSERS_YAML = """\
browsers:
  - name: chromium
    engine: chromium
    # A bounded JavaScript heap, so the fault site's memory-hungry page crashes the renderer quickly and cheaply.
    args: ["--js-flags=--max-old-space-size=256"]
viewports:
  - name: desktop
    width: 1366
    height: 768
"""
FAULT_CONFIG = """\
max_pages: 80
concurrency: 2
screenshots: false
timeouts: {navigation: 15, script: 90, page: 240}  # generous: loaded CI machines, a 5,000-link page
traps: {max_per_pattern: 8, max_depth: 12}
links: {own_hosts: ["127.0.0.1"], timeout: 5}  # our own loopback host: no polite wait over the 5,000 links
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _pages(run_dir: Path) -> list[dict]:
    return [json.loads(line)["page"] for line in (run_dir / "records.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("faults")
    config = _write(folder, "qa.yaml", FAULT_CONFIG)
    browsers = _write(folder, "browsers.yaml", BROWSERS_YAML)
    with serve_faults() as url:
        started = time.monotonic()
        run = run_qa(
            "audit", url, "--config", str(config), "--browsers", str(browsers), out=folder / "out", timeout=400
        )
        run.elapsed = time.monotonic() - started
        run.url = url
    return run


def test_fault_site_is_audited_to_completion(fault_run) -> None:
    assert fault_run.code == 1, fault_run.stderr  # finished; the gate fails on the site's real violations
    assert "Traceback" not in fault_run.stderr + fault_run.stdout
    results = fault_run.results
    assert results["run"]["status"] == "complete"
    by_path = {}
    for page in results["pages"]:
        path = re.sub(r"^https?://[^/]+", "", page["url"]).split("?")[0]
        by_path.setdefault(path, page)
    for path in HEALTHY:
        page = by_path[path]
        assert page["error"] == "", (path, page["error"])
        assert page["title"], path
    assert "axe" in by_path["/"]["facts"], "healthy pages are really checked"
    for path, expected in FAULTS.items():
        page = by_path[path]
        assert re.search(expected, page["error"]), (path, page["error"])
        assert page["error_kind"], path
    assert by_path["/crash"]["attempts"] == 2, "a crashed renderer is retried once in a fresh tab"
    assert by_path["/alert"]["facts"]["dialogs"], "the alert was seen and dismissed"
    assert by_path["/huge"]["error_kind"] == "too-large"
    # The endless calendar stops at the per-pattern cap; the 5,000 links do not flood the crawl.
    calendar = [p for p in by_path if p.startswith("/calendar/")]
    assert 1 <= len(calendar) <= 8
    assert len([p for p in by_path if p.startswith("/many/")]) <= 8
    assert results["run"]["disk_bytes"] > 0


def test_page_with_5000_links_is_audited_or_recorded_and_its_links_capped(fault_run) -> None:
    # axe (target-size, contrast) over 5,000 links can outlast the fault test's short script timeout on a loaded
    # machine: then the page must be recorded as a timeout, never lost or left hanging.
    results = fault_run.results
    page = next(p for p in results["pages"] if p["url"].endswith("/links5000"))
    if page["error"]:
        assert page["error_kind"] in ("timeout", "unresponsive"), page["error"]
    else:
        assert results["discovery"]["skipped_counts"].get("crawler trap", 0) > 4000


def test_no_secret_anywhere_in_the_run_folder(fault_run) -> None:
    for path in fault_run.run_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".xlsx":
                with zipfile.ZipFile(path) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            assert SECRET.encode() not in data, path
    assert SECRET not in fault_run.stdout + fault_run.stderr


def test_xml_and_html_outputs_carry_site_content_harmlessly(fault_run) -> None:
    import xml.etree.ElementTree as ET

    for path in fault_run.run_dir.rglob("*.xml"):
        ET.parse(path)  # control characters from the site would make it unparseable
    for path in fault_run.run_dir.rglob("*.html"):
        assert "<script>alert(1)</script>" not in path.read_text(encoding="utf-8"), path
    urls = [p["url"] for p in fault_run.results["pages"]]
    assert any("token=***" in u for u in urls), "the credentialed link was audited, with its secret masked"


def test_workbooks_hold_no_formula_from_the_site(fault_run) -> None:
    workbooks = list(fault_run.run_dir.glob("*.xlsx"))
    assert any(w.name == "run-log.xlsx" for w in workbooks)
    seen_hostile = False
    for path in workbooks:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell.value)
                        seen_hostile |= cell.value.startswith("'=HYPERLINK")
                    if cell.hyperlink is not None and cell.hyperlink.target:
                        assert cell.hyperlink.target.startswith(("http", "#")), cell.hyperlink.target
    assert seen_hostile, "the hostile title reached a workbook, neutralised"
    assert HOSTILE_TITLE.startswith("=") and HOSTILE_LINK_TEXTS


def test_run_log_lists_every_problem(fault_run) -> None:
    wb = load_workbook(fault_run.run_dir / "run-log.xlsx")
    assert wb["実行状況"]["B2"].value == "完了"
    problems = {row[5].value for row in wb["訪問ページ"].iter_rows(min_row=2)}
    kinds = {"時間切れ", "タブ異常終了", "転送の繰り返し", "ダウンロード", "大きすぎる", "バイナリ", "HTTPエラー"}
    assert kinds <= problems  # each fault in Japanese words


# -- kill and resume ------------------------------------------------------------------------------------------


SITE_PAGES = 24


def _audit_cmd(url: str, out: Path, config: Path) -> list[str]:
    return [sys.executable, "-m", "qa", "audit", url, "--out", str(out), "--quiet", "--config", str(config),
            "--browser", "chromium", "--viewport", "desktop"]  # fmt: skip


def _kill_half_way(cmd: list[str], out: Path, sig: int) -> tuple[int, Path]:
    """Start the real qa process, wait until some pages are recorded, then send ``sig`` (to its whole process
    group for SIGKILL, as a killed terminal job or CI timeout would)."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 240
    run_dir = None
    while time.monotonic() < deadline:
        records = list(out.glob("*/records.jsonl"))
        if records and len(records[0].read_text(encoding="utf-8").splitlines()) >= SITE_PAGES // 3:
            run_dir = records[0].parent
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.2)
    assert run_dir is not None, "the run never got going"
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.send_signal(sig)
    proc.communicate(timeout=120)
    return proc.returncode, run_dir


def _summary(results: dict) -> tuple[set[str], set[str]]:
    return {p["url"] for p in results["pages"] if not p["error"]}, {f["id"] for f in results["findings"]}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("resume")
    config = _write(folder, "qa.yaml", "concurrency: 2\nscreenshots: false\nuse_sitemaps: false\n")
    with serve_generated(SITE_PAGES, delay=0.15) as url:
        run = run_qa("audit", url, "--config", str(config), "--browser", "chromium", "--viewport", "desktop",
                     out=folder / "ref")  # fmt: skip
        assert run.code in (0, 1), run.stderr
        yield folder, config, url, _summary(run.results)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killed_run_resumes_to_the_same_results(reference, sig: int) -> None:
    folder, config, url, (ref_pages, ref_findings) = reference
    assert len(ref_pages) == SITE_PAGES + 1 and ref_findings
    out = folder / f"out-{sig}"
    code, run_dir = _kill_half_way(_audit_cmd(url, out, config), out, sig)
    finished = {p["url"] for p in _pages(run_dir) if p["error_kind"] != "interrupted"}
    assert 0 < len(finished) < len(ref_pages), "killed half-way"
    if sig == signal.SIGTERM:
        assert code == 4  # interrupted: partial results kept
        partial = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        assert partial["run"]["status"] == "partial"
        assert "部分的" in load_workbook(run_dir / "run-log.xlsx")["実行状況"]["B2"].value
    else:
        assert not (run_dir / "results.json").exists()
        report = run_qa("report", str(run_dir))  # the records alone make a (partial) report
        assert report.code == 0, report.stderr
        assert "部分的" in load_workbook(run_dir / "run-log.xlsx")["実行状況"]["B2"].value

    hits_before = len(_pages(run_dir))
    resumed = run_qa("audit", "--resume", str(run_dir), "--quiet")
    assert resumed.code in (0, 1), resumed.stderr
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert results["run"]["status"] == "complete" and results["run"]["resumed"]
    assert _summary(results) == (ref_pages, ref_findings)
    # finished pages were not visited again: one record per URL, plus the redone interrupted ones
    records = _pages(run_dir)
    redone = [p for p in records[hits_before:] if p["url"] in finished]
    assert not redone, [p["url"] for p in redone]


def test_a_killed_browser_is_relaunched_and_the_run_completes(reference) -> None:
    folder, config, url, (ref_pages, _) = reference
    out = folder / "out-browser-kill"
    proc = subprocess.Popen(_audit_cmd(url, out, config), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    browser = None
    while time.monotonic() < deadline and browser is None:
        records = list(out.glob("*/records.jsonl"))
        if records and len(records[0].read_text(encoding="utf-8").splitlines()) >= 4:
            for pid in descendants(proc.pid):
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                name = cmdline[0].rsplit(b"/", 1)[-1]
                if name in (b"chromium", b"chrome", b"headless_shell", b"chromium-headless-shell") and not any(
                    a.startswith(b"--type=") for a in cmdline
                ):
                    browser = pid  # the browser process itself, not a renderer or the crash handler
        time.sleep(0.2)
    assert browser, "no browser process found"
    os.kill(browser, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode in (0, 1), stderr.decode()
    results = json.loads(next(out.glob("*/results.json")).read_text(encoding="utf-8"))
    assert results["run"]["engines"]["restarts"] == {"chromium": 1}
    assert _summary(results)[0] == ref_pages, "every page audited despite the dead browser"


# -- untrusted content, secrets, configuration ----------------------------------------------------------------


def test_debug_traceback_is_redacted() -> None:
    run = run_qa("--debug", "audit", f"http://admin:{SECRET}@127.0.0.1:9/?token={SECRET}")
    assert run.code == 3
    assert "Traceback" in run.stderr and SECRET not in run.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "max_pages: 10\ntimeouts:\n  navigaton: 5\n",
            r"unknown key 'timeouts\.navigaton' \(did you mean 'navigation'\?\)",
        ),
        ("max_pages: ten\n", r"'max_pages' must be int"),
        ("traps:\n  max_per_pattern: 0\n", r"'traps\.max_per_pattern' must be greater than 0"),
        ("include: ['(unclosed']\n", r"'include' has '\(unclosed', not a valid regular expression"),
        ("max_pages: 10\n  bad: [\n", r"line \d+ is not valid YAML"),
        ("timeouts: 5\n", r"'timeouts' must be a mapping"),
        ("- a\n- b\n", r"the top level must be a mapping"),
        ("1: x\n", r"key 1 is not a name"),
        (
            "exclude: ['/a/']\nmax_pages: 5\nexclude: ['/b/']\n",
            r"line 3 is not valid YAML \(key 'exclude' is given twice",
        ),
        ("timeouts:\n  page: 60\n  page: 90\n", r"line 3 is not valid YAML \(key 'page' is given twice"),
        (b"start_url: caf\xe9\n", r"line 1 is not UTF-8 text; save the project configuration as UTF-8"),
        ("", None),
    ],
)
def test_bad_project_config_is_one_line(tmp_path: Path, text: str | bytes, expected: str | None) -> None:
    path = tmp_path / "qa.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    run = run_qa("audit", "http://127.0.0.1:9/", "--config", str(path))
    if expected is None:  # an empty file means every default: the config is fine, the site is not there
        assert run.code == 3, run.stderr
        return
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"qa: error: {path}"), run.stderr
    assert re.search(expected, lines[0]), lines[0]


def test_list_of_mappings_validated_with_index(tmp_path: Path) -> None:
    from pydantic import Field

    from qa.config import Section, parse
    from qa.errors import ConfigError

    class Issue(Section):
        rule: str | None = Field(None, description="axe rule id")

    class Schema(Section):
        accepted: list[Issue] = Field([], description="accepted issues")

    assert parse(Schema, {"accepted": [{"rule": "x"}]}, "a.yaml").model_dump() == {"accepted": [{"rule": "x"}]}
    with pytest.raises(ConfigError, match=r"a\.yaml: unknown key 'accepted\[1\]\.rul' \(did you mean 'rule'\?\)"):
        parse(Schema, {"accepted": [{"rule": "x"}, {"rul": "y"}]}, "a.yaml")
    with pytest.raises(ConfigError, match=r"'accepted\[0\]' must be a mapping"):
        parse(Schema, {"accepted": ["x"]}, "a.yaml")


def test_bad_browsers_file_is_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "browsers.yaml", "browsers:\n  - name: c\n    engin: chromium\nviewports: []\n")
    run = run_qa("audit", "http://127.0.0.1:9/", "--browsers", str(path))
    assert run.code == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "browsers[0].engin" in run.stderr and "did you mean 'engine'" in run.stderr


def test_resume_of_a_folder_that_is_no_run_is_one_line(tmp_path: Path) -> None:
    run = run_qa("audit", "--resume", str(tmp_path))
    assert run.code == 2 and "no run.json here" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_paths_and_sheet_names_from_urls_are_safe() -> None:
    from qa.paths import safe_filename, slug_for_url
    from qa.report._xlsx import safe, safe_hyperlink, safe_sheet_title

    assert safe_filename("../../etc/passwd") == "etc-passwd"
    assert safe_filename("CON").startswith("_") and safe_filename("nul.png").startswith("_")
    assert len(safe_filename("a" * 500 + ".png")) <= 120 and safe_filename("a" * 500 + ".png").endswith(".png")
    assert "/" not in slug_for_url("http://x/../../../etc/passwd?a=/..") and ".." not in slug_for_url("http://x/..")
    assert safe_sheet_title("=cmd|'/C calc'!A0/[x]") == "=cmd|'_C calc'!A0__x_"[:31]
    assert safe_sheet_title("History") != "History" and len(safe_sheet_title("x" * 99)) == 31
    assert safe_hyperlink("javascript:alert(1)") is None and safe_hyperlink("file:///etc/passwd") is None
    assert safe_hyperlink("http://u:p@x/?token=abc") == "http://***@x/?token=***"
    assert safe("=1+1") == "'=1+1" and safe("\x00=x") == "'=x"


def test_redaction_of_text() -> None:
    from qa.redact import redact_text, redact_url

    text = "GET http://bob:hunter2@h/x?password=hunter2&page=2\nAuthorization: Bearer abcdefghijklmnop\nCookie: a=b"
    red = redact_text(text)
    assert "hunter2" not in red and "abcdefghijklmnop" not in red and "a=b" not in red and "page=2" in red
    assert redact_url("https://h/?author=1&PHPSESSID=zz") == "https://h/?author=1&PHPSESSID=***"
    # an API key, a pre-signed URL's credential, a session in the path, a token in the fragment; not a monkey
    assert redact_url("https://h/m;jsessionid=j1?key=k1&X-Amz-Credential=c1&monkey=2#access_token=f1") == (
        "https://h/m;jsessionid=***?key=***&X-Amz-Credential=***&monkey=2#access_token=***"
    )


def test_a_secret_registered_late_is_masked_in_texts_seen_before() -> None:
    """Redaction remembers texts it has seen (findings repeat them); a password read later must still be masked."""
    from qa.redact import redact_text, register_secret

    text = "Welcome back, s3cret-Passphrase-41"
    assert redact_text(text) == text
    register_secret("s3cret-Passphrase-41")
    assert redact_text(text) == "Welcome back, ***"


def test_report_jobs_failing_in_a_child_are_rerun_here(tmp_path: Path) -> None:
    """Checklist workbooks render in forked children; a child that fails must not lose its workbook, and the
    jobs no child took are done here."""
    from qa.report._parallel import run_jobs
    from qa.threads import only_parked_threads

    parent = os.getpid()

    def job(name: str) -> None:
        if os.getpid() != parent and name == "a":
            (tmp_path / "child-ran").touch()
            raise RuntimeError("simulated crash in the child")
        time.sleep(0.2)
        (tmp_path / name).write_text(str(os.getpid()))

    run_jobs([partial(job, name) for name in "abcd"])
    written = {p.name: int(p.read_text()) for p in tmp_path.iterdir() if p.name in "abcd"}
    assert set(written) == set("abcd") and written["a"] == parent
    if (os.cpu_count() or 1) > 1 and only_parked_threads():
        assert (tmp_path / "child-ran").exists(), "with several cores the first job goes to a child"


def test_overlapped_report_jobs_run_while_this_process_goes_on(tmp_path: Path) -> None:
    """Inside render_all the checklists go to children at once and the other reports render meanwhile; leaving
    the block waits for them, and a job whose child failed is rerun here."""
    from qa.report._parallel import overlapped, run_jobs
    from qa.threads import only_parked_threads

    parent = os.getpid()
    forkable = (os.cpu_count() or 1) > 1 and only_parked_threads()

    def job(name: str) -> None:
        if os.getpid() != parent:
            if name == "b":
                raise RuntimeError("simulated crash in the child")
            deadline = time.monotonic() + 20
            while not (tmp_path / "went-on").exists():  # touched by the parent once run_jobs has returned
                if time.monotonic() > deadline:
                    return  # the parent waited for this child: no "a"
                time.sleep(0.01)
        (tmp_path / name).write_text(str(os.getpid()))

    with overlapped():
        run_jobs([partial(job, name) for name in "ab"])
        (tmp_path / "went-on").touch()
    written = {p.name: int(p.read_text()) for p in tmp_path.iterdir() if p.name in ("a", "b")}
    assert set(written) == {"a", "b"} and written["b"] == parent
    if forkable:
        assert written["a"] != parent, "with several cores the job runs in a child beside this process"


# Runs `qa audit` as the command line does, counting the report jobs that went to forked children.
COUNT_FORKED_REPORTS = """
import runpy, sys
import qa.report._parallel as parallel
started = []
real_start = parallel._start
parallel._start = lambda queue, first: started.append(first) or real_start(queue, first)
sys.argv = ["qa", *sys.argv[1:]]
try:
    runpy.run_module("qa", run_name="__main__")
finally:
    print("forked report jobs:", len(started), file=sys.stderr)
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the reports fork only with a second core to run on")
def test_an_audit_renders_its_checklists_on_the_other_core_too(tmp_path: Path) -> None:
    """The checks' helper threads (language identification, the HTML parser) are ended before the reports, and the
    demo site's server only waits: the checklist workbooks go to a forked child rather than wait their turn here."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            COUNT_FORKED_REPORTS,
            "audit",
            "--only",
            "a11y",
            "--max-pages",
            "2",
            "--browser",
            "chromium",
            "--viewport",
            "desktop",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "forked report jobs: 0" not in proc.stderr and "forked report jobs:" in proc.stderr, proc.stderr[-2000:]
    assert list(tmp_path.glob("*/checklist-wcag22.xlsx")) and list(tmp_path.glob("*/checklist-jis2016.xlsx"))


def test_frontier_stops_crawler_traps() -> None:
    from qa.discover.frontier import Frontier

    f = Frontier("http://h/", max_pages=1000, traps={"max_per_pattern": 5, "max_repeated_segments": 2})
    accepted = [f.offer(f"http://h/calendar/2026/{m}") for m in range(1, 13)]
    assert sum(1 for a in accepted if a) == 5
    assert f.offer("http://h/a/b/a/b/a/") is None and "repeats" in f.skipped["http://h/a/b/a/b/a/"]
    assert f.offer("http://h/" + "x" * 600) is None
    assert f.offer("http://h/deep", depth=99) is None
    assert f.offer("http://u:p@h/page") and f.offer("http://h/page") is None, "same page with or without user:pass"
    # A URL a person listed (--urls, representative pages) is audited whatever its shape.
    assert f.offer("http://h/calendar/2027/1", listed=True) == "http://h/calendar/2027/1"


def test_html_report_runs_no_script_from_the_site(fault_run) -> None:
    """The hostile title and link texts (``<script>alert(1)</script>``) must stay text in report.html."""
    report = fault_run.run_dir / "report.html"
    assert report.is_file(), "every run writes report.html: a missing one must not pass this security test"
    from playwright.sync_api import sync_playwright

    from qa.visit.playwright_driver import system_chromium

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=system_chromium())
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(report.as_uri())
        page.wait_for_timeout(1500)
        for view in page.query_selector_all("nav a, [role=tab]")[:8]:  # open each view the report offers
            view.click()
            page.wait_for_timeout(300)
        injected = page.evaluate("() => [...document.scripts].filter((s) => s.textContent.includes('alert(')).length")
        browser.close()
    assert dialogs == [] and injected == 0


class _UnencodableTitles(PageHandler):
    """Titles no UTF-8 or XML file can carry as they are: a lone surrogate set by the page's script, the
    non-characters U+FFFE and U+FFFF from character references, and a full-width ＝ formula."""

    def do_GET(self) -> None:
        if self.path == "/":
            links = '<a href="/surrogate">s</a> <a href="/nonchar">n</a> <a href="/fullwidth">f</a>'
            self.send_html(f'<!doctype html><html lang="en"><title>Home</title><main>{links}</main>'.encode())
        elif self.path == "/surrogate":
            script = "<script>document.title = 'lone \\uD800 and \\uDFFF =1+1'</script>"
            self.send_html(f'<!doctype html><html lang="en"><title>x</title>{script}<main>p</main>'.encode())
        elif self.path == "/nonchar":
            self.send_html(b'<!doctype html><html lang="en"><title>a&#xFFFE;b&#xFFFF;c</title><main>p</main>')
        elif self.path == "/fullwidth":
            page = '<!doctype html><html lang="en"><meta charset="utf-8"><title>＝1+1</title><main>p</main>'
            self.send_html(page.encode())
        else:
            self.send_html(b"no", 404)


def test_titles_no_utf8_or_xml_can_carry_are_recorded_and_reported(tmp_path: Path) -> None:
    config = _write(tmp_path, "qa.yaml", "screenshots: false\nuse_sitemaps: false\n")
    browsers = _write(tmp_path, "browsers.yaml", BROWSERS_YAML)
    with serve_handler(_UnencodableTitles) as url:
        run = run_qa("audit", url, "--config", str(config), "--browsers", str(browsers), out=tmp_path / "out")
    assert run.code in (0, 1), run.stderr
    titles = {p["url"].rsplit("/", 1)[1]: p["title"] for p in run.results["pages"]}
    assert titles["surrogate"] == "lone \ufffd and \ufffd =1+1"  # U+FFFD for each lone surrogate
    assert titles["nonchar"] == "a\ufffeb\uffffc" and titles["fullwidth"] == "＝1+1"  # JSON carries these as they are
    cells = []
    for path in run.run_dir.glob("*.xlsx"):
        for ws in load_workbook(path).worksheets:
            cells += [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'＝1+1" in cells and "＝1+1" not in cells  # Japanese Excel reads a full-width ＝ as a formula too
    assert "abc" in cells and not any("\ufffe" in c or "\uffff" in c for c in cells)


def test_full_width_formula_signs_are_neutralised_in_cells() -> None:
    from qa.report._xlsx import safe

    assert [safe(t) for t in ("＝1+1", "＋1", "－1", "＠SUM(A1)")] == ["'＝1+1", "'＋1", "'－1", "'＠SUM(A1)"]
    assert safe("a\ufffeb\uffff") == "ab"


def _audit_listed(tmp_path: Path, handler: type, path: str = "") -> QARun:
    """``handler``'s page at ``path`` audited as a one-line --urls list, with the one-cell browsers file."""
    urls = _write(tmp_path, "urls.txt", "")
    with serve_handler(handler) as url:
        urls.write_text(url + path + "\n", encoding="utf-8")
        return run_qa("audit", "--urls", str(urls), "--browsers", str(_write(tmp_path, "b.yaml", BROWSERS_YAML)),
                      out=tmp_path / "out")  # fmt: skip


def test_a_page_made_very_wide_by_one_unbroken_word_gets_its_screenshot(tmp_path: Path) -> None:
    from PIL import Image

    from qa.visit.playwright_driver import MAX_CAPTURE_PX

    class Wide(PageHandler):
        def do_GET(self) -> None:  # about 2,300,000 px wide: Chromium spent 30 s and more on capturing all of it
            self.send_html(f'<!doctype html><html lang="en"><title>Wide</title><main><h1>{"T" * 100_000}</h1>'.encode())

    run = _audit_listed(tmp_path, Wide)
    assert run.code in (0, 1), run.stderr
    facts = run.results["pages"][0]["facts"]
    assert facts["screenshot_full_page"] is False, facts.get("check_errors")  # said: not the whole page
    with Image.open(run.run_dir / facts["screenshot"]) as shot:
        assert shot.width <= MAX_CAPTURE_PX


def test_a_listed_url_thousands_of_folders_deep_is_audited_and_reported(tmp_path: Path) -> None:
    class Any(PageHandler):
        def do_GET(self) -> None:
            self.send_html(b'<!doctype html><html lang="en"><title>Deep</title><main>p</main>')

    run = _audit_listed(tmp_path, Any, "a/" * 2000 + "CON.html")  # a list's lines are not crawler traps
    assert run.code in (0, 1), run.stderr  # the sitemap's folder tree was walked by recursion: RecursionError, exit 5
    rows = list(load_workbook(run.run_dir / "sitemap.xlsx")["URL階層"].iter_rows(values_only=True))  # a row per folder
    assert len(rows) > 2000
    assert all(len(p.name) <= 120 for p in run.run_dir.rglob("*"))


def test_a_page_both_very_wide_and_very_tall_gets_a_screenshot_the_reports_can_read(tmp_path: Path) -> None:
    from PIL import Image

    from qa.visit.playwright_driver import MAX_CAPTURE_AREA

    class Huge(PageHandler):
        def do_GET(self) -> None:  # captured 16,384 px across and down: more pixels than Pillow reads
            box = '<div style="width: 20000px; height: 20000px; background: linear-gradient(red, blue)">x</div>'
            self.send_html(f'<!doctype html><html lang="en"><title>Huge</title><main>{box}</main>'.encode())

    run = _audit_listed(tmp_path, Huge)
    assert run.code in (0, 1) and "Decompression" not in run.stderr, run.stderr
    facts = run.results["pages"][0]["facts"]
    with Image.open(run.run_dir / facts["screenshot"]) as shot:
        assert shot.width * shot.height <= MAX_CAPTURE_AREA and facts["screenshot_full_page"] is False
    assert list((run.run_dir / "screenshots" / "thumbs").glob("*.png")), "the browser-check thumbnail was made"
