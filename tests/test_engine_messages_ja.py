"""Japanese messages and fixes for IBM Equal Access and HTML_CodeSniffer findings.

Completeness is checked against the installed engines themselves: every rule and reason code the suite's ACE
rule set can report, every text the HTMLCS sniffs of the WCAG2AA standard can put in a message, every criterion
those sniffs file findings under. A new engine version that adds one fails here until it is translated.
A real run then shows the Japanese, with the page's values, in the findings sheet and in report.html, and the
English again after ``qa report --lang en``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

from qa.check._engines import engine_data, engine_folder, engine_script
from qa.check.htmlcs import STANDARD, criterion_of
from qa.demo.server import serve
from qa.report._axe_ja import ace_japanese, htmlcs_japanese
from qa.report.html import FILENAME, catalogue
from qa.visit.playwright_driver import chromium_executable
from tests.conftest import SITES, QARun, run_qa

HAS_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NO_JAPANESE = "（日本語メッセージなし・英語のまま）"


def installed(key: str) -> Path:
    if engine_script(key) is None:
        pytest.fail(f"{key} is not installed: run 'qa setup' (nox -s tests installs the engines)")
    return engine_folder(key)


def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("node is needed to read the engines' own rule tables (apt-get install nodejs)")
    return path


# Every rule of the engine's WCAG 2.2 A/AA rule set (the set qa.check.ace runs), with every reason code its English
# message table has; the passes are never reported.
ACE_RULES_JS = """
const ace = require(process.argv[1] + '/ace-node.js');
const checker = new ace.Checker();
const set = checker.getGuidelines().find((g) => g.id === process.argv[2]);
const out = {};
for (const cp of set.checkpoints) {
  if (!['A', 'AA'].includes(cp.wcagLevel)) continue;
  for (const r of cp.rules) {
    const texts = checker.engine.nlsMap[r.id] || {};
    out[r.id] = Object.keys(texts).filter((k) => k !== '0' && k !== 'group' && !/^pass/i.test(k))
      .map((k) => [k, texts[k]]);
  }
}
console.log(JSON.stringify(out));
"""


def ace_reportable() -> dict[str, list[tuple[str, str]]]:
    from qa.check.ace import POLICY

    done = subprocess.run(
        [node(), "-e", ACE_RULES_JS, str(installed("ace")), POLICY], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    rules = json.loads(done.stdout)
    assert len(rules) > 100, "the engine's rule set looks empty"
    quiet = engine_data()["quiet"]["ace"]
    return {rule: reasons for rule, reasons in rules.items() if rule not in quiet}


def test_every_ace_rule_and_reason_has_japanese_message_and_fix() -> None:
    table = ace_japanese()["rules"]
    missing, placeholders = [], []
    for rule, reasons in ace_reportable().items():
        entry = table.get(rule, {})
        if not HAS_JAPANESE.search(entry.get("fix", "")):
            missing.append(f"{rule}: fix")
        for reason, english in reasons:
            ja = entry.get("messages", {}).get(reason, "")
            if not HAS_JAPANESE.search(ja):
                missing.append(f"{rule}/{reason}")
            elif set(re.findall(r"\{\d+\}", english)) != set(re.findall(r"\{\d+\}", ja)):
                placeholders.append(f"{rule}/{reason}: {english!r} vs {ja!r}")
    assert not missing, f"IBM Equal Access rules without Japanese in qa/data/ace-ja.json: {missing}"
    assert not placeholders, f"Japanese messages whose values differ from the engine's: {placeholders}"


# The sniffs the standard includes, the translation keys their source asks for, and the Japanese the engine
# ships; the keys are read from the sniff files (getTranslation("…")), the texts from the engine's own tables.
HTMLCS_JS = """
global.window = global; global._global = global; _global.translation = {};
const dir = process.argv[1];
for (const lang of ['en', 'ja']) require(dir + '/Translations/' + lang + '.js');
console.log(JSON.stringify({en: _global.translation.en, ja: _global.translation.ja}));
"""


def htmlcs_sniffs() -> list[Path]:
    folder = installed("htmlcs") / "Standards"
    text = (folder / STANDARD / "ruleset.js").read_text(encoding="utf-8")
    names = re.findall(r"'(Principle\d\.Guideline\d_\d\.[\w]+)'", text)
    assert len(names) > 40, "the standard's sniff list looks empty"
    files = []
    for name in names:
        found = [p for p in folder.glob(f"*/Sniffs/{name.replace('.', '/')}.js")]
        assert found, f"sniff {name} not found"
        files.append(found[0])
    return files


def test_every_htmlcs_text_and_criterion_has_japanese() -> None:
    done = subprocess.run([node(), "-e", HTMLCS_JS, str(installed("htmlcs"))], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    tables = json.loads(done.stdout)
    ja = {**tables["ja"], **htmlcs_japanese()["messages"]}
    keys, criteria = set(), set()
    for sniff in htmlcs_sniffs():
        source = sniff.read_text(encoding="utf-8")
        keys.update(re.findall(r'getTranslation\("([^"]+)"\)', source))
        # addMessage(HTMLCS.NOTICE…) is never a finding; an ERROR or WARNING files one under the sniff's criterion
        if re.search(r"HTMLCS\.(ERROR|WARNING)", source):
            criteria.update(criterion_of(f"{STANDARD}.Principle1.Guideline1_1.{sniff.stem}.X"))
    no_english = sorted(keys - set(tables["en"]) - set(htmlcs_japanese()["english"]))
    assert not no_english, f"texts the sniffs ask for that neither the engine nor the suite has: {no_english}"
    assert len(keys) > 150
    missing = sorted(k for k in keys if not HAS_JAPANESE.search(ja.get(k) or ""))
    assert not missing, f"HTML_CodeSniffer texts without Japanese (add them to qa/data/htmlcs-ja.json): {missing}"
    english = {**tables["en"], **htmlcs_japanese()["english"]}
    values = sorted(
        k for k in keys if set(re.findall(r"\{\{\w+\}\}", english[k])) - set(re.findall(r"\{\{\w+\}\}", ja[k]))
    )
    assert not values, f"Japanese texts that drop a value the English shows: {values}"
    fixes = htmlcs_japanese()["fix"]
    assert len(criteria) > 10
    lacking = sorted(sc for sc in criteria if not HAS_JAPANESE.search(fixes.get(sc, "")))
    assert not lacking, f"criteria without a Japanese fix for HTML_CodeSniffer in qa/data/htmlcs-ja.json: {lacking}"


@pytest.fixture(scope="module")
def ja_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    installed("ace"), installed("htmlcs")
    with serve(SITES / "engines-ja") as url:
        run = run_qa(
            "audit",
            url,
            "--browser",
            "chromium",
            "--viewport",
            "desktop",
            "--only",
            "a11y",
            out=tmp_path_factory.mktemp("engines-ja"),
            timeout=1200,
        )
    assert run.code in (0, 1), run.stderr
    yield run


def finding(run: QARun, check: str, rule: str) -> dict:
    found = [f for f in run.results["findings"] if f["check"] == check and f["rule"].endswith(rule)]
    assert len(found) == 1, [(f["check"], f["rule"], f["target"]) for f in run.results["findings"]]
    return found[0]


def findings_rows(path: Path, sheet: str) -> list[tuple]:
    return [r for r in load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True) if r]


def row_of(rows: list[tuple], f: dict) -> tuple:
    """The finding's row: by its id where the sheet carries it, else by its rule and element as a reader finds it."""
    found = [r for r in rows if f["id"] in r] or [r for r in rows if f["rule"] in r and f["target"] in r]
    assert len(found) == 1, f"finding {f['rule']} {f['target']} not listed once"
    return found[0]


