"""The HTML report for the people fixing the site: one self-contained file that opens offline in a browser, with the
gate, counts, verdicts, trend, each page's screenshot with the failing elements outlined, rules and criteria, links,
the browser matrix and a to-do list of what a person must review.

The overview (gate, counts, verdicts, chart, trend) is rendered here as static HTML, so it reads without
JavaScript and appears at once. Everything else (pages with outlined screenshots, rules, links, matrix, the
review to-do list) is rendered by ``html_assets/report.js`` from compact, gzip-compressed JSON embedded in the
file, one screenful at a time, so a 2,000-page run does not become a huge DOM. Site content is escaped here
(``html.escape``) and inserted as text there; a Content-Security-Policy allows only the report's own script and
local images. Screenshots stay in the run folder's ``screenshots/`` and are referenced by relative path.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import re
import struct
from collections import Counter
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import qa
from qa.judge.criteria import by_sc
from qa.judge.inventory import Inventory, inventory_of
from qa.judge.judgement import conformance_of, gate_of, profiles_of, site_verdicts, stored, trend_of
from qa.judge.trend import TREND_FILE, counts, trend_entry
from qa.judge.verdicts import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS, REVIEW, Verdict
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Results, cell_name
from qa.report._axe_ja import Messages
from qa.store import write_text_atomic

NAME = "html"
FILENAME = "report.html"
LANGS = ("ja", "en")
IMPACTS = ("critical", "serious", "moderate", "minor")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")
SNIPPET_CHARS = 300  # of an element's HTML; results.json and the workbooks keep all of it
MESSAGE_CHARS = 1500
SNIPPET_CHUNK = 100  # pages whose element HTML is stored (and read by a page view) together
LINK_ORDER = {"broken": 0, "warning": 1, "info": 2, "ok": 3, "ignored": 4}
# A relative path inside the run folder: no scheme, no leading slash, no "..", nothing that needs quoting.
_LOCAL_PATH = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9._~/-]+$")
_TOKEN = re.compile(r"@@(t:)?([a-z_]+)@@")


def render(results: Results, out_dir: Path) -> list[Path]:
    lang = report_lang(results)
    msg = messages(lang)
    trend = stored_trend(results)
    judged = {sc for p in profiles_of(results) for sc in stored_profile_criteria(results, p.id)}
    verdicts = {sc: v for sc, v in site_verdicts(results).items() if sc in judged}  # what some checklist judges
    data, snippets = pack(results, out_dir, lang, msg, trend.new_ids, verdicts)
    page = fill(
        asset("template.html"),
        msg,
        lang=lang,
        title=html.escape(f"{msg['title']} – {results.run.start_url}"),
        site=html.escape(results.run.start_url),
        css=asset("report.css"),
        js=asset("report.js"),
        csp=csp(asset("report.js"), asset("report.css")),
        overview=render_overview(results, msg, trend, lang, verdicts),
        footer=html.escape(fmt(msg["footer"], results.run.tool.get("name", "qa"), qa.__version__)),
        data=packed(data),
        snippets=",".join(packed(chunk) for chunk in snippets),
    )
    path = out_dir / FILENAME
    write_text_atomic(path, page)
    # This run's line in a later run's trend (qa.judge.trend), beside the report.
    write_text_atomic(out_dir / TREND_FILE, json.dumps(trend_entry(results)))
    return [path]


# ---- assets and text ----


@cache
def asset(name: str) -> str:
    return resources.files("qa.report").joinpath("html_assets", name).read_text(encoding="utf-8")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    return json.loads(asset("messages.json"))


def messages(lang: str) -> dict[str, str]:
    return catalogue()[lang]


def report_lang(results: Results) -> str:
    """The deliverables' language option (``lang`` in qa.yaml; Japanese unless set to English)."""
    lang = results.run.config.get("lang")
    return lang if lang in LANGS else "ja"


def fmt(template: str, *args: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1))]), template)


def fill(template: str, msg: dict[str, str], **parts: str) -> str:
    """Replace ``@@name@@`` with a prepared part and ``@@t:key@@`` with an escaped message, in one pass."""
    return _TOKEN.sub(lambda m: html.escape(msg[m.group(2)]) if m.group(1) else parts[m.group(2)], template)


