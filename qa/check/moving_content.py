"""2.2.2 Pause, Stop, Hide: content that moves or updates by itself, beside the animated images and marquee/blink
the other checks cover.

Three kinds, each needs-review (a person checks for a way to pause, stop or hide it, or that it is essential):

- **auto-updating content**: a recorder preloaded into every document (engines that preload scripts: Playwright's)
  wraps the page's timers (``setInterval``, ``setTimeout``, ``requestAnimationFrame``) and, after each callback,
  takes the DOM changes that callback made. Read before any check touches the page, a timer whose callbacks
  changed the same visible element again and again is the page's own: a ticker, a clock, a rotating banner or a
  JavaScript animation. Changes a callback makes to nothing visible, or writes of the value already there, do not
  count. The recorder listens to no event: a listener of its own on the window would read, to the checks that list
  the page's listeners (key shortcuts, pointer gestures), as the page's;
- **long animations**: a CSS animation or transition still running when read whose end is more than 5 s after it
  began, or that never ends (``document.getAnimations()``), on a visible element; loading indicators (progressbar,
  ``aria-busy``, spinner/loader classes) are left out;
- **autoplay carousels**: slider libraries configured to advance by themselves (Swiper, Slick, Bootstrap,
  Splide, Flickity, Owl Carousel, FlexSlider/MetaSlider), read from the libraries' own settings, so a carousel
  the focus or hover checks paused on the way still counts.

A control inside or beside the moving part whose name says pause or stop is named in the finding, for the person
to try; it does not make the finding go away. The recorder waits for at most ``MAX_WAIT_MS`` on a page whose
short timers have not yet had time to fire twice (a page with none waits for nothing): it reads the page after
the status-message check, before any check touches the page.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

LONG_MS = 5000  # WCAG 2.2.2: moving, blinking or scrolling that lasts more than five seconds
MAX_WAIT_MS = 2500  # the most a page's short timers are waited for
SHORT_TIMER_MS = 1200  # a timer firing at most this far apart gets time to fire twice
MAX_FINDINGS = 10

RECORDER_JS = r"""(() => {
  if (window.__qaMoving || !window.MutationObserver) return;
  const st = window.__qaMoving = {loaded: 0, timers: new Map(), wait: window.setTimeout};
  const obs = new MutationObserver(() => {});  // read only through takeRecords, right after each timer callback
  st.stop = () => obs.disconnect();  // once read: the later checks' own changes (styles on every element) unwatched
  addEventListener('load', () => {
    st.loaded = performance.now();
    obs.observe(document.documentElement, {childList: true, subtree: true, characterData: true,
      characterDataOldValue: true, attributes: true, attributeOldValue: true,
      attributeFilter: ['class', 'style', 'hidden', 'src', 'aria-hidden']});
  }, {once: true});
  const changed = (r) => {
    if (r.type === 'attributes') return r.oldValue !== r.target.getAttribute(r.attributeName);
    if (r.type === 'characterData') return r.oldValue !== r.target.data;
    // Text written again as it was (textContent set to the same words) changes nothing a person sees.
    const html = (nodes) => [...nodes].map((n) => n.nodeType === 1 ? n.outerHTML : n.textContent).join('');
    return html(r.addedNodes) !== html(r.removedNodes);
  };
  const record = (timer) => {
    timer.pending--;
    const records = obs.takeRecords();
    const now = performance.now();
    if (!st.loaded) return;  // before load nothing is watched yet: neither counted nor held against the timer
    timer.calls++;
    if (!records.length) return;
    const els = new Set();
    for (const r of records) {
      if (!changed(r)) continue;
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (el && el !== document.documentElement && el !== document.body) els.add(el);
    }
    if (!els.size) return;
    timer.first = timer.first || now;
    timer.last = now;
    timer.firings++;
    for (const el of els) timer.els.set(el, (timer.els.get(el) || 0) + 1);
  };
  // One record per interval, and per callback function for chained timeouts and animation frames (a ticker that
  // schedules itself again passes the same function each time).
  const timerFor = (key, kind, period) => {
    let t = st.timers.get(key);
    if (!t) {
      if (st.timers.size >= 200) return null;
      t = {kind, period, created: performance.now(), calls: 0, pending: 0, firings: 0, first: 0, last: 0,
           els: new Map()};
      st.timers.set(key, t);
    }
    t.pending++;
    return t;
  };
  const wrap = (name, kind) => {
    const original = window[name];
    if (typeof original !== 'function') return;
    window[name] = function (callback, delay, ...args) {
      if (typeof callback !== 'function') return original.call(window, callback, delay, ...args);
      let timer = null;
      const run = function (...a) {
        try { return callback.apply(this, a); } finally { if (timer) record(timer); }
      };
      const id = original.call(window, run, delay, ...args);
      const period = kind === 'frame' ? 16 : Math.max(0, Number(delay) || 0);
      timer = timerFor(kind === 'interval' ? 'i' + id : callback, kind, period);
      return id;
    };
  };
  wrap('setInterval', 'interval');
  wrap('setTimeout', 'timeout');
  wrap('requestAnimationFrame', 'frame');
})();"""

READ_JS = with_helpers(
    r"""async (opts) => {
  const {longMs, maxWaitMs, shortMs, max} = opts;
  const st = window.__qaMoving;
  const shown = (el) => {
    if (!el || !el.isConnected || !el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.visibility === 'visible' && parseFloat(s.opacity) > 0.05 && r.width >= 4 && r.height >= 4;
  };
  const busy = '[role=progressbar], [aria-busy=true]';
  const loader = /spin|load|skeleton|shimmer|progress|placeholder/i;
  const isLoader = (el) => {
    for (let n = el, i = 0; n && n.nodeType === 1 && i < 3; n = n.parentElement, i++) {
      const cls = typeof n.className === 'string' ? n.className : '';
      if (n.matches(busy) || loader.test(cls) || loader.test(n.id)) return true;
    }
    return false;
  };
  const name = (el) => [el.getAttribute('aria-label'), el.getAttribute('title'), el.value, el.textContent]
    .filter((x) => typeof x === 'string').join(' ').replace(/\s+/g, ' ').trim().slice(0, 60);
  const control = /pause|stop|停止|止め|ストップ|一時停止/i;
  // A control that says pause or stop, inside the moving part or beside it: its container, up to two levels up,
  // while that is still a small part of the page (not the main content holding every other control).
  const pauser = (el) => {
    for (let n = el, i = 0; n && n !== document.body && i < 3; n = n.parentElement, i++) {
      if (i && n.getElementsByTagName('*').length > 40) break;
      for (const c of n.querySelectorAll('button, [role=button], a[href], input[type=button], input[type=checkbox]')) {
        if (control.test(name(c))) return name(c);
      }
    }
    return '';
  };
  const block = (el) => {
    while (el.parentElement && el.parentElement !== document.body && getComputedStyle(el).display === 'inline') {
      el = el.parentElement;
    }
    return el;
  };
  const out = {observed: !!st, carousels: [], animations: [], updates: [], waited: 0};
  const claimed = [];  // elements already reported: what lies inside them is not reported again
  const inside = (el) => claimed.some((c) => c.contains(el));

  // Carousels, from the libraries' own settings.
  const $ = window.jQuery;
  const jq = (el, key) => { try { return $ && $(el).data(key); } catch (e) { return undefined; } };
  const json = (s) => { try { return JSON.parse(s || '{}'); } catch (e) { return {}; } };
  const found = [];
  for (const el of document.querySelectorAll('.swiper, .swiper-container')) {
    const a = el.swiper && el.swiper.params && el.swiper.params.autoplay;
    if (a && (a === true || a.enabled !== false)) found.push([el, 'Swiper', a.delay || 3000]);
  }
  for (const el of document.querySelectorAll('.slick-initialized')) {
    const o = el.slick && el.slick.options;
    if (o && o.autoplay) found.push([el, 'Slick', o.autoplaySpeed || 3000]);
  }
  for (const el of document.querySelectorAll('[data-bs-ride=carousel], [data-ride=carousel]')) {
    const interval = el.getAttribute('data-bs-interval') ?? el.getAttribute('data-interval');
    if (interval !== 'false') found.push([el, 'Bootstrap', Number(interval) || 5000]);
  }
  for (const el of document.querySelectorAll('.splide[data-splide]')) {
    const o = json(el.getAttribute('data-splide'));
    if (o.autoplay) found.push([el, 'Splide', o.interval || 5000]);
  }
  for (const el of document.querySelectorAll('[data-flickity]')) {
    const o = json(el.getAttribute('data-flickity'));
    if (o.autoPlay) found.push([el, 'Flickity', typeof o.autoPlay === 'number' ? o.autoPlay : 3000]);
  }
  for (const el of document.querySelectorAll('.owl-carousel')) {
    const o = jq(el, 'owl.carousel');
    if (o && o.settings && o.settings.autoplay) found.push([el, 'Owl Carousel', o.settings.autoplayTimeout || 5000]);
  }
  for (const el of document.querySelectorAll('.flexslider, .metaslider .flexslider, [class*=flexslider]')) {
    const o = jq(el, 'flexslider');
    if (o && o.vars && o.vars.slideshow) found.push([el, 'FlexSlider', o.vars.slideshowSpeed || 7000]);
  }
  for (const [el, library, every] of found) {
    if (inside(el) || !shown(el)) continue;
    claimed.push(el);
    out.carousels.push({target: cssPath(el), html: snippet(el), bbox: pageBox(el), library,
      every_s: Math.round(every / 100) / 10, control: pauser(el)});
  }

  // Timers that keep changing what is shown. Short ones get the time to fire twice.
  if (st && st.loaded) {
    // Wait for a short timer that has not fired yet, has changed something once and is due again, or is a timeout
    // still to fire (it may schedule itself again); not for one that fired and changed nothing (a poll).
    const waitFor = () => {
      let until = 0;
      for (const t of st.timers.values()) {
        if (t.kind === 'frame' || t.period > shortMs || t.firings >= 2 || t.calls > t.firings) continue;
        if (t.kind === 'timeout' && !t.pending) continue;
        const from = t.last || t.created;
        until = Math.max(until, from + (t.kind === 'timeout' ? 1 : 2 - t.firings) * t.period + 100);
      }
      return Math.min(until, st.loaded + maxWaitMs) - performance.now();
    };
    const began = performance.now();
    for (let wait = waitFor(); wait > 0; wait = waitFor()) {
      await new Promise((r) => st.wait.call(window, r, Math.min(wait, 100)));  // again after each step: a poll ends it
    }
    out.waited = Math.round(performance.now() - began);
    const seen = new Set();
    for (const t of st.timers.values()) {
      if (t.firings < 2) continue;
      // A frame loop counts once it has animated for longer than a second.
      if (t.kind === 'frame' && t.last - t.first < 1000) continue;
      let best = null, most = 0;
      for (const [el, n] of t.els) {
        if (n >= 2 && n > most && shown(el)) { best = el; most = n; }
      }
      if (!best) continue;
      const el = block(best);
      if (seen.has(el) || inside(el) || isLoader(el)) continue;
      seen.add(el);
      claimed.push(el);
      out.updates.push({target: cssPath(el), html: snippet(el), bbox: pageBox(el), kind: t.kind,
        changes: most, over_s: Math.round((t.last - t.first) / 100) / 10, control: pauser(el),
        text: (el.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 80)});
    }
  }

  // CSS animations and transitions that last more than five seconds or never end.
  if (document.getAnimations) {
    const names = new Set();
    for (const a of document.getAnimations()) {
      const el = a.effect && a.effect.target;
      if (!el || a.playState !== 'running' || !el.isConnected) continue;
      const timing = a.effect.getComputedTiming();
      if (!(timing.endTime > longMs)) continue;
      if (!shown(el) || isLoader(el) || inside(el)) continue;
      const label = a.animationName || a.transitionProperty || a.id || 'animation';
      if (names.has(label + cssPath(el))) continue;
      names.add(label + cssPath(el));
      out.animations.push({target: cssPath(el), html: snippet(el), bbox: pageBox(el), name: String(label),
        lasts: timing.endTime === Infinity ? 'endless' : (Math.round(timing.endTime / 100) / 10) + ' s',
        control: pauser(el)});
    }
  }
  if (st && st.stop) st.stop();
  for (const k of ['carousels', 'updates', 'animations']) out[k] = out[k].slice(0, max);
  return out;
}"""
)

_FIX_JA = (
    "5 秒を超えて動く・自動更新される内容には、一時停止・停止・非表示にするボタンを付ける（必須の動きでない限り）。"
)
_FIX_EN = "Give content that moves or updates for more than 5 seconds a button to pause, stop or hide it."
_HELP = "https://www.w3.org/WAI/WCAG22/Understanding/pause-stop-hide.html"


class MovingContent(PageCheck):
    id = "moving-content"
    title = "Content that moves or updates by itself"
    messages = {
        "autoplay-carousel": {
            "ja": (
                "{library} のカルーセルが自動で切り替わります（{every_s} 秒ごと）。一時停止・停止できるか確認して"
                "ください。{control_ja}"
            ),
            "fix_ja": _FIX_JA,
            "fix_en": _FIX_EN,
            "help": _HELP,
        },
        "auto-updating-content": {
            "ja": (
                "この部分はページのスクリプトにより自動で変わり続けます（{over_s} 秒の間に {changes} 回）。"
                "一時停止・停止・非表示にできるか、更新が必須かを確認してください。{control_ja}"
            ),
            "fix_ja": _FIX_JA,
            "fix_en": _FIX_EN,
            "help": _HELP,
        },
        "long-animation": {
            "ja": (
                "CSS アニメーション「{name}」が 5 秒を超えて動きます（{lasts}）。一時停止・停止・非表示にできるか"
                "確認してください。{control_ja}"
            ),
            "fix_ja": _FIX_JA + " prefers-reduced-motion だけでは足りない。",
            "fix_en": _FIX_EN + " prefers-reduced-motion alone is not enough.",
            "help": _HELP,
        },
    }
    criteria = {"2.2.2": PARTIAL}
    preload = (RECORDER_JS,)
    primary_only = True  # the page's scripts and styles move alike in every cell
    # What the page does on its own after load, before any check moves focus, the pointer or the viewport (like the
    # status-message check before it, whose wait after load it shares).
    order = 66

    async def run(self, ctx: PageContext) -> list[Finding]:
        seen = await ctx.session.evaluate(
            READ_JS, {"longMs": LONG_MS, "maxWaitMs": MAX_WAIT_MS, "shortMs": SHORT_TIMER_MS, "max": MAX_FINDINGS}
        )
        ctx.page.facts["moving_content"] = {
            "carousels": len(seen["carousels"]),
            "updates": len(seen["updates"]),
            "animations": len(seen["animations"]),
            "waited_ms": seen["waited"],
        }
        if not seen["observed"]:
            # The carousels and the CSS animations are still read; the timers were not watched.
            ctx.page.facts["moving_content"]["timers_watched"] = False
        findings = []
        for c in seen["carousels"]:
            findings.append(
                self._finding(
                    ctx,
                    "autoplay-carousel",
                    c,
                    f"A {c['library']} carousel advances by itself every {c['every_s']} s: check that it can be "
                    "paused or stopped.",
                )
            )
        for u in seen["updates"]:
            findings.append(
                self._finding(
                    ctx,
                    "auto-updating-content",
                    u,
                    f"The page's script keeps changing this content by itself ({u['changes']} changes in "
                    f"{u['over_s']} s): check that it can be paused, stopped or hidden, or that the updates are "
                    "essential.",
                )
            )
        for a in seen["animations"]:
            findings.append(
                self._finding(
                    ctx,
                    "long-animation",
                    a,
                    f"A CSS animation runs for more than 5 seconds ({a['lasts']}) beside the other content: check "
                    "that it can be paused, stopped or hidden.",
                )
            )
        return findings

    def _finding(self, ctx: PageContext, rule: str, item: dict, message: str) -> Finding:
        control = item.pop("control")
        if control:
            message += f' A control that may do it: "{control}".'
        details = {k: v for k, v in item.items() if k not in ("target", "html")}
        details["control"] = control
        details["control_ja"] = f"操作できそうな部品:「{control}」。" if control else ""
        return ctx.finding(
            rule,
            NEEDS_REVIEW,
            ["2.2.2"],
            target=item["target"],
            html=item["html"],
            impact="serious",
            message=message,
            details=details,
        )
