"""Names for threads that only wait, so that work forked later knows they hold nothing it needs.

The report jobs fork (qa/report/_parallel.py), which is safe only while no other thread can hold a lock the
children take. A thread started under :func:`parked` waits in a system call for its whole life (a local server's
accept loop, a started server's output pipe); asyncio's own ``waitpid-N`` threads wait for a child process.
"""

from __future__ import annotations

import threading

PARKED = ("qa-parked:", "waitpid-")


def parked(name: str) -> str:
    """The name for a thread that only waits in a system call and takes no lock the rest of the run uses."""
    return PARKED[0] + name


def only_parked_threads() -> bool:
    """True when every thread other than the main one is a waiting one (see PARKED)."""
    main = threading.main_thread()
    return all(t is main or t.name.startswith(PARKED) for t in threading.enumerate())
