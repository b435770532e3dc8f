"""
Running the HTTP service for tests: in process (httpx over ASGI) or as a real uvicorn.

`live_server` starts `betastate serve` in a child process on 127.0.0.1 and a free port,
waits for /health, and stops it; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx

import betastate as bs
from betastate.server import add_key


START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


class AppClient:
    """A synchronous httpx client of an ASGI app in this process (an event loop in a thread)."""

    def __init__(self, app: Any) -> None:
        self._portal_manager = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_manager.__enter__()
        transport = httpx.ASGITransport(app=app)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://betastate.test")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(functools.partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._portal_manager.__exit__(None, None, None)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def keys_for(path: Path, roles: Any) -> dict[str, str]:
    """A keys file with one key per role (acting as the bare role); the keys by role."""
    return {str(role): add_key(path, bs.Actor(role=role)) for role in roles}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """A `betastate serve` process: its base URL and its log."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def live_server(
    journal_url: str, keys: Path, folder: Path, *, workers: int = 1, attempts: int = 3
) -> Iterator[LiveServer]:
    """`betastate serve` on 127.0.0.1, up until the block ends (a few attempts at a free port)."""
    for attempt in range(attempts):
        port = free_port()
        log = folder / f"server-{port}.log"
        command = [
            sys.executable,
            "-m",
            "betastate",
            "serve",
            journal_url,
            "--keys",
            str(keys),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, env={**os.environ}
            )
        server = LiveServer(process, f"http://127.0.0.1:{port}", log)
        try:
            if _wait_up(server):
                yield server
                return
        finally:
            _stop(process)
        if attempt == attempts - 1:
            msg = f"betastate serve did not start:\n{server.output()}"
            raise RuntimeError(msg)


def _wait_up(server: LiveServer) -> bool:
    """Whether /health answers before the timeout (False: the process ended, e.g. port taken)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    msg = f"betastate serve did not answer /health within {START_TIMEOUT} s:\n{server.output()}"
    raise RuntimeError(msg)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
