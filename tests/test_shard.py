"""Sharding: a generated site audited in 3 shards and merged is what one machine writes for the same pages.

One cell (chromium/desktop) to stay fast. The single run and the shards audit the same `qa discover` list; the merged
run folder's results.json, every workbook (cell by cell) and the CSV files must equal the single run's, apart from
run ids, times and what a browser measures anew on every visit (load times, LCP); a shard re-run alone merges to the
same; a missing, doubled or foreign shard is refused with one line.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from qa.discover.shard import Discovery, Shard, fingerprint, parse_shard, partition, read_discovery
from qa.errors import UsageError
from tests.conftest import run_qa
from tests.gensite import serve_generated

PAGES = 15  # /p/0 … /p/14 and the home page; /gone/0, /gone/5, /gone/10 are found as links (404)
CONFIG = "concurrency: 2\nuse_sitemaps: false\nlinks: {own_hosts: ['127.0.0.1'], timeout: 5}\n"
CELL = ("--browser", "chromium", "--viewport", "desktop")
# Measured anew by every visit (two runs of one machine differ in them too), or drawn at random per run.
MEASURED = {"timings_ms", "load_ms", "lcp_ms", "disk_bytes", "started", "finished", "id", "shard"}
LINK_STATS = {"known_urls", "requested_urls", "seconds", "seconds_total", "urls_per_second"}
RUN_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{4}")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2})?|\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}")
PROBE = re.compile(r"qa-probe-[0-9a-f]+")
TEXT_DELIVERABLES = ("summary.md", "junit.xml", "gl-code-quality-report.json", "qa.sarif", "sitemap.xml", "INDEX.md")
MS_HEADER = re.compile(r"[(（]ms[)）]")


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items() if k not in MEASURED | LINK_STATS}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, str):
        return PROBE.sub("qa-probe-X", TIME.sub("TIME", RUN_ID.sub("RUN", value)))
    return value


def _results(run_dir: Path) -> dict:
    return json.loads((run_dir / "results.json").read_text(encoding="utf-8"))


def _run_dir(out: Path) -> Path:
    (folder,) = [p for p in out.iterdir() if p.is_dir() and p.name != "latest"]
    return folder


def _text(path: Path, run_dir: Path) -> str:
    """A text deliverable with run ids, times, the run folder's path and measured durations (JUnit's time="…")
    masked."""
    text = path.read_text(encoding="utf-8").replace(str(run_dir.parent), "OUT")
    return _masked(re.sub(r'time="[\d.]+"', 'time="T"', text))


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's values; run ids and times masked, and the numbers of measured columns (a header in ms: load
    time, LCP) masked."""
    book = load_workbook(path, read_only=True)
    out = {}
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        measured = {j for row in rows for j, v in enumerate(row) if isinstance(v, str) and MS_HEADER.search(v)}
        out[sheet.title] = [
            ["MEASURED" if j in measured and isinstance(v, int | float) else _masked(v) for j, v in enumerate(row)]
            for row in rows
        ]
    book.close()
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("shard")
    config = folder / "qa.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    with serve_generated(PAGES, cross_links=True) as url:
        pages = folder / "pages.json"
        found = run_qa("discover", url, "--config", str(config), "--out", str(pages))
        assert found.code == 0, found.stderr
        common = ("audit", "--config", str(config), "--discovered", str(pages), *CELL)
        single = run_qa(*common, out=folder / "single")
        assert single.code in (0, 1), single.stderr
        shards = []
        for i in (1, 2, 3):
            shard = run_qa(*common, "--shard", f"{i}/3", out=folder / f"shard{i}")
            assert shard.code in (0, 1), shard.stderr
            shards.append(_run_dir(folder / f"shard{i}"))
        merged = run_qa("merge", *map(str, shards), "--config", str(config), "--out", str(folder / "merged"))
        rerun = run_qa(*common, "--shard", "2/3", out=folder / "rerun2")
        yield {
            "folder": folder,
            "config": config,
            "url": url,
            "pages": pages,
            "single": single,
            "single_dir": _run_dir(folder / "single"),
            "shards": shards,
            "merged": merged,
            "merged_dir": _run_dir(folder / "merged"),
            "rerun": rerun,
        }


