"""完成時のサイトマップ / The finished site's sitemap: a tree by navigation and by URL path (title, URL, status, page
type), ``sitemap.xml``, and — when a planned sitemap was given — the differences from the plan."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from qa.discover.planned import plan_path, same_title
from qa.links.collect import page_key as fold
from qa.model import Results
from qa.redact import redact_url
from qa.report._xlsx import safe, save_workbook, setup_print, write_table
from qa.report.linkcheck import link_rows
from qa.store import write_text_atomic

NAME = "sitemap"
FILENAME = "sitemap.xlsx"
XML_FILENAME = "sitemap.xml"
FILENAMES = [FILENAME, XML_FILENAME]  # for the run folder's INDEX.md

HOME, INDEX, PAGE, PDF, FILE, REDIRECT, ERROR = (
    "トップ / Home",
    "一覧 / Section index",
    "ページ / Page",
    "PDF",
    "ファイル / File",
    "リダイレクト / Redirect",
    "エラー / Error",
)
NOT_HTML = "not an HTML page"


@dataclass
class Entry:
    url: str  # normalised requested URL (the key)
    final_url: str
    title: str
    status: int | None
    content_type: str
    error: str
    kind: str = PAGE
    children: list[str] = field(default_factory=list)
    parent: str = ""

    @property
    def ok(self) -> bool:
        return self.kind not in (ERROR, REDIRECT)

    @property
    def html(self) -> bool:
        return self.kind in (HOME, INDEX, PAGE)


def entries_of(results: Results) -> dict[str, Entry]:
    """One entry per page, from its first (primary-cell) visit."""
    start = fold(results.run.start_url)
    out: dict[str, Entry] = {}
    for p in results.pages:
        key = fold(p.url)
        if key in out:
            continue
        e = Entry(key, redact_url(p.final_url or p.url), p.title, p.status, p.content_type, p.error)
        e.kind = kind_of(e, key == start)
        out[key] = e
    for e in list(out.values()):
        final = fold(e.final_url)
        if e.kind == REDIRECT and final not in out:  # the page a redirect leads to is a page of the site too
            out[final] = Entry(final, e.final_url, e.title, e.status, e.content_type, "")
            out[final].kind = kind_of(out[final], False)
    return out


def kind_of(e: Entry, is_start: bool) -> str:
    document = e.error.startswith(NOT_HTML)
    if (e.status or 0) >= 400 or (e.error and not document):
        return ERROR
    if fold(e.final_url) != e.url and not is_start:
        return REDIRECT
    if document:
        return PDF if "pdf" in e.content_type else f"{FILE} ({e.content_type})"
    if is_start:
        return HOME
    return INDEX if urlsplit(e.url).path.endswith("/") else PAGE


def navigation_tree(results: Results, entries: dict[str, Entry]) -> list[str] | None:
    """Breadth-first over the pages' links from the start page: each page hangs under the first page that links to
    it, in link order (the click path a visitor takes). None when the link check did not run."""
    if "links" not in results.extra:
        return None
    out_links: dict[str, list[str]] = {}
    for row in link_rows(results):
        if row["element"] not in ("a", "area") or not row.get("internal"):
            continue
        src, dst = fold(row["source"]), fold(row["url"].split("#", 1)[0])
        if src and dst and dst in entries and dst != src:
            targets = out_links.setdefault(src, [])
            if dst not in targets:
                targets.append(dst)
    # a page reached through a redirect links from its final URL
    final_to_key = {fold(e.final_url): k for k, e in entries.items()}
    start = fold(results.run.start_url)
    roots = [start] if start in entries else []
    seen = set(roots)
    queue = deque(roots)
    while queue:
        here = queue.popleft()
        final = fold(entries[here].final_url)
        for dst in out_links.get(here, []) + out_links.get(final, []):
            dst = final_to_key.get(dst, dst) if dst not in entries else dst
            if dst in entries and dst not in seen:
                seen.add(dst)
                entries[dst].parent = here
                entries[here].children.append(dst)
                queue.append(dst)
    return roots


def walk(entries: dict[str, Entry], roots: list[str]) -> list[tuple[int, Entry]]:
    out: list[tuple[int, Entry]] = []
    stack = [(0, r) for r in reversed(roots)]
    while stack:
        level, key = stack.pop()
        out.append((level, entries[key]))
        stack += [(level + 1, c) for c in reversed(entries[key].children)]
    return out


def path_rows(entries: dict[str, Entry]) -> list[tuple[int, str, Entry | None]]:
    """The URL path hierarchy: folders in order, each page under its folder; folders without a page listed too."""
    tree: dict[str, Any] = {}
    for e in entries.values():
        parts = [unquote(s) for s in urlsplit(e.url).path.split("/")[1:]]
        node = tree
        for segment in parts[:-1]:
            node = node.setdefault(segment + "/", {})
        if parts and parts[-1]:
            node.setdefault(parts[-1], {})["\0"] = e
        elif node is tree:
            tree.setdefault("", {})["\0"] = e
        else:  # a section's index page is its folder's row
            node["\0"] = e
    rows: list[tuple[int, str, Entry | None]] = []

    def visit(node: dict[str, Any], level: int) -> None:
        for name in sorted(k for k in node if k != "\0"):
            child = node[name]
            page = child.get("\0")
            rows.append((level, name or "/", page))
            visit(child, level + 1)

    visit(tree, 0)
    return rows


def render(results: Results, out_dir: Path) -> list[Path]:
    entries = entries_of(results)
    if not entries:
        return []
    wb = Workbook()
    ws = wb.active
    ws.title = "概要 Summary"
    nav = wb.create_sheet("ナビゲーション Navigation")
    roots = navigation_tree(results, entries)
    if roots is None:
        nav.append(
            ["リンクチェックを実行していないため、ナビゲーション構造はありません / No link check: no navigation tree"]
        )
    else:
        rows = walk(entries, roots)
        reached = {e.url for _, e in rows}
        orphans = [e for e in entries.values() if e.url not in reached]
        table = [
            [
                n,
                level + 1,
                e.title or "(無題 / untitled)",
                e.final_url,
                e.status or "",
                e.kind,
                entries[e.parent].title if e.parent else "",
            ]
            for n, (level, e) in enumerate(rows, 1)
        ]
        table += [
            [
                len(table) + i,
                "—",
                e.title or "(無題 / untitled)",
                e.final_url,
                e.status or "",
                e.kind,
                "リンクなし / not linked",
            ]
            for i, e in enumerate(orphans, 1)
        ]
        write_table(
            nav,
            [
                "No.",
                "階層 / Level",
                "タイトル / Title",
                "URL",
                "ステータス / Status",
                "種別 / Type",
                "リンク元 / Linked from",
            ],
            table,
            [6, 8, 50, 60, 10, 20, 40],
        )
        for i, (level, _) in enumerate(rows, start=2):
            nav.cell(i, 3).alignment = Alignment(indent=min(level * 2, 15))
    by_path = wb.create_sheet("URL階層 URL path")
    prows = path_rows(entries)
    write_table(
        by_path,
        ["No.", "階層 / Level", "パス / Path", "タイトル / Title", "URL", "ステータス / Status", "種別 / Type"],
        (
            [
                n,
                level + 1,
                name,
                e.title if e else "(フォルダ / folder)",
                e.final_url if e else "",
                (e.status or "") if e else "",
                e.kind if e else "",
            ]
            for n, (level, name, e) in enumerate(prows, 1)
        ),
        [6, 8, 40, 50, 60, 10, 20],
    )
    for i, (level, _, _) in enumerate(prows, start=2):
        by_path.cell(i, 3).alignment = Alignment(indent=min(level * 2, 15))
    diff = planned_differences(results, entries)
    if diff is not None:
        write_table(
            wb.create_sheet("計画との差分 Plan diff"),
            [
                "No.",
                "区分 / Difference",
                "計画のタイトル / Planned title",
                "実際のタイトル / Actual title",
                "計画のURL / Planned URL",
                "実際のURL / Actual URL",
                "計画の行 / Plan row",
            ],
            ([n, *d] for n, d in enumerate(diff, 1)),
            [6, 30, 40, 40, 50, 50, 10],
        )
    summary(ws, results, entries, diff)
    path = out_dir / FILENAME
    save_workbook(wb, path)
    return [path, write_xml(entries, out_dir)]


MISSING, UNPLANNED, TITLE = (
    "計画にあるが存在しない / Planned, missing",
    "計画にないページ / Not in the plan",
    "タイトルが異なる / Title differs",
)


def planned_differences(results: Results, entries: dict[str, Entry]) -> list[list[Any]] | None:
    plan = results.extra.get("planned_sitemap")
    if not plan:
        return None
    present: dict[str, Entry] = {}
    for e in entries.values():
        if e.ok:
            present.setdefault(plan_path(e.final_url), e)
            present.setdefault(plan_path(e.url), e)
    planned_paths = {p["path"] for p in plan["pages"]}
    out: list[list[Any]] = []
    for p in plan["pages"]:
        e = present.get(p["path"])
        if e is None:
            out.append([MISSING, p["title"], "", p["url"], "", p["row"]])
        elif e.html and p["title"] and not same_title(p["title"], e.title):
            out.append([TITLE, p["title"], e.title, p["url"], e.final_url, p["row"]])
    seen: set[str] = set()
    for e in entries.values():
        if not (e.ok and e.html) or e.url in seen:
            continue
        seen.add(e.url)
        if plan_path(e.final_url) not in planned_paths and plan_path(e.url) not in planned_paths:
            out.append([UNPLANNED, "", e.title, "", e.final_url, ""])
    return out


def summary(ws: Any, results: Results, entries: dict[str, Entry], diff: list[list[Any]] | None) -> None:
    ws.append(["完成時のサイトマップ / Sitemap of the finished site"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["対象サイト / Site", safe(results.run.start_url)])
    ws.append(["作成日時 / Made", results.run.finished or results.run.started])
    ws.append(["URL数 / URLs", len(entries)])
    for kind, n in sorted(Counter(e.kind for e in entries.values()).items()):
        ws.append([f"　{kind}", n])
    if diff is not None:
        plan = results.extra["planned_sitemap"]
        counts = Counter(d[0] for d in diff)
        ws.append([])
        ws.append(["計画サイトマップ / Planned sitemap", safe(plan["source"])])
        ws.append(["計画のページ数 / Planned pages", len(plan["pages"])])
        for label in (MISSING, UNPLANNED, TITLE):
            ws.append([label, counts.get(label, 0)])
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 70
    setup_print(ws)


def write_xml(entries: dict[str, Entry], out_dir: Path) -> Path:
    """The sitemaps.org file of every reachable page and document (final URLs, once each)."""
    urls = list(dict.fromkeys(e.final_url for e in entries.values() if e.ok))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{escape(u)}</loc></url>" for u in urls]
    lines.append("</urlset>")
    path = out_dir / XML_FILENAME
    write_text_atomic(path, "\n".join(lines) + "\n")
    return path
