"""A bare WebKitGTK browser for W3C WebDriver automation, run by the system Python (python3-gi).

WebKitGTK's MiniBrowser has a header bar and a minimum width, so its viewports are inexact (390×844 becomes
447×806). This program opens one undecorated window holding only a WebView per automation request, so the
window size is the viewport. A document-start script records JavaScript errors, console errors and failed
subresources in ``window.__qaEvents`` because classic WebDriver has no event stream.
Run as: ``/usr/bin/python3 wk_browser.py --automation`` (WebKitWebDriver starts it).
"""

import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

NAME = "PyWebKitGTK"
PRELOAD_ENV = "QA_PRELOAD_SCRIPTS"  # files of scripts every document and frame gets at its start (axe-core)

EVENTS_JS = r"""((status, contentType) => {
  if (window.__qaEvents) return;
  const ev = window.__qaEvents = {js_errors: [], console_errors: [], failed_requests: [],
                                  status: status, content_type: contentType};
  const add = (list, item) => { if (list.length < 200) list.push(item); };
  window.addEventListener('error', (e) => {
    const t = e.target;
    if (t && t !== window && (t.src || t.href)) {
      add(ev.failed_requests, {url: String(t.src || t.href), type: (t.tagName || '').toLowerCase(),
                               error: 'load failed'});
    } else {
      add(ev.js_errors, e.error && e.error.stack ? `${e.message}` : String(e.message));
    }
  }, true);
  window.addEventListener('unhandledrejection', (e) => add(ev.js_errors, 'Unhandled rejection: ' + String(e.reason)));
  const orig = console.error;
  console.error = function (...args) {
    add(ev.console_errors, args.map((a) => { try { return typeof a === 'string' ? a : JSON.stringify(a); }
                                             catch (x) { return String(a); } }).join(' '));
    return orig.apply(this, args);
  };
})"""

windows = []
preload = []  # WebKit2.UserScript, read once


def on_close(view, window):
    window.destroy()
    windows.remove(window)


def set_events_script(manager, status, content_type):
    source = f"{EVENTS_JS}({json.dumps(status)}, {json.dumps(content_type)});"
    manager.remove_all_scripts()
    manager.add_script(
        WebKit2.UserScript(
            source, WebKit2.UserContentInjectedFrames.TOP_FRAME, WebKit2.UserScriptInjectionTime.START, None, None
        )
    )
    for script in preload:
        manager.add_script(script)


def on_decide_policy(view, decision, kind, manager):
    # The HTTP status is known here, before the new document exists: bake it into that document's start script.
    if kind == WebKit2.PolicyDecisionType.RESPONSE and decision.is_main_frame_main_resource():
        response = decision.get_response()
        set_events_script(manager, response.get_status_code(), response.get_mime_type() or "")
    return False  # the default decision


def on_create(session, context):
    manager = WebKit2.UserContentManager()
    set_events_script(manager, None, "")
    view = WebKit2.WebView(web_context=context, user_content_manager=manager, is_controlled_by_automation=True)
    window = Gtk.Window()
    window.set_decorated(False)
    window.add(view)
    view.connect("close", on_close, window)
    view.connect("decide-policy", on_decide_policy, manager)
    window.show_all()
    windows.append(window)
    return view


def on_automation_started(context, session):
    info = WebKit2.ApplicationInfo()
    info.set_name(NAME)
    major, minor, micro = WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version()
    info.set_version(major, minor, micro)
    session.set_application_info(info)
    session.connect("create-web-view", on_create, context)


def main():
    if "--automation" not in sys.argv:
        sys.stderr.write("wk_browser: only for WebDriver automation (--automation)\n")
        return 2
    for path in filter(None, os.environ.get(PRELOAD_ENV, "").split(os.pathsep)):
        with open(path, encoding="utf-8") as f:
            preload.append(
                WebKit2.UserScript(
                    f.read(),
                    WebKit2.UserContentInjectedFrames.ALL_FRAMES,
                    WebKit2.UserScriptInjectionTime.START,
                    None,
                    None,
                )
            )
    context = WebKit2.WebContext.get_default()
    context.set_automation_allowed(True)
    context.connect("automation-started", on_automation_started)
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
