"""Human verdicts that survive re-runs.

A review is a person's verdict on one criterion, site-wide (``url`` empty) or on one page. Reviews live in a
YAML file kept in the project's repository (``reviews_file`` in qa.yaml, default ``reviews.yaml``); every audit
copies them into results.json (``reviews`` section) and the judge applies them. ``fingerprint`` pins the
content the person judged (the page's fingerprint, or the site fingerprint of the judged pages for a
site-wide review): when it no longer matches, the review is stale and the criterion goes back to a person.
``acknowledged`` lists the automated violations the person saw; any other violation still fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from qa.config import read_yaml
from qa.errors import ConfigError
from qa.judge.criteria import by_sc
from qa.store import write_text_atomic

SECTION = "reviews"
HUMAN_VERDICTS = ("pass", "fail", "not-applicable")
FIELDS = ("sc", "url", "verdict", "note", "reviewer", "date", "fingerprint", "acknowledged")


def site_fingerprint(page_fingerprints: dict[str, str]) -> str:
    text = "\n".join(f"{url} {fp}" for url, fp in sorted(page_fingerprints.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def normalise_verdict(value: Any, aliases: dict[str, str]) -> str | None:
    """A machine value from what a person typed or picked: ``pass``, ``適合``, ``Pass`` ..."""
    text = str(value).strip()
    if text in HUMAN_VERDICTS:
        return text
    return aliases.get(text) or aliases.get(text.lower())


def validate_reviews(data: Any, source: str, aliases: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The reviews in ``data`` (``{reviews: [...]}``), checked; a ConfigError names the entry and the fix."""
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"reviews"}:
        raise ConfigError(f"{source}: expected a mapping with one key 'reviews' holding a list of reviews")
    items = data.get("reviews") or []
    if not isinstance(items, list):
        raise ConfigError(f"{source}: 'reviews' must be a list of reviews")
    out = []
    problems: list[str] = []  # every entry's problem at once, one line each
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(items):
        try:
            review = check_review(item, f"{source}: reviews[{i}]", aliases or {})
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        key = (review["sc"], review["url"])
        if key in seen:
            where = f"on {review['url']}" if review["url"] else "site-wide"
            problems.append(f"{source}: reviews[{i}]: a second review of {review['sc']} {where}; keep one")
        seen.add(key)
        out.append(review)
    if problems:
        raise ConfigError("\n".join(problems))
    return out


def check_review(item: Any, where: str, aliases: dict[str, str]) -> dict[str, Any]:
    """One review, checked and normalised; ``where`` names it in the one-line error."""
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: must be a mapping with sc, verdict, reviewer, date (and url for a page)")
    unknown = set(item) - set(FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}' (valid keys: {', '.join(FIELDS)})")
    sc = str(item.get("sc", "")).strip()
    if sc not in by_sc():
        raise ConfigError(f"{where}: sc '{sc}' is not a WCAG A/AA success criterion (write it like '1.4.3')")
    verdict = normalise_verdict(item.get("verdict", ""), aliases)
    if verdict is None:
        raise ConfigError(
            f"{where}: verdict '{item.get('verdict', '')}' is not a human verdict (use {', '.join(HUMAN_VERDICTS)})"
        )
    date = item.get("date", "")
    if isinstance(date, dt.datetime):
        date = date.date()
    date = date.isoformat() if isinstance(date, dt.date) else str(date or "")
    if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise ConfigError(f"{where}: date '{date}' is not a date (write it as YYYY-MM-DD)")
    acknowledged = item.get("acknowledged") or []
    if isinstance(acknowledged, str):
        acknowledged = [a for a in re.split(r"[\s,]+", acknowledged) if a]
    return {
        "sc": sc,
        "url": str(item.get("url") or ""),
        "verdict": verdict,
        "note": str(item.get("note") or ""),
        "reviewer": str(item.get("reviewer") or ""),
        "date": date,
        "fingerprint": str(item.get("fingerprint") or ""),
        "acknowledged": [str(a) for a in acknowledged],
    }