def packed(data: Any) -> str:
    """Gzip-compressed JSON in base64 (read by report.js with DecompressionStream).

    Japanese text and repeated structure compress about five-fold, which is what lets the report of a 2,000-page
    run open in well under two seconds; base64 also means no site string can end the <script> element.
    """
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")


def csp(js: str, css: str) -> str:
    """Only the report's own script and style run; images come from the run folder; nothing else loads."""

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    return (
        f"default-src 'none'; script-src {digest(js)}; style-src {digest(css)}; img-src 'self' file:; "
        "base-uri 'none'; form-action 'none'"
    )


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def num(n: int) -> str:
    return f"{n:,}"


# ---- files in the run folder ----


def local_file(out_dir: Path, rel: Any) -> str | None:
    """``rel`` when it names an image inside the run folder; None for anything else (URLs, traversal, missing)."""
    if not isinstance(rel, str) or not rel.lower().endswith(IMAGE_SUFFIXES) or not _LOCAL_PATH.match(rel):
        return None
    return rel if (out_dir / rel).is_file() else None


def png_size(path: Path) -> tuple[int, int] | None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(24)
    except OSError:
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def screenshot_css_size(size: tuple[int, int] | None, facts: dict[str, Any], full: bool) -> tuple[float, float]:
    """The screenshot's size in CSS px (element boxes are in CSS px; the image may be at a device pixel ratio)."""
    if size is None:
        return 0.0, 0.0
    width, height = size
    sw, cw = facts.get("scroll_width"), facts.get("client_width")
    known = [w for w in ((sw if full else None), cw) if isinstance(w, int | float) and w > 0]
    ratio = 1.0
    if known:
        ratio = max(0.25, round(width / max(known) * 4) / 4)  # snap to the ratios devices use
    return round(width / ratio, 2), round(height / ratio, 2)


def extra_images(out_dir: Path, facts: dict[str, Any]) -> list[tuple[str, str]]:
    """Images a visit's checks saved besides its screenshot (diffs, crops), wherever in the facts they are."""
    found = []
    for key, value in facts.items():
        if key == "screenshot":
            continue
        items = value.items() if isinstance(value, dict) else [("", value)]
        for sub, v in items:
            if (rel := local_file(out_dir, v)) is not None:
                found.append((f"{key}.{sub}" if sub else key, rel))
    return found


# ---- the data the views are built from ----


