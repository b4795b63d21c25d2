"""Run-to-run diff over a fixture site changed between two runs, and the operation-check sheet on a site served over
http by a server that answers 200 for unknown URLs, with an unlabelled field (chromium/desktop)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook

from qa.demo.server import serve
from tests.conftest import SITES, run_qa
from tests.test_gate_ci import SCHEMA, sheet_rows

CELL = ("--browser", "chromium", "--viewport", "desktop")


def audit(url: str, out: Path, *args: str):
    run = run_qa("audit", url, *CELL, *args, out=out)
    assert run.code in (0, 1), run.stderr
    return run


# --- diff --------------------------------------------------------------------------------------------------------


def test_diff_of_two_runs_over_a_changed_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "diff", site)
    page = site / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("<!-- NEW -->", "<button class='close'></button>"), encoding="utf-8"
    )
    out = tmp_path / "out"
    with serve(site) as url:
        first = audit(url + "index.html", out)
        assert "diff:" not in first.stdout  # nothing to compare with yet
        first_dir, before = first.run_dir, first.results  # `latest` moves on with the next run
        # Between the runs: an unrelated paragraph moves every element (nth-child changes), the nameless button is
        # fixed, and an unlabelled field appears.
        text = page.read_text(encoding="utf-8")
        text = text.replace("<!-- UNRELATED -->", "<p>A new paragraph nobody cares about.</p>")
        text = text.replace("<button class='close'></button>", "<input type='text' name='q'>")
        page.write_text(text, encoding="utf-8")
        second = audit(url + "index.html", out)

    after = second.results
    rules_before = {f["id"]: f["rule"] for f in before["findings"]}
    rules_after = {f["id"]: f["rule"] for f in after["findings"]}
    assert {"image-alt", "color-contrast", "button-name"} <= set(rules_before.values())
    diff = after["diff"]
    assert diff["against"]["run"] == before["run"]["id"]  # the previous run in the out folder, by default
    assert {rules_after[i] for i in diff["findings"]["new"]} == {"label"}
    assert {f["rule"] for f in diff["findings"]["fixed"]} == {"button-name"}
    unchanged = {rules_after[i] for i in diff["findings"]["unchanged"]}
    assert {"image-alt", "color-contrast"} <= unchanged  # identity survived the unrelated edit
    contrast = [f for f in after["findings"] if f["rule"] == "color-contrast"]
    assert contrast[0]["id"] in diff["findings"]["unchanged"]
    n_new, n_fixed, n_same = (len(diff["findings"][k]) for k in ("new", "fixed", "unchanged"))
    assert f"diff:     {n_new} new, {n_fixed} fixed, {n_same} unchanged" in second.stdout

    printed = run_qa("diff", str(first_dir), str(second.run_dir))
    assert printed.code == 0, printed.stderr
    assert f"findings: {n_new} new, {n_fixed} fixed, {n_same} unchanged" in printed.stdout
    assert any(line.startswith("+ new    label") for line in printed.stdout.splitlines())
    assert any(line.startswith("- fixed  button-name") for line in printed.stdout.splitlines())
    summary = (second.run_dir / "summary.md").read_text(encoding="utf-8")
    assert f"新規 {n_new} 件、解消 {n_fixed} 件、変化なし {n_same} 件" in summary

    # The page carries a vertical-tab control character into the findings' HTML: the JUnit file stays valid XML.
    assert any("\x0b" in f["html"] for f in contrast)
    doc = etree.parse(str(second.run_dir / "junit.xml"))
    assert etree.XMLSchema(etree.parse(str(SCHEMA))).validate(doc)


# --- operation-check sheet ----------------------------------------------------------------------------------------


class SoftNotFoundHandler(SimpleHTTPRequestHandler):
    """Static files; any unknown path answers 200 with the home page (a misconfigured "soft 404" server)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        if os.path.isfile(path) and path.endswith(".xml"):
            body = Path(path).read_bytes().replace(b"{ORIGIN}", f"http://{self.headers['Host']}".encode())
            return self._send(body, "application/xml")
        if not os.path.exists(path):
            return self._send((Path(self.directory) / "index.html").read_bytes(), "text/html")
        return super().send_head()

    def _send(self, body: bytes, ctype: str) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def soft_404_server(root: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SoftNotFoundHandler, directory=str(root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_operation_sheet_on_an_http_site_with_a_soft_404_and_an_unlabelled_field(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with soft_404_server(SITES / "ops") as url:
        run = audit(url + "index.html", out, "--fail-on", "http-errors")
        sheet = run.run_dir / "operation-check.xlsx"
        rows = sheet_rows(sheet)
        assert rows["https"]["結果"] == "NG" and "2 ページ中 2 ページが http で配信" in rows["https"]["根拠・備考"]
        assert rows["status-200"]["結果"] == "OK"
        assert rows["no-js-errors"]["結果"] == "OK"
        assert rows["custom-404"]["結果"] == "NG" and "→ 200" in rows["custom-404"]["根拠・備考"]
        assert rows["form-labels"]["結果"] == "NG" and "form.html" in rows["form-labels"]["根拠・備考"]
        assert rows["sitemap"]["結果"] == "NG" and "1 ページが未掲載" in rows["sitemap"]["根拠・備考"]
        assert "form.html" in rows["sitemap"]["根拠・備考"]
        soft = [f for f in run.results["findings"] if f["rule"] == "soft-404"]
        assert len(soft) == 1 and soft[0]["details"]["status"] == 200
        assert run.code == 0  # only http-errors gate here, and every page answered 200

        # Manual rows come from the built-in checklist, with a drop-down on their result cells.
        manual = {k: r for k, r in rows.items() if r["区分"] == "手動"}
        assert "contact-form-mail" in manual and manual["contact-form-mail"]["結果"] == "未確認"
        wb = load_workbook(sheet)
        ws = wb["検証完了チェックシート"]
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert lists and "OK,NG" in lists[0].formula1
        row_no = next(r[0].row for r in ws.iter_rows(min_row=2) if r[9].value == "contact-form-mail")
        assert f"F{row_no}" in str(lists[0].sqref)

        # A person fills the row in Excel; `qa ops import` takes it back into the run and its workbook.
        ws[f"F{row_no}"], ws[f"H{row_no}"], ws[f"I{row_no}"] = "OK", dt.datetime(2026, 11, 20), "佐藤"
        ws[f"G{row_no}"] = "test mail received at the desk"
        filled = tmp_path / "filled.xlsx"
        wb.save(filled)
        imported = run_qa("ops", "import", str(filled), str(run.run_dir))
        assert imported.code == 0, imported.stderr
        assert "1 manual check(s) updated" in imported.stdout
        again = sheet_rows(sheet)["contact-form-mail"]
        assert (again["結果"], again["確認日"], again["確認者"]) == ("OK", "2026-11-20", "佐藤")
        # Results written in YAML import the same way.
        filled_yaml = tmp_path / "filled.yaml"
        filled_yaml.write_text(
            "checks:\n  - {id: search, item: 検索, result: 対象外, date: 2026-11-21, checker: 田中}\n", encoding="utf-8"
        )
        assert run_qa("ops", "import", str(filled_yaml), str(run.run_dir)).code == 0
        assert sheet_rows(sheet)["search"]["結果"] == "対象外"
        assert sheet_rows(sheet)["contact-form-mail"]["結果"] == "OK"

        # The next run keeps the manual result; a project checklist adds its own rows.
        checklist = tmp_path / "ops.yaml"
        checklist.write_text(
            "checks:\n"
            "  - {id: contact-form-mail, item: お問い合わせフォームからメールが届く}\n"
            "  - {id: backup, item: バックアップから復元できる, result: NG, date: 2026-11-21, checker: 鈴木}\n",
            encoding="utf-8",
        )
        config = tmp_path / "qa.yaml"
        config.write_text(f"operation_checks: {checklist}\n", encoding="utf-8")
        second = audit(url + "index.html", out, "--config", str(config))
    rows = sheet_rows(second.run_dir / "operation-check.xlsx")
    assert rows["contact-form-mail"]["結果"] == "OK" and rows["contact-form-mail"]["確認者"] == "佐藤"
    assert rows["backup"]["結果"] == "NG" and rows["backup"]["確認日"] == "2026-11-21"
    assert "search" not in rows  # the project's checklist replaces the built-in one


def test_bad_operation_checklist_and_import_are_one_line_errors(tmp_path: Path) -> None:
    checklist = tmp_path / "ops.yaml"
    checklist.write_text("checks:\n  - {id: a, item: x, result: done}\n", encoding="utf-8")
    (tmp_path / "qa.yaml").write_text(f"operation_checks: {checklist}\n", encoding="utf-8")
    run = run_qa("audit", "--config", str(tmp_path / "qa.yaml"), *CELL, out=tmp_path)
    assert run.code == 2 and "'checks[0].result' 'done' must be one of OK, NG" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    run = run_qa("ops", "import", str(tmp_path / "missing.xlsx"), str(tmp_path))
    assert run.code == 2 and "no such file" in run.stderr


def test_only_runs_the_chosen_check_family(tmp_path: Path) -> None:
    with soft_404_server(SITES / "ops") as url:
        run = audit(url + "index.html", tmp_path, "--only", "ops")
    ran = {c["id"] for c in run.results["checks"]}
    assert "site-probes" in ran and "axe" not in ran
    assert run.results["run"]["config"]["families"] == ["ops"]
    rows = sheet_rows(run.run_dir / "operation-check.xlsx")
    assert rows["form-labels"]["結果"] == "未確認"  # never 'OK' for what did not run
    assert rows["custom-404"]["結果"] == "NG"
    assert etree.parse(str(run.run_dir / "junit.xml")).find("testsuite[@name='accessibility']") is None
