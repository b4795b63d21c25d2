"""The answer-key site of ``bench_link_answers.py``: 256 references of many kinds (anchors, images, media, SVG,
CSS in every place a URL can hide, ``<base href>``, redirects, odd HTTP answers, schemes, another origin, content
added or changed by script), each with the answer a link check should give.

It was written as a probe by someone who did not write the suite, so its cases are kept as they were designed; only
the way it is served changed: in-process, on free ports, nothing written outside memory.

The own origin is ``http://127.0.0.1:PORT1`` (the site under audit), the other origin ``http://127.0.0.2:PORT2``.
In a case, a URL is a path on the own origin or a full URL with ``{OWN}``/``{OTHER}``; the expected answers are
``broken``, ``ok``, ``info`` (a redirect to a working page), ``warning`` (a missing anchor), ``notbroken`` (anything
but broken) and ``notbroken-or-broken`` (either is defensible).
"""

from __future__ import annotations

import gzip
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, unquote, unquote_to_bytes, urlsplit

Expect = tuple[str, str]
CASES: list[tuple[str, str, str, list[Expect]]] = []  # (page, kind, html snippet, [(url, expected), ...])
HEAD_EXTRA: dict[str, str] = {}  # page -> what goes into its <head> (for cases that live there)


def case(page: str, kind: str, html: str, *expect: Expect) -> None:
    CASES.append((page, kind, html, list(expect)))


# Not formatted: ruff format would give every argument of every case its own line (some 1,200 lines); here a
# case takes a line or two, so the key reads as a table.
# fmt: off
# --- plain <a href> variants, page /t/a/links.html -------------------------------------------------------------
P = "/t/a/links.html"
case(P, "a relative", '<a href="../../target/ok.html">rel ok</a>', ("/target/ok.html", "ok"))
case(P, "a relative broken", '<a href="../../target/missing-rel.html">rel broken</a>',
     ("/target/missing-rel.html", "broken"))
case(P, "a ./ relative", '<a href="./sibling.html">./ ok</a>', ("/t/a/sibling.html", "ok"))
case(P, "a ./ relative broken", '<a href="./missing-sibling.html">./ broken</a>',
     ("/t/a/missing-sibling.html", "broken"))
case(P, "a absolute", '<a href="{OWN}/target/ok2.html">abs ok</a>', ("/target/ok2.html", "ok"))
case(P, "a absolute broken", '<a href="{OWN}/target/missing-abs.html">abs broken</a>',
     ("/target/missing-abs.html", "broken"))
case(P, "a protocol-relative", '<a href="//{OWNHOST}/target/ok3.html">proto-rel ok</a>', ("/target/ok3.html", "ok"))
case(P, "a protocol-relative broken", '<a href="//{OWNHOST}/target/missing-proto.html">proto-rel broken</a>',
     ("/target/missing-proto.html", "broken"))
case(P, "a whitespace/newlines around", '<a href="  \n\t/target/ok4.html \n ">ws ok</a>', ("/target/ok4.html", "ok"))
case(P, "a whitespace around broken", '<a href=" \n /target/missing-ws.html\n ">ws broken</a>',
     ("/target/missing-ws.html", "broken"))
case(P, "a newline inside URL (browser strips)", '<a href="/target/o\nk5.html">nl inside ok</a>',
     ("/target/ok5.html", "ok"))
case(P, "a backslashes (browser: slashes)", '<a href="\\target\\ok6.html">backslash ok</a>', ("/target/ok6.html", "ok"))
case(P, "a uppercase scheme", '<a href="HTTP://{OWNHOST}/target/ok7.html">HTTP ok</a>', ("/target/ok7.html", "ok"))
case(P, "a userinfo", '<a href="http://user:pw@{OWNHOST}/target/ok8.html">userinfo ok</a>', ("/target/ok8.html", "ok"))
case(P, "a query (&amp;)", '<a href="/q?x=1&amp;y=2">query ok</a>', ("/q?x=1&y=2", "ok"))
case(P, "a query broken", '<a href="/q?x=2&amp;y=2">query broken</a>', ("/q?x=2&y=2", "broken"))
case(P, "a query+fragment (no such anchor: warning)", '<a href="/q?x=1&amp;y=3#frag">query+frag</a>',
     ("/q?x=1&y=3#frag", "warning"))
case(P, "a case-sensitive path ok", '<a href="/Case/Page.html">Case ok</a>', ("/Case/Page.html", "ok"))
case(P, "a case-sensitive path broken", '<a href="/case/page.html">case broken</a>', ("/case/page.html", "broken"))
case(P, "a folder w/o trailing slash (301 to /folder/)", '<a href="/folder">folder</a>', ("/folder", "info"))
case(P, "a empty href / # (self)", '<a href="">self</a><a href="#">hash</a>', (P, "ok"))
case(P, "a download attr", '<a href="/files/doc.pdf" download>pdf</a>', ("/files/doc.pdf", "ok"))
case(P, "a pdf broken", '<a href="/files/missing.pdf">pdf broken</a>', ("/files/missing.pdf", "broken"))
case(P, "a pdf #page=2", '<a href="/files/doc2.pdf#page=2">pdf p2</a>', ("/files/doc2.pdf", "ok"))
case(P, "a percent-encoded ASCII", '<a href="/target/%6Fk9.html">%6F ok</a>', ("/target/ok9.html", "ok"))
case(P, "a plus in path", '<a href="/target/a+b.html">plus ok</a>', ("/target/a+b.html", "ok"))

# --- non-ASCII, spaces --------------------------------------------------------------------------------------------
P = "/t/intl.html"
case(P, "a raw Japanese path", '<a href="/日本語/ページ.html">ja raw ok</a>', ("/日本語/ページ.html", "ok"))
case(P, "a percent-encoded Japanese path",
     '<a href="/%E6%97%A5%E6%9C%AC%E8%AA%9E/%E3%83%9A%E3%83%BC%E3%82%B8.html">ja enc ok</a>',
     ("/日本語/ページ.html", "ok"))
case(P, "a raw Japanese path broken", '<a href="/日本語/存在しない.html">ja raw broken</a>',
     ("/日本語/存在しない.html", "broken"))
case(P, "a raw space in path", '<a href="/with space/file.html">space ok</a>', ("/with space/file.html", "ok"))
case(P, "a %20 in path", '<a href="/with%20space/file2.html">%20 ok</a>', ("/with space/file2.html", "ok"))
case(P, "a raw space broken", '<a href="/with space/missing file.html">space broken</a>',
     ("/with space/missing file.html", "broken"))
case(P, "a Japanese query", '<a href="/jq?q=日本語">ja query ok</a>', ("/jq?q=日本語", "ok"))
case(P, "a Japanese query broken", '<a href="/jq?q=英語">ja query broken</a>', ("/jq?q=英語", "broken"))
case(P, "img raw Japanese src", '<img src="/画像/写真.png" alt="ja img">', ("/画像/写真.png", "ok"))
case(P, "img raw Japanese src broken", '<img src="/画像/ない.png" alt="ja img broken">', ("/画像/ない.png", "broken"))
case(P, "a Japanese fragment exists", '<h2 id="見出し">見出し</h2><a href="#見出し">ja frag ok</a>', (P, "ok"))

