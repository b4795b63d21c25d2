"""The words an image shows, read by Tesseract OCR: what the images-of-text check (qa.check.images_of_text) asks.

OCR reads letters into photographs too (a fence becomes "Illl", foliage "ae ee"), so a read counts only as words
that are words: Latin words of three letters or more read with confidence and found in the English dictionaries
(Enchant's Hunspell en_US/en_GB when installed, else only very confident reads of four letters or more), acronyms
read very confidently, and three Japanese characters or more read in a row with high confidence. An image is read
in up to three ways, stopping at the first that finds words: as it is, and as black text on white (Otsu's
threshold, so light text on a dark button reads too), whole and without its outer 15 % (a frame around a button's
label hides the label from Tesseract's layout analysis). The same pixels are read once per process.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import Image, ImageOps

from qa.check._text import JAPANESE

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")
MIN_CONFIDENCE = 70  # Tesseract's per-word confidence (0-100) for a dictionary word
SURE_CONFIDENCE = 90  # without a dictionary, a word must be read this surely
JAPANESE_CONFIDENCE = 80
MIN_LINE_PX = 96  # images lower than this are enlarged (at most 4 times): Tesseract reads letters of 20 px best
MAX_SIDE_PX = 1200  # larger images are reduced: beyond it OCR only costs more
TIMEOUT_S = 15
_CACHE_MAX = 4096
FIX = "apt-get install tesseract-ocr tesseract-ocr-jpn"


class OcrMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            f"Tesseract OCR is not installed, so no image was read for text; install it ({FIX}) or name the program "
            "in QA_TESSERACT"
        )


@dataclass(frozen=True)
class Reading:
    words: tuple[str, ...]  # the words that count, in reading order
    text: str  # every word Tesseract read with confidence, as a person would read the image

    def __bool__(self) -> bool:
        return bool(self.words)


def program() -> str | None:
    """The Tesseract program: ``QA_TESSERACT`` (a path or a name on PATH), else ``tesseract`` on PATH."""
    return shutil.which(os.environ.get("QA_TESSERACT") or "tesseract")


def available() -> bool:
    return program() is not None


@cache
def languages() -> frozenset[str]:
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = program() or "tesseract"
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except Exception:  # noqa: BLE001 (an unusable tesseract reads nothing; the caller says how to install it)
        return frozenset()


@cache
def _dictionaries() -> tuple[Any, ...]:
    try:
        import enchant

        return tuple(enchant.Dict(d) for d in ("en_US", "en_GB") if enchant.dict_exists(d))
    except ImportError:
        return ()


def is_word(word: str, confidence: float) -> bool:
    """A Latin token that is a word of the language, read surely enough to name it."""
    if len(word) < 3 or not LATIN_WORD.fullmatch(word):
        return False
    if word.isupper() and confidence >= SURE_CONFIDENCE:
        return True  # an acronym (WCAG, JETRO): no dictionary has it
    dictionaries = _dictionaries()
    if not dictionaries:
        return confidence >= SURE_CONFIDENCE and len(word) >= 4 and bool(re.search(r"[aeiouyAEIOUY]", word))
    return confidence >= MIN_CONFIDENCE and any(d.check(word) or d.check(word.lower()) for d in dictionaries)


def _otsu(gray: Image.Image) -> int:
    hist = gray.histogram()
    total, weighted = sum(hist), sum(i * n for i, n in enumerate(hist))
    below = below_sum = 0
    best, threshold = -1.0, 127
    for t, n in enumerate(hist):
        below += n
        if not below or below == total:
            continue
        below_sum += t * n
        mean_below, mean_above = below_sum / below, (weighted - below_sum) / (total - below)
        spread = below * (total - below) * (mean_below - mean_above) ** 2
        if spread > best:
            best, threshold = spread, t
    return threshold


def _variants(image: Image.Image) -> list[tuple[Callable[[], Image.Image], str]]:
    """(the image to read, Tesseract's page segmentation): sparse text for the image as it is (a poster's
    scattered lines), one block for the black-on-white forms (a button's label)."""
    if max(image.size) > MAX_SIDE_PX:  # before any copy: a page-long image would cost its full size three times
        image = image.copy()
        image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, "white")
    white.alpha_composite(rgba)
    gray = white.convert("L")
    scale = min(4.0, MIN_LINE_PX / gray.height) if gray.height < MIN_LINE_PX else 1.0
    if max(gray.size) * scale > MAX_SIDE_PX:
        scale = MAX_SIDE_PX / max(gray.size)
    if scale != 1.0:
        gray = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))), Image.LANCZOS)

    def binary() -> Image.Image:
        cut = _otsu(gray)
        bw = gray.point(lambda v: 255 if v > cut else 0)
        if sum(bw.histogram()[:128]) * 2 > bw.width * bw.height:  # mostly dark: light text on a dark ground
            bw = ImageOps.invert(bw)
        return bw

    def inner() -> Image.Image:
        bw = binary()
        dx, dy = round(bw.width * 0.15), round(bw.height * 0.15)
        return bw.crop((dx, dy, bw.width - dx, bw.height - dy))

    return [(lambda: gray, "11"), (binary, "6"), (inner, "6")]


