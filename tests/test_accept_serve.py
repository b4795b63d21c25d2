"""Local builds and baselines as a CI user meets them: `qa audit ./dist` serves a folder, `--start-command` starts the
user's own server and stops it, `qa accept` drafts accepted.yaml so that only new problems fail the gate."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from qa.demo.server import demo_root
from qa.judge.accepted import Entry, draft_entries
from qa.model import Finding, Results, RunInfo
from qa.progress import Progress
from qa.run.serve import serve_folder, stable_port
from tests.conftest import SITES, QARun, run_qa

FAST = ("--browser", "chromium", "--viewport", "desktop", "--only", "axe")
CLEAN = SITES / "clean"


def legacy_site(folder: Path) -> Path:
    """The demo site (a realistic site with the defects of DEFECTS.md), as a build folder. Its robots.txt and
    sitemaps name the demo server's own address, so they stay behind."""
    shutil.copytree(demo_root(), folder, ignore=shutil.ignore_patterns("robots.txt", "sitemap*.xml"))
    return folder


@pytest.fixture(scope="module")
def legacy_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, QARun]:
    """One audit of the legacy site served from its folder, shared by the tests that only read it."""
    tmp = tmp_path_factory.mktemp("legacy")
    site = legacy_site(tmp / "dist")
    return site, audit(str(site), out=tmp / "out")


def audit(*args: str, out: Path, env: dict | None = None) -> QARun:
    return run_qa("audit", *args, *FAST, out=out, env=env)