def test_discover_lists_every_page_once(runs) -> None:
    discovery = read_discovery(runs["pages"])
    urls = discovery.url_list
    assert len(urls) == len(set(urls)) == PAGES + 1 + 3  # home, /p/0…14, the three /gone/ pages linked
    assert {u["source"] for u in discovery.urls} == {"start", "link"}


def test_shards_partition_the_list(runs) -> None:
    whole = read_discovery(runs["pages"]).url_list
    seen: list[str] = []
    for shard_dir in runs["shards"]:
        results = _results(shard_dir)
        assert results["run"]["shard"]["count"] == 3
        assert results["run"]["shard"]["list"] == fingerprint(whole)
        seen += [p["url"] for p in results["pages"]]
    assert sorted(seen) == sorted(whole)  # every page in exactly one shard
    sizes = [len(_results(d)["pages"]) for d in runs["shards"]]
    assert max(sizes) - min(sizes) <= 1


def test_merged_results_equal_the_single_run(runs) -> None:
    assert runs["merged"].code == runs["single"].code, runs["merged"].stderr
    single, merged = _results(runs["single_dir"]), _results(runs["merged_dir"])
    assert merged["run"]["status"] == "complete"
    assert merged["run"]["shard"]["merged"] == [_results(d)["run"]["id"] for d in runs["shards"]]
    # the parts a user reads first, then everything
    assert [f["id"] for f in merged["findings"]] == [f["id"] for f in single["findings"]]
    assert merged["judgement"]["gate"] == single["judgement"]["gate"]
    assert [(r["source"], r["url"], r["result"]) for r in merged["links"]] == [
        (r["source"], r["url"], r["result"]) for r in single["links"]
    ]
    broken = [r for r in merged["links"] if r["result"] == "broken"]
    assert {r["url"].rsplit("/", 1)[1] for r in broken} == {"0.html", "5.html", "10.html"}  # /gone/K.html
    assert merged["link_check"]["counts"] == single["link_check"]["counts"]
    anchors = [r for r in merged["links"] if "#part" in r["url"]]  # on another shard's page, some of them
    assert anchors and any(r["result"] != "ok" for r in anchors) and any(r["result"] == "ok" for r in anchors)
    assert _masked(merged) == _masked(single)


def test_merged_deliverables_equal_the_single_runs(runs) -> None:
    single_dir, merged_dir = runs["single_dir"], runs["merged_dir"]
    books = sorted(p.name for p in single_dir.glob("*.xlsx"))
    assert len(books) >= 8 and books == sorted(p.name for p in merged_dir.glob("*.xlsx"))
    for name in books:
        a, b = _cells(single_dir / name), _cells(merged_dir / name)
        assert list(a) == list(b), name
        for sheet in a:
            assert a[sheet] == b[sheet], f"{name} / {sheet}"
    for name in ("findings.csv", "links.csv"):
        rows = [list(csv.reader((d / name).open(encoding="utf-8-sig"))) for d in (single_dir, merged_dir)]
        assert _masked(rows[0]) == _masked(rows[1]), name
    for name in TEXT_DELIVERABLES:
        texts = [_text(d / name, d) for d in (single_dir, merged_dir)]
        assert texts[0] == texts[1], name
    screenshots = sorted(p.name for p in (merged_dir / "screenshots").glob("*.png"))
    assert screenshots == sorted(p.name for p in (single_dir / "screenshots").glob("*.png")) and screenshots