# On barriers.html: an h4 straight after the h1 (HTML_CodeSniffer, G141) and a div with only a mouse handler
# (IBM Equal Access, element_mouseevent_keyboard). Their Japanese must carry the page's own values.
EXPECTED = [
    ("htmlcs", ".G141", "この h4 要素を h2 にする", "This h4 element should be an h2", "見出し"),
    (
        "ace",
        "element_mouseevent_keyboard",
        "マウスのイベントハンドラ 'onmouseover' をもつ <div> 要素",
        "Confirm the <div> element with mouse event handler(s) 'onmouseover'",
        "キーボード",
    ),
]


def test_japanese_findings_sheet_shows_engine_messages_with_the_pages_values(ja_run: QARun) -> None:
    rows = findings_rows(ja_run.run_dir / "checklist-wcag22.xlsx", "ページ別指摘事項一覧")
    for check, rule, japanese, english, fix_word in EXPECTED:
        f = finding(ja_run, check, rule)
        assert english in f["message"]  # results.json keeps the engine's English
        row = [str(c) for c in row_of(rows, f) if c is not None]
        message = next(c for c in row if japanese in c)
        assert NO_JAPANESE not in message and english not in message
        fix = next(c for c in row if f["help_url"] in c)  # 修正方法: one sentence and the help link
        assert fix_word in fix.split("\n")[0] and HAS_JAPANESE.search(fix.split("\n")[0])
    engines = [f for f in ja_run.results["findings"] if f["check"] in ("ace", "htmlcs")]
    for f in engines:
        assert not any(isinstance(c, str) and NO_JAPANESE in c for c in row_of(rows, f)), f["rule"]
    # The page written without barriers gets no engine finding.
    assert not [f for f in ja_run.results["findings"] if f["url"].endswith("/clean.html")]