def get(url: str) -> tuple[int, str, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), b""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refused(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def running(token: str) -> list[int]:
    """Processes whose command line or environment holds ``token`` (what a start command left behind)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if any(token.encode() in (entry / name).read_bytes() for name in ("cmdline", "environ")):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


# --- the static server -------------------------------------------------------------------------------------------


def test_a_served_folder_has_content_types_index_pages_and_404s(tmp_path) -> None:
    site = tmp_path / "dist"
    (site / "docs").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>Top</title>")
    (site / "docs" / "index.html").write_text("<!DOCTYPE html><title>Docs</title>")
    (site / "assets" / "app.mjs").write_text("export {}")
    (site / "style.css").write_text("body{}")
    (site / "font.woff2").write_bytes(b"wOF2")
    (site / ".env").write_text("SECRET=1")
    with serve_folder(site) as served:
        url = served.url
        assert url.startswith("http://127.0.0.1:") and str(site) in served.notes[0]
        assert get(url)[:2] == (200, "text/html") and b"Top" in get(url)[2]
        assert get(url + "docs/")[0] == 200 and b"Docs" in get(url + "docs/")[2]
        assert get(url + "docs")[0] == 200  # redirected to docs/
        assert get(url + "style.css")[1] == "text/css"
        assert get(url + "assets/app.mjs")[1] == "text/javascript"
        assert get(url + "font.woff2")[1] == "font/woff2"
        assert get(url + "assets/")[0] == 404  # no index.html: no listing either
        assert get(url + "missing.html")[0] == 404
        assert get(url + ".env")[0] == 404
    assert url == f"http://127.0.0.1:{stable_port(site.resolve())}/"  # the same folder, the same URL next run
    assert refused(stable_port(site.resolve()))  # stopped with the block


def test_auditing_a_folder_finds_its_barriers_and_names_the_folder(legacy_run) -> None:
    site, run = legacy_run
    assert run.code == 1, run.stderr
    results = run.results
    assert any(str(site) in note for note in results["run"]["notes"])
    assert f"serving the folder {site}" in run.stderr
    assert len(results["pages"]) > 5 and all(p["url"].startswith("http://127.0.0.1:") for p in results["pages"])
    image_alt = [f for f in results["findings"] if f["rule"] == "image-alt"]
    assert image_alt and all(f["outcome"] == "violation" for f in image_alt)
    assert "a11y-violations" in run.stdout and "gate:     FAILED" in run.stdout


def test_a_clean_folder_given_with_serve_passes(tmp_path) -> None:
    run = audit("--serve", str(CLEAN), out=tmp_path)
    assert run.code == 0, run.stderr
    results = run.results
    assert {p["url"].rsplit("/", 1)[1] for p in results["pages"]} == {"", "second.html"}
    assert not [f for f in results["findings"] if f["outcome"] == "violation"]


def test_a_folder_that_is_not_a_site_is_one_line_and_exit_2(tmp_path) -> None:
    missing = run_qa("audit", "./no-such-build", cwd=tmp_path)
    assert missing.code == 2 and missing.stderr.count("\n") == 1
    assert "no-such-build: no such folder" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = run_qa("audit", "--serve", str(tmp_path / "empty"))
    assert empty.code == 2 and "has no index.html" in empty.stderr and "Traceback" not in empty.stderr


# --- the user's own server ---------------------------------------------------------------------------------------


def test_a_start_command_is_started_waited_for_audited_and_stopped(tmp_path) -> None:
    port = free_port()
    token = f"qa-start-{port}"
    # a server that takes a moment to come up, as a dev server does, left running in the background by a shell that
    # exits at once (`cmd &`): it is still the command's process group; the token marks its processes
    command = (
        f"(sleep 1; QA_TEST_TOKEN={token} exec {sys.executable} -m http.server {port} --bind 127.0.0.1 "
        f"--directory {CLEAN}) "
        f">/dev/null 2>&1 &"
    )
    url = f"http://127.0.0.1:{port}/"
    run = audit(url, "--start-command", command, "--start-timeout", "60", out=tmp_path)
    assert run.code == 0, run.stderr
    assert f"{url} answers; auditing it" in run.stderr
    assert {p["url"] for p in run.results["pages"]} == {url, url + "second.html"}
    assert any("started for this run and stopped after it" in n for n in run.results["run"]["notes"])
    assert refused(port) and not running(token)  # the process group ended with the run


def test_a_start_command_that_exits_early_shows_its_last_lines_and_exits_3(tmp_path) -> None:
    port = free_port()
    command = "echo starting the server; echo 'Error: listen EADDRINUSE' >&2; exit 7"
    run = audit("--start-command", command, "--start-url", f"http://127.0.0.1:{port}/", out=tmp_path)
    assert run.code == 3, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("qa: error: ")]
    assert "exited (code 7) before" in errors[0] and "fix the command" in errors[0]
    assert "qa: error: | starting the server" in errors and "qa: error: | Error: listen EADDRINUSE" in errors
    assert "Traceback" not in run.stderr and not (tmp_path / "latest").exists()


def test_a_start_command_that_never_answers_times_out_and_is_ended(tmp_path) -> None:
    port = free_port()
    token = f"qa-never-{port}"
    command = f"{sys.executable} -c \"print('compiling...', flush=True); import time; time.sleep(600)\" {token}"
    run = audit(f"http://127.0.0.1:{port}/", "--start-command", command, "--start-timeout", "2", out=tmp_path)
    assert run.code == 3, run.stderr
    assert "did not answer within 2s" in run.stderr and "--start-timeout" in run.stderr
    assert "qa: error: | compiling..." in run.stderr
    assert not running(token)


def test_a_server_already_answering_is_an_error_unless_reused(site, tmp_path) -> None:
    url = site("clean")
    taken = audit(url, "--start-command", "exit 0", out=tmp_path)
    assert taken.code == 3 and "already answers" in taken.stderr and "--reuse-server" in taken.stderr
    reused = audit(url, "--start-command", "exit 0", "--reuse-server", out=tmp_path)
    assert reused.code == 0, reused.stderr
    assert any("already answering" in n for n in reused.results["run"]["notes"])


def test_start_command_usage_errors_are_one_line(tmp_path) -> None:
    for args, expected in (
        (("--start-command", "npm start"), "--start-command needs the URL"),
        (("--start-url", "http://127.0.0.1:3000/"), "--start-url goes with --start-command"),
        ((str(CLEAN), "--start-command", "npm start"), "not both"),
    ):
        run = run_qa("audit", *args, cwd=tmp_path)
        assert run.code == 2 and expected in run.stderr and run.stderr.count("\n") == 1, run.stderr


# --- qa accept ---------------------------------------------------------------------------------------------------


def fill_in(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace('"TODO: who answers for it (a person or team)"', "Web team (Tanaka)")
    text = text.replace('"TODO: the date it stops being accepted, e.g. 2027-03-31"', "2099-03-31")
    path.write_text(text.replace("TODO: why it is accepted", "legacy CMS template"), encoding="utf-8")


def test_accept_then_only_a_new_barrier_fails_the_gate(tmp_path) -> None:
    site = legacy_site(tmp_path / "dist")
    first = audit(str(site), out=tmp_path / "out")
    assert first.code == 1, first.stderr
    failing = {f["id"] for f in first.results["findings"] if f["outcome"] == "violation"}
    accepted = tmp_path / "accepted.yaml"

    drafted = run_qa("accept", str(first.run_dir), "--out", str(accepted))
    assert drafted.code == 0, drafted.stderr
    entries = yaml.safe_load(accepted.read_text(encoding="utf-8"))["accepted"]
    assert entries and all(e["url"].startswith("/") for e in entries)  # paths: the port may change
    assert all(e["owner"].startswith("TODO") and e["reason"].startswith("TODO") for e in entries)
    assert f"({len(failing)} findings)" in drafted.stdout

    unfilled = run_qa("gate", str(first.run_dir), "--accepted", str(accepted))  # nobody answered for it yet
    assert unfilled.code == 2 and "still holds the placeholder 'qa accept' wrote" in unfilled.stderr

    again = run_qa("accept", str(first.run_dir), "--out", str(accepted))
    assert again.code == 2 and "--merge" in again.stderr and "--force" in again.stderr

    fill_in(accepted)
    second = audit(str(site), "--accepted", str(accepted), out=tmp_path / "out")
    assert second.code == 0, second.stdout + second.stderr
    assert "gate:     passed" in second.stdout
    results = second.results
    assert {e["status"] for e in results["accepted"]["entries"]} == {"active"}
    assert all(f["details"].get("accepted") for f in results["findings"] if f["outcome"] == "violation")

    # a new barrier: a button without a name on a page that had none
    page = site / "privacy.html"
    text = page.read_text(encoding="utf-8")
    assert "</main>" in text
    page.write_text(text.replace("</main>", '<button type="button"></button></main>'), encoding="utf-8")
    third = audit(str(site), "--accepted", str(accepted), out=tmp_path / "out")
    assert third.code == 1, third.stderr
    gate = third.results["judgement"]["gate"]
    new = [f for f in third.results["findings"] if f["outcome"] == "violation" and not f["details"].get("accepted")]
    assert new and {f["rule"] for f in new} == {"button-name"}
    assert {f["url"].rsplit("/", 1)[1] for f in new} == {"privacy.html"}
    assert set(gate["failing"]) == {f["id"] for f in new}
    block = third.stdout.split("gate:", 1)[1]
    assert "button-name (1)" in block and "image-alt" not in block and "color-contrast" not in block

    merged = run_qa("accept", str(third.run_dir), "--out", str(accepted), "--merge")
    assert merged.code == 0, merged.stderr
    text = accepted.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server") and text.count("Web team (Tanaka)") == len(entries)
    after = yaml.safe_load(text)["accepted"]
    assert len(after) == len(entries) + 1 and after[-1]["rule"] == "button-name" and after[-1]["url"] == "/privacy.html"
    assert run_qa("accept", str(third.run_dir), "--out", str(accepted), "--merge").stdout.startswith(
        "accepted: nothing new"
    )


def test_accept_with_owner_reason_and_days_is_ready_and_force_replaces(legacy_run, tmp_path) -> None:
    first = legacy_run[1]
    assert first.code == 1
    accepted = tmp_path / "accepted.yaml"
    accepted.write_text("accepted: []\n")
    args = ("accept", str(first.run_dir), "--out", str(accepted), "--owner", "Web team", "--reason", "legacy")
    done = run_qa(*args, "--days", "30", "--force", "--needs-review")
    assert done.code == 0, done.stderr
    assert "next:" not in done.stdout  # nothing left to fill in
    entries = yaml.safe_load(accepted.read_text(encoding="utf-8"))["accepted"]
    assert {e["owner"] for e in entries} == {"Web team"} and len({e["expires"] for e in entries}) == 1
    gated = run_qa("gate", str(first.run_dir), "--accepted", str(accepted), "--fail-on", "a11y-violations,needs-review")
    assert gated.code == 0, gated.stdout + gated.stderr
    past = run_qa("accept", str(first.run_dir), "--out", str(accepted), "--expires", "2001-01-01", "--force")
    assert past.code == 2 and "in the past" in past.stderr


# --- progress ----------------------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_live_line_names_the_page_being_visited() -> None:
    stream = Terminal()
    progress = Progress(stream=stream)
    progress.update(found=4, done=1)
    progress.visiting("https://user:secret@example.jp/news/item.html?token=abc")
    line = stream.getvalue().split("\r")[-2]
    assert line.startswith("visits 1/4") and "example.jp/news/item.html" in line
    assert "secret" not in line and "abc" not in line


def test_help_shows_the_new_commands_with_examples() -> None:
    audit_help = run_qa("audit", "--help")
    assert "qa audit ./dist" in audit_help.stdout and "--start-command" in audit_help.stdout
    accept_help = run_qa("accept", "--help")
    assert accept_help.code == 0 and "qa accept reports_out/latest --merge" in accept_help.stdout
    bare = run_qa("accept")
    assert bare.code == 2 and "run_dir" in bare.stderr and bare.stderr.count("\n") == 1


@pytest.mark.parametrize("value", ["../outside", "~/nowhere-qa-test"])
def test_a_path_like_argument_is_a_folder_not_a_url(tmp_path, value) -> None:
    run = run_qa("audit", value, cwd=tmp_path)
    assert run.code == 2 and "no such folder" in run.stderr


def test_a_drafted_entry_matches_its_finding_exactly_by_path_and_selector() -> None:
    def finding(url: str, target: str, rule: str = "label") -> Finding:
        return Finding(rule, "violation", url, "chromium", "desktop", sc=["1.3.1"], target=target, message="m")

    run = RunInfo(id="r", started="2026-12-06T00:00:00+09:00", start_url="http://127.0.0.1:20001/")
    found = [
        finding("http://127.0.0.1:20001/form.html?step=2", 'html > body > form > input[type="text"]:nth-child(2)'),
        finding("http://127.0.0.1:20001/form.html?step=2", 'form > input[type="text"]:nth-child(5)'),  # same one
        finding("https://cdn.example.jp/widget.html", "button", rule="button-name"),
    ]
    drafts = draft_entries(Results(run=run, findings=found))
    assert [(d.url, d.selector, d.findings) for d in drafts] == [
        ("/form.html?step=2", 'form > input[type="text"]', 2),
        ("https://cdn.example.jp/widget.html", "button", 1),
    ]
    entry = Entry(1, drafts[0].url, "r", "o", dt.date(2099, 1, 1), rule="label", selector=drafts[0].selector)
    # served on another port next time: the same page and element still match; another element does not
    assert entry.matches(finding("http://127.0.0.1:31000/form.html?step=2", 'form > input[type="text"]'))
    assert not entry.matches(finding("http://127.0.0.1:31000/form.html?step=2", 'form > input[type="email"]'))
    assert not entry.matches(finding("http://127.0.0.1:31000/form.html?step=3", 'form > input[type="text"]'))


def test_accept_usage_errors_are_one_line(tmp_path) -> None:
    (tmp_path / "accepted.yaml").write_text("accepted: []\n")  # present: the run is still named first
    missing = run_qa("accept", "nowhere", cwd=tmp_path)
    assert missing.code == 2 and "nowhere: no such run folder" in missing.stderr
    both = run_qa("accept", "nowhere", "--days", "30", "--expires", "2099-01-01", cwd=tmp_path)
    assert both.code == 2 and "not allowed with argument" in both.stderr
    for run in (missing, both):
        assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
