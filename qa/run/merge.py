"""``qa merge RUN_DIR…``: the run folders of the shards of one run (``qa audit --shard I/N``) combined into the run
folder one machine would have written for the same pages.

What each page's visit recorded is taken as it is (``records.jsonl``, screenshots, crops), and everything computed
over the whole run is computed again over the merged pages, as the audit computes it: the site checks, the
cross-engine comparison, the checks of the site's certificate, headers and well-known paths (a few requests: the
merge job needs the site like the shards), the judgement, the gate and every deliverable. The link check is not
repeated: each shard checked the links of its pages while it crawled; the merge joins their answers (a URL answered
by a browser in any shard counts as such, as in one run) and judges every link again over all pages, so a link to an
anchor on another shard's page is judged against that page.

Shards are checked before anything is written: each must be a finished shard of the same split, page list and
configuration, each part present once. A failed shard is re-run alone (``--shard 2/3`` again) and merged again.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from qa.access import SiteAccess, load_credentials, site_access
from qa.check import PageCheck, RunCheck, RunContext, SiteCheck, load_checks, select_checks
from qa.check._scope import drop_disabled_by_url, scope_notes, scope_section
from qa.check.links import CHECKED, LinkCheck, findings_for, ignore_patterns, summary, unsafe_link_patterns
from qa.check.render_diff import DIFF_FOLDER
from qa.check.sitemap import PlannedSitemap
from qa.config import Config, parse
from qa.discover.shard import config_fingerprint
from qa.errors import EXIT_USAGE, QAError
from qa.judge import inventory, judge_run, reviews, sampling
from qa.judge.gate import GateResult
from qa.judge.groups import groups_section
from qa.judge.publication import PublicationInputs, conclude
from qa.links.collect import FOLDER as LINKS_FOLDER
from qa.links.collect import OCCURRENCES, ids_for
from qa.links.feed import KNOWN
from qa.links.join import judge_occurrence, plan_targets
from qa.model import CheckRun, Finding, Results, RunInfo
from qa.net import make_client
from qa.redact import MASK, redact_url
from qa.report import render_all
from qa.report._crops import FOLDER as CROPS_FOLDER
from qa.report._vocab import verdict_aliases
from qa.run.audit import NOTHING_AUDITED, merge_findings, order_links, run_whole_run_checks, with_unexamined_notes
from qa.run.entry import certificate_finding, check_certificate
from qa.run.resume import resumed_config
from qa.store import (
    COVERAGE,
    FRONTIER,
    RECORDS,
    RESULTS,
    RUN_HEADER,
    SHARD_LIST,
    disk_usage,
    load_results,
    new_run_id,
    read_jsonl,
    read_records,
    resolve_run_dir,
    update_latest,
    write_json_atomic,
)
from qa.urls import normalise, origin

# Notes the whole-run phase writes: written again by the merge, not taken over from the shards.
RECOMPUTED_NOTES = ("check ", NOTHING_AUDITED, "not compared with run")
SHARD_FILES = {RESULTS, RECORDS, RUN_HEADER, COVERAGE, FRONTIER, SHARD_LIST}


class MergeError(QAError):
    """Shards that do not make one run (missing, doubled, of another list or configuration): one line, exit 2."""

    exit_code = EXIT_USAGE


@dataclass
class ShardRun:
    """What the merge needs of a shard's results.json (read one shard at a time, then dropped)."""

    dir: Path
    run: RunInfo
    checks: list[CheckRun]
    extra: dict[str, Any]
    wordpress: dict[str, Any] = field(default_factory=dict)  # url -> page.facts["wordpress"]

    @property
    def label(self) -> str:
        return f"{self.run.shard.get('index')}/{self.run.shard.get('count')}"


@dataclass
class MergeOutcome:
    results: Results
    run_dir: Path
    gate: GateResult
    reports: list[Path]


KEPT_EXTRA = ("matrix", "discovery", "wordpress", "planned_sitemap", "link_check")


