"""What is checked on one page: the run's settings with the ``overrides`` whose ``match`` the page URL matches.

Every matching override applies, in the order written: selectors and rule ids are added to the run's, viewports
and the timeouts given replace the run's. A new per-page setting (the ``prep`` helper's ``steps``) is a field of
:class:`qa.config.Override` named like the run-wide key: lists are added, mappings replace key by key, anything else
replaces, so it needs no code here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from qa.config import Config, Override

WP_ADMIN_BAR = "#wpadminbar"


def overrides_for(config: Config, url: str) -> list[Override]:
    return [o for o in config.overrides if _compiled(o.match).search(url)]


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def page_config(config: Config, url: str) -> Config:
    """``config`` as it applies to the page ``url`` (``config`` itself when no override matches). Copied, not
    validated again: each override was validated on its own, and the run may hold values set past validation
    (``--only`` naming single checks in ``families``)."""
    matching = overrides_for(config, url)
    if not matching:
        return config
    updates: dict[str, Any] = {}
    for override in matching:
        for name in override.model_fields_set - {"match"}:
            updates[name] = _merged(updates.get(name, getattr(config, name)), getattr(override, name), name)
    return config.model_copy(update=updates)


def _merged(current: Any, value: Any, name: str) -> Any:
    if isinstance(value, BaseModel):  # a section: only the keys the override gives
        keys = value.model_fields_set
        return current.model_copy(update={k: _merged(getattr(current, k), getattr(value, k), k) for k in keys})
    if isinstance(value, list) and name != "viewports":
        return [*current, *(v for v in value if v not in current)]
    return current if value is None or value == [] else value


@dataclass(frozen=True)
class PageScope:
    """What the page's checks leave out or change, and the rules switched off or on there."""

    exclude: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    disabled: frozenset[str] = field(default_factory=frozenset)
    enabled: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, config: Config) -> PageScope:
        """From a page's settings (:func:`page_config`)."""
        exclude = [*config.exclude_selectors]
        if config.exclude_wp_admin_bar and WP_ADMIN_BAR not in exclude:
            exclude.append(WP_ADMIN_BAR)
        return cls(
            tuple(exclude),
            tuple(config.hide_selectors),
            tuple(config.remove_selectors),
            frozenset(config.rules.disable),
            frozenset(config.rules.enable) - frozenset(config.rules.disable),
        )

    def is_disabled(self, rule: str, check: str = "", sc: list[str] | tuple[str, ...] = ()) -> bool:
        """A finding's rule (or its check, or one of its success criteria) is switched off. An HTML_CodeSniffer code
        disables the codes under it (``WCAG2AA.Principle1.Guideline1_4.1_4_3`` every sniff of 1.4.3)."""
        return self.disabled_by(rule, check, sc) is not None

    def disabled_by(self, rule: str, check: str = "", sc: list[str] | tuple[str, ...] = ()) -> str | None:
        """The setting that switches the finding off, None when none does."""
        if check in self.disabled:
            return check
        found = next((d for d in self.disabled if rule == d or rule.startswith(d + ".")), None)
        return found or next((c for c in sc if c in self.disabled), None)

    @property
    def changes_page(self) -> bool:
        return bool(self.exclude or self.hide or self.remove)


def rule_settings_used(config: Config) -> list[tuple[str, str]]:
    """Every rule id the run's settings name, with its key (``overrides[0].rules.disable``), run-wide and in any
    override, for the check before the crawl."""
    found = [(f"rules.{k}", r) for k in ("disable", "enable") for r in getattr(config.rules, k)]
    for i, o in enumerate(config.overrides):
        found += [(f"overrides[{i}].rules.{k}", r) for k in ("disable", "enable") for r in getattr(o.rules, k)]
    return found
