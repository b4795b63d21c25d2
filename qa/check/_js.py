"""JavaScript shared by the checks that inspect the rendered page."""

# cssPath(el): a selector for the element a person can paste into DevTools (unique id, else a tag path).
CSS_PATH = r"""const cssPath = (el) => {
  const parts = [];
  for (let n = el; n && n.nodeType === 1 && n !== document.documentElement; n = n.parentElement) {
    if (n.id && document.querySelectorAll('#' + CSS.escape(n.id)).length === 1) {
      parts.unshift('#' + CSS.escape(n.id));
      break;
    }
    const same = n.parentElement ? [...n.parentElement.children].filter((c) => c.tagName === n.tagName) : [];
    parts.unshift(n.tagName.toLowerCase() + (same.length > 1 ? `:nth-of-type(${same.indexOf(n) + 1})` : ''));
  }
  return parts.join(' > ');
};
const snippet = (el) => el.outerHTML.length > 400 ? el.outerHTML.slice(0, 400) + '…' : el.outerHTML;
// The element's box in page CSS px, as axe's findings carry it: the reports crop the page screenshot with it.
const pageBox = (el) => {
  const r = el.getBoundingClientRect();
  return {x: Math.round(r.left + scrollX), y: Math.round(r.top + scrollY), width: Math.round(r.width),
    height: Math.round(r.height)};
};
// One rendering update, then the task after it: by then the page's resize and ResizeObserver handlers have run
// for a change just made, and the layout it causes is read on demand (a second frame only costs a repaint).
const frames = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
"""


def with_helpers(body: str) -> str:
    """A function expression whose body can use the helpers above: ``body`` is ``(arg) => { ... }``."""
    head, _, rest = body.partition("{")
    return f"{head}{{\n{CSS_PATH}\n{rest}"


# guardSends(onNavigate, onOpen): from now until restore(), the page's scripts change nothing outside the page while
# a check presses, focuses or opens things in it: navigations are cancelled (the Navigation API's cancelable
# ``navigate`` event; the caller checks ``navigation`` exists first), window.open returns nothing, forms are not
# submitted, and fetch, XMLHttpRequest and sendBeacon send nothing but GET and HEAD. The callbacks count attempts.
GUARD = r"""const guardSends = (onNavigate = () => {}, onOpen = () => {}) => {
  const kept = {open: window.open, submit: HTMLFormElement.prototype.submit, fetch: window.fetch,
    send: XMLHttpRequest.prototype.send, xopen: XMLHttpRequest.prototype.open, beacon: navigator.sendBeacon};
  const onNav = (e) => { onNavigate(e); if (e.cancelable) e.preventDefault(); };
  const onSubmit = (e) => e.preventDefault();
  navigation.addEventListener('navigate', onNav);
  addEventListener('submit', onSubmit, true);
  window.open = () => { onOpen(); return null; };
  HTMLFormElement.prototype.submit = function () {};
  const safe = (m) => ['GET', 'HEAD'].includes(String(m || 'GET').toUpperCase());
  window.fetch = function (input, init) {
    const method = (init && init.method) || (input && input.method);
    return safe(method) ? kept.fetch.apply(this, arguments) : Promise.reject(new TypeError('blocked by qa'));
  };
  XMLHttpRequest.prototype.open = function (method) {
    this.__qaMethod = method;
    return kept.xopen.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (safe(this.__qaMethod)) return kept.send.apply(this, arguments);
  };
  if (navigator.sendBeacon) navigator.sendBeacon = () => false;
  return {restore: () => {
    navigation.removeEventListener('navigate', onNav);
    removeEventListener('submit', onSubmit, true);
    window.open = kept.open;
    HTMLFormElement.prototype.submit = kept.submit;
    window.fetch = kept.fetch;
    XMLHttpRequest.prototype.send = kept.send;
    XMLHttpRequest.prototype.open = kept.xopen;
    if (kept.beacon) navigator.sendBeacon = kept.beacon;
  }};
};
"""


def with_guard(body: str) -> str:
    """Like :func:`with_helpers`, with ``guardSends`` (GUARD) in scope as well."""
    head, _, rest = with_helpers(body).partition("{")
    return f"{head}{{\n{GUARD}\n{rest}"