def read_shard(path: Path) -> ShardRun:
    if not path.exists():
        raise MergeError(f"{path}: no such folder; give the shards' run folders (or the out folder of each shard)")
    folder = resolve_run_dir(path)
    if not (folder / RUN_HEADER).exists() and (folder / "latest").exists():
        folder = resolve_run_dir(folder / "latest")  # a shard's out folder: its run
    if not (folder / RESULTS).exists():
        what = f"no {RESULTS} (the shard did not finish)"
        header = folder / RUN_HEADER
        shard = ""
        if header.exists():
            try:
                info = json.loads(header.read_text(encoding="utf-8")).get("shard") or {}
                shard = f" --shard {info['index']}/{info['count']}" if info else ""
            except (ValueError, KeyError, AttributeError):
                pass
        raise MergeError(f"{path}: {what}; re-run that shard alone (qa audit …{shard}) and merge again")
    results = load_results(folder)
    if not results.run.shard.get("index"):
        raise MergeError(f"{path}: not a shard (qa audit --shard I/N); give the run folders of the shards")
    if results.run.status != "complete":
        raise MergeError(
            f"{path}: shard {results.run.shard['index']}/{results.run.shard['count']} is {results.run.status}; "
            f"continue it (qa audit --resume {path}) or re-run it alone, then merge again"
        )
    wordpress = {p.url: p.facts["wordpress"] for p in results.pages if "wordpress" in p.facts}
    extra = {k: results.extra[k] for k in KEPT_EXTRA if k in results.extra}
    return ShardRun(folder, results.run, results.checks, extra, wordpress)


def check_shards(shards: list[ShardRun], allow_partial: bool) -> list[int]:
    """The parts missing (allowed with ``allow_partial``); anything else that keeps the shards from being one run
    raises with one line naming it and the fix."""
    first = shards[0]
    count, fingerprint = first.run.shard["count"], first.run.shard["list"]
    config = config_fingerprint(first.run.config, first.run.cells)
    seen: dict[int, ShardRun] = {}
    for shard in shards:
        info = shard.run.shard
        if info["count"] != count:
            raise MergeError(
                f"{shard.dir} is shard {shard.label} but {first.dir} is {first.label}: shards of different splits; "
                "merge the shards of one run"
            )
        if info["list"] != fingerprint:
            raise MergeError(
                f"{shard.dir} audited another page list than {first.dir} ({info['list']} vs {fingerprint}); give "
                "every shard the same --discovered file and re-run the odd one"
            )
        if config_fingerprint(shard.run.config, shard.run.cells) != config:
            raise MergeError(
                f"{shard.dir} ran with other settings or browsers than {first.dir} (qa.yaml, options, browser "
                "matrix); run every shard with the same ones and re-run the odd one"
            )
        if info["index"] in seen:
            raise MergeError(
                f"shard {shard.label} given twice ({seen[info['index']].dir} and {shard.dir}); keep one of them "
                "(the re-run) and merge again"
            )
        seen[info["index"]] = shard
    missing = [i for i in range(1, count + 1) if i not in seen]
    if missing and not allow_partial:
        parts = ", ".join(f"{i}/{count}" for i in missing)
        raise MergeError(
            f"shard(s) {parts} missing; re-run them alone (qa audit … --shard {missing[0]}/{count}) and merge "
            "again, or merge what there is with --allow-partial"
        )
    return missing


def run_config(first: ShardRun, current: Config) -> Config:
    """The shards' configuration (values stored masked come from the current qa.yaml, as for --resume)."""
    data = resumed_config(first.run.config, current.model_dump())
    families = data.pop("families", None)
    config = parse(Config, data, f"{first.dir / RESULTS}")
    if families:
        object.__setattr__(config, "families", families)  # may name single checks, as --only does
    return config


