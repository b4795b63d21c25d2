"""A WebDriver BiDi relay that lets Playwright's ``moz-firefox`` channel drive a stock Firefox ESR.

Playwright 1.65 sends ``emulation.setMediaFeaturesOverride`` while creating every context, and Firefox ESR 153
does not know that command, so every ``new_context()`` fails. Playwright starts this module (through a tiny sh
wrapper, see :func:`write_wrapper`) as if it were Firefox: it starts the real Firefox with the same arguments,
announces its own ``ws://`` address the way Firefox does, relays every message both ways and answers that one
command itself. The cost: ``color_scheme`` emulation is a no-op on this route.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import signal
import stat
import sys
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

UNSUPPORTED = {"emulation.setMediaFeaturesOverride"}
_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


def write_wrapper(folder: Path, firefox: str) -> Path:
    """An executable Playwright can launch: ``sh`` running this module with the current Python."""
    root = Path(__file__).resolve().parents[2]
    script = folder / "firefox-bidi-shim"
    script.write_text(
        "#!/bin/sh\n"
        f"PYTHONPATH={_sh_quote(str(root))}${{PYTHONPATH:+:$PYTHONPATH}}\nexport PYTHONPATH\n"
        f'exec {_sh_quote(sys.executable)} -m qa.visit.ffshim {_sh_quote(firefox)} "$@"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


async def _relay(client: ServerConnection, upstream_base: str) -> None:
    path = client.request.path if client.request else "/session"
    async with connect(upstream_base + path, max_size=None, open_timeout=30) as upstream:

        async def to_firefox() -> None:
            async for raw in client:
                try:
                    message = json.loads(raw)
                except ValueError:
                    message = None
                if isinstance(message, dict) and message.get("method") in UNSUPPORTED:
                    await client.send(json.dumps({"type": "success", "id": message.get("id"), "result": {}}))
                    continue
                await upstream.send(raw)

        async def to_playwright() -> None:
            async for raw in upstream:
                await client.send(raw)

        tasks = [asyncio.create_task(to_firefox()), asyncio.create_task(to_playwright())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except ConnectionClosed:
            pass
        finally:
            for t in tasks:
                t.cancel()


async def main(firefox: str, args: list[str]) -> int:
    proc = await asyncio.create_subprocess_exec(
        firefox, *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: proc.returncode is None and proc.terminate())
    server = None
    assert proc.stderr is not None
    while True:
        line = await proc.stderr.readline()
        if not line:
            break
        text = line.decode("utf-8", "replace")
        match = _LISTENING.search(text)
        if match and server is None:
            upstream = match.group(1)
            server = await serve(functools.partial(_relay, upstream_base=upstream), "127.0.0.1", 0, max_size=None)
            port = next(iter(server.sockets)).getsockname()[1]
            text = f"WebDriver BiDi listening on ws://127.0.0.1:{port}\n"
        sys.stderr.write(text)
        sys.stderr.flush()
    code = await proc.wait()
    if server is not None:
        server.close()
    return code


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.stderr.write("usage: python -m qa.visit.ffshim FIREFOX [firefox arguments]\n")
        raise SystemExit(2)
    os.environ.pop("PYTHONPATH", None)  # Firefox does not need it
    raise SystemExit(asyncio.run(main(sys.argv[1], sys.argv[2:])))