class _Strings:
    """A string table: repeated rule names, messages and selectors are stored once."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, value: Any) -> int:
        if value is None or value == "":
            return -1
        text = str(value)
        i = self.index.get(text)
        if i is None:
            i = self.index[text] = len(self.items)
            self.items.append(text)
        return i


def report_message(words: Messages, f: Finding, lang: str) -> str:
    """The workbooks' message in the report's language; a Japanese report keeps the tool's original words on a
    second line (they are what a developer searches for, and what the finding recorded)."""
    text = words.message(f)
    return text if lang != "ja" or f.message in text else f"{text}\n原文: {f.message}"


def pack(
    results: Results,
    out_dir: Path,
    lang: str,
    msg: dict[str, str],
    new_ids: set[str],
    verdicts: dict[str, Verdict],
) -> tuple[dict[str, Any], list[list[str]]]:
    """Compact rows (column order mirrored in report.js) with every string interned.

    Element HTML, the bulk of a large run, goes to separate chunks of SNIPPET_CHUNK pages each; a page view
    reads only its own chunk, so opening the report parses just what the overview and lists use.
    """
    s = _Strings()
    words = Messages(results.run.config or {}, lang)
    snippets: list[_Strings] = []
    cells = list(results.run.cells)
    cell_pos = {c: i for i, c in enumerate(cells)}
    urls: list[list[int]] = []
    url_pos: dict[str, int] = {}

    def cell(name: str) -> int:
        if name not in cell_pos:
            cell_pos[name] = len(cells)
            cells.append(name)
        return cell_pos[name]

    def url(u: str, title: str = "") -> int:
        if u not in url_pos:
            url_pos[u] = len(urls)
            urls.append([s(u), s(title), -1, -1])
        elif title and urls[url_pos[u]][1] < 0:
            urls[url_pos[u]][1] = s(title)
        return url_pos[u]

    def snippet(u: str, html_text: str) -> int:
        chunk = url(u) // SNIPPET_CHUNK
        while len(snippets) <= chunk:
            snippets.append(_Strings())
        return snippets[chunk](html_text)

    inventory = inventory_of(results)
    alias_of = inventory.alias_of()
    visits = []
    for p in results.pages:
        if p.url in alias_of:  # the same document as its page: shown (and counted) once, there
            continue
        u = url(p.url, p.title)
        facts = p.facts or {}
        wp = facts.get("wordpress") or facts.get("wordpress_body")  # post type and template, when WordPress
        if isinstance(wp, dict) and urls[u][3] < 0:
            post_type, template = str(wp.get("type") or ""), str(wp.get("template") or "")
            urls[u][2] = s(f"{post_type}: {template}" if template else post_type)
            urls[u][3] = s(post_type)
        shot = local_file(out_dir, facts.get("screenshot"))
        full = bool(facts.get("screenshot_full_page", True))
        w, h = screenshot_css_size(png_size(out_dir / shot) if shot else None, facts, full) if shot else (0, 0)
        if shot and not w:
            shot = None  # not a PNG we can measure: outlines would land in the wrong place
        visits.append(
            [
                u,
                cell(cell_name(p.browser, p.viewport)),
                p.status or 0,
                s(p.error),
                s(shot),
                w,
                h,
                1 if full else 0,
                round(p.load_ms) if isinstance(p.load_ms, int | float) else -1,
                [[s(label), s(rel)] for label, rel in extra_images(out_dir, facts)],
                len(facts.get("js_errors") or []),
                len(facts.get("failed_requests") or []),
            ]
        )

    rules: dict[str, list[int]] = {}
    findings = []
    for f in results.findings:
        box = (f.details or {}).get("bbox")
        if isinstance(box, dict) and all(isinstance(box.get(k), int | float) for k in ("x", "y", "width", "height")):
            box = [box["x"], box["y"], box["width"], box["height"]]
        else:
            box = 0
        rule = s(f.rule)
        if f.rule not in rules:
            rules[f.rule] = [rule, s(words.fix(f) or (f.details or {}).get("help")), s(words.help_url(f))]
        findings.append(
            [
                rule,
                0 if f.outcome == VIOLATION else 1,
                s(", ".join(f.sc)),
                IMPACTS.index(f.impact) if f.impact in IMPACTS else 4,
                url(f.url),
                cell(cell_name(f.browser, f.viewport)),
                s(f.target),
                snippet(f.url, f.html[:SNIPPET_CHARS]),
                s(report_message(words, f, lang)[:MESSAGE_CHARS]),
                box,
                [cell(c) for c in f.seen_in],
                s(f.check),
                s(f.id) if f.outcome == NEEDS_REVIEW else -1,  # the review to-do list remembers ticks by id
                1 if f.id in new_ids else 0,
                1 if (f.details or {}).get("accepted") else 0,
            ]
        )

    wcag = by_sc()
    criteria = [
        [
            sc,
            s(wcag[sc].title_ja if lang == "ja" else wcag[sc].title_en),
            wcag[sc].level,
            v.verdict,
            v.violations,
            v.needs_review,
            v.pages[FAIL],
        ]
        for sc, v in verdicts.items()
    ]
    data = {
        "lang": lang,
        "run": results.run.id,
        "chunk": SNIPPET_CHUNK,
        "m": msg,
        "cells": cells,
        "urls": urls,
        "v": visits,
        "f": findings,
        "rules": list(rules.values()),
        "criteria": criteria,
        "links": pack_links(results.extra.get("links"), s),
        "groups": pack_groups(results.extra.get("groups"), s, url_pos),
        "notrun": inventory.not_run(),  # family -> command: the views say so instead of showing nothing
        "s": s.items,
    }
    return data, [chunk.items for chunk in snippets]


def pack_links(links: Any, s: _Strings) -> list[list[Any]] | None:
    """``links[]`` of the link check (when it ran), broken first."""
    if not isinstance(links, list):
        return None
    rows = [x for x in links if isinstance(x, dict)]
    rows.sort(key=lambda x: (LINK_ORDER.get(str(x.get("result")), 9), str(x.get("url", ""))))
    return [
        [
            s(x.get("result") or "unknown"),
            x.get("status") if isinstance(x.get("status"), int) else 0,
            s(x.get("url")),
            s(x.get("source")),
            s(x.get("text")),
            s(x.get("reason")),
        ]
        for x in rows
    ]


def pack_groups(groups: Any, s: _Strings, url_pos: dict[str, int]) -> list[list[Any]] | None:
    """``groups.items`` (qa.judge.groups) as [label, rule, [url indexes]]: one row per template/component defect."""
    items = groups.get("items") if isinstance(groups, dict) else None
    if not isinstance(items, list):
        return None
    out = []
    for g in items:
        if not isinstance(g, dict):
            continue
        pages = sorted({url_pos[u] for u in g.get("pages") or [] if isinstance(u, str) and u in url_pos})
        templates = g.get("templates") if isinstance(g.get("templates"), dict) else {}
        label = str(g.get("selector") or g.get("html_shape") or "")
        if templates:
            label += " (" + ", ".join(str(t) for t in templates) + ")"
        if label and pages:
            out.append([s(label), s(g.get("rule")), pages])
    return out


# ---- trend ----


class Trend:
    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []  # earlier runs, oldest first: id, started, violations, review, pages
        self.previous: str = ""
        self.new_ids: set[str] = set()
        self.fixed: int | None = None
        self.diff: dict[str, int] | None = None  # counts from the run's own `diff` section (gate stage)
        self.against: str = ""


def stored_trend(results: Results) -> Trend:
    """The trend since earlier runs as the judge stored it, and the ``diff`` section when the run has one."""
    trend = Trend()
    stored = trend_of(results)
    trend.runs = list(stored.get("runs") or [])
    trend.previous = str(stored.get("previous") or "")
    if trend.previous:
        trend.new_ids = set(stored.get("new") or [])
        trend.fixed = int(stored.get("fixed") or 0)
    diff = results.extra.get("diff")
    part = diff.get("findings") if isinstance(diff, dict) else None
    if isinstance(part, dict):
        trend.diff = {}
        for key in ("new", "fixed", "unchanged"):
            value = part.get(key)
            if isinstance(value, list):
                trend.diff[key] = len(value)
            elif isinstance(value, int):
                trend.diff[key] = value
        if isinstance(part.get("new"), list):
            new = [x if isinstance(x, str) else x.get("id") for x in part["new"] if isinstance(x, str | dict)]
            trend.new_ids = {str(x) for x in new}
        against = diff.get("against")
        trend.against = str(against.get("run", "")) if isinstance(against, dict) else ""
    return trend


# ---- the overview, rendered as static HTML ----


def stored_profile_criteria(results: Results, profile: str) -> list[str]:
    """The criteria the judge judged for one profile (its obsolete rows are not among them)."""
    return list(stored(results)["profiles"][profile]["criteria"])


def render_overview(
    results: Results, msg: dict[str, str], trend: Trend, lang: str, verdicts: dict[str, Verdict]
) -> str:
    t = msg.get
    run = results.run
    gate = gate_of(results)
    wcag = by_sc()
    violations, review = counts(results.findings)
    other = sum(1 for f in results.findings if f.outcome == VIOLATION and not f.sc)
    inventory = inventory_of(results)
    out = ['<section class="view" id="view-overview" aria-labelledby="h-overview">']
    out.append(f'<h2 id="h-overview" tabindex="-1">{esc(t("nav_overview"))}</h2>')
    if run.status != "complete":
        out.append(f'<p class="note" role="note">{esc(t("partial_note"))}</p>')

    state = "passed" if gate.passed else "failed"
    reasons = "".join(f"<li>{esc(r)}</li>" for r in gate.reasons)
    gate_notes = "".join(f"<li>{esc(n)}</li>" for n in gate.notes)
    out.append('<div class="cards">')
    out.append(
        f'<section class="card gate-{state}" aria-labelledby="h-gate"><h3 id="h-gate">{esc(t("gate"))}</h3>'
        f'<p class="gate-verdict" data-gate="{state}">{esc(t("gate_" + state))}</p>'
        + (f'<h4>{esc(t("gate_reasons"))}</h4><ul class="reasons">{reasons}</ul>' if reasons else "")
        + (f"<h4>{esc(t('notes'))}</h4><ul>{gate_notes}</ul>" if gate_notes else "")
        + "</section>"
    )
    stats = [
        ("violations", "stat_violations", violations),
        ("other", "stat_other", other),
        ("review", "stat_review", review),
        ("pages", "stat_pages", len(inventory.pages)),
        ("not-audited", "stat_not_audited", len(inventory.exceptions)),
        ("visits", "stat_visits", len(results.pages)),
    ]
    out.append(
        f'<section class="card" aria-labelledby="h-counts"><h3 id="h-counts">{esc(t("counts"))}</h3>'
        '<dl class="stats">'
        + "".join(f'<div data-stat="{k}"><dt>{esc(t(label))}</dt><dd>{num(n)}</dd></div>' for k, label, n in stats)
        + "</dl></section>"
    )
    out.append("</div>")
    out.append(render_inventory(inventory, msg))

    out.append(render_run_info(results, msg))

    out.append(f'<section aria-labelledby="h-criteria"><h3 id="h-criteria">{esc(t("criteria_summary"))}</h3>')
    for profile in profiles_of(results):
        # the judge's counts of this profile, as its checklist counts them (an obsolete criterion is not counted)
        conformance = conformance_of(results, profile)
        tally = conformance.counts
        out.append(f"<h4>{esc(profile.standard)} {esc(conformance.level)}</h4>")
        out.append(
            f'<dl class="stats" data-profile="{esc(profile.id)}">'
            + "".join(
                f'<div data-verdict="{k}"><dt>{esc(t("verdict_" + k))}</dt><dd>{num(tally.get(k, 0))}</dd></div>'
                for k in (FAIL, REVIEW, PASS, NOT_APPLICABLE, NOT_VERIFIED)
            )
            + "</dl>"
        )
    rows = []
    for sc, v in verdicts.items():
        c = wcag[sc]
        title = c.title_ja if lang == "ja" else c.title_en
        sc = f'<a href="#sc/{esc(c.sc)}">{esc(c.sc)}</a>' if v.violations or v.needs_review else esc(c.sc)
        rows.append(
            f'<tr><th scope="row">{sc}</th><td>{esc(title)}</td><td>{esc(c.level)}</td>'
            f'<td><span class="badge badge-{verdict_kind(v.verdict)}">{esc(t("verdict_" + v.verdict))}</span></td>'
            f'<td class="num">{num(v.violations)}</td><td class="num">{num(v.needs_review)}</td>'
            f'<td class="num">{num(v.pages[FAIL])}</td></tr>'
        )
    out.append(
        f"<details><summary>{esc(t('criteria_table'))}</summary>"
        + table(
            t("criteria_table"),
            ["col_sc", "col_title", "col_level", "col_verdict", "col_violations", "col_review", "col_pages_failing"],
            rows,
            msg,
            numeric_from=4,
        )
        + "</details></section>"
    )

    impact = Counter(f.impact if f.impact in IMPACTS else "none" for f in results.findings if f.outcome == VIOLATION)
    out.append('<div class="cards"><section class="card" aria-labelledby="h-impact">')
    out.append(f'<h3 id="h-impact">{esc(t("impact"))}</h3>')
    out.append(
        table(
            None,
            ["col_impact", "col_count"],
            [
                f'<tr data-impact="{k}"><th scope="row">{esc(t("impact_" + k))}</th>'
                f'<td class="num">{num(impact[k])}</td></tr>'
                for k in (*IMPACTS, "none")
            ],
            msg,
            numeric_from=1,
        )
        + "</section>"
    )
    out.append(render_cells(results, msg) + "</div>")
    out.append(render_chart(results, msg, wcag, lang))
    out.append(render_trend(results, msg, trend))
    out.append("</section>")
    return "\n".join(out)


def render_inventory(inventory: Inventory, msg: dict[str, str]) -> str:
    """The checks this run did not do (with the command that does them) and the pages it could not audit."""
    t = msg.get
    out = []
    missing = inventory.not_run()
    if missing:
        items = "".join(
            f'<li data-not-run="{esc(f)}">{esc(t("family_" + f, f))}: {esc(fmt(t("not_run_command"), command))}</li>'
            for f, command in missing.items()
        )
        out.append(
            f'<section aria-labelledby="h-not-run"><h3 id="h-not-run">{esc(t("not_run_title"))}</h3>'
            f"<p>{esc(t('not_run_lead'))}</p><ul>{items}</ul></section>"
        )
    aliases = sum(len(p.aliases) for p in inventory.pages)
    if inventory.exceptions or aliases:
        rows = [
            f'<tr data-exception><td class="url">{esc(e.url)}</td><td class="num">{esc(e.status or "")}</td>'
            f"<td>{esc(e.reason)}</td></tr>"
            for e in inventory.exceptions
        ]
        out.append(
            f'<section aria-labelledby="h-exceptions"><h3 id="h-exceptions">{esc(t("exceptions_title"))}</h3>'
            + (table(None, ["col_url", "col_status", "col_reason"], rows, msg) if rows else "")
            + (f"<p>{esc(fmt(t('aliases_note'), num(aliases)))}</p>" if aliases else "")
            + "</section>"
        )
    return "".join(out)


def verdict_kind(verdict: str) -> str:
    return {FAIL: "fail", REVIEW: "review", PASS: "pass"}.get(verdict, "neutral")


NUM = ' class="num"'


def table(caption: str | None, headers: list[str], rows: list[str], msg: dict[str, str], numeric_from: int = 99) -> str:
    head = "".join(
        f'<th scope="col"{NUM if i >= numeric_from else ""}>{esc(msg[h])}</th>' for i, h in enumerate(headers)
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="data">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def render_run_info(results: Results, msg: dict[str, str]) -> str:
    t = msg.get
    run = results.run
    browsers = run.engines.get("browsers") or {}
    engines = ", ".join(
        f"{b.get('product', name)} {b.get('version', '')}".strip() if isinstance(b, dict) else str(name)
        for name, b in browsers.items()
    )
    if run.engines.get("axe-core"):
        engines += f"; axe-core {run.engines['axe-core']}"
    items = [
        ("site", run.start_url),
        ("run_id", run.id),
        ("started", run.started),
        ("finished", run.finished),
        ("status", t("status_" + run.status, run.status)),
        ("tool", f"{run.tool.get('name', '')} {run.tool.get('version', '')}".strip()),
        ("engines", engines),
        ("cells", ", ".join(run.cells)),
    ]
    body = "".join(f"<dt>{esc(t(k))}</dt><dd>{esc(v)}</dd>" for k, v in items if v)
    notes = "".join(f"<li>{esc(n)}</li>" for n in run.notes)
    return (
        f'<section aria-labelledby="h-run"><h3 id="h-run">{esc(t("run_info"))}</h3><dl class="kv">{body}</dl>'
        + (f"<h4>{esc(t('notes'))}</h4><ul>{notes}</ul>" if notes else "")
        + "</section>"
    )


def render_cells(results: Results, msg: dict[str, str]) -> str:
    visits = Counter(p.cell for p in results.pages)
    viol: Counter = Counter()
    rev: Counter = Counter()
    for f in results.findings:
        for c in f.seen_in:
            (viol if f.outcome == VIOLATION else rev)[c] += 1
    cells = list(dict.fromkeys([*results.run.cells, *visits]))
    rows = [
        f'<tr data-cell="{esc(c)}"><th scope="row">{esc(c)}</th><td class="num">{num(visits[c])}</td>'
        f'<td class="num">{num(viol[c])}</td><td class="num">{num(rev[c])}</td></tr>'
        for c in cells
    ]
    return (
        f'<section class="card" aria-labelledby="h-cells"><h3 id="h-cells">{esc(msg["by_cell"])}</h3>'
        + table(None, ["col_cell", "col_visits", "col_violations", "col_review"], rows, msg, numeric_from=1)
        + "</section>"
    )


def render_chart(results: Results, msg: dict[str, str], wcag: dict, lang: str) -> str:
    """Findings by success criterion: a bar chart (inline SVG) with the same figures in a table."""
    t = msg.get
    per: dict[str, list[int]] = {}
    for f in results.findings:
        for sc in f.sc:
            per.setdefault(sc, [0, 0])[0 if f.outcome == VIOLATION else 1] += 1
    head = f'<section class="chart" aria-labelledby="h-chart"><h3 id="h-chart">{esc(t("chart"))}</h3>'
    if not per:
        return head + f"<p>{esc(t('chart_empty'))}</p></section>"

    def key(sc: str) -> tuple[int, ...]:
        return tuple(int(x) if x.isdigit() else 0 for x in sc.split("."))

    order = sorted(per, key=key)
    biggest = max(sum(v) for v in per.values())
    bar_h, gap, label_w, width = 22, 8, 70, 640
    scale = (width - label_w - 60) / biggest
    height = len(order) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f'<title id="chart-desc">{esc(t("chart_label"))}</title>'
    ]
    for i, sc in enumerate(order):
        y = gap + i * (bar_h + gap)
        v, r = per[sc]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.72:.1f}" text-anchor="end" font-size="14" fill="#1b1f24">'
            f"{esc(sc)}</text>"
        )
        x = label_w
        if v:
            parts.append(f'<rect x="{x}" y="{y}" width="{v * scale:.1f}" height="{bar_h}" fill="#a4001d"/>')
            x += v * scale
        if r:
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{r * scale:.1f}" height="{bar_h}" fill="#b06f00"/>')
            x += r * scale
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + bar_h * 0.72:.1f}" font-size="14" fill="#1b1f24">{num(v + r)}</text>'
        )
    parts.append("</svg>")
    legend = (
        f'<ul class="legend"><li><span class="swatch swatch-fail"></span>{esc(t("legend_violation"))}</li>'
        f'<li><span class="swatch swatch-review"></span>{esc(t("legend_review"))}</li></ul>'
    )
    rows = []
    for sc in order:
        c = wcag.get(sc)
        title = (c.title_ja if lang == "ja" else c.title_en) if c else ""
        v, r = per[sc]
        rows.append(
            f'<tr data-sc="{esc(sc)}"><th scope="row"><a href="#sc/{esc(sc)}">{esc(sc)}</a></th><td>{esc(title)}</td>'
            f'<td class="num">{num(v)}</td><td class="num">{num(r)}</td></tr>'
        )
    data_table = table(t("chart"), ["col_sc", "col_title", "col_violations", "col_review"], rows, msg, numeric_from=2)
    return (
        head
        + '<figure class="chart-figure">'
        + "".join(parts)
        + f"<figcaption>{legend}</figcaption></figure>"
        + f"<details><summary>{esc(t('chart_table'))}</summary>{data_table}</details></section>"
    )


def render_trend(results: Results, msg: dict[str, str], trend: Trend) -> str:
    t = msg.get
    out = [f'<section aria-labelledby="h-trend"><h3 id="h-trend">{esc(t("trend"))}</h3>']
    if trend.diff is not None:
        d = trend.diff
        counts_ = (num(d.get("new", 0)), num(d.get("fixed", 0)), num(d.get("unchanged", 0)))
        text = fmt(t("trend_diff"), trend.against or "?", *counts_)
        out.append(f'<p data-trend="diff">{esc(text)}</p>')
    if trend.previous:
        out.append(
            f'<p data-trend="previous">'
            f"{esc(fmt(t('trend_vs'), trend.previous, num(len(trend.new_ids)), num(trend.fixed or 0)))}</p>"
        )
    if not trend.runs:
        if trend.diff is None:
            out.append(f"<p>{esc(t('trend_none'))}</p>")
        return "".join(out) + "</section>"
    violations, review = counts(results.findings)
    rows = [
        f'<tr><th scope="row">{esc(r["id"])}</th><td>{esc(r["started"])}</td><td class="num">{num(r["pages"])}</td>'
        f'<td class="num">{num(r["violations"])}</td><td class="num">{num(r["review"])}</td></tr>'
        for r in trend.runs
    ]
    rows.append(
        f'<tr><th scope="row">{esc(results.run.id)} ({esc(t("trend_this"))})</th><td>{esc(results.run.started)}</td>'
        f'<td class="num">{num(len(inventory_of(results).pages))}</td>'
        f'<td class="num">{num(violations)}</td><td class="num">{num(review)}</td></tr>'
    )
    out.append(table(t("trend"), ["col_run", "col_date", "col_pages", "col_violations", "col_review"], rows, msg, 2))
    return "".join(out) + "</section>"
