"""The suite's own exceptions. The CLI turns each into one line and an exit code; no traceback unless --debug."""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_SITE = 3
EXIT_INTERRUPTED = 4  # stopped by Ctrl-C/SIGTERM: what finished is kept (status partial); `qa audit --resume`
EXIT_INTERNAL = 5  # a bug in the suite: one line, `--debug` shows the (redacted) traceback


class QAError(Exception):
    """Base class: ``str(err)`` is the one line shown to the user, naming the problem and the fix."""

    exit_code = EXIT_USAGE


class UsageError(QAError):
    """Bad command-line usage."""


class ConfigError(QAError):
    """A configuration file is missing, unreadable or invalid."""


class OutputError(QAError):
    """The run folder or a report cannot be written (read-only folder, full disk)."""


class SiteError(QAError):
    """The site could not be audited (start URL unreachable, login failed, ...)."""

    exit_code = EXIT_SITE


class BrowserUnavailable(SiteError):
    """No browser could be launched."""