# --- <base href> --------------------------------------------------------------------------------------------------
P = "/based/page.html"
HEAD_EXTRA[P] = '<base href="/basetarget/sub/">'
case(P, "a under <base href>", '<a href="a.html">base ok</a>', ("/basetarget/sub/a.html", "ok"))
case(P, "a under <base href> broken", '<a href="missing-base.html">base broken</a>',
     ("/basetarget/sub/missing-base.html", "broken"))
case(P, "a ../ under <base href>", '<a href="../b.html">base ../ ok</a>', ("/basetarget/b.html", "ok"))
case(P, "img under <base href>", '<img src="img.png" alt="base img">', ("/basetarget/sub/img.png", "ok"))
case(P, "img under <base href> broken", '<img src="missing-img.png" alt="base img broken">',
     ("/basetarget/sub/missing-img.png", "broken"))
case(P, "style attr url() under base", '<div style="background:url(bg.png)">x</div>', ("/basetarget/sub/bg.png", "ok"))
case(P, "style attr url() under base broken", '<div style="background:url(missing-bg.png)">x</div>',
     ("/basetarget/sub/missing-bg.png", "broken"))
case(P, "<style> url() under base",
     '<style>.bb{background:url(bg2.png)} .bc{background:url(missing-bg2.png)}</style><p class="bb bc">x</p>',
     ("/basetarget/sub/bg2.png", "ok"), ("/basetarget/sub/missing-bg2.png", "broken"))
case(P, "ext CSS under base (sheet-relative)", '<link rel="stylesheet" href="based.css">',
     ("/basetarget/sub/based.css", "ok"), ("/basetarget/sub/sheet-img.png", "ok"),
     ("/basetarget/sub/missing-sheet-img.png", "broken"))
case(P, "a #x under <base href> resolves to the base URL (no #x there: warning)", '<a href="#x">base frag</a>',
     ("/basetarget/sub/#x", "warning"))

# --- images ---------------------------------------------------------------------------------------------------
P = "/t/images.html"
case(P, "img src", '<img src="/img/ok.png" alt="ok">', ("/img/ok.png", "ok"))
case(P, "img src broken", '<img src="/img/missing.png" alt="broken">', ("/img/missing.png", "broken"))
case(P, "img loading=lazy below fold broken",
     '<div style="height:5000px"></div><img loading="lazy" src="/img/missing-lazy.png" alt="lazy">',
     ("/img/missing-lazy.png", "broken"))
case(P, "img srcset x", '<img src="/img/ok.png" srcset="/img/ok-1x.png 1x, /img/ok-2x.png 2x" alt="x">',
     ("/img/ok-1x.png", "ok"), ("/img/ok-2x.png", "ok"))
case(P, "img srcset x broken (2x)",
     '<img src="/img/ok.png" srcset="/img/ok-1x.png 1x, /img/missing-2x.png 2x" alt="x broken">',
     ("/img/missing-2x.png", "broken"))
case(P, "img srcset w",
     '<img src="/img/ok.png" srcset="/img/w400.png 400w, /img/w800.png 800w, /img/missing-w1600.png 1600w" '
     'sizes="100vw" alt="w">', ("/img/w400.png", "ok"), ("/img/w800.png", "ok"), ("/img/missing-w1600.png", "broken"))
case(P, "img srcset URL with comma",
     '<img src="/img/ok.png" srcset="/img/a,b.png 1x, /img/c,missing.png 2x" alt="comma">', ("/img/a,b.png", "ok"),
     ("/img/c,missing.png", "broken"))
case(P, "img srcset no descriptor, no spaces after comma",
     '<img src="/img/ok.png" srcset="/img/ok-3x.png 3x,/img/missing-nospace.png 4x" alt="nospace">',
     ("/img/ok-3x.png", "ok"), ("/img/missing-nospace.png", "broken"))
case(P, "picture source srcset", '<picture><source srcset="/img/pic.webp" type="image/webp">'
     '<source srcset="/img/missing-pic.avif" type="image/avif">'
     '<source media="(min-width: 10000px)" srcset="/img/missing-wide.png">'
     '<img src="/img/pic-fallback.png" alt="pic"></picture>', ("/img/pic.webp", "ok"),
     ("/img/missing-pic.avif", "broken"), ("/img/missing-wide.png", "broken"), ("/img/pic-fallback.png", "ok"))
case(P, "input type=image", '<form><input type="image" src="/img/button.png" alt="go">'
     '<input type="image" src="/img/missing-button.png" alt="go2"></form>', ("/img/button.png", "ok"),
     ("/img/missing-button.png", "broken"))
case(P, "area in image map", '<img src="/img/map.png" usemap="#m" alt="map"><map name="m">'
     '<area shape="rect" coords="0,0,1,1" href="/target/area-ok.html" alt="a1">'
     '<area shape="rect" coords="1,1,2,2" href="/target/missing-area.html" alt="a2"></map>',
     ("/target/area-ok.html", "ok"), ("/target/missing-area.html", "broken"))
case(P, "img redirected (301 -> png)", '<img src="/r/img-301" alt="redir img">', ("/r/img-301", "info"))
case(P, "img wrong content-type (png as text/plain)", '<img src="/img/wrongtype.png" alt="wt">',
     ("/img/wrongtype.png", "ok"))
case(P, "link rel=preload imagesrcset",
     '<link rel="preload" as="image" href="/img/pre.png" imagesrcset="/img/pre-1x.png 1x, /img/missing-pre-2x.png '
     '2x">', ("/img/pre.png", "ok"), ("/img/pre-1x.png", "ok"), ("/img/missing-pre-2x.png", "broken"))

# --- media / embeds -------------------------------------------------------------------------------------------
P = "/t/media.html"
case(P, "video src + poster", '<video src="/media/ok.mp4" poster="/img/poster.png" controls></video>',
     ("/media/ok.mp4", "ok"), ("/img/poster.png", "ok"))
case(P, "video src + poster broken",
     '<video src="/media/missing.mp4" poster="/img/missing-poster.png" controls></video>',
     ("/media/missing.mp4", "broken"), ("/img/missing-poster.png", "broken"))
case(P, "video source src", '<video controls preload="none"><source src="/media/ok2.webm" type="video/webm">'
     '<source src="/media/missing2.mp4" type="video/mp4"><track kind="captions" src="/media/ok.vtt" srclang="ja">'
     '<track kind="subtitles" src="/media/missing.vtt" srclang="en"></video>', ("/media/ok2.webm", "ok"),
     ("/media/missing2.mp4", "broken"), ("/media/ok.vtt", "ok"), ("/media/missing.vtt", "broken"))
case(P, "audio src", '<audio src="/media/ok.mp3" controls></audio><audio src="/media/missing.mp3" controls></audio>',
     ("/media/ok.mp3", "ok"), ("/media/missing.mp3", "broken"))