def load_reviews(path: Path, aliases: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The reviews file; a missing file is no reviews yet (the first run of a project)."""
    if not path.exists():
        return []
    return validate_reviews(read_yaml(path, "reviews file"), str(path), aliases)


def save_reviews(path: Path, reviews: list[dict[str, Any]]) -> None:
    items = []
    for r in sorted(reviews, key=lambda r: (tuple(int(p) for p in r["sc"].split(".")), r["url"])):
        item = {k: r[k] for k in FIELDS if r.get(k) not in ("", None, [])}
        items.append(item)
    header = "# Human verdicts for qa (see docs/reviews.md). Edit by hand or with 'qa review import WORKBOOK'.\n"
    text = yaml.safe_dump({"reviews": items}, allow_unicode=True, sort_keys=False, width=120)
    write_text_atomic(path, header + text)


def merge(existing: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """``new`` replaces reviews of the same criterion and page; returns the merged list and how many changed."""
    by_key = {(r["sc"], r["url"]): r for r in existing}
    changed = 0
    for r in new:
        if by_key.get((r["sc"], r["url"])) != r:
            changed += 1
        by_key[(r["sc"], r["url"])] = r
    return list(by_key.values()), changed


MAX_WORKBOOK_MB = 50  # a checklist of thousands of pages is a few MB; larger is not one of ours
MAX_ROWS = 200_000  # rows read from one checklist sheet (criteria × pages)


def from_workbook(path: Path, aliases: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The human verdicts filled in a checklist workbook: (the workbook's run/profile, reviews).

    Rows with an empty verdict are skipped (they leave any earlier review as it is). The workbook is read as a
    stream (read-only), only the sheets the hidden ``_qa`` sheet names and only their input columns: a large or
    hostile file costs neither memory nor time, and whatever is wrong with it is one line.
    """
    from openpyxl import load_workbook

    if not path.is_file():
        raise ConfigError(f"{path}: no such workbook; give a checklist-*.xlsx from a run folder")
    if path.stat().st_size > MAX_WORKBOOK_MB * 1_000_000:
        raise ConfigError(f"{path}: larger than {MAX_WORKBOOK_MB} MB, not a qa checklist; give a checklist-*.xlsx")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ConfigError(f"{path}: not an Excel workbook ({type(exc).__name__}); give a checklist-*.xlsx") from None
    try:
        return _read_workbook(wb, path, aliases)
    finally:
        wb.close()


def _read_workbook(wb: Any, path: Path, aliases: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    import json

    def damaged(what: str) -> ConfigError:
        return ConfigError(f"{path}: {what}; give a checklist-*.xlsx as qa wrote it (filled in, not restructured)")

    if "_qa" not in wb.sheetnames:
        raise ConfigError(f"{path}: not a qa checklist workbook (no '_qa' sheet); give a checklist-*.xlsx")
    try:
        first_row = next(wb["_qa"].iter_rows(min_row=1, max_row=1, max_col=1, values_only=True), (None,))
        meta = json.loads(first_row[0])
    except (TypeError, ValueError, IndexError):
        meta = None
    if not isinstance(meta, dict):
        raise damaged("its hidden '_qa' sheet is damaged")
    found: list[dict[str, Any]] = []
    for key in ("criteria", "pages"):
        spec = meta.get(key)
        if not spec:
            continue
        spec = spec if isinstance(spec, dict) else {}
        sheet, first, url_col = spec.get("sheet"), spec.get("first_input"), spec.get("url_col")
        if not (
            isinstance(sheet, str)
            and sheet in wb.sheetnames
            and isinstance(first, int)
            and 2 <= first <= 100
            and isinstance(url_col, int)
            and 0 <= url_col <= 100
        ):
            raise damaged(f"its hidden '_qa' sheet names no usable '{key}' sheet")
        ws = wb[sheet]
        width = max(first + 5, url_col, 1)
        rows = ws.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=width, values_only=True)
        for n, row in enumerate(rows, start=2):
            if n > MAX_ROWS + 1:
                raise damaged(f"sheet '{sheet}' has more than {MAX_ROWS} rows")
            cells = list(row) + [None] * (width - len(row))  # a short row: its missing cells are empty
            verdict, note, reviewer, date, fingerprint, acknowledged = cells[first - 1 : first + 5]
            if verdict in (None, ""):
                continue
            item = {
                "sc": cells[0],
                "url": cells[url_col - 1] if url_col else "",
                "verdict": verdict,
                "note": note or "",
                "reviewer": reviewer or "",
                "date": date or "",
                "fingerprint": fingerprint or "",
                "acknowledged": acknowledged or "",
            }
            found.append(check_review(item, f"{path}: sheet '{sheet}' row {n}", aliases))
    return meta, validate_reviews({"reviews": found}, str(path), aliases)  # one verdict per criterion and page
