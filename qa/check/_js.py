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