case(P, "object data", '<object data="/files/obj.svg" type="image/svg+xml"></object>'
     '<object data="/files/missing-obj.svg" type="image/svg+xml"></object>', ("/files/obj.svg", "ok"),
     ("/files/missing-obj.svg", "broken"))
case(P, "embed src",
     '<embed src="/files/embed.svg" type="image/svg+xml"><embed src="/files/missing-embed.svg" type="image/svg+xml">',
     ("/files/embed.svg", "ok"), ("/files/missing-embed.svg", "broken"))
case(P, "iframe src", '<iframe src="/frames/inner.html" title="inner"></iframe>'
     '<iframe src="/frames/missing.html" title="missing frame"></iframe>', ("/frames/inner.html", "ok"),
     ("/frames/missing.html", "broken"))
case("/frames/inner.html", "a inside an iframe-only page",
     '<a href="/target/missing-in-iframe.html">in iframe broken</a>'
     '<a href="/target/in-iframe-ok.html">in iframe ok</a>', ("/target/missing-in-iframe.html", "broken"),
     ("/target/in-iframe-ok.html", "ok"))

# --- <head> ---------------------------------------------------------------------------------------------------
P = "/t/head.html"
HEAD_EXTRA[P] = (
    '<link rel="stylesheet" href="/css/plain.css"><link rel="stylesheet" href="/css/missing.css">'
    '<link rel="icon" href="/favicon-ok.ico"><link rel="icon" href="/missing-icon.png" sizes="32x32">'
    '<link rel="apple-touch-icon" href="/missing-touch.png">'
    '<link rel="preload" href="/fonts/pre.woff2" as="font" type="font/woff2" crossorigin>'
    '<link rel="preload" href="/js/missing-pre.js" as="script"><link rel="canonical" href="{OWN}/t/head.html">'
    '<link rel="alternate" hreflang="en" href="/en/missing-alt.html">'
    '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    '<link rel="manifest" href="/missing.webmanifest"><link rel="preconnect" href="http://127.0.0.3:1">'
    '<link rel="dns-prefetch" href="//127.0.0.3:1"><link rel="modulepreload" href="/js/missing-mod.js">'
    '<link rel="prefetch" href="/target/prefetch-ok.html"><script src="/js/ok.js"></script>'
    '<script src="/js/missing.js"></script><script type="module" src="/js/missing-module.js"></script>'
    '<script async src="/r/js-302"></script>'
)
case(P, "link rel=stylesheet", "", ("/css/plain.css", "ok"), ("/css/missing.css", "broken"))
case(P, "link rel=icon", "", ("/favicon-ok.ico", "ok"), ("/missing-icon.png", "broken"),
     ("/missing-touch.png", "broken"))
case(P, "link rel=preload", "", ("/fonts/pre.woff2", "ok"), ("/js/missing-pre.js", "broken"))
case(P, "link canonical/alternate/manifest", "", ("/t/head.html", "ok"), ("/en/missing-alt.html", "broken"),
     ("/feed.xml", "ok"), ("/missing.webmanifest", "broken"))
case(P, "link preconnect/dns-prefetch (hosts, not resources)", "", ("http://127.0.0.3:1/", "notbroken"))
case(P, "link modulepreload/prefetch", "", ("/js/missing-mod.js", "broken"), ("/target/prefetch-ok.html", "ok"))
case(P, "script src", "", ("/js/ok.js", "ok"), ("/js/missing.js", "broken"), ("/js/missing-module.js", "broken"),
     ("/r/js-302", "info"))

# --- SVG ------------------------------------------------------------------------------------------------------
P = "/t/svg.html"
case(P, "svg <image href>", '<svg width="20" height="20"><image href="/img/svg-image.png" width="10" height="10"/>'
     '<image href="/img/missing-svg-image.png" width="10" height="10"/></svg>', ("/img/svg-image.png", "ok"),
     ("/img/missing-svg-image.png", "broken"))
case(P, "svg <image xlink:href>", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
     '<image xlink:href="/img/missing-xlink-image.png" width="10" height="10"/></svg>',
     ("/img/missing-xlink-image.png", "broken"))
case(P, "svg <use href> external",
     '<svg width="20" height="20"><use href="/img/sprite.svg#icon"/><use href="/img/missing-sprite.svg#icon"/></svg>',
     ("/img/sprite.svg", "ok"), ("/img/missing-sprite.svg", "broken"))
case(P, "svg <use xlink:href> external", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
     '<use xlink:href="/img/missing-xlink-sprite.svg#icon"/></svg>', ("/img/missing-xlink-sprite.svg", "broken"))
case(P, "svg <a href>", '<svg width="20" height="20"><a href="/target/svg-a-ok.html"><rect width="5" height="5"/></a>'
     '<a href="/target/missing-svg-a.html"><rect x="6" width="5" height="5"/></a></svg>',
     ("/target/svg-a-ok.html", "ok"), ("/target/missing-svg-a.html", "broken"))
case(P, "svg <a xlink:href>", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
     '<a xlink:href="/target/missing-svg-xlink-a.html"><rect width="5" height="5"/></a></svg>',
     ("/target/missing-svg-xlink-a.html", "broken"))
case(P, "img of an svg file", '<img src="/img/pic.svg" alt="svg">', ("/img/pic.svg", "ok"))

# --- inline CSS -----------------------------------------------------------------------------------------------
P = "/t/css-inline.html"
case(P, "style attr url()", '<div style="background-image:url(/img/st-ok.png)">a</div>'
     '<div style="background-image: url(\'/img/missing-st.png\')">b</div>', ("/img/st-ok.png", "ok"),
     ("/img/missing-st.png", "broken"))
case(P, "style attr URL() uppercase", '<div style="background-image:URL(/img/missing-upper.png)">c</div>',
     ("/img/missing-upper.png", "broken"))
case(P, "style attr url( with spaces )",
     '<div style="background-image:url(  &quot;/img/missing-spaced.png&quot;  )">d</div>',
     ("/img/missing-spaced.png", "broken"))
case(P, "style attr relative url()", '<div style="background:url(../img/missing-rel-st.png)">e</div>',
     ("/img/missing-rel-st.png", "broken"))
case(P, "<style> url()",
     '<style>.s1{background:url(/img/style-ok.png)} .s2{background:url("/img/missing-style.png")}</style>'
     '<p class="s1 s2">s</p>', ("/img/style-ok.png", "ok"), ("/img/missing-style.png", "broken"))
case(P, "<style> @import", '<style>@import "/css/imp-ok.css"; @import url(/css/missing-imp.css);</style>',
     ("/css/imp-ok.css", "ok"), ("/css/missing-imp.css", "broken"))
case(P, "<style> @media url()", "<style>@media (max-width: 1px){.s3{background:url(/img/missing-media.png)}}</style>",
     ("/img/missing-media.png", "broken"))
case(P, "<style> @supports url()",
     "<style>@supports (display:grid){.s4{background:url(/img/missing-supports.png)}}</style>",
     ("/img/missing-supports.png", "broken"))
