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
from qa.judge.inventory import inventory_of
from qa.links.collect import page_key as fold
from qa.model import Page, Results
from qa.redact import redact_url
from qa.report._inventory import count_rows, exceptions_sheet
from qa.report._vocab import lang_of, pick
from qa.report._xlsx import finish_print, local_time, run_header, safe, save_workbook, setup_print, write_table
from qa.report.linkcheck import link_rows
from qa.store import write_text_atomic

NAME = "sitemap"
FILENAME = "sitemap.xlsx"
XML_FILENAME = "sitemap.xml"
FILENAMES = [FILENAME, XML_FILENAME]  # for the run folder's INDEX.md

HOME, INDEX, PAGE, ERROR = ("home", "index", "page", "error")
NOT_AUDITED = "not-audited"  # reachable (a PDF, a download) but not audited as a page
KINDS = {
    HOME: ("トップ", "Home"),
    INDEX: ("一覧", "Section index"),
    PAGE: ("ページ", "Page"),
    ERROR: ("エラー", "Error"),
    NOT_AUDITED: ("例外事項", "Not audited"),
}
ALIASES = ("別名のURL", "Other addresses")
UNTITLED = ("（無題）", "(untitled)")
SHEETS = {
    "summary": ("概要", "Summary"),
    "navigation": ("ナビゲーション", "Navigation"),
    "path": ("URL階層", "URL path"),
    "plan": ("計画との差分", "Plan diff"),
}
HEADERS = {
    "level": ("階層", "Level"),
    "title": ("タイトル", "Title"),
    "status": ("ステータス", "Status"),
    "type": ("種別", "Type"),
    "parent": ("リンク元", "Linked from"),
    "path": ("パス", "Path"),
    "aliases": ALIASES,
}
TITLE = ("完成時のサイトマップ", "Sitemap of the finished site")


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
    aliases: list[str] = field(default_factory=list)  # other addresses of the same page
    exception: bool = False  # a page the run could not audit (例外事項)

    @property
    def ok(self) -> bool:
        return not self.exception

    @property
    def html(self) -> bool:
        return self.kind in (HOME, INDEX, PAGE)


def entries_of(results: Results) -> dict[str, Entry]:
    """One entry per page of the run's inventory (its aliases on it), then one per page that could not be audited
    (an エラー entry naming the reason: it is where a link leads, never counted as a page)."""
    inventory = inventory_of(results)
    start = fold(results.run.start_url)
    visits: dict[str, Page] = {}
    for p in results.pages:
        visits.setdefault(p.url, p)
    out: dict[str, Entry] = {}
    for page in inventory.pages:
        key = fold(page.url)
        key = key if key not in out else page.url  # a folder and its index file that serve different pages
        visit = visits.get(page.url)
        shown = page.final_url or page.url
        e = Entry(key, redact_url(shown), page.title, page.status, "", "")
        e.content_type = visit.content_type if visit else ""
        # its other addresses: the ones it was reached at besides the URL the row shows (a moved page is shown at
        # its final URL, so its canonical URL, where the crawl first reached it, is one of them)
        e.aliases = [redact_url(a) for a in [page.url, *page.aliases] if fold(a) != fold(shown)]
        home = key == start or any(fold(a) == start for a in page.aliases)
        e.kind = HOME if home else (INDEX if urlsplit(key).path.endswith("/") else PAGE)
        out[key] = e
    for ex in inventory.exceptions:
        key = fold(ex.url)
        if key in out:
            continue
        visit = visits.get(ex.url)
        final = redact_url((visit.final_url if visit else "") or ex.url)
        e = Entry(
            key,
            final,
            "",
            ex.status,
            visit.content_type if visit else "",
            ex.reason,
        )
        e.kind = ERROR if (ex.status or 500) >= 400 else NOT_AUDITED
        e.exception = True
        out[key] = e
    return out


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
    # depth first with a stack of its own: a listed URL (--urls, a sitemap) can have thousands of path segments,
    # too deep for Python's recursion
    stack: list[tuple[int, str, dict[str, Any]]] = [(0, name, tree[name]) for name in _folder_order(tree)]
    while stack:
        level, name, node = stack.pop()
        rows.append((level, name or "/", node.get("\0")))
        stack += [(level + 1, child, node[child]) for child in _folder_order(node)]
    return rows