def _read(image: Image.Image, langs: str, psm: str) -> Reading:
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = program() or "tesseract"
    sure: list[str] = []
    words: list[str] = []
    run, line = "", None  # the Japanese read surely, token after token on one line
    data = pytesseract.image_to_data(
        ImageOps.expand(image, 16, fill=255 if image.getpixel((0, 0)) else 0),
        lang=langs,
        config=f"--psm {psm}",
        output_type=pytesseract.Output.DICT,
        timeout=TIMEOUT_S,
    )
    rows = zip(data["text"], data["conf"], data["block_num"], data["par_num"], data["line_num"], strict=False)
    for token, confidence, *where in rows:
        token, confidence = (token or "").strip(), float(confidence)
        if not token or confidence < 0:
            continue
        japanese = JAPANESE.search(token) and confidence >= JAPANESE_CONFIDENCE
        if not japanese or where != line:
            # A photograph gives a scattered kana or two; a phrase is three characters or more in a row.
            if len(JAPANESE.findall(run)) >= 3:
                words.append(run)
            run = ""
        line = where
        if japanese:
            run += token
            sure.append(token)
            continue
        if confidence >= MIN_CONFIDENCE:
            sure.append(token)
        bare = token.strip(".,:;!?\"'()[]“”‘’«»-–—")
        if is_word(bare, confidence):
            words.append(bare)
    if len(JAPANESE.findall(run)) >= 3:
        words.append(run)
    if sum(len(w) for w in words) < 4:
        return Reading((), "")
    return Reading(tuple(words), _joined(sure))


def _joined(tokens: list[str]) -> str:
    """The tokens as one line: Japanese is written without spaces between words."""
    text = ""
    for token in tokens:
        glued = text and JAPANESE.match(token[0]) and JAPANESE.match(text[-1])
        text += token if glued or not text else " " + token
    return text


_cache: dict[str, Reading] = {}
_lock = threading.Semaphore(1)  # one Tesseract at a time: the browsers need the other core


def read_text(image: Image.Image, langs: str = "eng") -> Reading:
    """The words ``image`` shows; blocking (call it from a thread). Raises OcrMissing without Tesseract."""
    if not available():
        raise OcrMissing()
    key = hashlib.sha1(image.tobytes() + f"{image.size}{image.mode}{langs}".encode()).hexdigest()
    if key in _cache:
        return _cache[key]
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract's own threads would compete with the browsers
    reading = Reading((), "")
    with _lock:
        if key in _cache:  # read by the page that held the lock: the same banner on two pages in flight
            return _cache[key]
        for variant, psm in _variants(image):
            reading = _read(variant(), langs, psm)
            if reading:
                break
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[key] = reading
    return reading


def ocr_languages(page_lang: str) -> str:
    """Tesseract's languages for a page: Japanese as well where the page is Japanese and jpn is installed."""
    if page_lang.lower().startswith("ja") and "jpn" in languages():
        return "jpn+eng"
    return "eng"
