"""The 対応度 (準拠 / 一部準拠 / 配慮) a checklist supports, derived from its verdicts, never from the target.

WAIC's 対応度表記ガイドライン: 準拠 = tested (附属書JB) and every criterion of the target level met;
一部準拠 = tested and some criteria not met; 配慮 = below that. A criterion that is still not verified or
needs review means the test is not finished, so neither 準拠 nor 一部準拠 can be claimed yet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from qa.judge.verdicts import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS, REVIEW, Judgement

FULL, PARTIAL, CONSIDERED = "full", "partial", "considered"


@dataclass
class Conformance:
    level: str  # the target level
    status: str  # full | partial | considered
    counts: Counter  # verdict -> criteria


def derive(j: Judgement) -> Conformance:
    counts = Counter(v.verdict for v in j.site.values())
    if counts[NOT_VERIFIED] or counts[REVIEW] or not j.urls:
        status = CONSIDERED
    elif counts[FAIL]:
        status = PARTIAL
    else:
        status = FULL if counts[PASS] + counts[NOT_APPLICABLE] == len(j.site) else CONSIDERED
    return Conformance(j.level, status, counts)