def join_files(shards: list[ShardRun], run_dir: Path) -> list[str]:
    """The shards' records and artifacts in the merged folder, without reading them into memory: records and the
    link check's logs concatenated, screenshots and crops hard-linked (copied across file systems). Returns the
    whole page list in its order."""
    run_dir.mkdir(parents=True)
    whole: list[str] = []
    with open(run_dir / RECORDS, "wb") as records:
        for shard in shards:
            with open(shard.dir / RECORDS, "rb") as src:
                shutil.copyfileobj(src, records)
            if not whole and (shard.dir / SHARD_LIST).exists():
                whole = json.loads((shard.dir / SHARD_LIST).read_text(encoding="utf-8"))
    coverage = shards[0].dir / COVERAGE
    if coverage.exists():
        shutil.copyfile(coverage, run_dir / COVERAGE)
    for shard in shards:
        for root, dirs, files in os.walk(shard.dir):
            rel = Path(root).relative_to(shard.dir)
            if rel in (Path(DIFF_FOLDER), Path(CROPS_FOLDER)):  # made again: the comparison, and by the reports
                dirs.clear()
                continue
            if rel == Path(".") or rel == Path(LINKS_FOLDER):
                continue  # run files are written anew; the link logs are joined below
            (run_dir / rel).mkdir(parents=True, exist_ok=True)
            for name in files:
                target = run_dir / rel / name
                if not target.exists():
                    try:
                        os.link(Path(root) / name, target)
                    except OSError:
                        shutil.copy2(Path(root) / name, target)
    join_link_logs(shards, run_dir / LINKS_FOLDER)
    with open(run_dir / FRONTIER, "w", encoding="utf-8") as frontier:
        for url in whole:
            frontier.write(json.dumps({"url": url, "depth": 0}, ensure_ascii=False) + "\n")
        frontier.write(json.dumps({"seeded": True}) + "\n")
    return whole


def join_link_logs(shards: list[ShardRun], folder: Path) -> None:
    """Occurrences and anchor ids of the pages (each page is in one shard) concatenated; the answers joined, one per
    URL: what a browser loaded in any shard is known, as it is in one run; what no browser loaded, as checked."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (OCCURRENCES, "ids.jsonl"):
        with open(folder / name, "wb") as out:
            for shard in shards:
                path = shard.dir / LINKS_FOLDER / name
                if path.exists():
                    with open(path, "rb") as src:
                        shutil.copyfileobj(src, out)
    known: set[str] = set()
    with open(folder / KNOWN, "w", encoding="utf-8") as out:
        for shard in shards:
            for row in read_jsonl(shard.dir / LINKS_FOLDER / KNOWN):
                if row.get("key") not in known:
                    known.add(row.get("key"))
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(folder / CHECKED, "w", encoding="utf-8") as out:
        for shard in shards:
            for row in read_jsonl(shard.dir / LINKS_FOLDER / CHECKED):
                if row.get("key") not in known:
                    known.add(row.get("key"))
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")


class MergedLinks(LinkCheck):
    """The link check over the shards' answers: every link judged again over the merged pages, nothing requested."""

    def __init__(self, shards: list[ShardRun]) -> None:
        super().__init__()
        self.shard_stats = [s.extra.get("link_check") or {} for s in shards]

    async def run(self, ctx: RunContext) -> list[Finding]:
        cfg = ctx.config.links
        folder = ctx.run_dir / LINKS_FOLDER
        site = origin(ctx.results.run.start_url)
        ignore, unsafe = ignore_patterns(ctx.config), unsafe_link_patterns(ctx.config)
        words = ctx.config.unsafe_links.skip
        plan = plan_targets(read_jsonl(folder / OCCURRENCES), site, cfg.check_external, ignore, unsafe, words)
        rendered = {normalise(p.final_url or p.url) for p in ctx.results.pages if not p.error}
        rendered |= {normalise(p.url) for p in ctx.results.pages if not p.error}
        wanted = {normalise(t.key) for t in plan.targets.values() if t.fragments} & rendered
        ids = ids_for(ctx.run_dir, wanted)
        checked = {row["key"]: row for row in read_jsonl(folder / KNOWN)}
        checked.update((row["key"], row) for row in read_jsonl(folder / CHECKED))
        rows = [
            judge_occurrence(occ, site, cfg.check_external, ignore, checked, ids, unsafe, words)
            for occ in read_jsonl(folder / OCCURRENCES)
        ]
        ctx.results.extra["links"] = rows
        stats = self.shard_stats
        counted = {
            "requested": sum(s.get("requested_urls", 0) for s in stats),
            "known": sum(s.get("known_urls", 0) for s in stats),
            "targets": len(plan.targets),
        }
        # the shards checked side by side: the longest of them is how long the link check took
        timing = {
            "after_crawl": max((s.get("seconds", 0.0) for s in stats), default=0.0),
            "total": max((s.get("seconds_total", 0.0) for s in stats), default=0.0),
        }
        ctx.results.extra["link_check"] = summary(rows, counted, len(checked), timing, cfg)
        return findings_for(rows, ctx.results.run.cells)


