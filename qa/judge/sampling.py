"""Page selection for the JB test (JIS X 8341-3:2016 附属書JB, JB.1.2).

The automated pass audits every page the crawl finds; the sample is a recorded, reproducible selection of
audited pages on which the 達成基準チェックリスト is judged and human review is asked for:

* ``all`` (JB.1.2 a): every audited page;
* ``random`` (b): ``random`` pages drawn with ``seed`` from the audited pages, in URL order before drawing,
  so the same seed over the same pages always draws the same sample;
* ``representative`` (c): the listed pages (they are added to the crawl's seeds, so they are audited);
* ``mixed`` (d): the listed pages plus ``random`` drawn from the rest (WAIC: e.g. 15 + 25 = 40).
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urljoin

from qa.judge.inventory import inventory_of
from qa.model import Results
from qa.urls import normalise

METHODS = {"all": "a", "random": "b", "representative": "c", "mixed": "d"}
SECTION = "sample"


def representative_urls(config: dict[str, Any], start_url: str) -> list[str]:
    """The listed representative pages as absolute, normalised URLs (relative ones are joined to the start)."""
    sampling = config.get("sampling") or {}
    if sampling.get("method") not in ("representative", "mixed"):
        return []
    out = []
    for raw in sampling.get("representative") or []:
        url = normalise(urljoin(start_url, raw))
        if url and url not in out:
            out.append(url)
    return out


def audited_urls(results: Results) -> list[str]:
    """Every page audited in at least one browser/viewport cell, in crawl order: the page inventory's canonical
    URLs (another address of the same document is not a second page)."""
    return inventory_of(results).urls


def select(results: Results, config: dict[str, Any]) -> dict[str, Any]:
    sampling = config.get("sampling") or {}
    method = sampling.get("method") or "all"
    audited = audited_urls(results)
    record: dict[str, Any] = {"method": method, "jb": f"JB.1.2 {METHODS[method]})", "audited": len(audited)}
    if method == "all":
        record.update(urls=audited, representative=[], random=[])
        return record
    listed = representative_urls(config, results.run.start_url)
    representative = [u for u in listed if u in audited]
    record["missing"] = [u for u in listed if u not in audited]
    drawn: list[str] = []
    if method in ("random", "mixed"):
        wanted = int(sampling.get("random") or 0)
        seed = sampling.get("seed", 1)
        pool = sorted(u for u in audited if u not in representative)
        drawn = sorted(random.Random(seed).sample(pool, min(wanted, len(pool))))
        record.update(seed=seed, random_requested=wanted)
    if method == "random":
        representative = []
    record.update(representative=representative, random=drawn, urls=representative + drawn)
    return record


def sample_of(results: Results) -> list[str]:
    """The judged pages: the recorded sample, or every audited page for results written without one."""
    recorded = results.extra.get(SECTION)
    return list(recorded["urls"]) if recorded else audited_urls(results)


def describe(record: dict[str, Any], lang: str = "ja") -> str:
    m = record["method"]
    n_rep, n_rand = len(record.get("representative", [])), len(record.get("random", []))
    seed = record.get("seed")
    if lang == "ja":
        text = {
            "all": f"{record['jb']} 全てのウェブページを選択 ({len(record['urls'])} ページ)",
            "random": f"{record['jb']} ランダムに選択 ({n_rand} ページ、シード {seed})",
            "representative": f"{record['jb']} ウェブページ一式を代表するウェブページを選択 ({n_rep} ページ)",
            "mixed": f"{record['jb']} 代表 {n_rep} ページ + ランダム {n_rand} ページ (シード {seed})、"
            f"計 {n_rep + n_rand} ページ",
        }[m]
    else:
        text = {
            "all": f"{record['jb']} all pages ({len(record['urls'])})",
            "random": f"{record['jb']} random selection ({n_rand} pages, seed {seed})",
            "representative": f"{record['jb']} representative pages ({n_rep})",
            "mixed": f"{record['jb']} representative {n_rep} + random {n_rand} (seed {seed}), {n_rep + n_rand} pages",
        }[m]
    if record.get("missing"):
        text += (
            f"; 監査できなかった代表ページ {len(record['missing'])} 件"
            if lang == "ja"
            else f"; {len(record['missing'])} representative page(s) could not be audited"
        )
    return text