def _folder_order(node: dict[str, Any]) -> list[str]:
    """A folder's names in reverse sorted order: popped from a stack, they come out sorted."""
    return sorted((k for k in node if k != "\0"), reverse=True)


def render(results: Results, out_dir: Path) -> list[Path]:
    entries = entries_of(results)
    if not entries:
        return []
    lang = lang_of(results)
    untitled = pick(UNTITLED, lang)

    def kind(e: Entry) -> str:
        return pick(KINDS[e.kind], lang)

    def head(*keys: str) -> list[str]:
        return ["No.", *(pick(HEADERS[k], lang) if k in HEADERS else k for k in keys)]

    wb = Workbook()
    ws = wb.active
    ws.title = pick(SHEETS["summary"], lang)
    nav = wb.create_sheet(pick(SHEETS["navigation"], lang))
    # The trees hold the site's pages only; what could not be audited (a 404, a download) is listed once, apart, on
    # the 例外事項 sheet, never as a page of the finished site.
    pages = {k: e for k, e in entries.items() if not e.exception}
    roots = navigation_tree(results, pages)
    if roots is None:
        nav.append([pick(NO_TREE, lang)])
    else:
        rows = walk(pages, roots)
        reached = {e.url for _, e in rows}
        orphans = [e for e in pages.values() if e.url not in reached]
        table = [
            [
                n,
                level + 1,
                e.title or untitled,
                e.final_url,
                e.status or "",
                kind(e),
                pages[e.parent].title if e.parent in pages else "",
                "\n".join(e.aliases),
            ]
            for n, (level, e) in enumerate(rows, 1)
        ]
        table += [
            [
                len(table) + i,
                "—",
                e.title or untitled,
                e.final_url,
                e.status or "",
                kind(e),
                pick(("（リンクなし）", "(not linked)"), lang),
                "\n".join(e.aliases),
            ]
            for i, e in enumerate(orphans, 1)
        ]
        write_table(
            nav,
            head("level", "title", "URL", "status", "type", "parent", "aliases"),
            table,
            [6, 8, 50, 60, 10, 20, 40, 50],
        )
        for i, (level, _) in enumerate(rows, start=2):
            nav.cell(i, 3).alignment = Alignment(indent=min(level * 2, 15))
    by_path = wb.create_sheet(pick(SHEETS["path"], lang))
    prows = path_rows(pages)
    write_table(
        by_path,
        head("level", "path", "title", "URL", "status", "type", "aliases"),
        (
            [
                n,
                level + 1,
                name,
                (e.title or untitled) if e else pick(("（フォルダー）", "(folder)"), lang),
                e.final_url if e else "",
                (e.status or "") if e else "",
                kind(e) if e else "",
                "\n".join(e.aliases) if e else "",
            ]
            for n, (level, name, e) in enumerate(prows, 1)
        ),
        [6, 8, 40, 50, 60, 10, 20, 50],
    )
    for i, (level, _, _) in enumerate(prows, start=2):
        by_path.cell(i, 3).alignment = Alignment(indent=min(level * 2, 15))
    diff = planned_differences(results, entries)
    if diff is not None:
        write_table(
            wb.create_sheet(pick(SHEETS["plan"], lang)),
            ["No.", *(pick(h, lang) for h in PLAN_HEADERS)],
            ([n, pick(DIFFERENCES[d[0]], lang), *d[1:]] for n, d in enumerate(diff, 1)),
            [6, 30, 40, 40, 50, 50, 10],
        )
    summary(ws, results, entries, diff, lang)
    exceptions_sheet(wb, inventory_of(results), lang, partial=results.run.status != "complete")
    path = out_dir / FILENAME
    finish_print(wb, run_header(results, TITLE))
    save_workbook(wb, path)
    return [path, write_xml(entries, out_dir)]


