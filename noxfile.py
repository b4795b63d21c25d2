"""Entry points: `nox -s full` (every check family, every deliverable), `nox -s a11y` / `links` / `browsers` (one
family each; the demo site unless a URL follows `--`), `nox -s prepublish` (tls, security, privacy, seo,
language), `nox -s tests`, `nox -s lint`, `nox -s bench`, `nox -s licences`."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True


LOCK = ("-c", "constraints.txt")  # the whole dependency tree pinned (scripts/lock.sh)


def _system_deps(session: nox.Session, which: str = "all") -> None:
    session.run("bash", "scripts/install-system-deps.sh", which, external=True)


def _audit(session: nox.Session, only: str | None) -> None:
    """`qa audit` with one check family (`--only`), or all of them; a failed gate (exit 1) still ends the session
    normally, as the deliverables are written either way."""
    _system_deps(session, "browsers")
    session.install(*LOCK, "-e", ".[spelling]")
    session.run("qa", "audit", *([f"--only={only}"] if only else []), *session.posargs, success_codes=[0, 1])


@nox.session
def a11y(session: nox.Session) -> None:
    """Accessibility only: `nox -s a11y` (built-in demo site) or `nox -s a11y -- https://staging.example.jp/`."""
    _audit(session, "a11y")


@nox.session
def links(session: nox.Session) -> None:
    """Link check and finished-site sitemap only: `nox -s links -- https://staging.example.jp/ --own-host
    staging.example.jp --planned-sitemap plan.xlsx`."""
    _audit(session, "links")


@nox.session
def browsers(session: nox.Session) -> None:
    """The browser matrix only: `nox -s browsers -- https://staging.example.jp/`."""
    _audit(session, "browsers")


@nox.session
def prepublish(session: nox.Session) -> None:
    """The pre-publication families only (HTTPS and certificate, security exposure, privacy before consent, SEO,
    spelling), written to prepublish-check.xlsx: `nox -s prepublish -- https://staging.example.jp/`."""
    _audit(session, "tls,security,privacy,seo,language")


@nox.session
def full(session: nox.Session) -> None:
    """The whole delivery in one run folder: accessibility, links, browser matrix, operation checks, CI outputs."""
    _audit(session, None)


@nox.session
def tests(session: nox.Session) -> None:
    _system_deps(session)
    session.install(*LOCK, "-e", ".[test]")
    session.run("pytest", *(session.posargs or ["-q"]))


@nox.session
def licences(session: nox.Session) -> None:
    """The dependencies' licences against the suite's (GPL-2.0-or-later), and the wheel's contents and metadata."""
    session.install(*LOCK, "-e", ".[test,spelling]")
    session.run("pytest", "-q", "tests/test_packaging.py")


@nox.session
def lint(session: nox.Session) -> None:
    session.install(*LOCK, "ruff")
    session.run("ruff", "check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmark (`benchmarks/bench_*.py`), or the ones named: `nox -s bench -- audit links`."""
    _system_deps(session)
    session.run("bash", "scripts/install-system-deps.sh", "bench", external=True)
    session.install(*LOCK, "-e", ".[spelling]")
    names = session.posargs or sorted(p.stem.removeprefix("bench_") for p in Path("benchmarks").glob("bench_*.py"))
    for name in names:
        session.run("python", f"benchmarks/bench_{name}.py")
