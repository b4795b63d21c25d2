"""A bare WebKitGTK browser for W3C WebDriver automation, run by the system Python (python3-gi).

WebKitGTK's MiniBrowser has a header bar and a minimum width, so its viewports are inexact (390×844 becomes
447×806). This program opens one undecorated window holding only a WebView per automation request, so the
window size is the viewport. A document-start script records JavaScript errors, console errors and failed
subresources in ``window.__qaEvents`` because classic WebDriver has no event stream. A navigation that fails
leaves the previous document in place and WebDriver says nothing: the failure, told from WebKit's own error
domain and code, is written into that document as ``window.__qaNavFault`` for the driver to read.
Run as: ``/usr/bin/python3 wk_browser.py --automation`` (WebKitWebDriver starts it).
"""

import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gio, GLib, Gtk, WebKit2  # noqa: E402

NAME = "PyWebKitGTK"
PRELOAD_ENV = "QA_PRELOAD_SCRIPTS"  # files of scripts every document and frame gets at its start (axe-core)
STOPPED_DIR_ENV = "QA_STOPPED_LOADS"  # the folder for the record of a load stopped while parsed (see stop)

EVENTS_JS = r"""((status, contentType, bytes) => {
  if (window.__qaEvents) return;
  const ev = window.__qaEvents = {js_errors: [], console_errors: [], failed_requests: [],
                                  status: status, content_type: contentType, bytes: bytes};
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
responses = {}  # view -> its last main-resource response (type, size, download), for a navigation that then fails
redirects = {}  # view -> redirects followed by its navigation in progress
limits = {}  # view -> {"bytes": the largest document it may load, "timeout_s": its navigation time}, from the driver
watches = {}  # view -> the GLib source measuring its document while it loads (see watch)
LIMIT_HANDLER = "qaDocumentLimit"  # must match qa/visit/webdriver_driver.py
# WebKitGTK 2.50 has no signal per chunk of a response, and WebDriver's page-load timeout leaves a navigation running
# (every later command then waits for it). So this browser watches its own loads: every WATCH_MS it measures the
# document parsed so far in the page (decoded, however it came: chunked, compressed) and stops a load that passes the
# size limit or the navigation time, telling why, and whether the server was still sending (its main resource not
# finished): a slow server is not blamed on the page's script.
WATCH_MS = 500
MEASURE_JS = "document.documentElement ? document.documentElement.outerHTML.length : 0"
MAX_REDIRECTS = 20  # WebKit's own limit; its error for it has no domain or code to tell it by
SOUP_TOO_MANY_REDIRECTS = 2  # SoupSessionError (libsoup 3); its typelib is not needed for one number


def on_close(view, window):
    unwatch(view)
    for state in (responses, redirects, limits):
        state.pop(view, None)
    window.destroy()
    windows.remove(window)


def set_events_script(manager, status, content_type, size=None):
    source = f"{EVENTS_JS}({json.dumps(status)}, {json.dumps(content_type)}, {json.dumps(size)});"
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
        size = response.get_content_length() or None
        content_type = response.get_mime_type() or ""
        attachment = _attachment(response)
        responses[view] = {"type": content_type, "bytes": size, "attachment": attachment}
        set_events_script(manager, response.get_status_code(), content_type, size)
        limit = limits.get(view, {}).get("bytes")
        if size and limit and size > limit:
            responses[view]["too_large"] = True  # stopped before the web process parses it
            decision.ignore()
            return True
        if attachment or not decision.is_mime_type_supported():
            # A download: never written to disk; the navigation fails and says so (see on_load_failed).
            responses[view]["download"] = True
            decision.ignore()
            return True
    return False  # the default decision


def on_load_changed(view, event):
    if event == WebKit2.LoadEvent.STARTED:
        redirects[view] = 0
        responses.pop(view, None)
        watch(view)
    elif event == WebKit2.LoadEvent.REDIRECTED:
        redirects[view] = redirects.get(view, 0) + 1
    elif event == WebKit2.LoadEvent.COMMITTED:
        resource = view.get_main_resource()
        if resource is not None and view in responses:
            resource.connect("finished", on_document_arrived, responses[view])
            responses[view]["committed"] = True
    elif event == WebKit2.LoadEvent.FINISHED:
        unwatch(view)


def on_document_arrived(resource, response):
    # Also emitted for a load being cancelled: what arrived before the suite stopped it is what counts
    if not (response.get("timed_out") or response.get("too_large")):
        response["complete"] = True


def watch(view):
    unwatch(view)
    started = GLib.get_monotonic_time()
    watches[view] = GLib.timeout_add(WATCH_MS, on_watch, view, started)


def unwatch(view):
    source = watches.pop(view, None)
    if source is not None:
        GLib.source_remove(source)


def on_watch(view, started):
    if not view.is_loading():
        watches.pop(view, None)
        return False
    limit = limits.get(view, {})
    timeout_s = limit.get("timeout_s")
    if timeout_s and (GLib.get_monotonic_time() - started) / 1e6 > timeout_s:
        stop(view, "timed_out")
        return False
    if limit.get("bytes"):
        view.evaluate_javascript(MEASURE_JS, -1, None, None, None, on_measured, view)
    return True


def on_measured(view, result, _view):
    try:
        value = view.evaluate_javascript_finish(result)
    except GLib.Error:  # no document yet, or it went away
        return
    response = responses.get(view)
    if response is None or not value.is_number():
        return
    response["received"] = max(response.get("received", 0), int(value.to_double()))
    limit = limits.get(view, {}).get("bytes")
    if limit and response["received"] > limit and view.is_loading():
        stop(view, "too_large")


def stop(view, why):
    watches.pop(view, None)
    response = responses.setdefault(view, {})
    response[why] = True
    if why == "too_large" and response.get("committed"):
        # Stopping the load ends the network side only: the parser goes on through all that arrived, and no other
        # page can be loaded meanwhile. Only ending the web process stops it; the record goes to a file the driver
        # reads when its navigation fails.
        token = str(limits.get(view, {}).get("token", ""))
        folder = os.environ.get(STOPPED_DIR_ENV)
        if token.isalnum() and folder:
            path = os.path.join(folder, f"stopped-{token}.json")
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump(fault_record(None, response, view.get_uri(), 0, "stopped while being parsed"), f)
            os.replace(path + ".tmp", path)
        view.terminate_web_process()
    else:
        if response.get("committed"):  # its load may now just finish, not fail: the document says why at once
            record_fault(view, fault_record(None, response, view.get_uri(), 0, "stopped: the navigation took too long"))
        view.stop_loading()  # a load not yet committed fails as cancelled; on_load_failed tells why from the flag


def on_limit(manager, value, reply, view):
    """The driver's limits for the navigations to come (a JSON text: ``bytes``, ``timeout_s``); the reply tells it
    they hold before it navigates."""
    try:
        limits[view] = json.loads(value.to_string())
    except ValueError:
        limits[view] = {}
    reply.return_value(value)
    return True


def _attachment(response):
    try:
        disposition = response.get_http_headers().get_one("Content-Disposition") or ""
    except Exception:  # no headers (a file: or data: URL), or no Soup typelib
        return False
    return disposition.strip().lower().startswith("attachment")


def _fault(error, response, followed):
    """qa.visit.driver.Fault's name for a failed main-frame load, from WebKit's (GLib's, libsoup's) error codes."""
    if response.get("too_large"):
        return "too-large"
    if response.get("timed_out"):
        return "timeout"
    if error is None:
        return "other"
    if error.matches(WebKit2.policy_error_quark(), WebKit2.PolicyError.FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE):
        return "download" if response.get("download") else "aborted"
    if error.matches(WebKit2.policy_error_quark(), WebKit2.PolicyError.CANNOT_SHOW_MIME_TYPE):
        return "download"
    if error.matches(WebKit2.network_error_quark(), WebKit2.NetworkError.CANCELLED):
        return "aborted"
    if error.matches(WebKit2.network_error_quark(), WebKit2.NetworkError.TRANSPORT):
        return "network"
    if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
        return "aborted"
    if error.domain in ("g-io-error-quark", "g-resolver-error-quark"):
        return "network"
    if error.domain == "g-tls-error-quark":
        return "tls"
    if error.domain == "soup-session-error-quark":
        return "redirect-loop" if error.code == SOUP_TOO_MANY_REDIRECTS else "network"
    if followed >= MAX_REDIRECTS:
        return "redirect-loop"
    return "other"


def record_fault(view, record):
    view.evaluate_javascript(f"window.__qaNavFault = {json.dumps(record)};", -1, None, None, None, None, None)


def fault_record(error, response, uri, followed, detail):
    return {
        "fault": _fault(error, response, followed),
        "detail": detail,
        "url": uri,
        "type": response.get("type", ""),
        "bytes": response.get("bytes"),
        "attachment": response.get("attachment", False),
        "responded": "type" in response,
        "received": response.get("received"),
        "complete": response.get("complete", False),
    }


def on_load_failed(view, event, uri, error):
    unwatch(view)
    response = responses.pop(view, {})
    followed = redirects.pop(view, 0)
    detail = f"{error.message} ({error.domain} {error.code})"
    record_fault(view, fault_record(error, response, uri, followed, detail))
    return True  # no error page: it would replace the document the record was written into


def on_tls_errors(view, uri, certificate, errors):
    record_fault(view, {"fault": "tls", "detail": f"TLS certificate errors ({int(errors)})", "url": uri})
    return True


def on_create(session, context):
    manager = WebKit2.UserContentManager()
    set_events_script(manager, None, "")
    view = WebKit2.WebView(web_context=context, user_content_manager=manager, is_controlled_by_automation=True)
    window = Gtk.Window()
    window.set_decorated(False)
    window.add(view)
    view.connect("close", on_close, window)
    view.connect("decide-policy", on_decide_policy, manager)
    view.connect("load-failed", on_load_failed)
    view.connect("load-changed", on_load_changed)
    manager.register_script_message_handler_with_reply(LIMIT_HANDLER, None)
    manager.connect(f"script-message-with-reply-received::{LIMIT_HANDLER}", on_limit, view)
    view.connect("load-failed-with-tls-errors", on_tls_errors)
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