case(P, "<style> @font-face",
     '<style>@font-face{font-family:f1;src:url(/fonts/ok.woff2) format("woff2"),url(/fonts/missing.woff) '
     'format("woff")}</style>', ("/fonts/ok.woff2", "ok"), ("/fonts/missing.woff", "broken"))
case(P, "<style> image-set() with strings",
     '<style>.s5{background-image:image-set("/img/is-1x.png" 1x, "/img/missing-is-2x.png" 2x)}</style>'
     '<p class="s5">is</p>', ("/img/is-1x.png", "ok"), ("/img/missing-is-2x.png", "broken"))
case(P, "<style> -webkit-image-set(url())",
     "<style>.s6{background-image:-webkit-image-set(url(/img/wis-1x.png) 1x, url(/img/missing-wis-2x.png) "
     '2x)}</style><p class="s6">wis</p>', ("/img/wis-1x.png", "ok"), ("/img/missing-wis-2x.png", "broken"))
case(P, "<style> cursor / list-style / mask / content url()",
     "<style>.s7{cursor:url(/img/missing-cursor.png),auto;list-style-image:url(/img/missing-list.png)} "
     '.s7::before{content:url(/img/missing-content.png)}</style><ul class="s7"><li>c</li></ul>',
     ("/img/missing-cursor.png", "broken"), ("/img/missing-list.png", "broken"), ("/img/missing-content.png", "broken"))
case(P, "<style> nested CSS url()",
     '<style>.n1{color:red; & .n2{background:url(/img/missing-nested.png)}}</style><div class="n1">'
     '<p class="n2">n</p></div>', ("/img/missing-nested.png", "broken"))
case(P, "<style> @layer block url()", "<style>@layer base{.l1{background:url(/img/missing-layer.png)}}</style>",
     ("/img/missing-layer.png", "broken"))
case(P, "<style> @import ... layer()/supports()/media",
     "<style>@import url(/css/missing-imp-layer.css) layer(x); @import url(/css/missing-imp-media.css) "
     "print;</style>", ("/css/missing-imp-layer.css", "broken"), ("/css/missing-imp-media.css", "broken"))
case(P, "<style> url() containing ')' via quotes", '<style>.s8{background:url("/img/missing-(paren).png")}</style>',
     ("/img/missing-(paren).png", "broken"))
case(P, "SVG <style> url() inside inline svg",
     '<svg width="10" height="10"><style>.sv{fill:url(/img/missing-svg-style.svg#g)}</style>'
     '<rect class="sv" width="5" height="5"/></svg>', ("/img/missing-svg-style.svg", "broken"))

# --- external CSS in another folder ---------------------------------------------------------------------------
P = "/t/css-external.html"
HEAD_EXTRA[P] = '<link rel="stylesheet" href="/css/sub/main.css">'
case(P, "ext CSS sheet", "", ("/css/sub/main.css", "ok"))
case(P, "ext CSS @import relative (ok)", "", ("/css/sub/parts/extra.css", "ok"))
case(P, "ext CSS @import relative (missing)", "", ("/css/missing-import.css", "broken"))
case(P, "ext CSS url() relative to sheet (ok)", "", ("/img/from-sheet.png", "ok"))
case(P, "ext CSS url() relative to sheet (missing)", "", ("/css/sub/missing-from-sheet.png", "broken"))
case(P, "imported CSS url() relative to imported sheet (ok)", "", ("/css/sub/parts/bg.png", "ok"))
case(P, "imported CSS url() relative to imported sheet (missing)", "",
     ("/css/sub/parts/missing-in-import.png", "broken"))
case(P, "imported CSS nested @import (missing)", "", ("/css/sub/parts/missing-deep.css", "broken"))
case(P, "ext CSS @font-face relative", "", ("/css/fonts/ok.woff2", "ok"), ("/css/fonts/missing.woff2", "broken"))
case(P, "ext CSS image-set strings", "", ("/css/sub/is-ok.png", "ok"), ("/css/sub/missing-is.png", "broken"))
case(P, "ext CSS @media url()", "", ("/css/sub/missing-media.png", "broken"))
case(P, "ext CSS with wrong content-type (text/plain), sheet itself",
     '<link rel="stylesheet" href="/css/wrongtype.css">', ("/css/wrongtype.css", "ok"))
case(P, "ext CSS redirected (302 -> sheet), url() inside", '<link rel="stylesheet" href="/r/css-302">',
     ("/r/css-302", "info"), ("/css/moved/missing-moved.png", "broken"))

case(P, "ext CSS redirected (302 -> /css/moved/sheet2.css), working url() inside",
     '<link rel="stylesheet" href="/r/css2-302">', ("/r/css2-302", "info"), ("/css/moved/moved-ok.png", "ok"),
     ("/r/moved-ok.png", "notbroken"))
case(P, "ext CSS @import of a redirected sheet, working url() inside", "<style>@import url(/r/css3-301);</style>",
     ("/r/css3-301", "info"), ("/css/moved/moved-ok3.png", "ok"), ("/r/moved-ok3.png", "notbroken"))

# --- redirect-only page (for the gate) ---
case("/t/redirects-only.html", "a redirect 301 -> ok (gate page)",
     '<a href="/r/301-ok">r</a><a href="/r/chain1">chain</a><img src="/r/img-301" alt="i">', ("/r/301-ok", "info"),
     ("/r/chain1", "info"), ("/r/img-301", "info"))

case("/t/css-inline.html", "style attr image-set() with strings",
     '<div style="background-image:image-set(\'/img/missing-attr-is.png\' 1x)">ais</div>',
     ("/img/missing-attr-is.png", "broken"))
case("/t/external.html", "a other origin, anchor id created by JS (browser finds it)",
     '<a href="{OTHER}/jsid.html#made">jsid</a>', ("{OTHER}/jsid.html#made", "notbroken"))
HEAD_EXTRA["/t/refresh2-broken.html"] = '<meta http-equiv="refresh" content="2; url=/target/missing-refresh2.html">'
case("/t/refresh2-broken.html", "meta refresh (2 s) broken", "", ("/target/missing-refresh2.html", "broken"))
case("/t/sjis.html", "a Japanese query on a Shift_JIS page (browser encodes query as SJIS)",
     '<a href="/sjq?q=日本語">sjis ok</a><a href="/sjq?q=英語">sjis broken</a>', ("/sjq?q=%93%FA%96%7B%8C%EA", "ok"),
     ("/sjq?q=%89p%8C%EA", "broken"))

P = "/t/rawurls.html"
case(P, "a percent-encoded Shift_JIS bytes in path (legacy server)",
     '<a href="/sjpath/%93%FA%96%7B%8C%EA.html">sjis path ok</a>', ("/sjpath/%93%FA%96%7B%8C%EA.html", "ok"))
