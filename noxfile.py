"""Entry points: `nox -s a11y` (audit; the demo site unless a URL follows `--`), `nox -s tests`, `nox -s lint`,
`nox -s bench`."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True


def _system_deps(session: nox.Session, which: str = "all") -> None:
    session.run("bash", "scripts/install-system-deps.sh", which, external=True)


@nox.session
def a11y(session: nox.Session) -> None:
    """Audit a site: `nox -s a11y` (built-in demo site) or `nox -s a11y -- https://staging.example.jp/`."""
    _system_deps(session, "browsers")
    session.install("-e", ".")
    session.run("qa", "audit", *session.posargs, success_codes=[0, 1])


@nox.session
def tests(session: nox.Session) -> None:
    _system_deps(session)
    session.install("-e", ".[test]")
    session.run("pytest", *(session.posargs or ["-q"]))


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmark (`benchmarks/bench_*.py`), or the ones named: `nox -s bench -- audit links`."""
    _system_deps(session)
    session.run("bash", "scripts/install-system-deps.sh", "bench", external=True)
    session.install("-e", ".")
    names = session.posargs or sorted(p.stem.removeprefix("bench_") for p in Path("benchmarks").glob("bench_*.py"))
    for name in names:
        session.run("python", f"benchmarks/bench_{name}.py")