def test_english_rerender_shows_the_engines_english(ja_run: QARun) -> None:
    done = run_qa("report", str(ja_run.run_dir), "--lang", "en")
    assert done.code == 0, done.stderr
    rows = findings_rows(ja_run.run_dir / "checklist-wcag22.xlsx", "Findings")
    for check, rule, japanese, _, _ in EXPECTED:
        f = finding(ja_run, check, rule)
        row = [str(c) for c in row_of(rows, f) if c is not None]
        assert any(c == f["message"] for c in row) and not any(japanese in c for c in row)


def test_report_html_shows_the_same_japanese(ja_run: QARun, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(ja_run.run_dir, run_dir)
    done = run_qa("report", str(run_dir), "--lang", "ja")
    assert done.code == 0, done.stderr
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_executable(pw))
        page = browser.new_page()
        page.set_default_timeout(60_000)
        page.goto((run_dir / FILENAME).resolve().as_uri() + "#pages")
        page.locator("html[data-ready=true]").wait_for(state="attached")
        page.locator("#view-pages:not([hidden])").wait_for()
        page.get_by_label(catalogue()["ja"]["search"]).fill("barriers")
        deadline = time.monotonic() + 60  # the report's CSP forbids Playwright's string predicates: poll
        while page.evaluate("document.querySelectorAll('#view-pages tbody tr').length") != 1:
            assert time.monotonic() < deadline, "the page list did not filter to barriers.html"
            time.sleep(0.05)
        page.locator("#view-pages tbody a").first.click()
        page.locator("#view-page:not([hidden])").wait_for()
        text = page.locator("#view-page").inner_text()
        browser.close()
    for _, _, japanese, _, _ in EXPECTED:
        assert japanese in text
    assert NO_JAPANESE not in text


# The engine run as its own documentation says, once per language, on the same document. For Japanese the engine's
# ja translation is completed with the suite's texts first: as shipped, it throws on a page with an autocomplete
# attribute (1.3.5's texts are missing, and the sniff calls .replace on undefined).
PLAIN_JS = """async ([lang, extra]) => {
  window.translation[lang + '+'] = Object.assign({}, window.translation[lang], extra);
  const messages = await new Promise((resolve, reject) => HTMLCS.process('WCAG2AA', document,
    () => resolve(HTMLCS.getMessages()), () => reject(new Error('could not load')), lang + '+'));
  return messages.filter((m) => m.type !== 3).map((m) => [m.code, String(m.msg)]);
}"""


def test_one_htmlcs_run_gives_the_engines_own_english_and_japanese() -> None:
    """The suite's single run records exactly what the engine says in English and in Japanese: on pages with many
    kinds of message (values filled in, texts joined, 4.1.2's element names nested in a sentence, the suite's own
    1.3.5 and 1.4.10 texts) and on the demo site's realistic pages."""
    from qa.check.htmlcs import RUN_JS

    source = engine_script("htmlcs") or pytest.fail("HTML_CodeSniffer is not installed: run 'qa setup'")
    supplement = htmlcs_japanese()["messages"]
    codes, seen = set(), []
    with serve(SITES / "engines-ja") as ours, serve(Path(__file__).parent.parent / "qa" / "demo" / "site") as demo:
        urls = [ours + "many.html", ours + "barriers.html", demo, demo + "contact.html", demo + "access.html"]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_executable(pw))
            page = browser.new_page()
            for url in urls:
                page.goto(url)
                page.evaluate(source)
                english = page.evaluate(PLAIN_JS, ["en", htmlcs_japanese()["english"]])
                japanese = page.evaluate(PLAIN_JS, ["ja", supplement])
                arg = {"standard": STANDARD, "en": htmlcs_japanese()["english"], "ja": supplement}
                recorded = page.evaluate(RUN_JS, arg)["messages"]
                assert [[m["code"], m["message"]] for m in recorded] == english, url
                assert [[m["code"], m["message_ja"]] for m in recorded] == japanese, url
                seen += recorded
                for m in recorded:
                    assert HAS_JAPANESE.search(m["message_ja"]), m
                    assert "undefined" not in m["message"] + m["message_ja"], m
                    codes.add(m["code"].split(".", 3)[3])
            browser.close()
    # the kinds the pages were written for were all seen
    kinds = ("1_3_5.H98", "1_4_10.C32,C31,C33,C38,SCR34,G206", "4_1_1.F77", "1_3_1_A.G141", "1_4_3.G18.Fail")
    for kind in kinds:
        assert kind in codes, " ".join(sorted(codes))
    # the engine's own misspelt 1.3.5 texts (it threw there): reported, in both languages
    assert any(
        "Element does not belong to Text control group" in m["message"]
        and "テキスト入力のコントロール群" in m["message_ja"]
        for m in seen
    )
    assert any(c.startswith("4_1_2.H91") for c in codes), codes
