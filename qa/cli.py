"""The ``qa`` command. Errors are one line naming the problem and the fix; ``--debug`` shows tracebacks.

Exit codes: 0 finished and the gate passed; 1 finished and the gate failed; 2 bad usage or configuration;
3 the site could not be audited (unreachable, no browser); 4 interrupted (Ctrl-C/SIGTERM: the pages finished are
kept, the reports say partial, ``qa audit --resume RUN_DIR`` continues); 5 an internal error (a bug).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from qa.errors import (
    EXIT_GATE_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SITE,
    EXIT_USAGE,
    QAError,
    UsageError,
)
from qa.redact import redact_text

if TYPE_CHECKING:
    from qa.config import Config
    from qa.judge.gate import GateResult
    from qa.model import Results
    from qa.run.serve import Served

# A folder that cannot take the run (full disk, quota, read-only): the user's to fix, not a bug.
UNWRITABLE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as for every other usage error
        raise UsageError(
            f"{message} (see 'qa {self.prog.split()[-1]} --help')"
            if " " in self.prog
            else f"{message} (see 'qa --help')"
        )


AUDIT_EPILOG = """\
examples:
  qa audit                                        the built-in demo site
  qa audit https://example.jp/                    crawl a site in every browser and viewport
  qa audit https://example.jp/ --browser chromium --viewport desktop --max-pages 50
  qa audit --urls urls.txt --only a11y            exactly these pages, accessibility checks only
  qa audit https://example.jp/ --fail-on a11y-violations,broken-links --max needs-review=20
  qa audit --resume reports_out/latest            continue an interrupted run
  qa audit ./dist                                 serve a built folder on loopback and audit it (or --serve DIR)
  qa audit http://127.0.0.1:3000/ --start-command "npm run start" --start-timeout 120
                                                  start your own server, wait for the URL, audit, stop it

exit codes:
  0  finished and the gate passed
  1  finished and the gate failed
  2  bad usage or configuration
  3  the site could not be audited (unreachable, no browser, the start command failed)
  4  interrupted (the pages finished are kept; continue with --resume)
  5  an internal error (a bug; re-run with --debug and report it)
"""

ACCEPT_EPILOG = """\
examples:
  qa accept reports_out/latest                    draft accepted.yaml from the last run (fill in owner, reason,
                                                  expires: the gate refuses the TODO placeholders)
  qa accept reports_out/latest --owner "Web team (Tanaka)" --reason "legacy CMS template; redesign 2027" --days 180
  qa accept reports_out/latest --merge            add the run's new findings to the existing accepted.yaml
  qa gate reports_out/latest --accepted accepted.yaml    the same run, gated with the file

Each entry matches by rule, page path and selector (positions removed), not by finding id.
"""


ANNOTATIONS_HELP = (
    "print GitHub Actions annotations (::error ...) of the findings (default: on when GITHUB_ACTIONS=true); "
    "$GITHUB_STEP_SUMMARY, when set, gets the run's summary"
)


def version() -> str:
    """The installed distribution's version; the package's own when run from a source tree that is not installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    import qa

    try:
        return dist_version("qa-suite")
    except PackageNotFoundError:
        return qa.__version__


def concurrency(value: str) -> int | str:
    """As in qa.yaml: a number of pages in flight per browser, or auto."""
    if value == "auto":
        return value
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number or auto") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1, or auto")
    return number


