"""Against a real WordPress (Debian's package, MariaDB, Apache + PHP on loopback; scripts/wordpress/setup.sh):
discovery through WordPress, drafts before publication, the Basic-auth staging variant, template grouping,
and credentials kept out of every output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import REPO, QARun, run_qa

pytestmark = pytest.mark.wordpress

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")
CREDENTIAL_ENV = (
    "QA_BASIC_USER",
    "QA_BASIC_PASSWORD",
    "QA_WP_USER",
    "QA_WP_APP_PASSWORD",
    "QA_LOGIN_USER",
    "QA_LOGIN_PASSWORD",
)


SETUP = REPO / "scripts/wordpress/setup.sh"


def _running(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="session")
def wp() -> Iterator[dict]:
    """The running test site (set up once; a second set-up only checks it is there). Stopped at the end when
    this session started it."""
    state = Path(os.environ.get("QA_WP_DIR", "/tmp/qa-wordpress"))
    was_running = _running(state / "apache.pid")
    done = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, timeout=900)
    if done.returncode == 4:
        pytest.skip(f"no WordPress stack on this machine: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    yield json.loads((state / "site.json").read_text(encoding="utf-8"))
    if not was_running:
        subprocess.run(["bash", str(SETUP), "--stop"], capture_output=True, timeout=60)


def clean_env(**values: str) -> dict:
    """Only the credentials a test gives: none leak in from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV}
    return {**env, **values}


def audit(url: str, out: Path, env: dict, *extra: str) -> QARun:
    return run_qa("audit", url, *ONE_CELL, *extra, out=out, env=env)


def paths(run: QARun, base: str) -> set[str]:
    return {p["url"].removeprefix(base.rstrip("/")) for p in run.results["pages"]}


def secrets_of(wp: dict) -> list[str]:
    return [wp["basic_password"], wp["admin_password"], wp["app_password"]]


def assert_no_credentials(run: QARun, wp: dict) -> None:
    """Not in results.json, the streamed records, any workbook, stdout/stderr, or a screenshot's file name."""
    texts = {"stdout": run.stdout, "stderr": run.stderr}
    for path in run.run_dir.rglob("*"):
        if path.suffix in (".json", ".jsonl"):
            texts[path.name] = path.read_text(encoding="utf-8")
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                texts[path.name] = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        texts[f"name of {path.name}"] = path.name
    assert any(p.suffix == ".png" for p in run.run_dir.rglob("*.png")), "screenshots expected"
    for secret in secrets_of(wp):
        leaks = [where for where, text in texts.items() if secret in text]
        assert not leaks, f"a credential appears in {leaks}"


@pytest.fixture(scope="session")
def anonymous_run(wp: dict, tmp_path_factory: pytest.TempPathFactory) -> QARun:
    return audit(wp["open_url"], tmp_path_factory.mktemp("wp-anon"), clean_env())


@pytest.fixture(scope="session")
def editor_run(wp: dict, tmp_path_factory: pytest.TempPathFactory) -> QARun:
    env = clean_env(
        QA_WP_USER=wp["admin_user"],
        QA_WP_APP_PASSWORD=wp["app_password"],
        QA_LOGIN_USER=wp["admin_user"],
        QA_LOGIN_PASSWORD=wp["admin_password"],
    )
    return audit(wp["open_url"], tmp_path_factory.mktemp("wp-editor"), env)


def test_every_published_item_is_discovered_even_unlinked(wp: dict, anonymous_run: QARun) -> None:
    run = anonymous_run
    assert run.code == 1, run.stderr  # the seeded theme defects fail the gate
    found = paths(run, wp["open_url"])
    published = {item["path"] for item in wp["published"]}
    assert published <= found, f"not discovered: {published - found}"
    # No page links to the orphan page or the event: only WordPress itself knows them.
    for item in [{"path": "/"}, *wp["published"]]:
        html = httpx.get(wp["open_url"].rstrip("/") + item["path"]).text
        links = {urlsplit(href).path for href in re.findall(r'<a\s[^>]*href="([^"]*)"', html)}
        assert links and wp["orphan_path"] not in links and wp["event_path"] not in links
    assert all(p["status"] == 200 and not p["error"] for p in run.results["pages"])


