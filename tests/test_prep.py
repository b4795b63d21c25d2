"""Preparing the site before the scan, through the real `qa audit` in real browsers against pages served here:
extra headers and a bearer token from the environment, a Playwright storage-state file, scripted steps (a login
flow typing a password from the environment, a consent banner dismissed), a failing step. 127.0.0.2 plays another
origin and records what reached it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from qa.access import SiteAccess, apply_storage_state, config_headers, parse_header_arg
from qa.config import Config, parse
from qa.errors import ConfigError, UsageError
from qa.visit.steps import check_steps
from tests.conftest import PageHandler, run_qa
from tests.test_trust import serve_on

USER, PASSWORD = "editor", "steps-pa55-7391"  # typed by the steps from the environment only
SESSION = "sess-4b1d9e0c7a52"  # the session cookie the login sets
PROFILE = "member-profile-1"  # the localStorage entry the welcome page sets
API_KEY, BEARER, EXTRA = "key-8c2f61a9d3", "bearer-03e7b5c1f4", "extra-6a90d2e8"


def other_origin() -> type[PageHandler]:
    class Other(PageHandler):
        seen: list[dict] = []

        def do_GET(self) -> None:
            Other.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
            self.send_html(b"", 204)

    return Other


def members_site(other: str) -> type[PageHandler]:
    """A login page that sets a session cookie (and, on the page after it, a localStorage entry); /members is
    shown only with both, and loads an image from the other origin."""

    class Site(PageHandler):
        seen: list[dict] = []

        def logged_in(self) -> bool:
            return f"sid={SESSION}" in (self.headers.get("Cookie") or "")

        def do_GET(self) -> None:
            Site.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
            if self.path == "/login":
                form = (
                    '<form method="post" action="/login"><label>User <input id="user" name="user"></label>'
                    '<label>Password <input id="pass" name="password" type="password"></label>'
                    '<button id="go" type="submit">Log in</button></form>'
                )
                self.send_html(f'<html lang="en"><title>Log in</title><main>{form}</main></html>'.encode())
            elif self.path == "/welcome":
                script = f"<script>localStorage.setItem('profile', '{PROFILE}')</script>"
                self.send_html(f'<html lang="en"><title>Welcome</title><main id="welcome">hi</main>{script}'.encode())
            elif self.path == "/members":
                if not self.logged_in():
                    self.send_response(302)
                    self.send_header("Location", "/login")
                    self.end_headers()
                    return
                script = (
                    f"<script>document.title = localStorage.getItem('profile') === '{PROFILE}' "
                    "? 'Members' : 'No profile'</script>"
                )
                img = f'<img src="{other}pixel.png" alt="">'
                self.send_html(
                    f'<html lang="en"><title>wait</title><main><h1>Members</h1>{img}</main>{script}'.encode()
                )
            elif self.path == "/headers":
                self.send_html(f'<html lang="en"><title>h</title><main><img src="{other}p.png" alt=""></main>'.encode())
            else:
                self.send_html(b"", 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            if form.get("user") == [USER] and form.get("password") == [PASSWORD]:
                self.send_response(303)
                self.send_header("Set-Cookie", f"sid={SESSION}; Path=/; HttpOnly")
                self.send_header("Location", "/welcome")
                self.end_headers()
            else:
                self.send_html(b'<title>Log in</title><p role="alert">wrong password</p>', 403)

    return Site


def outputs_with(run_dir: Path, *secrets: str) -> list[str]:
    """Every file of the run folder (reports, records, screenshots' names) holding one of the secrets."""
    found = []
    for path in run_dir.rglob("*"):
        if any(s in path.name for s in secrets):
            found.append(path.name)
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {s}" for s in secrets if s.encode() in data]
    return found


def members_pages(results: dict) -> dict[str, dict]:
    return {p["browser"]: p for p in results["pages"] if p["url"].endswith("/members")}


# --- storage state ---------------------------------------------------------------------------------------------


def test_a_storage_state_file_starts_logged_in_in_every_engine_and_stays_on_its_origin(tmp_path: Path) -> None:
    Other = other_origin()
    with serve_on("127.0.0.2", Other) as other:
        Site = members_site(other)
        with serve_on("127.0.0.1", Site) as base:
            origin = base.rstrip("/")
            state = {
                "cookies": [
                    {"name": "sid", "value": SESSION, "domain": "127.0.0.1", "path": "/", "expires": -1,
                     "httpOnly": True, "secure": False, "sameSite": "Lax"},
                    {"name": "other", "value": "leak-77e2a1c9", "domain": "127.0.0.2", "path": "/", "expires": -1,
                     "httpOnly": False, "secure": False, "sameSite": "Lax"},
                ],
                "origins": [
                    {"origin": origin, "localStorage": [{"name": "profile", "value": PROFILE}]},
                    {"origin": other.rstrip("/"), "localStorage": [{"name": "x", "value": "leak-77e2a1c9"}]},
                ],
            }  # fmt: skip
            state_file = tmp_path / "state.json"
            state_file.write_text(json.dumps(state), encoding="utf-8")
            run = run_qa(
                "audit", base + "members", "--storage-state", str(state_file), "--only", "browser",
                "--browser", "chromium", "--browser", "firefox", "--browser", "webkit", "--viewport", "desktop",
                "--max-pages", "1", out=tmp_path / "out", timeout=900,
            )  # fmt: skip
    assert run.code in (0, 1), run.stderr
    results = run.results
    engines = set(results["run"]["engines"]["browsers"])
    assert {"chromium", "firefox"} <= engines  # WebKit too where WebKitGTK (or Playwright's) is installed
    pages = members_pages(results)
    for browser in engines:
        page = pages[browser]
        assert not page["error"], (browser, page["error"])
        # the cookie let the server answer, the localStorage entry let the script name the page
        assert page["final_url"].endswith("/members") and page["title"] == "Members", (browser, page)
    # the entries for 127.0.0.2 were dropped, with a warning that says so
    assert "127.0.0.2" in run.stderr and "dropped" in run.stderr
    assert any("storage_state" in n and "127.0.0.2" in n for n in results["run"]["notes"])
    assert Other.seen, "the page's image on the other origin was requested"
    assert not [r for r in Other.seen if "cookie" in r["headers"]], Other.seen
    assert outputs_with(run.run_dir, SESSION) == []


# --- headers and bearer token ----------------------------------------------------------------------------------


def test_headers_and_a_bearer_token_from_the_environment_go_to_the_site_only(tmp_path: Path) -> None:
    Other = other_origin()
    config = tmp_path / "qa.yaml"
    config.write_text(
        "access:\n  headers:\n    X-Api-Key: ${QA_TEST_API_KEY}\n  bearer_token_env: QA_TEST_BEARER\n", encoding="utf-8"
    )
    env = {"QA_TEST_API_KEY": API_KEY, "QA_TEST_BEARER": BEARER, "QA_TEST_EXTRA": EXTRA}
    with serve_on("127.0.0.2", Other) as other:
        Site = members_site(other)
        with serve_on("127.0.0.1", Site) as base:
            run = run_qa(
                "audit", base + "headers", "--config", str(config), "--header", "X-Extra: ${QA_TEST_EXTRA}",
                "--only", "browser", "--browser", "chromium", "--browser", "firefox", "--viewport", "desktop",
                "--max-pages", "1", out=tmp_path / "out", env=env,
            )  # fmt: skip
    assert run.code in (0, 1), run.stderr
    assert {p["browser"] for p in run.results["pages"] if not p["error"]} == {"chromium", "firefox"}
    browser_hits = [
        r for r in Site.seen if r["path"] == "/headers" and "mozilla" in r["headers"].get("user-agent", "").lower()
    ]
    assert len(browser_hits) >= 2  # one per engine
    for hit in browser_hits:
        assert hit["headers"].get("x-api-key") == API_KEY
        assert hit["headers"].get("authorization") == f"Bearer {BEARER}"
        assert hit["headers"].get("x-extra") == EXTRA
    assert Other.seen
    for hit in Other.seen:
        assert not {"x-api-key", "authorization", "x-extra"} & set(hit["headers"]), hit
    assert outputs_with(run.run_dir, API_KEY, BEARER, EXTRA) == []
    assert API_KEY not in run.stdout + run.stderr and BEARER not in run.stdout + run.stderr


# --- scripted steps --------------------------------------------------------------------------------------------

LOGIN_STEPS = """steps:
  once_per_session:
    - goto: /login
    - fill: {selector: '#user', value_env: QA_TEST_USER}
    - fill: {selector: '#pass', value_env: QA_TEST_PASSWORD}
    - click: '#go'
    - wait_for: '#welcome'
"""


def test_a_login_flow_by_steps_types_the_password_from_the_environment_and_never_writes_it(tmp_path: Path) -> None:
    Other = other_origin()
    config = tmp_path / "qa.yaml"
    config.write_text(LOGIN_STEPS, encoding="utf-8")
    env = {"QA_TEST_USER": USER, "QA_TEST_PASSWORD": PASSWORD}
    with serve_on("127.0.0.2", Other) as other, serve_on("127.0.0.1", members_site(other)) as base:
        run = run_qa(
            "audit", base + "members", "--config", str(config), "--only", "browser",
            "--browser", "chromium", "--browser", "firefox", "--viewport", "desktop", "--max-pages", "1",
            out=tmp_path / "out", env=env,
        )  # fmt: skip
    assert run.code in (0, 1), run.stderr
    pages = members_pages(run.results)
    for browser in ("chromium", "firefox"):
        page = pages[browser]
        assert not page["error"], (browser, page["error"])
        assert page["final_url"].endswith("/members") and page["title"] == "Members", (browser, page)
    assert outputs_with(run.run_dir, PASSWORD, SESSION) == []
    assert PASSWORD not in run.stdout + run.stderr


def test_a_step_that_fails_is_a_page_fault_naming_the_step(tmp_path: Path) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text(
        "steps:\n  before_each_page:\n    - click: '#no-such-button'\n      timeout: 1\n", encoding="utf-8"
    )
    with serve_on("127.0.0.2", other_origin()) as other, serve_on("127.0.0.1", members_site(other)) as base:
        run = run_qa(
            "audit", base + "login", "--config", str(config), "--only", "browser", "--browser", "chromium",
            "--browser", "firefox", "--viewport", "desktop", "--max-pages", "1", out=tmp_path / "out",
        )  # fmt: skip
    assert "Traceback" not in run.stderr
    pages = [p for p in run.results["pages"] if p["url"].endswith("/login")]
    assert {p["browser"] for p in pages} == {"chromium", "firefox"}
    for page in pages:
        assert page["error_kind"] == "step-failed"
        assert "steps.before_each_page[0] (click: #no-such-button)" in page["error"]
        assert "matches no element" in page["error"]


# --- a consent banner --------------------------------------------------------------------------------------------


class BannerSite(PageHandler):
    """Two pages behind a consent wall: a banner covers them and their content is not shown until it is accepted.
    Accepting sets a consent cookie and an analytics-style ``_ga`` cookie (tracking, but only after consent). The
    content has an image without a text alternative."""

    def do_GET(self) -> None:
        if self.path not in ("/", "/about"):
            self.send_html(b"", 404)
            return
        banner = (
            '<div id="consent" role="dialog" aria-label="Cookie consent" style="position:fixed;inset:0;'
            'background:#fff;z-index:10"><p style="color:#000">We use cookies.</p>'
            '<button id="agree" type="button">Accept</button></div>'
        )
        script = (
            "<script>const b = document.getElementById('consent');"
            "const open = () => { b.remove(); document.body.classList.remove('locked'); };"
            "if (document.cookie.includes('consent=yes')) open();"
            "document.getElementById('agree').onclick = () => {"
            "document.cookie = 'consent=yes; path=/'; document.cookie = '_ga=GA1.1.123.456; path=/'; open(); };"
            "</script>"
        )
        body = (
            '<header><a href="/">Home</a> <a href="/about">About</a> <a href="/privacy">Privacy policy</a></header>'
            '<main><h1>Notice</h1><p>The figures of the year:</p><img src="/chart.png" width="200" height="100"></main>'
        )
        style = "<style>.locked main { display: none }</style>"
        page = f'<html lang="en"><title>Page {self.path}</title>{style}<body class="locked">{banner}{body}{script}'
        self.send_html(page.encode())


CONSENT_STEPS = """steps:
  once_per_session:
    - click: '#agree'
      optional: true
      timeout: 3
"""


def missing_alt(results: dict) -> list[dict]:
    return [f for f in results["findings"] if f["rule"] == "image-alt" and f["outcome"] == "violation"]


def test_a_consent_banner_dismissed_by_steps_uncovers_the_page_and_privacy_still_sees_before_consent(
    tmp_path: Path,
) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text(CONSENT_STEPS, encoding="utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text("{}\n", encoding="utf-8")
    args = (
        "--only",
        "axe",
        "--only",
        "privacy",
        "--browser",
        "chromium",
        "--viewport",
        "desktop",
        "--concurrency",
        "1",
    )
    with serve_on("127.0.0.1", BannerSite) as base:
        run = run_qa("audit", base, "--config", str(config), *args, out=tmp_path / "steps")
        covered = run_qa("audit", base, "--config", str(plain), *args, out=tmp_path / "plain")
    assert run.code in (0, 1) and covered.code in (0, 1), run.stderr + covered.stderr
    results = run.results
    # behind the wall the image is not shown, so not checked; with the banner dismissed by the steps it is
    assert not missing_alt(covered.results)
    found = missing_alt(results)
    assert {f["url"].rsplit("/", 1)[-1] for f in found} == {"", "about"}, found
    # privacy looked at the first page before the steps accepted the banner: the banner is seen there, and _ga,
    # set only by accepting, is not reported as a cookie before consent
    pages = {p["url"].rsplit("/", 1)[-1] or "/": p for p in results["pages"] if not p["error"]}
    assert pages["/"]["facts"]["privacy"]["banner"]
    assert "after_steps" not in pages["/"]["facts"]["privacy"]
    assert pages["about"]["facts"]["privacy"].get("after_steps") is True  # seen after consent: not counted
    before = [r for r in results["privacy-cookies"] if r.get("before_consent")]
    assert not [r for r in before if r["name"] in ("_ga", "consent")], before
    assert not [f for f in results["findings"] if f["rule"] == "no-consent-banner"]


# --- settings, checked before anything starts ----------------------------------------------------------------


def test_step_settings_are_checked_before_the_run() -> None:
    with pytest.raises(ConfigError, match=r"steps.before_each_page\[0\]' needs exactly one action"):
        parse(Config, {"steps": {"before_each_page": [{"click": "#a", "press": "Enter"}]}}, "qa.yaml")
    with pytest.raises(ConfigError, match="did you mean 'wait_for'"):
        parse(Config, {"steps": {"before_each_page": [{"wait_fr": "#a"}]}}, "qa.yaml")
    config = parse(Config, {"steps": {"once_per_session": [{"goto": "http://127.0.0.2:8000/login"}]}}, "qa.yaml")
    with pytest.raises(ConfigError, match=r"steps.once_per_session\[0\] goto .*site's origin http://127.0.0.1:8000"):
        check_steps(config, "http://127.0.0.1:8000/", {})
    fill = {"fill": {"selector": "#pass", "value_env": "QA_NOT_SET_ANYWHERE"}}
    config = parse(Config, {"steps": {"once_per_session": [fill]}}, "qa.yaml")
    with pytest.raises(ConfigError, match=r"QA_NOT_SET_ANYWHERE, which is not set; export"):
        check_steps(config, "http://127.0.0.1:8000/", {})
    check_steps(config, "http://127.0.0.1:8000/", {"QA_NOT_SET_ANYWHERE": "s3cret-value"})


def test_header_settings() -> None:
    config = parse(
        Config, {"access": {"headers": {"X-Api-Key": "${QA_K}", "X-Env": "staging"}, "bearer_token_env": "QA_B"}}, "q"
    )
    assert config_headers(config, {"QA_K": "k-123456", "QA_B": "b-123456"}) == {
        "X-Api-Key": "k-123456",
        "X-Env": "staging",
        "Authorization": "Bearer b-123456",
    }
    with pytest.raises(ConfigError, match="QA_B is not set"):
        config_headers(config, {"QA_K": "k-123456"})
    with pytest.raises(ConfigError, match="not a header name"):
        parse(Config, {"access": {"headers": {"Bad Name": "x"}}}, "q")
    assert parse_header_arg("X-Token: ${QA_T}", {"QA_T": "tok-999999"}) == ("X-Token", "tok-999999")
    with pytest.raises(UsageError, match="'Name: value'"):
        parse_header_arg("no colon here", {})


def test_a_storage_state_keeps_only_the_sites_origins(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(
        json.dumps(
            {
                "cookies": [
                    {"name": "sid", "value": "v-12345678", "domain": "127.0.0.1", "path": "/"},
                    {"name": "ad", "value": "x", "domain": ".tracker.example", "path": "/"},
                ],
                "origins": [
                    {"origin": "http://127.0.0.1:8000", "localStorage": [{"name": "k", "value": "v"}]},
                    {"origin": "https://tracker.example", "localStorage": [{"name": "k", "value": "v"}]},
                ],
            }
        ),
        encoding="utf-8",
    )
    access = SiteAccess(origins=("http://127.0.0.1:8000",))
    apply_storage_state(access, state)
    assert [c["name"] for c in access.cookies] == ["sid"] and access.cookies[0]["url"] == "http://127.0.0.1:8000/"
    assert list(access.local_storage) == ["http://127.0.0.1:8000"]
    assert len(access.notes) == 1 and re.search(r"tracker\.example.*dropped", access.notes[0])
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a storage-state JSON file"):
        apply_storage_state(access, tmp_path / "bad.json")


def test_qa_login_saves_a_storage_state_that_a_later_audit_starts_with(tmp_path: Path) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text(LOGIN_STEPS, encoding="utf-8")
    state = tmp_path / "state.json"
    env = {"QA_TEST_USER": USER, "QA_TEST_PASSWORD": PASSWORD}
    with serve_on("127.0.0.2", other_origin()) as other, serve_on("127.0.0.1", members_site(other)) as base:
        login = run_qa("login", base, "--save-storage", str(state), "--config", str(config), env=env)
        assert login.code == 0, login.stderr
        assert state.stat().st_mode & 0o077 == 0  # session cookies are credentials: the owner's only
        saved = json.loads(state.read_text(encoding="utf-8"))
        assert [c["name"] for c in saved["cookies"]] == ["sid"]
        assert saved["origins"][0]["localStorage"] == [{"name": "profile", "value": PROFILE}]
        assert PASSWORD not in state.read_text(encoding="utf-8") + login.stdout + login.stderr
        run = run_qa(
            "audit", base + "members", "--storage-state", str(state), "--only", "browser", "--browser", "chromium",
            "--viewport", "desktop", "--max-pages", "1", out=tmp_path / "out",
        )  # fmt: skip
    assert run.code in (0, 1), run.stderr
    page = members_pages(run.results)["chromium"]
    assert page["title"] == "Members" and not page["error"], page
    # a login flow that fails says which step, in one line, exit 3
    config.write_text(LOGIN_STEPS.replace("'#welcome'", "'#nowhere'\n      timeout: 1"), encoding="utf-8")
    with serve_on("127.0.0.2", other_origin()) as other, serve_on("127.0.0.1", members_site(other)) as base:
        failed = run_qa("login", base, "--save-storage", str(tmp_path / "s2.json"), "--config", str(config), env=env)
    assert failed.code == 3 and "Traceback" not in failed.stderr
    assert "steps.once_per_session[4] (wait_for: #nowhere)" in failed.stderr and not (tmp_path / "s2.json").exists()