def merged_run(shards: list[ShardRun], missing: list[int]) -> RunInfo:
    first = shards[0]
    started = datetime.now().astimezone()
    notes: list[str] = []
    for shard in shards:
        notes += [n for n in shard.run.notes if not n.startswith(RECOMPUTED_NOTES) and n not in notes]
    engines = dict(first.run.engines)
    restarts: dict[str, int] = {}
    for shard in shards:
        for name, n in (shard.run.engines.get("restarts") or {}).items():
            restarts[name] = restarts.get(name, 0) + n
    engines.pop("restarts", None)
    if restarts:
        engines["restarts"] = restarts
    count = first.run.shard["count"]
    run = RunInfo(
        id=new_run_id(started),
        started=min(s.run.started for s in shards),
        start_url=first.run.start_url,
        tool=dict(first.run.tool),
        engines=engines,
        config=first.run.config,
        cells=list(first.run.cells),
        notes=notes,
        resumed=[r for s in shards for r in s.run.resumed],
        interruptions=sum(s.run.interruptions for s in shards),
        shard={
            "count": count,
            "list": first.run.shard["list"],
            "merged": [s.run.id for s in shards],
            "missing": [f"{i}/{count}" for i in missing],
        },
    )
    if missing:
        run.notes.append(
            f"PARTIAL: merged without shard(s) {', '.join(run.shard['missing'])} of {count}; their pages are not in "
            "these results. Re-run them (qa audit … --shard I/N) and merge again"
        )
    return run


def page_check_records(shards: list[ShardRun], page_ids: set[str]) -> list[CheckRun]:
    """Each page check where it ran: the shards' counts added up (each page is in one shard)."""
    records: dict[str, CheckRun] = {}
    for shard in shards:
        for record in shard.checks:
            if record.id not in page_ids:
                continue
            kept = records.setdefault(record.id, CheckRun(record.id, record.title, dict(record.criteria)))
            kept.pages += record.pages
            kept.errors += record.errors
    return list(records.values())