def test_wordpress_facts_are_recorded(wp: dict, anonymous_run: QARun) -> None:
    pages = {p["url"].removeprefix(wp["open_url"].rstrip("/")): p for p in anonymous_run.results["pages"]}
    for item in wp["published"]:
        facts = pages[item["path"]]["facts"]["wordpress"]
        assert facts["id"] == item["id"] and facts["type"] == item["type"] and facts["status"] == "publish"
        assert facts["template"] == (item["template"] or "default")
        assert facts["modified"].endswith("Z")
    section = anonymous_run.results["wordpress"]
    assert section["types"] == {t: sum(1 for i in wp["published"] if i["type"] == t) for t in ("post", "page", "event")}


def test_drafts_are_not_audited_without_credentials(wp: dict, anonymous_run: QARun) -> None:
    urls = [p["url"] for p in anonymous_run.results["pages"]]
    assert not [u for u in urls if "preview=true" in u]
    titles = {p["title"] for p in anonymous_run.results["pages"]}
    assert not any(item["title"] in t for item in wp["unpublished"] for t in titles)
    assert anonymous_run.results["wordpress"]["unpublished"]["listed"] == 0


def test_drafts_pending_and_scheduled_are_audited_with_credentials(wp: dict, editor_run: QARun) -> None:
    run = editor_run
    assert run.code == 1, run.stderr
    previews = {p["facts"]["wordpress"]["id"]: p for p in run.results["pages"] if "preview=true" in p["url"]}
    assert set(previews) == {item["id"] for item in wp["unpublished"]}
    for item in wp["unpublished"]:
        page = previews[item["id"]]
        # The preview really rendered the unpublished post (not a 404 or the login page).
        assert page["status"] == 200 and not page["error"] and page["title"].startswith(item["title"])
        assert page["facts"]["wordpress"]["status"] == item["status"]
    statuses = {i["status"] for i in wp["unpublished"]}
    assert {"draft", "pending", "future"} <= statuses
    section = run.results["wordpress"]["unpublished"]
    assert section["listed"] == section["audited"] == len(wp["unpublished"])
    # The logged-in crawl never opened the admin area or a logout link.
    assert not [p["url"] for p in run.results["pages"] if "wp-admin" in p["url"] or "wp-login" in p["url"]]
    # Their findings count too: the theme's search field is unlabeled on the previews as well.
    assert any(f["rule"] == "label" and "preview=true" in f["url"] for f in run.results["findings"])


def test_seeded_template_defect_is_one_group_with_its_page_count(wp: dict, anonymous_run: QARun) -> None:
    results = anonymous_run.results
    audited = {p["url"] for p in results["pages"] if not p["error"]}
    label = [g for g in results["groups"]["items"] if g["rule"] == "label"]
    # header.php's unlabeled search field: one group, on every page of the site.
    assert len(label) == 1, label
    group = label[0]
    assert group["page_count"] == len(audited) and set(group["pages"]) == audited
    assert group["html_shape"].startswith("<input name") and 'type="search"' in group["example_html"]
    assert group["summary"] == f"fix once in the theme: affects {len(audited)} pages"
    # Pages WordPress's REST API does not describe (front page, archives) are annotated from their body classes.
    assert {"post", "page", "event", "home", "category", "author"} <= set(group["post_types"])
    assert group["templates"]["page: page-templates/landing.php"] == 1
    # single.php's badge without alt: one group, on the posts and events only.
    singles = {
        u
        for u in audited
        if (next(p for p in results["pages"] if p["url"] == u)["facts"].get("wordpress") or {}).get("type")
        in ("post", "event")
    }
    image = [g for g in results["groups"]["items"] if g["rule"] == "image-alt"]
    assert len(image) == 1 and set(image[0]["pages"]) == singles
    assert set(image[0]["post_types"]) == {"post", "event"}
    # The per-page view stays: one finding per page, and the group lists all of them.
    assert len(group["findings"]) == sum(1 for f in results["findings"] if f["rule"] == "label")
    from openpyxl import load_workbook

    wb = load_workbook(anonymous_run.run_dir / "findings-by-template.xlsx")
    rows = list(wb["グループ"].iter_rows(values_only=True))
    header = rows[0]
    label_row = next(r for r in rows[1:] if r[header.index("ルール")] == "label")
    assert label_row[header.index("ページ数")] == len(audited)
    assert f"{len(audited)} ページに影響" in label_row[header.index("対応")]
    by_group = [r for r in wb["グループ別ページ"].iter_rows(values_only=True) if r[0] == group["id"]]
    assert len(by_group) == len(audited)


