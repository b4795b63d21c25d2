"""The security and privacy families against the real WordPress (scripts/wordpress/setup.sh): a stock install
exposes its version (generator tag, readme.html, ?ver=, Apache's Server header), lists its users through the REST
API and /?author=1, and answers on xmlrpc.php; nothing of it is invented by the test."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_qa
from tests.test_wordpress import ONE_CELL, clean_env, secrets_of, wp  # noqa: F401 (the session's WordPress)

pytestmark = pytest.mark.wordpress


def test_a_stock_wordpress_exposes_its_version_users_and_xmlrpc(wp: dict, tmp_path: Path) -> None:  # noqa: F811
    base = wp["open_url"].rstrip("/")
    run = run_qa(
        "audit",
        wp["open_url"],
        "--only",
        "security,privacy",
        "--max-pages",
        "4",
        "--fail-on",
        "security-exposure",
        *ONE_CELL,
        out=tmp_path,
        env=clean_env(),
    )
    assert run.code == 1, run.stderr
    found = {f["rule"]: f for f in run.results["findings"] if f["check"] == "security"}
    assert found["generator-version"]["details"]["value"].startswith("WordPress ")
    assert wp["admin_user"] in found["wp-users-listed"]["details"]["users"]
    assert found["wp-author-enumeration"]["details"]["user"] == wp["admin_user"]
    assert found["xmlrpc-enabled"]["url"] == base + "/xmlrpc.php"
    assert found["wp-readme"]["url"] == base + "/readme.html"
    assert found["server-version"]["details"]["value"].startswith("Apache/2")
    assert "ver=" in found["asset-version"]["details"]["example"]
    # no exposed file or listing that is not there: a stock install has neither
    assert "exposed-file" not in found
    assert run.results["privacy-summary"]["pages"] == len({p["url"] for p in run.results["pages"] if not p["error"]})
    book = openpyxl.load_workbook(run.run_dir / "prepublish-check.xlsx", read_only=True)
    assert {"指摘 セキュリティ", "指摘 プライバシー（同意前）", "Cookie・ストレージ一覧"} <= set(book.sheetnames)
    text = (run.run_dir / "results.json").read_text(encoding="utf-8")
    assert not [s for s in secrets_of(wp) if s in text]