case(P, "a %2F in path segment", '<a href="/enc/a%2Fb">%2F ok</a>', ("/enc/a%2Fb", "ok"))
case(P, "a double slash in path (server 404s it)", '<a href="/target//ok.html">// broken</a>',
     ("/target//ok.html", "broken"))
case(P, "a query order matters (legacy CGI)", '<a href="/order?b=1&amp;a=2">order ok</a>', ("/order?b=1&a=2", "ok"))
case(P, "a valueless query flag", '<a href="/flag?print">flag ok</a>', ("/flag?print", "ok"))

# --- meta refresh ---------------------------------------------------------------------------------------------
HEAD_EXTRA["/t/refresh-ok.html"] = '<meta http-equiv="refresh" content="30; url=/target/refresh-ok.html">'
case("/t/refresh-ok.html", "meta refresh (30 s) ok", "", ("/target/refresh-ok.html", "ok"))
HEAD_EXTRA["/t/refresh-broken.html"] = '<meta http-equiv="refresh" content="30;URL=\'/target/missing-refresh.html\'">'
case("/t/refresh-broken.html", "meta refresh (30 s) broken", "", ("/target/missing-refresh.html", "broken"))
HEAD_EXTRA["/t/refresh0-broken.html"] = '<meta http-equiv="refresh" content="0; url=/target/missing-refresh0.html">'
case("/t/refresh0-broken.html", "meta refresh (0 s) broken", "", ("/target/missing-refresh0.html", "broken"))
HEAD_EXTRA["/t/refresh0-ok.html"] = '<meta http-equiv="Refresh" content="0;url=refresh0-target.html">'
case("/t/refresh0-ok.html", "meta refresh (0 s) relative ok", "", ("/t/refresh0-target.html", "ok"))
HEAD_EXTRA["/t/refresh-ext-broken.html"] = (
    '<meta http-equiv="refresh" content="20; url={OTHER}/missing-refresh-ext.html">'
)
case("/t/refresh-ext-broken.html", "meta refresh (20 s) to other origin broken", "",
     ("{OTHER}/missing-refresh-ext.html", "broken"))

# --- HTTP behaviours ------------------------------------------------------------------------------------------
P = "/t/http.html"
for code in (301, 302, 307, 308):
    case(P, f"a redirect {code} -> ok", f'<a href="/r/{code}-ok">{code} ok</a>', (f"/r/{code}-ok", "info"))
    case(P, f"a redirect {code} -> 404", f'<a href="/r/{code}-404">{code} to 404</a>', (f"/r/{code}-404", "broken"))
case(P, "a redirect chain (3 hops) -> ok", '<a href="/r/chain1">chain</a>', ("/r/chain1", "info"))
case(P, "a redirect loop", '<a href="/r/loop-a">loop</a>', ("/r/loop-a", "broken"))
case(P, "a redirect to other origin ok", '<a href="/r/to-other">to other</a>', ("/r/to-other", "info"))
case(P, "a 410 Gone", '<a href="/status/410">410</a>', ("/status/410", "broken"))
case(P, "a 500", '<a href="/status/500">500</a>', ("/status/500", "broken"))
case(P, "a 503 with Retry-After:1 then 200", '<a href="/svc503">503 then ok</a>', ("/svc503", "notbroken"))
case(P, "a 429 with Retry-After:1 then 200", '<a href="/rate429">429 then ok</a>', ("/rate429", "notbroken"))
case(P, "a HEAD 405 / GET 200", '<a href="/head405">head405</a>', ("/head405", "ok"))
case(P, "a HEAD 403 / GET 200", '<a href="/head403">head403</a>', ("/head403", "ok"))
case(P, "a 403 to non-browser User-Agent only", '<a href="/ua-block">ua-block</a>', ("/ua-block", "notbroken"))
case(P, "a slow page (3 s)", '<a href="/slow">slow</a>', ("/slow", "ok"))
case(P, "a gzip-encoded page", '<a href="/gzip">gzip</a>', ("/gzip", "ok"))
case(P, "a HTML served as application/octet-stream", '<a href="/wrongtype-page">wrongtype</a>',
     ("/wrongtype-page", "ok"))
case(P, "a 200 with empty body", '<a href="/empty">empty</a>', ("/empty", "notbroken"))
case(P, "a 204 No Content", '<a href="/nocontent">204</a>', ("/nocontent", "notbroken"))
case(P, "a 404 with HTML body that says OK", '<a href="/soft404">soft404</a>', ("/soft404", "broken"))
case(P, "img 302 -> 404", '<img src="/r/img-302-404" alt="img redirect to 404">', ("/r/img-302-404", "broken"))
case(P, "a redirect to mailto:", '<a href="/r/to-mailto">to mailto</a>', ("/r/to-mailto", "notbroken"))
case(P, "a connection refused port", '<a href="http://127.0.0.1:9/refused.html">refused</a>',
     ("http://127.0.0.1:9/refused.html", "broken"))
case(P, "a 401 (auth required)", '<a href="/status/401">401</a>', ("/status/401", "notbroken"))

# --- schemes --------------------------------------------------------------------------------------------------
P = "/t/schemes.html"
case(P, "mailto ok", '<a href="mailto:info@example.co.jp">m1</a><a '
     'href="mailto:info@example.co.jp?subject=%E3%81%8A%E5%95%8F%E'
     '3%81%84%E5%90%88%E3%82%8F%E3%81%9B&amp;cc=a@example.com">m2</a>', ("mailto:info@example.co.jp", "notbroken"),
     ("mailto:info@example.co.jp?subject=%E3%81%8A%E5%95%8F%E3%81%84%E5%90%88%E3%82%8F%E3%81%9B&cc=a@example.com",
      "notbroken"))
case(P, "mailto with no address (RFC 6068 allows: mailto:?subject=)",
     '<a href="mailto:?subject=share&amp;body=x">share</a>', ("mailto:?subject=share&body=x", "notbroken"))
case(P, "mailto with two recipients", '<a href="mailto:a@example.com,b@example.com">two</a>',
     ("mailto:a@example.com,b@example.com", "notbroken"))
case(P, "mailto with IDN domain", '<a href="mailto:info@例え.jp">idn</a>',
     ("mailto:info@%E4%BE%8B%E3%81%88.jp", "notbroken"))
case(P, "MAILTO uppercase", '<a href="MAILTO:info@example.com">upper</a>', ("mailto:info@example.com", "notbroken"))
case(P, "tel ok",
     '<a href="tel:+81-3-1234-5678">t1</a><a href="tel:0120-123-456">t2</a><a href="tel:03 (1234) 5678">t3</a>'
     '<a href="tel:+1-201-555-0123;ext=1234">t4</a>', ("tel:+81-3-1234-5678", "notbroken"),
     ("tel:0120-123-456", "notbroken"))
case(P, "javascript:/data:/sms:/about:blank",
     '<a href="javascript:void(0)">js</a><a href="data:text/plain,hi">data</a><a href="sms:+81901234567">sms</a>'
     '<a href="about:blank">blank</a><img src="data:image/png;base64,iVBORw0KGgo=" alt="d">',
     ("javascript:void(0)", "notbroken"), ("data:text/plain,hi", "notbroken"), ("sms:+81901234567", "notbroken"))
