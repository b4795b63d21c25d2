"""When a criterion provably does not apply to a page: data, not code.

A criterion is judged not applicable on a page only when the visit's inventory proves that the page has no
content of the kind the criterion is about (every listed count is zero) and axe did not find an element its
rules for that content apply to. Anything else stays applicable or unknown: absence that was not measured is
never taken for absence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Absence:
    reason: str  # key of the note printed in the checklist, e.g. "no-media"
    criteria: tuple[str, ...]
    zero_counts: tuple[str, ...]  # facts["counts"] / facts["inventory"] entries that must all be 0
    axe_rules: tuple[str, ...]  # none of these may have applied (found in axe's passes)


ABSENCES = (
    Absence(
        "no-media",
        ("1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.4.2"),
        ("media", "iframes", "canvas"),
        ("video-caption", "audio-caption", "no-autoplay-audio"),
    ),
    Absence(
        "no-forms",
        ("1.3.5", "3.2.2", "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.7", "3.3.8"),
        ("forms", "aria_widgets", "iframes"),
        (
            "label",
            "autocomplete-valid",
            "form-field-multiple-labels",
            "select-name",
            "aria-input-field-name",
            "aria-toggle-field-name",
        ),
    ),
    Absence(
        "no-images",
        ("1.1.1", "1.4.5"),
        ("images", "svg", "canvas", "background_images", "media", "iframes"),
        ("image-alt", "input-image-alt", "object-alt", "role-img-alt", "svg-img-alt", "area-alt"),
    ),
)


def not_applicable(facts: dict[str, Any]) -> dict[str, str]:
    """criterion -> reason, for the criteria this page's facts prove have nothing to judge."""
    counts = {**facts.get("counts", {}), **facts.get("inventory", {})}
    passes = set((facts.get("axe") or {}).get("passes", []))
    out: dict[str, str] = {}
    for absence in ABSENCES:
        if any(counts.get(k) != 0 for k in absence.zero_counts):  # a count never measured is not zero
            continue
        if "axe" not in facts or passes & set(absence.axe_rules):
            continue
        for sc in absence.criteria:
            out.setdefault(sc, absence.reason)
    return out