NO_TREE = (
    "リンクチェックを実行していないため、ナビゲーション構造はありません",
    "No link check: no navigation tree",
)
MISSING, UNPLANNED, TITLE_DIFFERS = "missing", "unplanned", "title-differs"
DIFFERENCES = {
    MISSING: ("計画にあるが存在しない", "Planned, missing"),
    UNPLANNED: ("計画にないページ", "Not in the plan"),
    TITLE_DIFFERS: ("タイトルが異なる", "Title differs"),
}
PLAN_HEADERS = (
    ("区分", "Difference"),
    ("計画のタイトル", "Planned title"),
    ("実際のタイトル", "Actual title"),
    ("計画のURL", "Planned URL"),
    ("実際のURL", "Actual URL"),
    ("計画の行", "Plan row"),
)


def planned_differences(results: Results, entries: dict[str, Entry]) -> list[list[Any]] | None:
    plan = results.extra.get("planned_sitemap")
    if not plan:
        return None
    present: dict[str, Entry] = {}
    for e in entries.values():
        if e.ok or (e.status or 500) < 400:  # a document not audited (a PDF) still exists
            present.setdefault(plan_path(e.final_url), e)
            present.setdefault(plan_path(e.url), e)
    planned_paths = {p["path"] for p in plan["pages"]}
    out: list[list[Any]] = []
    for p in plan["pages"]:
        e = present.get(p["path"])
        if e is None:
            out.append([MISSING, p["title"], "", p["url"], "", p["row"]])
        elif e.html and p["title"] and not same_title(p["title"], e.title):
            out.append([TITLE_DIFFERS, p["title"], e.title, p["url"], e.final_url, p["row"]])
    seen: set[str] = set()
    for e in entries.values():
        if not (e.ok and e.html) or e.url in seen:
            continue
        seen.add(e.url)
        if plan_path(e.final_url) not in planned_paths and plan_path(e.url) not in planned_paths:
            out.append([UNPLANNED, "", e.title, "", e.final_url, ""])
    return out


def summary(ws: Any, results: Results, entries: dict[str, Entry], diff: list[list[Any]] | None, lang: str) -> None:
    ws.append([pick(TITLE, lang)])
    ws["A1"].font = Font(bold=True, size=14)
    zone = (results.run.config or {}).get("timezone")
    ws.append([pick(("対象サイト", "Site"), lang), safe(results.run.start_url)])
    ws.append([pick(("作成日時", "Made"), lang), local_time(results.run.finished or results.run.started, zone)])
    for label, n in count_rows(inventory_of(results), lang):
        ws.append([label, n])
    for kind, n in sorted(Counter(e.kind for e in entries.values() if e.ok).items()):
        ws.append([pick(("　", "  "), lang) + pick(KINDS[kind], lang), n])
    if diff is not None:
        plan = results.extra["planned_sitemap"]
        counts = Counter(d[0] for d in diff)
        ws.append([])
        ws.append([pick(("計画サイトマップ", "Planned sitemap"), lang), safe(plan["source"])])
        ws.append([pick(("計画のページ数", "Planned pages"), lang), len(plan["pages"])])
        for key in (MISSING, UNPLANNED, TITLE_DIFFERS):
            ws.append([pick(DIFFERENCES[key], lang), counts.get(key, 0)])
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 70
    setup_print(ws)


def write_xml(entries: dict[str, Entry], out_dir: Path) -> Path:
    """The sitemaps.org file of every page of the inventory (final URLs, once each; no alias, no exception)."""
    urls = list(dict.fromkeys(e.final_url for e in entries.values() if e.ok))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{escape(u)}</loc></url>" for u in urls]
    lines.append("</urlset>")
    path = out_dir / XML_FILENAME
    write_text_atomic(path, "\n".join(lines) + "\n")
    return path