case(P, "mailto malformed", '<a href="mailto:info@@example">bad</a>', ("mailto:info@@example", "broken"))

# --- other origin ---------------------------------------------------------------------------------------------
P = "/t/external.html"
case(P, "a other origin ok", '<a href="{OTHER}/ok.html">other ok</a>', ("{OTHER}/ok.html", "ok"))
case(P, "a other origin 404", '<a href="{OTHER}/missing.html">other broken</a>', ("{OTHER}/missing.html", "broken"))
case(P, "a other origin fragment exists", '<a href="{OTHER}/ok.html#exists">other frag ok</a>',
     ("{OTHER}/ok.html", "ok"))
case(P, "img other origin ok/404", '<img src="{OTHER}/img.png" alt="oi"><img src="{OTHER}/missing-img.png" alt="oib">',
     ("{OTHER}/img.png", "ok"), ("{OTHER}/missing-img.png", "broken"))
case(P, "cross-origin stylesheet + its url()", '<link rel="stylesheet" href="{OTHER}/style.css">',
     ("{OTHER}/style.css", "ok"), ("{OTHER}/missing-x.png", "broken"))
case(P, "a other origin fragment missing (warning)", '<a href="{OTHER}/ok.html#nope">other frag missing</a>',
     ("{OTHER}/ok.html#nope", "warning"))
case(P, "a other origin HEAD405", '<a href="{OTHER}/head405">other head405</a>', ("{OTHER}/head405", "ok"))
case(P, "a other origin redirect -> ok", '<a href="{OTHER}/r/301-ok">other redirect</a>', ("{OTHER}/r/301-ok", "info"))
case(P, "a other origin robots.txt-disallowed 404", '<a href="{OTHER}/private/missing.html">robots</a>',
     ("{OTHER}/private/missing.html", "broken"))

# --- fragments ------------------------------------------------------------------------------------------------
P = "/t/fragments.html"
case(P, "a #fragment same page exists",
     '<h2 id="here">here</h2><a href="#here">to here</a><a name="legacy"></a><a href="#legacy">legacy</a>', (P, "ok"))
case(P, "a #fragment same page missing (warning)", '<a href="#nothere">nothere</a>', (P + "#nothere", "warning"))
case(P, "a #fragment same page id made by JS",
     '<div id="jsbox"></div><script>document.getElementById("jsbox").id="jsmade";</script>'
     '<a href="#jsmade">jsmade</a>', (P, "ok"))
case(P, "a #top / text fragment", '<a href="#top">top</a><a href="/target/ok.html#:~:text=ok">text frag</a>', (P, "ok"))
case(P, "a #fragment other page exists", '<a href="/target/anchors.html#sec1">sec1</a>', ("/target/anchors.html", "ok"))

# --- dynamic / hidden -----------------------------------------------------------------------------------------
P = "/t/dynamic.html"
case(P, "a inside display:none",
     '<div style="display:none"><a href="/target/missing-hidden.html">hidden broken</a></div>',
     ("/target/missing-hidden.html", "broken"))
case(P, "a inside <noscript>", '<noscript><a href="/target/missing-noscript.html">noscript broken</a>'
     '<img src="/img/missing-noscript.png" alt="ns"></noscript>', ("/target/missing-noscript.html", "broken"),
     ("/img/missing-noscript.png", "broken"))
case(P, "a added by JS at load", '<div id="dyn"></div>'
     '<script>addEventListener("DOMContentLoaded",()=>{document.getElementById("dyn").innerHTML=\'<a '
     'href="/target/missing-js-now.html">js now</a><a href="/target/js-now-ok.html">js ok</a>\';});</script>',
     ("/target/missing-js-now.html", "broken"), ("/target/js-now-ok.html", "ok"))
case(P, "a added by JS 1 s after load", '<div id="dyn2"></div>'
     '<script>addEventListener("load",()=>setTimeout(()=>{document.getElementById("dyn2").innerHTML=\'<a '
     'href="/target/missing-js-late.html">js late</a>\';},1000));</script>', ("/target/missing-js-late.html", "broken"))
case(P, "a in open shadow DOM",
     '<div id="host"></div><script>document.getElementById("host").attachShadow({mode:"open"}).innerHTML=\'<a '
     'href="/target/missing-shadow.html">shadow broken</a><img src="/img/missing-shadow.png" alt="s">\';</script>',
     ("/target/missing-shadow.html", "broken"), ("/img/missing-shadow.png", "broken"))
case(P, "a in declarative shadow DOM",
     '<div><template shadowrootmode="open"><a href="/target/missing-dsd.html">dsd broken</a></template></div>',
     ("/target/missing-dsd.html", "broken"))
case(P, "a removed by JS (only in HTML source)",
     '<div id="gone"><a href="/target/missing-removed.html">removed</a></div>'
     '<script>document.getElementById("gone").remove();</script>',
     ("/target/missing-removed.html", "notbroken-or-broken"))
case(P, "img src set by JS (lazy data-src pattern)", '<img data-src="/img/missing-datasrc.png" class="lz" alt="lz">'
     '<script>for(const i of document.querySelectorAll("img.lz")) i.src=i.dataset.src;</script>',
     ("/img/missing-datasrc.png", "broken"))
case(P, "a href changed by JS", '<a id="chg" href="/target/missing-before-js.html">chg</a>'
     '<script>document.getElementById("chg").href="/target/after-js-ok.html";</script>',
     ("/target/after-js-ok.html", "ok"))
# fmt: on


# ---------------------------------------------------------------------------------------------------------------
# What the site serves besides the case pages
# ---------------------------------------------------------------------------------------------------------------
def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff")) + chunk(b"IEND", b"")


PNG = _png()
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><symbol id="icon"><rect width="5" height="5"/>'
    b'</symbol><rect width="10" height="10" fill="red"/></svg>'
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
HTML = "text/html; charset=utf-8"


def page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f'<body><h1 id="top-h">{title}</h1>{body}</body></html>'
    ).encode()


