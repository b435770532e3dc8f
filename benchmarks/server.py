"""
HTTP service benchmark: latency (p50, p99) and throughput, against a bare endpoint.

Two uvicorn processes run side by side with the same settings (one worker, no access log):
betastate's service on a SQLite file, and a bare Starlette app whose one endpoint returns a
constant. The same httpx clients measure both, in interleaved rounds, so the ratios hold on
a noisy machine:

- latency, one client at a time: p50 and p99 of GET /startups/{slug}, POST /check and
  POST /commands (a Record of a note: the journal's write path), and of the bare endpoint;
- throughput, 8 clients at once: requests per second of the same.

Run: python benchmarks/server.py [--quick]
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

import betastate as bs
from betastate.server import add_key


QUICK = "--quick" in sys.argv
ROUNDS = 3 if QUICK else 7
REQUESTS = 100 if QUICK else 300
CLIENTS = 8


async def constant(_request: object) -> JSONResponse:
    return JSONResponse({"status": "ok"})


bare = Starlette(routes=[Route("/constant", constant)])
"""The baseline: the same framework and server, no work at all."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def uvicorn(target: str, env: dict[str, str], *, factory: bool = False) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--no-access-log"]
    command += ["--log-level", "warning", "--app-dir", str(Path(__file__).parent)]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(command, env={**os.environ, **env})  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(url + "/", timeout=1)
                break
            time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latencies(send: Callable[[httpx.Client, int], httpx.Response], base: str) -> list[float]:
    out: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for index in range(REQUESTS):
            started = time.perf_counter()
            response = send(client, index)
            out.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return out


def throughput(send: Callable[[httpx.Client, int], httpx.Response], base: str) -> float:
    def one(worker: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            for index in range(REQUESTS // 2):
                assert send(client, worker * 10_000 + index).status_code == 200

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one, range(CLIENTS)))
    return CLIENTS * (REQUESTS // 2) / (time.perf_counter() - started)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    keys = folder / "keys.toml"
    key = add_key(keys, bs.Actor(role="sponsor", name="Benchmark"))
    headers = {"Authorization": f"Bearer {key}"}
    url = f"sqlite://{folder}/bench.db"
    with bs.open_journal(url) as journal:
        for slug in ("read", "write"):
            journal.create(bs.Startup(slug=slug, title=slug))
            journal.apply(
                slug,
                bs.Advance(
                    on=dt.date(2025, 1, 6),
                    to="investigation",
                    by="sponsor",
                    co_deciders=["incubator"],
                ),
            )
    env = {"BETASTATE_SERVE_URL": url, "BETASTATE_SERVE_KEYS": str(keys)}
    note = {"_type": "Record", "event": {"_type": "Note", "on": "2025-06-01"}}
    check = {"_type": "Advance", "on": "2025-03-10", "to": "construction"}
    with (
        uvicorn("server:bare", {}) as bare_url,
        uvicorn("betastate.server._run:app_from_environment", env, factory=True) as api_url,
    ):
        cases: dict[str, tuple[str, Callable[[httpx.Client, int], httpx.Response]]] = {
            "bare constant": (bare_url, lambda c, _i: c.get("/constant")),
            "GET /startups/{slug}": (
                api_url,
                lambda c, _i: c.get("/startups/read", headers=headers),
            ),
            "POST /check": (
                api_url,
                lambda c, _i: c.post("/startups/read/check", json=check, headers=headers),
            ),
            "POST /commands": (
                api_url,
                lambda c, i: c.post(
                    "/startups/write/commands",
                    json={**note, "event": {**note["event"], "comment": f"n{i}"}},
                    headers=headers,
                ),
            ),
        }
        p50: dict[str, list[float]] = {name: [] for name in cases}
        p99: dict[str, list[float]] = {name: [] for name in cases}
        rate: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, (base, send) in cases.items():
                times = latencies(send, base)
                p50[name].append(percentile(times, 0.50))
                p99[name].append(percentile(times, 0.99))
                rate[name].append(throughput(send, base))
    print(
        f"HTTP service, {ROUNDS} interleaved rounds of {REQUESTS} sequential requests "
        f"and {CLIENTS} clients x {REQUESTS // 2} (medians of rounds; SQLite file, "
        "synchronous=full)"
    )
    print(f"{'endpoint':<22} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}   vs bare: p50, throughput")
    base_p50 = statistics.median(p50["bare constant"])
    base_rate = statistics.median(rate["bare constant"])
    for name in cases:
        m50, m99, mrate = (statistics.median(v[name]) for v in (p50, p99, rate))
        print(
            f"{name:<22} {m50 * 1000:8.2f} {m99 * 1000:8.2f} {mrate:8.0f}   "
            f"x{m50 / base_p50:.1f}, x{mrate / base_rate:.2f}"
        )


if __name__ == "__main__":
    main()
