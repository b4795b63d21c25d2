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
    human: int = 0  # criteria a person decided (site-wide)

    def wording(self, lang: str) -> str:
        """The 対応度 as published 試験結果 pages write it: 「適合レベルAAに一部準拠」. While any criterion is
        undecided it is 配慮, and says why, so nobody reads a machine-only pass as a finished test."""
        ja = lang == "ja"
        if self.status == FULL:
            return f"適合レベル{self.level}に準拠" if ja else f"Conforms to level {self.level}"
        if self.status == PARTIAL:
            return f"適合レベル{self.level}に一部準拠" if ja else f"Partially conforms to level {self.level}"
        if not self.human:
            return (
                f"適合レベル{self.level}に配慮（自動試験のみ。人による試験は未完了）"
                if ja
                else f"Level {self.level} considered: automated tests only, the human test is not done"
            )
        open_ = f"未検証 {self.counts[NOT_VERIFIED]} 件・要確認 {self.counts[REVIEW]} 件"
        return (
            f"適合レベル{self.level}に配慮（人による試験が未完了: {open_}）"
            if ja
            else f"Level {self.level} considered: the human test is not complete "
            f"({self.counts[NOT_VERIFIED]} not verified, {self.counts[REVIEW]} awaiting review)"
        )


def derive(j: Judgement) -> Conformance:
    counts = Counter(v.verdict for v in j.site.values())
    human = sum(1 for v in j.site.values() if v.review_state in ("applied", "unpinned"))
    if counts[NOT_VERIFIED] or counts[REVIEW] or not j.urls:
        status = CONSIDERED
    elif counts[FAIL]:
        status = PARTIAL
    else:
        status = FULL if counts[PASS] + counts[NOT_APPLICABLE] == len(j.site) else CONSIDERED
    return Conformance(j.level, status, counts, human)
