"""A private X display for browsers that have no headless mode (WebKitGTK), so users need no xvfb-run."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess

from qa.errors import BrowserUnavailable

SCREEN = "1920x1400x24"  # room for the tallest default viewport (tablet 820×1180)


class VirtualDisplay:
    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.display = ""

    def start(self, timeout_s: float = 30) -> str:
        """Start Xvfb on a free display number (it picks one itself) and return ``:N``."""
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise BrowserUnavailable(
                "WebKitGTK needs Xvfb: run 'apt-get install xvfb' or scripts/install-system-deps.sh"
            )
        read_fd, write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [xvfb, "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp"],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C in the terminal reaches qa, which then closes this cleanly
                preexec_fn=die_with_parent,
            )
            os.close(write_fd)
            write_fd = -1
            number = _read_line(read_fd, timeout_s)
        finally:
            if write_fd >= 0:
                os.close(write_fd)
            os.close(read_fd)
        if not number:
            self.stop()
            raise BrowserUnavailable("Xvfb did not start; check that 'Xvfb -displayfd 1' runs on this machine")
        self.display = f":{number}"
        return self.display

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def die_with_parent() -> None:
    """In a child before exec: get SIGTERM when qa dies, even by SIGKILL, so no browser or display is orphaned."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


def _read_line(fd: int, timeout_s: float) -> str:
    import select

    data = b""
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], timeout_s)
        if not ready:
            return ""
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()