OK_PAGES = [
    "/target/ok.html",
    "/target/ok2.html",
    "/target/ok3.html",
    "/target/ok4.html",
    "/target/ok5.html",
    "/target/ok6.html",
    "/target/ok7.html",
    "/target/ok8.html",
    "/target/ok9.html",
    "/target/a+b.html",
    "/t/a/sibling.html",
    "/Case/Page.html",
    "/folder/",
    "/日本語/ページ.html",
    "/with space/file.html",
    "/with space/file2.html",
    "/basetarget/sub/a.html",
    "/basetarget/b.html",
    "/basetarget/sub/",
    "/target/area-ok.html",
    "/target/in-iframe-ok.html",
    "/target/prefetch-ok.html",
    "/target/svg-a-ok.html",
    "/target/refresh-ok.html",
    "/t/refresh0-target.html",
    "/target/redirected-ok.html",
    "/target/js-now-ok.html",
    "/target/after-js-ok.html",
]
IMAGES = [
    "/img/ok.png",
    "/img/ok-1x.png",
    "/img/ok-2x.png",
    "/img/ok-3x.png",
    "/img/w400.png",
    "/img/w800.png",
    "/img/a,b.png",
    "/img/pic.webp",
    "/img/pic-fallback.png",
    "/img/button.png",
    "/img/map.png",
    "/img/poster.png",
    "/img/pre.png",
    "/img/pre-1x.png",
    "/img/svg-image.png",
    "/img/st-ok.png",
    "/img/style-ok.png",
    "/img/is-1x.png",
    "/img/wis-1x.png",
    "/img/from-sheet.png",
    "/css/sub/parts/bg.png",
    "/css/sub/is-ok.png",
    "/basetarget/sub/img.png",
    "/basetarget/sub/bg.png",
    "/basetarget/sub/bg2.png",
    "/basetarget/sub/sheet-img.png",
    "/画像/写真.png",
]
STATIC: dict[str, tuple[str, bytes]] = {p: (HTML, page("OK " + p, "<p>ok</p>")) for p in OK_PAGES}
STATIC |= {p: ("image/png", PNG) for p in IMAGES}
STATIC |= {
    "/target/anchors.html": (HTML, page("anchors", '<h2 id="sec1">sec1</h2>')),
    "/img/wrongtype.png": ("text/plain", PNG),
    "/img/sprite.svg": ("image/svg+xml", SVG),
    "/img/pic.svg": ("image/svg+xml", SVG),
    "/files/obj.svg": ("image/svg+xml", SVG),
    "/files/embed.svg": ("image/svg+xml", SVG),
    "/files/doc.pdf": ("application/pdf", PDF),
    "/files/doc2.pdf": ("application/pdf", PDF),
    "/media/ok.mp4": ("video/mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64),
    "/media/ok2.webm": ("video/webm", b"\x1aE\xdf\xa3" + b"\x00" * 64),
    "/media/ok.mp3": ("audio/mpeg", b"ID3" + b"\x00" * 64),
    "/media/ok.vtt": ("text/vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n"),
    "/fonts/ok.woff2": ("font/woff2", b"wOF2" + b"\x00" * 60),
    "/fonts/pre.woff2": ("font/woff2", b"wOF2" + b"\x00" * 60),
    "/css/fonts/ok.woff2": ("font/woff2", b"wOF2" + b"\x00" * 60),
    "/js/ok.js": ("text/javascript", b"window.okjs=1;"),
    "/favicon-ok.ico": ("image/png", PNG),
    "/favicon.ico": ("image/png", PNG),
    "/feed.xml": (
        "application/rss+xml",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title></channel></rss>',
    ),
    "/css/plain.css": ("text/css", b"body{color:#222}"),
    "/css/imp-ok.css": ("text/css", b"p{margin:0}"),
    "/css/wrongtype.css": ("text/plain", b"p{background:url(/img/missing-in-wrongtype.png)}"),
    "/css/sub/main.css": (
        "text/css",
        b"""@import "parts/extra.css";
@import url("../missing-import.css");
@font-face{font-family:ff;src:url(../fonts/ok.woff2) format("woff2"), url('../fonts/missing.woff2') format("woff2")}
body{background:url(../../img/from-sheet.png)}
.x{background:url(missing-from-sheet.png)}
.y{background-image:image-set("is-ok.png" 1x, "missing-is.png" 2x)}
@media print{.z{background:url(missing-media.png)}}
""",
    ),
    "/css/sub/parts/extra.css": (
        "text/css",
        b"""@import "missing-deep.css";
.e1{background:url(bg.png)}
.e2{background:url(missing-in-import.png)}
""",
    ),
    "/css/moved/sheet2.css": ("text/css", b".m2{background:url(moved-ok.png)}"),
    "/css/moved/sheet3.css": ("text/css", b".m3{background:url(moved-ok3.png)}"),
    "/css/moved/moved-ok.png": ("image/png", PNG),
    "/css/moved/moved-ok3.png": ("image/png", PNG),
    "/css/moved/sheet.css": ("text/css", b".m{background:url(missing-moved.png)}"),
    "/basetarget/sub/based.css": (
        "text/css",
        b".b1{background:url(sheet-img.png)} .b2{background:url(missing-sheet-img.png)}",
    ),
}

OTHER_STATIC: dict[str, tuple[str, bytes]] = {
    "/ok.html": (HTML, page("other ok", '<h2 id="exists">exists</h2>')),
    "/img.png": ("image/png", PNG),
    "/style.css": ("text/css", b".o1{background:url(img.png)} .o2{background:url(missing-x.png)}"),
    "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n"),
    "/jsid.html": (HTML, page("jsid", '<div id="x"></div><script>document.getElementById("x").id="made";</script>')),
}

REDIRECTS: dict[str, tuple[int, str]] = {
    "/r/301-ok": (301, "/target/redirected-ok.html"),
    "/r/302-ok": (302, "/target/redirected-ok.html"),
    "/r/307-ok": (307, "/target/redirected-ok.html"),
    "/r/308-ok": (308, "/target/redirected-ok.html"),
    "/r/301-404": (301, "/target/missing-after-redirect.html"),
    "/r/302-404": (302, "/target/missing-after-redirect.html"),
    "/r/307-404": (307, "/target/missing-after-redirect.html"),
    "/r/308-404": (308, "/target/missing-after-redirect.html"),
    "/r/chain1": (301, "/r/chain2"),
    "/r/chain2": (302, "/r/chain3"),
    "/r/chain3": (307, "/target/redirected-ok.html"),
    "/r/loop-a": (302, "/r/loop-b"),
    "/r/loop-b": (302, "/r/loop-a"),
    "/r/img-301": (301, "/img/ok.png"),
    "/r/img-302-404": (302, "/img/missing-after-redirect.png"),
    "/r/js-302": (302, "/js/ok.js"),
    "/r/css-302": (302, "/css/moved/sheet.css"),
    "/r/css2-302": (302, "/css/moved/sheet2.css"),
    "/r/css3-301": (301, "/css/moved/sheet3.css"),
    "/folder": (301, "/folder/"),
    "/r/to-other": (302, "{OTHER}/ok.html"),
    "/r/to-mailto": (302, "mailto:info@example.com"),
}
OTHER_REDIRECTS: dict[str, tuple[int, str]] = {"/r/301-ok": (301, "/ok.html")}