def test_no_credential_reaches_any_output(wp: dict, editor_run: QARun) -> None:
    assert_no_credentials(editor_run, wp)


def test_protected_variant_fails_clearly_without_credentials(wp: dict, tmp_path: Path) -> None:
    run = audit(wp["protected_url"], tmp_path / "none", clean_env())
    assert run.code == 3
    assert run.stderr.count("\n") == 1 and "HTTP 401" in run.stderr and "QA_BASIC_USER" in run.stderr
    run = audit(
        wp["protected_url"], tmp_path / "wrong", clean_env(QA_BASIC_USER=wp["basic_user"], QA_BASIC_PASSWORD="nope")
    )
    assert run.code == 3 and run.stderr.count("\n") == 1 and "rejected" in run.stderr
    assert "Traceback" not in run.stderr


def test_wrong_login_fails_clearly(wp: dict, tmp_path: Path) -> None:
    env = clean_env(QA_LOGIN_USER=wp["admin_user"], QA_LOGIN_PASSWORD="not-the-password")
    run = audit(wp["open_url"], tmp_path, env)
    assert run.code == 3
    assert (
        run.stderr.strip()
        == f"qa: error: login at {wp['open_url']}wp-login.php failed; check QA_LOGIN_USER and QA_LOGIN_PASSWORD"
    )


def test_wrong_application_password_fails_clearly(wp: dict, tmp_path: Path) -> None:
    env = clean_env(QA_WP_USER=wp["admin_user"], QA_WP_APP_PASSWORD="abcd efgh ijkl mnop qrst uvwx")
    run = audit(wp["open_url"], tmp_path, env)
    assert run.code == 3 and run.stderr.count("\n") == 1
    assert "refused QA_WP_USER and QA_WP_APP_PASSWORD (HTTP 401)" in run.stderr


def test_protected_variant_works_with_credentials_from_a_secrets_file(wp: dict, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(
        f"basic_user: {wp['basic_user']}\nbasic_password: {wp['basic_password']}\n"
        f"login_user: {wp['admin_user']}\nlogin_password: {wp['admin_password']}\n",
        encoding="utf-8",
    )
    secrets.chmod(0o600)
    config = tmp_path / "qa.yaml"
    # The login form described in configuration (here WordPress's own, found by its selectors).
    config.write_text(
        f"access:\n  secrets_file: {secrets}\n  login:\n    url: /wp-login.php\n    username: 'input[name=log]'\n"
        "    password: 'input[name=pwd]'\n    submit: 'input[type=submit]'\n    success: '#wpadminbar'\nmax_pages: 8\n",
        encoding="utf-8",
    )
    run = audit(wp["protected_url"], tmp_path / "out", clean_env(), "--config", str(config))
    assert run.code == 1, run.stderr
    pages = run.results["pages"]
    assert len(pages) == 8 and all(p["status"] == 200 and not p["error"] for p in pages)
    assert all(p["url"].startswith(wp["protected_url"]) for p in pages)
    # Behind Basic auth the session (not the application password) lists the drafts.
    assert run.results["wordpress"]["unpublished"]["listed"] == len(wp["unpublished"])
    assert run.results["run"]["config"]["access"]["secrets_file"] == "***"
    assert_no_credentials(run, wp)
