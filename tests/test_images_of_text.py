"""Images of text read by OCR (1.4.5, 1.1.1): one real Chromium audit with real Tesseract of pages whose images are
drawn here with Pillow (nothing binary is committed). An image that shows words is needs-review under 1.4.5, and
under 1.1.1 too when its alternative leaves them out; images without words, and a background under the page's own
text, give nothing. Without Tesseract the check fails on each page, names the fix, and covers no criterion."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from qa.demo.server import serve
from tests.conftest import QARun, run_qa

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"  # fonts-noto-cjk: Latin and Japanese


def banner(path: Path, text: str, size: tuple[int, int], ground: str, ink: str, points: int = 30) -> None:
    image = Image.new("RGB", size, ground)
    ImageDraw.Draw(image).text((16, (size[1] - points) // 2 - 4), text, font=ImageFont.truetype(FONT, points), fill=ink)
    image.save(path)


def scenery(path: Path, seed: int) -> None:
    """A photograph-like picture: soft colour fields, shapes and grain; no letters."""
    rng = random.Random(seed)
    image = Image.new("RGB", (480, 320), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(480), rng.randrange(320)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + rng.randrange(20, 160), y + rng.randrange(20, 120)), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    grain = Image.effect_noise((480, 320), 40).convert("RGB")
    Image.blend(image, grain, 0.15).save(path)


def write_site(root: Path) -> None:
    banner(root / "invest.png", "Invest in our city", (460, 80), "#ffffff", "#1a3d7c")
    banner(root / "welcome.png", "Welcome to our website", (520, 80), "#f4f0e0", "#333333")
    banner(root / "apply.png", "Apply now", (220, 64), "#12325c", "#ffd400", points=28)
    banner(root / "notice.png", "Office closed on Monday", (520, 90), "#fff4d6", "#7a2000")
    banner(root / "ja.png", "企業立地のご案内", (420, 80), "#003366", "#ffffff")
    banner(root / "plain.png", "", (520, 160), "#dde8f5", "#dde8f5")
    for n in range(3):
        scenery(root / f"photo{n}.jpg", seed=n)
    svg = (
        "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='300' height='60'>"
        "<text x='8' y='40' font-size='32' font-family='sans-serif'>Business Support</text></svg>"
    )
    (root / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Images with words</title></head><body><main>'
        "<h1>Images with words</h1>"
        '<img id="invest" src="invest.png" alt="Invest in our city">'
        '<img id="welcome" src="welcome.png" alt="">'
        '<form action="/apply"><input type="image" id="apply" src="apply.png" alt="Go"></form>'
        '<div id="notice" style="background-image:url(notice.png);width:520px;height:90px"></div>'
        f'<img id="svg-text" src="{svg}" alt="Business Support">'
        '<p><a href="ja.html">日本語</a> <a href="photos.html">Photos</a></p>'
        "</main></body></html>",
        encoding="utf-8",
    )
    (root / "ja.html").write_text(
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>企業立地</title></head>'
        "<body><main><h1>企業立地</h1>"
        '<img id="ja-banner" src="ja.png" alt="企業立地のご案内"></main></body></html>',
        encoding="utf-8",
    )
    (root / "photos.html").write_text(
        '<!doctype html><html lang="en"><head><title>Photos</title></head><body><main><h1>Photos</h1>'
        '<img id="photo0" src="photo0.jpg" alt="The harbour at dawn">'
        '<img id="photo1" src="photo1.jpg" alt="">'
        '<input type="image" id="photo2" src="photo2.jpg" alt="Next photo">'
        '<div id="hero" style="background-image:url(plain.png);width:520px;height:160px">'
        "<p style='font-size:28px;margin:0;padding:40px'>Welcome to the harbour district</p></div>"
        '<img id="tiny" src="invest.png" alt="" width="30" height="6">'
        "</main></body></html>",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("images-of-text-site")
    write_site(root)
    with serve(root) as url:
        yield url


@pytest.fixture(scope="module")
def ocr_run(site: str, tmp_path_factory: pytest.TempPathFactory) -> QARun:
    run = run_qa("audit", site, "--only", "images-of-text", *ONE_CELL, out=tmp_path_factory.mktemp("ocr"))
    assert (run.run_dir / "results.json").exists(), run.stderr
    return run


def found(run: QARun) -> dict[tuple[str, str], dict]:
    return {(f["target"], f["rule"]): f for f in run.results["findings"] if f["check"] == "images-of-text"}


@pytest.mark.parametrize(
    ("target", "words", "alt_leaves_them_out"),
    [
        ("#invest", "Invest", False),
        ("#welcome", "Welcome", True),  # an empty alt on words that inform
        ("#apply", "Apply", True),  # light words on a dark image button, named "Go"
        ("#notice", "Office", True),  # a CSS background image with no alternative at all
        ("#svg-text", "Business", False),
        ("#ja-banner", "企業立地", False),
    ],
)
def test_an_image_that_shows_words_is_needs_review_with_the_words(
    ocr_run: QARun, target: str, words: str, alt_leaves_them_out: bool
) -> None:
    findings = found(ocr_run)
    text = findings[(target, "image-of-text")]
    assert text["outcome"] == "needs-review" and text["sc"] == ["1.4.5"]
    assert words in text["details"]["text"] and words in text["message"]
    if alt_leaves_them_out:
        alt = findings[(target, "image-text-not-in-alt")]
        assert alt["outcome"] == "needs-review" and alt["sc"] == ["1.1.1"]
    else:
        assert (target, "image-text-not-in-alt") not in findings


def test_pictures_without_words_and_text_over_a_background_give_nothing(ocr_run: QARun) -> None:
    on_photos = [f for f in ocr_run.results["findings"] if f["url"].endswith("/photos.html")]
    assert on_photos == []
    record = next(p for p in ocr_run.results["pages"] if p["url"].endswith("/photos.html"))
    assert not record["error"] and "images-of-text" not in record["facts"].get("check_errors", {}), record


def test_no_violation_is_ever_claimed_and_the_checklist_counts_the_evidence(ocr_run: QARun) -> None:
    assert {f["outcome"] for f in ocr_run.results["findings"] if f["check"] == "images-of-text"} == {"needs-review"}
    check = next(c for c in ocr_run.results["checks"] if c["id"] == "images-of-text")
    assert check["criteria"] == {"1.4.5": "partial", "1.1.1": "partial"} and check["errors"] == 0


def test_without_tesseract_the_check_fails_on_each_page_and_names_the_fix(site: str, tmp_path: Path) -> None:
    run = run_qa(
        "audit", site, "--only", "images-of-text", *ONE_CELL, out=tmp_path, env={"QA_TESSERACT": "/nonexistent/ocr"}
    )
    assert (run.run_dir / "results.json").exists(), run.stderr
    check = next(c for c in run.results["checks"] if c["id"] == "images-of-text")
    assert check["errors"] == 3 and check["pages"] == 0, check  # three pages, none read
    assert not [f for f in run.results["findings"] if f["check"] == "images-of-text"]
    errors = [p["facts"].get("check_errors", {}).get("images-of-text", "") for p in run.results["pages"]]
    assert all("apt-get install tesseract-ocr" in e for e in errors), errors
    criterion = run.results["judgement"]["criteria"]["1.4.5"]
    assert criterion["verdict"] != "pass" and "images-of-text" not in criterion["checks"], criterion


def test_an_image_below_the_captured_screenshot_is_still_read_where_another_page_shows_it(tmp_path: Path) -> None:
    """A page longer than a screenshot holds (16,384 px) shows the banner at its foot first; the next page shows the
    same banner at its top, where it must be read, not taken as the nothing the first page's screenshot held."""
    root = tmp_path / "site"
    root.mkdir()
    banner(root / "invest.png", "Invest in our city", (460, 80), "#ffffff", "#1a3d7c")
    head = '<!doctype html><html lang="en"><head><title>{0}</title></head><body><main><h1>{0}</h1>'
    img = '<img id="invest" src="invest.png" alt="">'
    (root / "far.html").write_text(head.format("Far") + '<div style="height:17000px"></div>' + img + "</main>")
    (root / "near.html").write_text(head.format("Near") + img + "</main>")
    with serve(root) as url:
        listing = tmp_path / "urls.txt"
        listing.write_text(f"{url}far.html\n{url}near.html\n")
        run = run_qa(
            "audit", "--urls", str(listing), "--only", "images-of-text", *ONE_CELL, "--concurrency", "1",
            out=tmp_path / "out",
        )  # fmt: skip
    assert [p["url"].rsplit("/", 1)[-1] for p in run.results["pages"]] == ["far.html", "near.html"]
    read = {(f["url"].rsplit("/", 1)[-1], f["rule"]) for f in run.results["findings"]}
    assert ("near.html", "image-of-text") in read and ("far.html", "image-of-text") not in read, read