def test_a_shard_re_run_alone_merges_to_the_same(runs) -> None:
    assert runs["rerun"].code in (0, 1), runs["rerun"].stderr
    first, _, third = runs["shards"]
    out = runs["folder"] / "merged-rerun"
    again = run_qa("merge", str(first), str(_run_dir(runs["folder"] / "rerun2")), str(third),
                   "--config", str(runs["config"]), "--out", str(out))  # fmt: skip
    assert again.code == runs["single"].code, again.stderr
    assert _masked(_results(_run_dir(out))) == _masked(_results(runs["single_dir"]))


def test_missing_doubled_and_foreign_shards_are_refused(runs, tmp_path: Path) -> None:
    first, second, third = runs["shards"]
    missing = run_qa("merge", str(first), str(third), "--out", str(tmp_path / "m"))
    assert missing.code == 2 and "2/3 missing" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1 and "Traceback" not in missing.stderr
    assert not (tmp_path / "m").exists()  # nothing written
    doubled = run_qa("merge", str(first), str(second), str(_run_dir(runs["folder"] / "rerun2")), str(third),
                     "--out", str(tmp_path / "d"))  # fmt: skip
    assert doubled.code == 2 and "given twice" in doubled.stderr
    assert len(doubled.stderr.strip().splitlines()) == 1
    # a shard of another page list: its results say so (the list's fingerprint)
    foreign = tmp_path / "foreign"
    shutil.copytree(third, foreign)
    data = _results(foreign)
    data["run"]["shard"]["list"] = "0" * 16
    (foreign / "results.json").write_text(json.dumps(data), encoding="utf-8")
    odd = run_qa("merge", str(first), str(second), str(foreign), "--out", str(tmp_path / "f"))
    assert odd.code == 2 and "another page list" in odd.stderr
    # a shard that never finished (no results.json): re-run it alone
    (foreign / "results.json").unlink()
    unfinished = run_qa("merge", str(first), str(second), str(foreign), "--out", str(tmp_path / "u"))
    assert unfinished.code == 2 and "--shard 3/3" in unfinished.stderr
    partial = run_qa("merge", str(first), str(third), "--allow-partial", "--config", str(runs["config"]),
                     "--out", str(tmp_path / "p"))  # fmt: skip
    assert partial.code == 4, partial.stderr
    results = _results(_run_dir(tmp_path / "p"))
    assert results["run"]["status"] == "partial" and results["run"]["shard"]["missing"] == ["2/3"]
    assert any(n.startswith("PARTIAL") for n in results["run"]["notes"])


def test_a_shard_needs_a_fixed_list(tmp_path: Path) -> None:
    run = run_qa("audit", "http://127.0.0.1:9/", "--shard", "1/2", out=tmp_path)
    assert run.code == 2 and "qa discover" in run.stderr


# --- the partition and the discovery file, without a browser ---


def test_partition_is_exact_balanced_and_stable() -> None:
    urls = [f"https://example.jp/news/{i}.html" for i in range(50)] + [f"https://example.jp/p{i}/" for i in range(7)]
    parts = [partition(urls, Shard(i, 4)) for i in range(1, 5)]
    assert sorted(u for part in parts for u in part) == sorted(urls)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    news = [sum("/news/" in u for u in part) for part in parts]  # each template spread over the shards
    assert max(news) - min(news) <= 1
    assert partition(list(urls), Shard(2, 4)) == parts[1]
    assert all(part == [u for u in urls if u in part] for part in parts)  # the list's own order kept


@pytest.mark.parametrize("text", ["0/3", "4/3", "2", "a/b", "1/0"])
def test_bad_shard_is_one_line(text: str) -> None:
    with pytest.raises(UsageError, match="I/N"):
        parse_shard(text)


def test_an_edited_discovery_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pages.json"
    Discovery("https://example.jp/", [{"url": "https://example.jp/", "source": "start", "depth": 0}], {}).write(path)
    assert read_discovery(path).url_list == ["https://example.jp/"]
    data = json.loads(path.read_text(encoding="utf-8"))
    data["urls"].append({"url": "https://example.jp/x", "source": "link", "depth": 1})
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UsageError, match="edited"):
        read_discovery(path)