def merge_runs(
    run_dirs: list[Path],
    out: Path,
    current: Config,
    publication: PublicationInputs,
    compare: Path | None = None,
    allow_partial: bool = False,
) -> MergeOutcome:
    shards = sorted((read_shard(p) for p in run_dirs), key=lambda s: s.run.shard["index"])
    missing = check_shards(shards, allow_partial)
    config = run_config(shards[0], current)
    run = merged_run(shards, missing)
    run_dir = out / run.id
    whole = join_files(shards, run_dir)
    write_json_atomic(run_dir / RUN_HEADER, Results(run=run).to_dict()["run"])

    pages, findings = read_records(run_dir)
    position = {redact_url(url): i for i, url in enumerate(whole)}
    results = Results(run=run, pages=pages, findings=merge_findings(findings, run.cells, position))
    results.pages.sort(key=lambda p: (position.get(p.url, len(position)), p.browser, p.viewport))
    first = shards[0]
    for key in ("matrix", "discovery"):
        if key in first.extra:
            results.extra[key] = first.extra[key]
    annotate_wordpress(results, shards)

    loaded = load_checks(Path(config.checks_dir))
    enabled = [c.id for c in loaded if c.id in config.rules.enable]  # as the audit selects them (qa.run.audit)
    checks = [c for c in select_checks(loaded, [*config.families, *enabled]) if c.id not in config.rules.disable]
    page_ids = {c.id for c in checks if isinstance(c, PageCheck)}
    results.checks = page_check_records(shards, page_ids)
    asyncio.run(whole_run(results, run_dir, config, checks, shards, compare))
    # What the settings left out, over every shard's pages, as one run records it (qa.run.audit)
    suppressed: dict[str, int] = {}
    results.findings = drop_disabled_by_url(config, results.findings, suppressed)
    results.extra["scope"] = scope_section(config, checks, results.pages, suppressed)
    run.notes += [n for n in scope_notes(results.extra["scope"]) if n not in run.notes]
    run.notes = with_unexamined_notes(run.notes, results.pages)

    run.finished = datetime.now().astimezone().isoformat(timespec="seconds")
    run.status = "partial" if missing else "complete"
    if not any(not p.error for p in results.pages):
        run.notes.append(NOTHING_AUDITED)
    human = reviews.load_reviews(Path(config.reviews_file), verdict_aliases(config.model_dump()))
    inventory.apply(results)
    results.extra[sampling.SECTION] = sampling.select(results, config.model_dump())
    results.extra[reviews.SECTION] = {"source": config.reviews_file, "items": human}
    results.extra["groups"] = groups_section(results)
    conclude(results, publication)
    gate = judge_run(results, config.model_dump(), publication.settings, run_dir)
    results.run.disk_bytes = disk_usage(run_dir)
    write_json_atomic(run_dir / RESULTS, results.to_dict())
    reports = render_all(results, run_dir)
    update_latest(run_dir)
    return MergeOutcome(results, run_dir, gate, reports)


def annotate_wordpress(results: Results, shards: list[ShardRun]) -> None:
    """What WordPress said about each page (its shard recorded it), and the run's WordPress summary with the
    previews audited counted over every shard."""
    facts: dict[str, Any] = {}
    for shard in shards:
        facts.update(shard.wordpress)
    for page in results.pages:
        if page.url in facts:
            page.facts["wordpress"] = dict(facts[page.url])
    section = shards[0].extra.get("wordpress")
    if section:
        audited = {p.url for p in results.pages if not p.error}
        previews = sum(1 for url, info in facts.items() if info.get("preview") and url in audited)
        results.extra["wordpress"] = {**section, "unpublished": {**section["unpublished"], "audited": previews}}


async def whole_run(
    results: Results,
    run_dir: Path,
    config: Config,
    checks: list,
    shards: list[ShardRun],
    compare: Path | None,
) -> None:
    """The site's certificate, then the site checks and the run checks over the merged results, as the audit runs
    them (the link check joined from the shards, the planned sitemap as the shards read it)."""
    start_url = results.run.start_url
    never = config.model_copy(update={"exclude": config.exclude + list(shards[0].run.shard.get("exclude") or [])})
    creds = load_credentials(config)
    access = site_access(creds, SiteAccess(), start_url, config) if MASK not in start_url else SiteAccess()
    cert = await check_certificate(start_url, access, config.timeouts.navigation)
    if cert and cert.problem:
        results.findings.append(certificate_finding(cert))
    run_checks: list[RunCheck] = []
    for check in checks:
        if not isinstance(check, RunCheck) or not check.enabled(config):
            continue
        if isinstance(check, LinkCheck):
            check = MergedLinks(shards)
        elif isinstance(check, PlannedSitemap):
            check.plan = shards[0].extra.get("planned_sitemap")
        run_checks.append(check)
    site_checks = [c for c in checks if isinstance(c, SiteCheck)]
    async with make_client(config.timeouts.navigation, access) as client:
        ctx = RunContext(results, run_dir, never, client, access, compare=compare)
        await run_whole_run_checks(results, site_checks + run_checks, ctx, checks)
    order_links(results, {p.url: i for i, p in enumerate(results.pages)})
