"""Template grouping on any site: the demo site's repeated defects, and the grouping key itself."""

from __future__ import annotations

from qa.judge.groups import group_findings, html_shape, selector_key
from qa.model import Finding, Page, Results, RunInfo


def test_html_shape_keeps_tag_and_attribute_names_only() -> None:
    assert html_shape('<input type="search" name="s" value="">') == "<input name type value>"
    assert html_shape("<IMG SRC='/a.png' width=48>") == "<img src width>"
    assert html_shape("") == ""


def test_selector_key_ignores_positions_and_per_item_numbers() -> None:
    assert selector_key("#post-13 > p:nth-child(2) > img") == selector_key("#post-7 > p:nth-child(5) > img")
    assert selector_key("h2") != selector_key("h3")


def test_same_rule_on_different_elements_stays_apart() -> None:
    results = Results(run=RunInfo(id="r", started=""))
    for n in range(3):
        url = f"http://h/p{n}"
        results.pages.append(
            Page(url, "chromium", "desktop", facts={"wordpress": {"type": "post", "template": "default"}})
        )
        results.findings.append(
            Finding(
                "image-alt",
                "violation",
                url,
                "chromium",
                "desktop",
                ["1.1.1"],
                target=f"#post-{n} > img",
                html=f'<img src="/b{n}.png">',
            )
        )
    results.findings.append(
        Finding(
            "image-alt",
            "violation",
            "http://h/p0",
            "chromium",
            "desktop",
            ["1.1.1"],
            target="footer > img",
            html='<img src="/logo.png" class="logo">',
        )
    )
    groups = group_findings(results)
    assert [(g.page_count, g.selector) for g in groups] == [(3, "#post-N > img"), (1, "footer > img")]
    assert groups[0].summary() == "fix once in the theme: affects 3 pages"
    assert groups[0].templates == {"post: default": 3}
    assert groups[1].summary() == "1 page"


def test_demo_site_groups_cover_every_finding(demo_run) -> None:
    results = demo_run.results
    section = results["groups"]
    assert section["findings"] == len(results["findings"])
    assert sum(len(g["findings"]) for g in section["items"]) == len(results["findings"])
    assert section["groups"] == len(section["items"]) <= len(results["findings"])
    assert (demo_run.run_dir / "findings-by-template.xlsx").exists()


def test_template_from_wordpress_body_classes() -> None:
    from qa.check.wordpress_template import template_from_classes

    landing = "page-template page-template-page-templates page-template-page-templateslanding-php page page-id-10"
    assert template_from_classes(landing.split()) == {
        "kind": "page",
        "type": "page",
        "template": "page-templateslanding-php",
    }
    post = "post-template-default single single-post postid-13 single-format-standard".split()
    assert template_from_classes(post) == {"kind": "single", "type": "post", "template": "default"}
    assert template_from_classes(["home", "blog"]) == {"kind": "home", "type": "home", "template": ""}
    assert template_from_classes(["my-own-class"]) is None