# ---------------------------------------------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: ProbeSite
    other: bool

    def handle_error(self, request: Any, client_address: Any) -> None:
        # browsers and LinkChecker drop connections they no longer need (a HEAD answered, a page left): that is
        # not the site failing, and the traceback socketserver prints for it would bury the benchmark's output
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ProbeSite:
    """Both origins of one site, with their own request counters: a fresh site answers the 429/503-then-200 cases
    the same way to each tool, whichever ran before it."""

    def __init__(self) -> None:
        self._servers: list[_Server] = []
        for host, other in (("127.0.0.1", False), ("127.0.0.2", True)):
            server = _Server((host, 0), _Handler)  # port 0: a free port, so runs never collide
            server.site, server.other = self, other
            self._servers.append(server)
        self.own = f"http://127.0.0.1:{self._servers[0].server_address[1]}"
        self.other = f"http://127.0.0.2:{self._servers[1].server_address[1]}"
        self._started = False
        self.counters: dict[str, int] = {}
        self.lock = threading.Lock()
        self.static, self.redirects = dict(STATIC), {p: (c, self.sub(u)) for p, (c, u) in REDIRECTS.items()}
        self.key = self._build()

    def sub(self, text: str) -> str:
        own_host = self.own.split("//", 1)[1]
        return text.replace("{OWN}", self.own).replace("{OTHER}", self.other).replace("{OWNHOST}", own_host)

    def _build(self) -> list[dict[str, str]]:
        """Builds the case pages and the start page that lists them; returns the answer key, a row per reference."""
        pages: dict[str, list[str]] = {}
        for pg, kind, html, _ in CASES:
            pages.setdefault(pg, []).append(f"<section><h2>{escape(kind)}</h2>{html}</section>")
        for pg, parts in pages.items():
            self.static[pg] = (HTML, page(pg, self.sub("\n".join(parts)), self.sub(HEAD_EXTRA.get(pg, ""))))
        for pg, head in HEAD_EXTRA.items():
            if pg not in pages:
                self.static[pg] = (HTML, page(pg, "", self.sub(head)))
        # the iframe's page is reached only through its frame, as on a real site
        listed = sorted((set(pages) | set(HEAD_EXTRA)) - {"/frames/inner.html"})
        self.static["/"] = (
            HTML,
            page("Link probe", "<ul>" + "".join(f'<li><a href="{p}">{p}</a></li>' for p in listed) + "</ul>"),
        )
        key = []
        for pg, kind, html, expect in CASES:
            for url, expected in expect:
                url = self.sub(url)
                if url.startswith("/"):
                    url = self.own + url
                snippet = self.sub(html) or self.sub(HEAD_EXTRA.get(pg, ""))
                key.append({"page": self.own + pg, "kind": kind, "url": url, "expected": expected, "html": snippet})
        return key

    def count(self, path: str) -> int:
        with self.lock:
            self.counters[path] = self.counters.get(path, 0) + 1
            return self.counters[path]

    def start(self) -> None:
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self._started = True

    def stop(self) -> None:
        for server in self._servers:
            if self._started:  # shutdown() waits for serve_forever(), forever if it never ran
                server.shutdown()
            server.server_close()


@contextmanager
def served_probe_site() -> Iterator[ProbeSite]:
    """A fresh site on free ports, served by threads of this process while the block runs."""
    site = ProbeSite()
    site.start()
    try:
        yield site
    finally:
        site.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do (LinkChecker and browsers reuse connections)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _send(
        self, code: int, ctype: str = HTML, body: bytes = b"", headers: dict[str, str] | None = None, head: bool = False
    ) -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def _ok_or_404(self, good: bool, head: bool) -> None:
        ok = page("dynamic ok " + unquote(urlsplit(self.path).path), "<p>ok</p>")
        self._send(200 if good else 404, body=ok if good else b"not found", head=head)

    def _answer(self, head: bool) -> None:
        server = cast(_Server, self.server)
        site, other = server.site, server.other
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        ua = self.headers.get("User-Agent", "")
        qs = parse_qs(parts.query)
        n = site.count(path)  # counted on both origins, as the probe did
        ok = page("dynamic ok " + path, "<p>ok</p>")
        redirects = OTHER_REDIRECTS if other else site.redirects
        if path in redirects:
            code, location = redirects[path]
            return self._send(code, "text/html", b"moved", {"Location": location}, head)
        if other:
            if path == "/head405":
                return self._send(405, body=b"no HEAD", head=head) if head else self._send(200, body=ok)
            if path in OTHER_STATIC:
                return self._send(200, OTHER_STATIC[path][0], OTHER_STATIC[path][1], head=head)
            return self._send(404, body=b"<h1>Not found</h1>", head=head)
        # URLs whose exact bytes matter: only one spelling is the working page
        if path == "/q":
            return self._ok_or_404(qs.get("x") == ["1"], head)
        if parts.path.startswith("/sjpath/"):
            return self._ok_or_404(parts.path == "/sjpath/%93%FA%96%7B%8C%EA.html", head)
        if parts.path.startswith("/enc/"):
            return self._ok_or_404(parts.path == "/enc/a%2Fb", head)
        if parts.path.startswith("/target//"):
            return self._send(404, body=b"not found", head=head)
        if path == "/order":
            return self._ok_or_404(parts.query == "b=1&a=2", head)
        if path == "/flag":
            return self._ok_or_404(parts.query == "print", head)
        if path == "/sjq":
            return self._ok_or_404(unquote_to_bytes(parts.query) == b"q=" + "日本語".encode("shift_jis"), head)
        if path == "/jq":
            return self._ok_or_404(qs.get("q") == ["日本語"], head)
        if path == "/t/sjis.html":
            body = site.static[path][1].decode("utf-8").replace('charset="utf-8"', 'charset="shift_jis"')
            return self._send(200, "text/html; charset=shift_jis", body.encode("shift_jis"), head=head)
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            extra = {"WWW-Authenticate": 'Basic realm="x"'} if code == 401 else {}
            return self._send(code, body=f"status {code}".encode(), headers=extra, head=head)
        if path in ("/head405", "/head403"):
            code = 405 if path == "/head405" else 403
            return self._send(code, body=b"no HEAD", head=head) if head else self._send(200, body=ok)
        if path == "/ua-block":
            bad = not ua.startswith("Mozilla/") or "LinkChecker" in ua or "python" in ua.lower()
            return self._send(403 if bad else 200, body=b"forbidden" if bad else ok, head=head)
        if path in ("/rate429", "/svc503"):  # odd requests refused with Retry-After: 1, even ones answered
            if n % 2 == 1:
                code, text = (429, b"slow down") if path == "/rate429" else (503, b"busy")
                return self._send(code, body=text, headers={"Retry-After": "1"}, head=head)
            return self._send(200, body=ok, head=head)
        if path == "/slow":
            time.sleep(3)
            return self._send(200, body=ok, head=head)
        if path == "/gzip":
            encoded = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return self._send(200, body=gzip.compress(ok), headers=encoded, head=head)
        if path == "/wrongtype-page":
            return self._send(200, "application/octet-stream", ok, head=head)
        if path == "/empty":
            return self._send(200, "text/html", b"", head=head)
        if path == "/nocontent":
            self.send_response(204)
            self.end_headers()
            return None
        if path == "/soft404":
            return self._send(404, body=page("OK", "<p>Everything is fine</p>"), head=head)
        if path in site.static:
            return self._send(200, site.static[path][0], site.static[path][1], head=head)
        return self._send(404, body=b"<!doctype html><title>404</title><h1>Not found</h1>", head=head)
