"""Forms that commit the user (3.3.4): listed for a person as needs-review, never sent. One real Chromium audit of
pages written here: an order form with card fields, a Japanese application form, an account deletion; and forms
that commit nothing (a search, a filter, a log-in, a contact form)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qa.demo.server import serve
from tests.conftest import QARun, run_qa

FORMS = {
    "order.html": '<form id="order" method="post" action="/order"><label>Card number <input name="card" '
    'autocomplete="cc-number"></label><button>Continue</button></form>',
    "apply.html": '<form id="apply" method="post" action="/apply"><label>氏名 <input name="name"></label>'
    "<button>補助金を申し込む</button></form>",
    "close-account.html": '<form id="delete" method="post" action="/account"><button>Delete my account</button></form>',
    "quiet.html": '<form role="search" action="/search"><label>Search <input type="search" name="q"></label>'
    '<button>Search</button></form><form action="/news"><label>Year <select name="y"><option>2026</option>'
    '</select></label><button>Apply filters</button></form><form method="post" action="/login">'
    '<label>User <input name="u"></label><label>Password <input type="password" name="p"></label>'
    '<button>Log in</button></form><form method="post" action="/contact"><label>Message <textarea name="m">'
    "</textarea></label><button>Send</button></form>",
}


@pytest.fixture(scope="module")
def forms_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    root = tmp_path_factory.mktemp("forms-site")
    links = "".join(f'<a href="{name}">{name}</a> ' for name in FORMS)
    (root / "index.html").write_text(f'<!doctype html><html lang="en"><head><title>Forms</title></head><body>'
                                     f"<main><h1>Forms</h1>{links}</main></body></html>", encoding="utf-8")  # fmt: skip
    for name, form in FORMS.items():
        (root / name).write_text(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{name}</title></head><body><main>'
            f"<h1>{name}</h1>{form}</main></body></html>",
            encoding="utf-8",
        )
    with serve(root) as url:
        run = run_qa(
            "audit", url, "--only", "error-prevention", "--browser", "chromium", "--viewport", "desktop",
            out=tmp_path_factory.mktemp("forms"),
        )  # fmt: skip
    assert (run.run_dir / "results.json").exists(), run.stderr
    yield run


def listed(run: QARun) -> dict[str, dict]:
    return {f["target"]: f for f in run.results["findings"] if f["rule"] == "commitment-form"}


@pytest.mark.parametrize(
    ("target", "why"),
    [("#order", "payment fields: card"), ("#apply", "補助金を申し込む"), ("#delete", "Delete my account")],
)
def test_a_form_that_commits_the_user_is_listed_with_what_shows_it(forms_run: QARun, target: str, why: str) -> None:
    finding = listed(forms_run)[target]
    assert finding["outcome"] == "needs-review" and finding["sc"] == ["3.3.4"]
    assert why in finding["details"]["why"]


def test_searches_filters_log_ins_and_contact_forms_are_not_listed(forms_run: QARun) -> None:
    assert set(listed(forms_run)) == {"#order", "#apply", "#delete"}
    assert len(forms_run.results["pages"]) == 5  # every page was audited, and nothing was sent
    check = next(c for c in forms_run.results["checks"] if c["id"] == "error-prevention")
    assert check["criteria"] == {"3.3.4": "aid"} and check["errors"] == 0