def matrix_names() -> tuple[str, str]:
    """The browser and viewport names of the shipped browsers.yaml, for --help; empty if it cannot be read."""
    from qa.visit.matrix import load_matrix

    try:
        matrix = load_matrix(default_browsers_file())
    except QAError:
        return "", ""
    return ", ".join(b.name for b in matrix.browsers), ", ".join(v.name for v in matrix.viewports)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qa", description="Website QA and accessibility verification.")
    parser.add_argument("--version", action="version", version=f"qa-suite {version()}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (accepted anywhere on the line)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    browser_names, viewport_names = matrix_names()

    audit = sub.add_parser(
        "audit",
        help="audit a site (the built-in demo site when no URL is given)",
        epilog=AUDIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit.add_argument("url", nargs="?", help="start URL; omit to audit the built-in demo site")
    audit.add_argument("--urls", type=Path, help="audit exactly the URLs listed in this file (no crawling)")
    audit.add_argument("--config", type=Path, help="project configuration (default: ./qa.yaml if present)")
    audit.add_argument("--browsers", type=Path, help="browser matrix (default: browsers.yaml)")
    audit.add_argument(
        "--browser",
        action="append",
        default=[],
        metavar="NAME",
        help=f"only this browser (repeatable; default browsers.yaml has: {browser_names})",
    )
    audit.add_argument(
        "--viewport",
        action="append",
        default=[],
        metavar="NAME",
        help=f"only this viewport (repeatable; default browsers.yaml has: {viewport_names})",
    )
    audit.add_argument("--out", type=Path, help="folder for run folders (default: reports_out)")
    audit.add_argument("--max-pages", type=int, help="audit at most this many pages")
    audit.add_argument("--include", action="append", default=[], metavar="REGEX", help="only URLs matching")
    audit.add_argument("--exclude", action="append", default=[], metavar="REGEX", help="skip URLs matching")
    audit.add_argument("--concurrency", type=concurrency, help="pages in flight per browser, or auto")
    audit.add_argument("--quiet", action="store_true", help="no progress output")
    audit.add_argument("--profile", action="append", default=[], metavar="NAME", help="jis2016, wcag21 or wcag22")
    audit.add_argument("--level", choices=["A", "AA"], help="target conformance level")
    audit.add_argument("--lang", choices=["ja", "en"], help="language of the deliverables")
    audit.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="FAMILY",
        help="run only these check families: a11y, links, "
        "browsers, ops, or single checks by id (repeat or comma-separate; default: all, or 'families' in qa.yaml)",
    )
    audit.add_argument(
        "--fail-on",
        metavar="LIST",
        help="outcomes that fail the gate, comma-separated: a11y-violations, "
        "best-practice, needs-review, broken-links, js-errors, http-errors (default: a11y-violations)",
    )
    audit.add_argument(
        "--max",
        action="append",
        default=[],
        metavar="NAME=N",
        help="allow up to N of an outcome, rule id or "
        "criterion before the gate fails, e.g. --max needs-review=20 --max color-contrast=3",
    )
    audit.add_argument("--accepted", type=Path, help="accepted-issues file (default: accepted.yaml if present)")
    audit.add_argument(
        "--compare",
        type=Path,
        metavar="RUN",
        help="the previous run folder to compare with (default: the out folder's latest run)",
    )
    audit.add_argument(
        "--own-host", action="append", default=[], metavar="HOST", help="a host you own: links to it are checked fast"
    )
    audit.add_argument("--no-external-links", action="store_true", help="do not check links to other sites")
    audit.add_argument("--planned-sitemap", type=Path, metavar="FILE", help="planned sitemap (CSV/xlsx) to compare")
    audit.add_argument("--annotations", action="store_true", help=ANNOTATIONS_HELP)
    audit.set_defaults(local_folder=None)
    audit.add_argument(
        "--serve",
        type=Path,
        metavar="DIR",
        help="serve this static folder (a site's build) on 127.0.0.1 for the run and audit it; 'qa audit DIR' does too",
    )
    audit.add_argument(
        "--start-command",
        metavar="CMD",
        help="start your own server with this shell command, wait until the URL answers, audit, then stop it",
    )
    audit.add_argument("--start-url", metavar="URL", help="with --start-command: the URL to wait for and audit")
    audit.add_argument(
        "--start-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="with --start-command: how long to wait for the URL (default: 60)",
    )
    audit.add_argument(
        "--reuse-server",
        action="store_true",
        help="with --start-command: when the URL already answers, audit that server instead of stopping with an error",
    )
    audit.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header for the site's origins only (repeatable); write a secret as ${VARIABLE}",
    )
    audit.add_argument(
        "--storage-state",
        type=Path,
        metavar="FILE",
        help="a Playwright storage-state file (cookies, localStorage) to start logged in (access.storage_state)",
    )

    gate = sub.add_parser("gate", help="evaluate the publication gate of a finished run again (exit 0 or 1)")
    gate.add_argument("run_dir", type=Path, help="a run folder, e.g. reports_out/latest")
    gate.add_argument("--config", type=Path, help="take the gate settings from this qa.yaml")
    gate.add_argument("--fail-on", metavar="LIST", help="outcomes that fail the gate (as for qa audit)")
    gate.add_argument("--max", action="append", default=[], metavar="NAME=N", help="allowed counts (as for qa audit)")
    gate.add_argument("--accepted", type=Path, help="apply this accepted-issues file instead of the run's")
    gate.add_argument("--annotations", action="store_true", help=ANNOTATIONS_HELP)

    diff = sub.add_parser("diff", help="compare two runs: new, fixed and unchanged findings")
    diff.add_argument("run_a", type=Path, help="the earlier run folder")
    diff.add_argument("run_b", type=Path, help="the later run folder")

    ops = sub.add_parser("ops", help="the operation-check sheet (検証完了チェックシート)")
    ops.set_defaults(group=ops)
    ops_sub = ops.add_subparsers(dest="ops_command", parser_class=_Parser)
    ops_import = ops_sub.add_parser("import", help="take the manual results from a filled sheet or YAML checklist")
    ops_import.add_argument("file", type=Path, help="the filled operation-check.xlsx, or an operation-checks.yaml")
    ops_import.add_argument("run_dir", type=Path, nargs="?", help="the run to update (default: the file's folder)")
    audit.add_argument(
        "--resume",
        type=Path,
        metavar="RUN_DIR",
        help="continue this interrupted run (its settings are reused; finished pages are not visited again)",
    )

    report = sub.add_parser("report", help="rebuild every deliverable of a run from its results.json")
    report.add_argument("run_dir", type=Path, help="a run folder, e.g. reports_out/latest")
    report.add_argument("--lang", choices=["ja", "en"], help="language of the deliverables (default: the run's)")
    report.add_argument(
        "--rejudge",
        action="store_true",
        help="run the site-level checks again over the stored results first (new rules, the current qa.yaml)",
    )
    report.add_argument("--config", type=Path, help="with --rejudge: the qa.yaml to take settings from")

    review = sub.add_parser("review", help="human verdicts: import them from a filled-in checklist workbook")
    review.set_defaults(group=review)
    review_sub = review.add_subparsers(dest="review_command", parser_class=_Parser)
    imp = review_sub.add_parser("import", help="merge a workbook's human verdicts into the reviews file")
    imp.add_argument("workbook", type=Path, help="a checklist-*.xlsx with the human verdict columns filled in")
    imp.add_argument("--config", type=Path, help="project configuration (default: ./qa.yaml if present)")
    imp.add_argument("--reviews", type=Path, help="the reviews file (default: reviews_file in qa.yaml)")
    imp.add_argument("--run", type=Path, help="also apply them to this run folder (default: the workbook's)")

    accept = sub.add_parser(
        "accept",
        help="draft an accepted-issues file (accepted.yaml) from a run's findings: a baseline only new problems fail",
        epilog=ACCEPT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    accept.add_argument("run_dir", type=Path, help="a run folder, e.g. reports_out/latest")
    accept.add_argument("--out", type=Path, help="the file to write (default: gate.accepted in qa.yaml, accepted.yaml)")
    accept.add_argument("--config", type=Path, help="project configuration (default: ./qa.yaml if present)")
    accept.add_argument("--needs-review", action="store_true", help="also accept the findings that need review")
    accept.add_argument("--owner", help="fill in every entry's owner (default: a TODO placeholder)")
    accept.add_argument("--reason", help="fill in every entry's reason (default: a TODO placeholder)")
    expiry = accept.add_mutually_exclusive_group()
    expiry.add_argument("--expires", metavar="DATE", help="every entry expires on this date (2027-03-31)")
    expiry.add_argument("--days", type=int, metavar="N", help="every entry expires N days from today")
    accept.add_argument("--force", action="store_true", help="replace the file if it exists")
    accept.add_argument("--merge", action="store_true", help="add the findings the file does not list yet to it")

    doctor = sub.add_parser(
        "doctor",
        help="what each browser of the matrix, the rule engines and LinkChecker will run on, and how to fix what is "
        "missing (exit 0 when the matrix has everything it needs, else 1)",
    )
    doctor.add_argument("--config", type=Path, help="project configuration (default: ./qa.yaml if present)")
    doctor.add_argument("--browsers", type=Path, help="browser matrix (default: browsers.yaml)")

    init = sub.add_parser(
        "init",
        help="write a commented starter qa.yaml (and with --browsers a browsers.yaml) into the current folder",
        epilog="example: qa init https://staging.example.jp/ --browsers",
    )
    init.add_argument("url", nargs="?", help="the site's start URL (start_url); omit to fill it in later")
    init.add_argument("--browsers", action="store_true", help="also write the default browsers.yaml to edit")
    init.add_argument("--force", action="store_true", help="replace files that already exist")

    login = sub.add_parser(
        "login",
        help="log in once by the steps.once_per_session of qa.yaml and save the session as a storage-state file",
        epilog="example: QA_SITE_PASSWORD=… qa login https://staging.example.jp/ --save-storage state.json; "
        "then: qa audit https://staging.example.jp/ --storage-state state.json",
    )
    login.add_argument("url", help="the site's address (the steps' goto paths are relative to it)")
    login.add_argument(
        "--save-storage", type=Path, required=True, metavar="FILE", help="the storage-state file to write"
    )
    login.add_argument("--config", type=Path, help="project configuration (default: ./qa.yaml if present)")

    setup = sub.add_parser(
        "setup",
        help="make every browser of the matrix available (Playwright's download, else the system packages) and "
        "install the rule engines (npm); exit 3 when a browser is still missing",
        epilog="examples:\n  qa setup --dry-run                  what it would install, changing nothing\n"
        "  qa setup --browsers browsers.yaml   this matrix's engines\n"
        "  qa setup --browser chromium         one engine (a CI job that audits in Chromium only)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    setup.add_argument("--dry-run", action="store_true", help="print what it would do and change nothing")
    setup.add_argument("--config", type=Path, help="project configuration (default: ./qa.yaml if present)")
    setup.add_argument("--browsers", type=Path, help="browser matrix (default: browsers.yaml)")
    setup.add_argument(
        "--browser",
        action="append",
        default=[],
        metavar="NAME",
        help="only this browser of the matrix (repeatable; default: qa.yaml's browsers, else all of them)",
    )
    add_shard_commands(sub, audit)
    return parser


def cmd_login(args: argparse.Namespace) -> int:
    from qa.config import load_project_config
    from qa.run.login_state import save_storage_state

    config = load_project_config(args.config)
    cookies, entries = asyncio.run(save_storage_state(config, args.url, args.save_storage))
    print(
        f"saved:    {args.save_storage} ({cookies} cookie(s), {entries} localStorage entry(ies); readable by you only)"
    )
    print(f"use it:   qa audit {args.url} --storage-state {args.save_storage}")
    return 0


def add_shard_commands(sub: argparse._SubParsersAction, audit: argparse.ArgumentParser) -> None:
    """``qa discover``, ``qa merge`` and the sharding options of ``qa audit`` (docs/sharding.md)."""
    audit.add_argument(
        "--discovered",
        type=Path,
        metavar="FILE",
        help="audit the page list 'qa discover' wrote (no discovery, no link-following)",
    )
    audit.add_argument(
        "--shard",
        metavar="I/N",
        help="audit only part I of N of the page list (with --discovered or --urls); combine them with 'qa merge'",
    )
    discover = sub.add_parser(
        "discover",
        help="find the pages to audit once (start URL, WordPress, sitemaps, links) and write them to a file",
        epilog="example: qa discover https://staging.example.jp/ --out pages.json; "
        "then in each of 4 jobs: qa audit --discovered pages.json --shard 1/4",
    )
    discover.add_argument("url", nargs="?", help="start URL (default: start_url of qa.yaml)")
    discover.add_argument("--out", type=Path, default=Path("pages.json"), help="the file to write (pages.json)")
    discover.add_argument("--config", type=Path, help="project configuration (default: ./qa.yaml if present)")
    discover.add_argument("--max-pages", type=int, help="list at most this many pages")
    discover.add_argument("--include", action="append", default=[], metavar="REGEX", help="only URLs matching")
    discover.add_argument("--exclude", action="append", default=[], metavar="REGEX", help="skip URLs matching")
    merge = sub.add_parser(
        "merge",
        help="combine the run folders of the shards of one run (qa audit --shard I/N) into one run folder",
        epilog="example: qa merge shards/*/ --out reports_out (exit 2 when a shard is missing, doubled or of "
        "another page list or configuration)",
    )
    merge.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR", help="the shards' run folders")
    merge.add_argument("--out", type=Path, help="folder for the merged run folder (default: out of qa.yaml)")
    merge.add_argument("--config", type=Path, help="project configuration (default: ./qa.yaml if present)")
    merge.add_argument(
        "--allow-partial",
        action="store_true",
        help="merge even when shards are missing; the merged run is marked partial and names them",
    )
    merge.add_argument("--fail-on", metavar="LIST", help="outcomes that fail the gate (as for qa audit)")
    merge.add_argument("--max", action="append", default=[], metavar="NAME=N", help="allowed counts (as for qa audit)")
    merge.add_argument("--accepted", type=Path, help="accepted-issues file (default: accepted.yaml if present)")
    merge.add_argument("--compare", type=Path, metavar="RUN_DIR", help="the previous run folder to compare with")
    merge.add_argument("--annotations", action="store_true", help=ANNOTATIONS_HELP)


def cmd_discover(args: argparse.Namespace) -> int:
    from qa.config import load_project_config
    from qa.run.discovery import discover

    config = load_project_config(args.config)
    if args.max_pages is not None:
        if args.max_pages < 1:
            raise UsageError("--max-pages must be at least 1")
        config.max_pages = args.max_pages
    config.include = config.include + args.include
    config.exclude = config.exclude + args.exclude
    start_url = args.url or config.start_url
    if not start_url:
        raise UsageError("qa discover needs the site: give its start URL, or start_url in qa.yaml")
    found = asyncio.run(discover(config, start_url))
    found.write(args.out)
    sources: dict[str, int] = {}
    for entry in found.urls:
        sources[entry["source"]] = sources.get(entry["source"], 0) + 1
    how = ", ".join(f"{n} {source}" for source, n in sources.items())
    print(f"discovered: {len(found.urls)} page(s) ({how}) -> {args.out}")
    return EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    from qa.config import load_project_config
    from qa.judge.gate import format_block
    from qa.judge.publication import prepare
    from qa.run.merge import merge_runs

    config = load_project_config(args.config)
    out = args.out or Path(config.out)
    compare, previous = previous_run(args.compare, out)
    publication = prepare(config, gate_settings(args, config), args.accepted, previous, args.compare is not None)
    outcome = merge_runs(args.run_dirs, out, config, publication, compare, args.allow_partial)
    results = outcome.results
    print(f"run:      {outcome.run_dir}  ({results.run.status}, merged from {len(args.run_dirs)} shard(s))")
    print(f"visits:   {len(results.pages)} across {len(results.run.cells)} cell(s)")
    for path in outcome.reports:
        print(f"report:   {path}")
    print(format_block(outcome.gate))
    ci_outputs(results, outcome.gate, outcome.run_dir, args.annotations)
    if results.run.status != "complete":
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome.gate.passed else EXIT_GATE_FAILED


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    argv = [arg for arg in argv if arg != "--debug"]  # anywhere on the line, before or after the subcommand
    if not debug:
        # After a failed save (disk full) openpyxl's half-written sheets report "Exception ignored" as they are
        # collected: noise after the one-line error that says what happened.
        sys.unraisablehook = lambda unraisable: None
    try:
        args = build_parser().parse_args(argv)
        if args.command == "audit":
            return cmd_audit(args)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "diff":
            return cmd_diff(args)
        if args.command == "gate":
            return cmd_gate(args)
        if args.command == "ops" and args.ops_command == "import":
            return cmd_ops_import(args)
        if args.command == "doctor":
            return cmd_doctor(args)
        if args.command == "accept":
            return cmd_accept(args)
        if args.command == "init":
            return cmd_init(args)
        if args.command == "setup":
            return cmd_setup(args)
        if args.command == "login":
            return cmd_login(args)
        if args.command == "discover":
            return cmd_discover(args)
        if args.command == "merge":
            return cmd_merge(args)
        if args.command == "review" and args.review_command == "import":
            return cmd_review_import(args)
        group = getattr(args, "group", None)
        if group is not None:  # `qa ops`, `qa review`: the group's own help, then what is missing
            group.print_help(sys.stderr)
            print(f"qa: error: '{group.prog}' needs a subcommand; see above", file=sys.stderr)
            return EXIT_USAGE
        build_parser().print_help()
        return EXIT_USAGE
    except QAError as exc:
        if debug:
            _print_traceback()
        for line in redact_text(str(exc)).splitlines():  # a configuration file: every problem, one line each
            print(f"qa: error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: still one line (redacted), the traceback only with --debug
        if debug:
            _print_traceback()
        if isinstance(exc, OSError) and exc.errno in UNWRITABLE:
            where = f" {exc.filename}" if exc.filename else ""
            print(
                f"qa: error: cannot write{redact_text(where)} ({exc.strerror}); free disk space or make the folder "
                "writable",
                file=sys.stderr,
            )
            return EXIT_USAGE
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"qa: internal error: {type(exc).__name__}: {redact_text(first)[:300]} "
            "(re-run with --debug for the traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _print_traceback() -> None:
    """Tracebacks carry URLs, headers and configuration values: redacted like everything else."""
    import traceback

    print(redact_text(traceback.format_exc()), file=sys.stderr, end="")


def cmd_audit(args: argparse.Namespace) -> int:
    import re

    from qa.config import load_project_config
    from qa.demo.server import DEMO_NOTE, serve
    from qa.discover.seeds import read_url_list
    from qa.judge.gate import format_block
    from qa.judge.publication import prepare
    from qa.progress import Progress
    from qa.run.audit import AuditOptions, run_audit
    from qa.visit.matrix import load_matrix, select

    config = load_project_config(args.config)
    # Named with --browser or qa.yaml's browsers: (before --resume fills them in): these must start, others may be
    # skipped when they cannot.
    named_browsers = tuple(args.browser or config.browsers)
    header = None
    demo_port = 0  # a resumed demo run's: its pages were recorded under that port
    if args.resume:
        from qa.config import Config, parse
        from qa.run.resume import read_header, resumed_config
        from qa.store import RUN_HEADER, resolve_run_dir

        args.resume = resolve_run_dir(args.resume).resolve()
        header = read_header(args.resume)
        merged = resumed_config(header.config, config.model_dump())
        args.only = args.only or merged.pop("families", None) or []  # it may name single checks, as --only does
        config = parse(Config, merged, str(args.resume / RUN_HEADER))
        if not args.url and DEMO_NOTE in header.notes:
            demo_port = urlsplit(header.start_url).port or 0  # served again below, where it was
        else:
            args.url = args.url or header.start_url
        args.browser = args.browser or list(dict.fromkeys(c.split("/")[0] for c in header.cells))
        args.viewport = args.viewport or list(dict.fromkeys(c.split("/")[1] for c in header.cells))
        if args.url and "***" in args.url:
            raise UsageError(
                "--resume: the start URL of that run had credentials; give it again: qa audit URL --resume"
            )
    for key in ("max_pages", "concurrency"):
        value = getattr(args, key)
        if value is not None:
            if value != "auto" and value < 1:
                raise UsageError(f"--{key.replace('_', '-')} must be at least 1")
            setattr(config, key, value)
    for key in ("include", "exclude"):
        for pattern in getattr(args, key):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise UsageError(f"--{key} '{pattern}': not a valid regular expression ({exc})") from None
        setattr(config, key, getattr(config, key) + getattr(args, key))
    apply_conformance_args(config, args)
    config.links.own_hosts = config.links.own_hosts + [h.lower() for h in args.own_host]
    if args.no_external_links:
        config.links.check_external = False
    if args.planned_sitemap:
        config.sitemap.planned = str(args.planned_sitemap)
    if args.storage_state:
        config.access.storage_state = str(args.storage_state)
    from qa.access import SiteAccess, parse_header_arg

    cli_access = SiteAccess(headers=dict(parse_header_arg(h) for h in args.header))  # never into the run's config
    if config.sitemap.planned:
        from qa.discover.planned import read_planned

        read_planned(Path(config.sitemap.planned))  # a bad plan stops here, before any crawling
    browsers_file = matrix_file(args.browsers, config)
    matrix = select(
        load_matrix(browsers_file),
        args.browser or config.browsers,
        args.viewport or config.viewports,
        str(browsers_file),
    )
    url_list = read_url_list(args.urls) if args.urls else None
    if not url_list and config.urls_file:
        url_list = read_url_list(Path(config.urls_file))
    discovered, shard = shard_args(args, url_list)
    if discovered:
        url_list = discovered.url_list
        args.url = args.url or discovered.start_url
    out = args.resume.parent if args.resume else args.out or Path(config.out)
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"{out}: is a file, not a folder for the run folders; give a folder with --out (or out: in qa.yaml)"
        )
    checks_dir = Path(config.checks_dir)
    select_families(args.only, config)
    compare, previous = previous_run(args.compare, out)
    if args.resume and compare == args.resume:
        compare, previous = None, None  # the interrupted run itself is not an earlier run to compare with
    publication = prepare(config, gate_settings(args, config), args.accepted, previous, args.compare is not None)

    with ExitStack() as stack:
        served = local_site(args, stack)
        if served:
            args.url = served.url
            if not args.start_command:
                config.links.own_hosts.append(served.url.split("/")[2])  # our own server: no need to be polite
        start_url = args.url or config.start_url
        notes = served.notes if served else []
        if not start_url and not url_list:
            try:
                start_url = stack.enter_context(serve(port=demo_port))
            except OSError as exc:
                raise UsageError(
                    f"--resume: the demo site cannot be served again on port {demo_port}, where its pages were "
                    f"recorded ({exc.strerror}); stop what uses that port, or start a new run"
                ) from None
            config.links.own_hosts.append(start_url.split("/")[2])  # our own server: no need to be polite
            notes = [*notes, DEMO_NOTE]
            print(f"qa: auditing the built-in demo site at {start_url}", file=sys.stderr)
        opts = AuditOptions(
            config=config,
            matrix=matrix,
            out=out,
            start_url=start_url,
            url_list=url_list,
            checks_dir=checks_dir,
            progress=Progress(quiet=args.quiet),
            compare=compare,
            publication=publication,
            resume=args.resume,
            required_browsers=named_browsers,
            notes=notes,
            config_file=str(args.config or "qa.yaml"),
            access=cli_access,
            discovered=discovered,
            shard=shard,
        )
        outcome = asyncio.run(run_audit(opts))

    results = outcome.results
    violations = sum(1 for f in results.findings if f.outcome == "violation" and f.sc)
    review = sum(1 for f in results.findings if f.outcome == "needs-review")
    errors = sum(1 for p in results.pages if p.error)
    print(f"run:      {outcome.run_dir}  ({results.run.status})")
    print(f"visits:   {len(results.pages)} ({errors} not audited) across {len(results.run.cells)} cell(s)")
    print(f"findings: {violations} WCAG violation(s), {review} needing review")
    print_sample(results)
    for line in outcome.conformance:
        print(line)
    if "link_check" in results.extra:
        lc = results.extra["link_check"]
        print(
            f"links:    {lc['links']} checked ({lc['unique_urls']} unique URLs): {lc['counts']['broken']} broken "
            f"({lc['broken_internal']} internal), {lc['counts']['warning']} warning(s), "
            f"{lc['counts'].get('info', 0)} redirect(s) to update"
        )
    for path in outcome.reports:
        print(f"report:   {path}")
    diff = results.extra.get("diff")
    if diff:
        fd = diff["findings"]
        print(
            f"diff:     {len(fd['new'])} new, {len(fd['fixed'])} fixed, {len(fd['unchanged'])} unchanged "
            f"since {diff['against']['run']}"
        )
    if results.run.status != "complete":
        again = f"{args.local_folder} " if args.local_folder else ""  # a served folder is given again, not its URL
        print(f"stopped:  the run was interrupted; continue it with: qa audit {again}--resume {outcome.run_dir}")
        return EXIT_INTERRUPTED
    if not outcome.audited:
        problem = next((p.error for p in results.pages if p.error), "") or "no page was found to audit"
        print(
            f"qa: error: no page could be audited ({redact_text(problem)[:200]}); check the URL and that the site "
            f"answers, the reports in {outcome.run_dir} say so",
            file=sys.stderr,
        )
        return EXIT_SITE
    print(format_block(outcome.gate))
    ci_outputs(results, outcome.gate, outcome.run_dir, args.annotations)
    return EXIT_OK if outcome.gate.passed else EXIT_GATE_FAILED


def local_site(args: argparse.Namespace, stack: ExitStack) -> Served | None:
    """A static folder (``qa audit ./dist``, ``--serve DIR``) served here, or the user's server started by
    ``--start-command``: running for as long as ``stack`` is open."""
    import re

    from qa.run.serve import serve_folder, start_command

    is_url = bool(args.url and re.match(r"(?i)https?://", args.url))
    folder = args.serve
    if args.url and not is_url and (Path(args.url).is_dir() or args.url.startswith((".", "/", "~"))):
        if folder:
            raise UsageError(f"give the folder once: '{args.url}' or --serve {folder}")
        folder = Path(args.url).expanduser()
    if args.start_url and not args.start_command:
        raise UsageError("--start-url goes with --start-command; add the command that starts the server")
    if folder and args.start_command:
        raise UsageError("give a folder to serve or --start-command, not both")
    if folder:
        args.local_folder = folder
        served = stack.enter_context(serve_folder(folder))
        print(f"qa: serving the folder {folder} at {served.url}", file=sys.stderr)
        return served
    if args.start_command:
        url = args.start_url or args.url
        if not url or not re.match(r"(?i)https?://[^/\s]+", url):
            raise UsageError(
                "--start-command needs the URL the server answers at: qa audit http://127.0.0.1:3000/ "
                '--start-command "npm run start" (or --start-url URL)'
            )
        if args.start_timeout <= 0:
            raise UsageError("--start-timeout must be a number of seconds greater than 0")
        served = stack.enter_context(start_command(args.start_command, url, args.start_timeout, args.reuse_server))
        print(f"qa: {url} answers; auditing it", file=sys.stderr)
        return served
    return None


def shard_args(args: argparse.Namespace, url_list: list[str] | None):
    """(the discovery file's content, the shard) of ``--discovered`` and ``--shard``; None where not given."""
    from qa.discover.shard import parse_shard, read_discovery

    discovered = read_discovery(args.discovered) if args.discovered else None
    if discovered and args.urls:
        raise UsageError("--discovered and --urls both give the page list; give one of them")
    shard = parse_shard(args.shard) if args.shard else None
    if shard and not (discovered or url_list or args.resume):
        raise UsageError(
            f"--shard {shard}: the shards need one page list fixed first; run 'qa discover URL --out pages.json' "
            "once and give every shard --discovered pages.json (or the same --urls FILE)"
        )
    return discovered, shard


def ci_outputs(results: Results, gate: GateResult, run_dir: Path, annotations: bool) -> None:
    """Under GitHub Actions (or on request) the findings as annotations; the job summary when the job has one."""
    from qa.report import github_actions
    from qa.report.summary_md import render_markdown

    if annotations or github_actions.under_github_actions():
        for line in github_actions.annotations(results, gate, run_dir):
            print(line)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as fh:  # appended: other steps write there too
                fh.write(render_markdown(results, []) + "\n")
        except OSError as exc:
            print(f"qa: warning: cannot write the job summary ($GITHUB_STEP_SUMMARY: {exc.strerror})", file=sys.stderr)


def select_families(only: list[str], config: Config) -> list[str]:
    """``--only`` takes check families (a11y, links, browsers, ops) or single check ids (axe, links, ...)."""
    from qa.check import FAMILIES, load_checks
    from qa.judge.gate import suggest

    chosen = [name.strip() for value in only for name in value.split(",") if name.strip()]
    if chosen:
        known = list(FAMILIES) + sorted({c.id for c in load_checks(Path(config.checks_dir))} - set(FAMILIES))
        for name in chosen:
            if name not in known:
                raise UsageError(f"--only '{name}': not a check family or check ({suggest(name, known)})")
    if chosen:
        # --only may also name single checks, which qa.yaml's `families` may not: set past its validation
        object.__setattr__(config, "families", chosen)
    return config.families


def gate_settings(args: argparse.Namespace, config: Config):
    from qa.judge.gate import GATE_OUTCOMES, GateSettings, parse_max, suggest

    settings = GateSettings.from_config(config.gate.model_dump())
    if args.fail_on is not None:
        settings.fail_on = [name.strip() for name in args.fail_on.split(",") if name.strip()]
        for name in settings.fail_on:
            if name not in GATE_OUTCOMES:
                raise UsageError(f"--fail-on '{name}': not an outcome ({suggest(name, list(GATE_OUTCOMES))})")
    try:
        settings.max.update(parse_max(args.max))
    except ValueError as exc:
        raise UsageError(f"--max '{exc}': write NAME=N, e.g. --max needs-review=20 or --max color-contrast=3") from None
    return settings


def previous_run(compare: Path | None, out: Path):
    """(folder, results) of the run to compare with: --compare RUN, else the out folder's latest run if readable."""
    from qa.store import load_results, resolve_run_dir

    if compare is not None:
        folder = resolve_run_dir(compare).resolve()
        return folder, load_results(folder)
    latest = out / "latest"
    if not latest.exists():
        return None, None
    try:
        folder = resolve_run_dir(latest).resolve()
        return folder, load_results(folder)
    except QAError as exc:
        print(f"qa: note: not comparing with the previous run ({redact_text(str(exc))})", file=sys.stderr)
        return None, None


def cmd_gate(args: argparse.Namespace) -> int:
    """The gate of a run as judged, or evaluated again with the settings or accepted issues given here (nothing is
    rewritten)."""
    from qa.config import env_overrides, load_project_config
    from qa.judge.accepted import apply_accepted, load_accepted
    from qa.judge.gate import evaluate_gate, format_block, settings_of
    from qa.judge.judgement import gate_of, load_run, stored
    from qa.store import resolve_run_dir

    results = load_run(args.run_dir)
    # QA_GATE__... variables are settings given here, as --fail-on and --max are
    other_settings = args.config or args.fail_on is not None or args.max or "gate" in env_overrides(warn=False)
    if other_settings or args.accepted:
        settings = gate_settings(args, load_project_config(args.config)) if other_settings else settings_of(results)
        if args.accepted:
            results.extra["accepted"] = apply_accepted(results, load_accepted(args.accepted))
        gate = evaluate_gate(results, settings)
        stored(results)["gate"] = gate.to_dict()  # in memory: the job summary shows the gate evaluated here
    else:
        gate = gate_of(results)
    print(format_block(gate))
    ci_outputs(results, gate, resolve_run_dir(args.run_dir), args.annotations)
    return EXIT_OK if gate.passed else EXIT_GATE_FAILED


def cmd_diff(args: argparse.Namespace) -> int:
    from qa.judge.diff import diff_runs, format_diff
    from qa.store import load_results

    before, after = load_results(args.run_a), load_results(args.run_b)
    print(format_diff(diff_runs(before, after), after))
    return EXIT_OK


def cmd_ops_import(args: argparse.Namespace) -> int:
    from qa.config import read_yaml
    from qa.judge.judgement import load_run
    from qa.judge.operations import import_results, parse_manual
    from qa.report import render_all
    from qa.report.operation_sheet import read_filled
    from qa.store import RESULTS, resolve_run_dir, write_json_atomic

    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file; give the filled operation-check.xlsx or a YAML checklist")
    run_dir = args.run_dir or args.file.parent
    if not (resolve_run_dir(run_dir) / RESULTS).exists():
        raise UsageError(f"{run_dir}: not a finished qa run folder; give the run folder after the file")
    run_dir = resolve_run_dir(run_dir)
    if args.file.suffix.lower() in (".yaml", ".yml"):
        filled = parse_manual(read_yaml(args.file, "operation checklist"), str(args.file))
    else:
        filled = read_filled(args.file)
    results = load_run(run_dir)
    changed = import_results(results, filled)
    write_json_atomic(run_dir / RESULTS, results.to_dict())
    render_all(results, run_dir)
    print(f"qa: {changed} manual check(s) updated in {run_dir}; the next run keeps them")
    return EXIT_OK


def matrix_file(given: Path | None, config: Config) -> Path:
    """--browsers, else qa.yaml's browsers_file; outside a project folder the shipped default matrix."""
    browsers_file = given or Path(config.browsers_file)
    if not given and not browsers_file.exists() and config.browsers_file == "browsers.yaml":
        browsers_file = default_browsers_file()
    return browsers_file


def cmd_accept(args: argparse.Namespace) -> int:
    import datetime as dt

    from qa.config import load_project_config
    from qa.run.accept import AcceptOptions, accept

    if args.force and args.merge:
        raise UsageError("--force replaces the file, --merge adds to it: give one of them")
    expires = None
    if args.expires:
        try:
            expires = dt.date.fromisoformat(args.expires)
        except ValueError:
            raise UsageError(f"--expires '{args.expires}': not a date; write it like 2027-03-31") from None
    elif args.days is not None:
        if args.days < 1:
            raise UsageError("--days must be at least 1")
        expires = dt.date.today() + dt.timedelta(days=args.days)
    if expires and expires < dt.date.today():
        raise UsageError(f"--expires {expires.isoformat()} is in the past; an expired entry accepts nothing")
    for name in ("owner", "reason"):
        value = getattr(args, name)
        if value is not None and not value.strip():
            raise UsageError(f"--{name} is empty; give the text, or leave it out for a placeholder to fill in")
    out = args.out or Path(load_project_config(args.config).gate.accepted)
    done = accept(
        AcceptOptions(
            run_dir=args.run_dir,
            out=out,
            needs_review=args.needs_review,
            owner=(args.owner or "").strip(),
            reason=(args.reason or "").strip(),
            expires=expires,
            force=args.force,
            merge=args.merge,
        )
    )
    if args.merge and done.kept and not done.entries:
        print(f"accepted: nothing new; {out} already lists every finding of the run ({done.kept} entries)")
        return EXIT_OK
    kept = f", after its {done.kept} entries" if args.merge and done.kept else ""
    entries = f"{done.entries} entr{'y' if done.entries == 1 else 'ies'}"
    print(f"accepted: {entries} ({done.findings} findings) in {out}{kept}")
    if not (args.owner and args.reason and expires):
        print("next:     fill in owner, reason and expires of each new entry (the gate refuses TODO placeholders)")
    print(f"then:     qa gate {args.run_dir} --accepted {out}   (or the next qa audit, which reads {out})")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """Per engine of the configured matrix what is there, what a run will use and the fix; then the rule engines and
    LinkChecker, which a run can do without (their checks are recorded as not run)."""
    from qa.config import load_project_config
    from qa.run.doctor import diagnose_browsers, link_checker, ocr, rule_engines, spelling_dictionaries
    from qa.visit.matrix import load_matrix

    config = load_project_config(args.config)
    browsers_file = matrix_file(args.browsers, config)
    browsers = asyncio.run(diagnose_browsers(load_matrix(browsers_file)))
    sections = [
        (f"browsers ({browsers_file})", browsers),
        ("rule engines (optional: without one its checks are recorded as not run)", rule_engines()),
        ("link checker (optional: the links family needs it)", [link_checker()]),
        ("spelling (optional: the language family needs them)", [spelling_dictionaries()]),
        ("OCR (optional: without it images are not read for text)", [ocr()]),
    ]
    for title, items in sections:
        print(f"{title}:")
        for item in items:
            print(f"  {'ok' if item.ok else 'MISSING':8} {item.name}: {item.detail}")
            if item.fix:
                print(f"  {'':8} fix: {item.fix}")
    missing = [item.name for item in browsers if not item.ok]
    if missing:
        print(f"qa doctor: the matrix cannot run {', '.join(missing)}; run the fix shown, or audit without it")
        return EXIT_GATE_FAILED
    print("qa doctor: every browser of the matrix can start")
    return EXIT_OK


def default_browsers_file() -> Path:
    from importlib import resources

    return Path(str(resources.files("qa.data").joinpath("browsers.yaml")))


def cmd_report(args: argparse.Namespace) -> int:
    """Every deliverable from results.json alone, as judged (a run of schema 1.0 is judged once on loading)."""
    from qa.judge.judgement import load_run
    from qa.report import render_all
    from qa.store import resolve_run_dir

    if args.config and not args.rejudge:
        raise UsageError("--config takes effect with --rejudge only; add --rejudge or leave --config out")
    run_dir = resolve_run_dir(args.run_dir)
    results = load_run(run_dir)
    if args.lang:
        results.run.config["lang"] = args.lang
    if args.rejudge:
        from qa.run.rejudge import rejudge_run

        ids = rejudge_run(results, run_dir, args.config)
        print(f"rejudged: {', '.join(ids) or 'no site-level check'} over {len(results.pages)} stored visit(s)")
    for path in render_all(results, run_dir):
        print(f"report: {path}")
    return EXIT_OK


def apply_conformance_args(config: Config, args: argparse.Namespace) -> None:
    from qa.config import check_profiles

    if args.profile:
        if problem := check_profiles(args.profile):
            raise UsageError(f"--profile {problem}")
        config.profiles = list(dict.fromkeys(args.profile))
    if args.level:
        config.level = args.level
    if args.lang:
        config.lang = args.lang


def print_sample(results) -> None:
    from qa.judge import sampling

    record = results.extra.get(sampling.SECTION)
    if not record:
        return
    print(f"sample:   {sampling.describe(record, 'en')}")
    if record["method"] != "all":
        for i, url in enumerate(record["urls"], start=1):
            print(f"  {i:3}. {url}")
    for url in record.get("missing", []):
        print(f"  not audited (representative): {url}")


def cmd_review_import(args: argparse.Namespace) -> int:
    """Workbook -> reviews file (kept in the repository); and the run it came from, re-judged and re-rendered."""
    from qa.config import load_project_config
    from qa.judge import judge_run, reviews
    from qa.judge.judgement import load_run
    from qa.report import render_all
    from qa.report._vocab import verdict_aliases
    from qa.store import RESULTS, resolve_run_dir, write_json_atomic

    config = load_project_config(args.config)
    aliases = verdict_aliases(config.model_dump())
    meta, imported = reviews.from_workbook(args.workbook, aliases)
    target = args.reviews or Path(config.reviews_file)
    merged, changed = reviews.merge(reviews.load_reviews(target, aliases), imported)
    reviews.save_reviews(target, merged)
    print(f"reviews:  {len(imported)} verdict(s) read, {changed} new or changed; {len(merged)} in {target}")
    run_dir = args.run or args.workbook.parent
    if args.run or (run_dir / RESULTS).exists():
        run_dir = resolve_run_dir(run_dir)
        results = load_run(run_dir)
        if results.run.id != meta.get("run") and not args.run:
            print(f"qa: the workbook is from run {meta.get('run')}; {run_dir} not updated", file=sys.stderr)
            return EXIT_OK
        results.extra[reviews.SECTION] = {"source": str(target), "items": merged}
        judge_run(results)  # the human verdicts changed
        write_json_atomic(run_dir / RESULTS, results.to_dict())
        for path in render_all(results, run_dir):
            print(f"report:   {path}")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    import re

    from qa.run.starter import init

    if args.url and not re.match(r"(?i)https?://[^/\s]+", args.url):
        raise UsageError(f"'{args.url}' is not an http(s) address; give the start URL, e.g. https://www.example.jp/")
    for path in init(Path.cwd(), args.url, args.browsers, args.force):
        print(f"wrote:    {path}")
    print("next:     edit qa.yaml (every key: docs/config.md), then run 'qa audit'")
    return EXIT_OK


def cmd_setup(args: argparse.Namespace) -> int:
    """The whole configured matrix (qa.yaml's browsers: when it names some), then the rule engines beside axe-core."""
    from qa.config import load_project_config
    from qa.run.setup import fail_missing, setup
    from qa.visit.matrix import load_matrix, select

    config = load_project_config(args.config)
    browsers_file = matrix_file(args.browsers, config)
    matrix = select(load_matrix(browsers_file), args.browser or config.browsers, [], str(browsers_file))
    missing = setup(matrix, args.dry_run)
    if args.dry_run:
        print(f"qa setup --dry-run: {len(missing)} browser(s) of {browsers_file} to install; nothing changed")
        return EXIT_OK
    fail_missing(missing)
    print(f"qa setup: every browser of {browsers_file} is available ('qa doctor' shows what each will run on)")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
