"""GET /me throughput ÷ a bare endpoint returning the same JSON, same app, same uvicorn worker.

One uvicorn worker serves the service's app (bench/me_app.py: create_app with production
settings, plus /bench/me behind the real AccessToken dependency and /bench/bare beside it).
The load comes from another process on loopback: wrk when installed (Debian package `wrk`),
else a small asyncio keep-alive load generator (bench/_loadgen.py). Both routes get the very
same request, Authorization header included, so the ratio is the cost of verifying the token
and nothing else; a bare run without the header is printed for information. Two servers run,
one per route order (routing tries routes in turn), and runs alternate over several rounds;
the ratio is the median of the rounds' geometric means of both orders. Target: >= 0.9.
Run: python bench/me_throughput.py
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/me_throughput.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench._common import ROOT, Signer, free_port, pinned

ROUNDS = 5
SECONDS = 2
CONNECTIONS = 16
TARGET = 0.9


def _load(url: str, token: str | None) -> float:
    header = [] if token is None else ["-H", f"Authorization: Bearer {token}"]
    if shutil.which("wrk"):
        command = [
            *pinned(1), "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", *header, url,
        ]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        if match is None or "Non-2xx" in output or "Socket errors" in output:
            raise RuntimeError(f"unexpected wrk output:\n{output}")
        return float(match.group(1))
    command = [
        *pinned(1), sys.executable, "-m", "bench._loadgen", url, str(SECONDS), str(CONNECTIONS),
        token or "",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return float(output.strip())


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError("the bench server exited")
        try:
            if httpx.get(f"{base}/bench/bare", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the bench server did not start")


def _serve(order: str, env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    server = subprocess.Popen(
        [
            *pinned(0), sys.executable, "-m", "uvicorn", "--factory", "bench.me_app:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--no-access-log", "--log-level", "warning",
        ],
        env={**env, "BENCH_ORDER": order},
        cwd=ROOT,
    )  # fmt: skip
    return f"http://127.0.0.1:{port}", server


def _check(base: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{base}/bench/me", headers=auth, timeout=5)
    bare = httpx.get(f"{base}/bench/bare", headers=auth, timeout=5)
    assert me.status_code == 200, me.text
    assert me.content == bare.content, "the two routes must return the same JSON"
    assert httpx.get(f"{base}/bench/me", timeout=5).status_code == 401, "/bench/me needs a token"


def main() -> dict[str, float]:
    """Run the rounds, print req/s per route and the ratio, and return the medians."""
    signer = Signer()
    token = signer.access_token(lifetime=3600)
    env = {
        **os.environ,
        "BENCH_JWKS": json.dumps({"keys": [signer.jwk()]}),
        "BENCH_TOKEN": token,
        "PYTHONPATH": str(ROOT),
    }
    # Two servers, the two routes registered in either order: the combined ratio of a round is
    # the geometric mean of both servers' ratios, so route position favours neither route.
    servers = {order: _serve(order, env) for order in ("bare", "me")}
    rps: dict[str, list[float]] = {"bare": [], "me": [], "noop": [], "headerless": []}
    ratios: list[float] = []
    noop_ratios: list[float] = []
    try:
        for base, server in servers.values():
            _wait_ready(base, server)
            _check(base, token)
        generator = "wrk" if shutil.which("wrk") else "python asyncio (bench/_loadgen.py)"
        print(f"load generator: {generator}, {CONNECTIONS} connections, {SECONDS} s per run, "
              f"{ROUNDS} rounds; one uvicorn worker per server (the service's create_app), "
              "two servers with the routes registered in either order")  # fmt: skip
        for base, _ in servers.values():
            for route in ("bare", "me", "noop"):  # warm-up
                _load(f"{base}/bench/{route}", token)
        for round_index in range(ROUNDS):
            me_bare, noop_bare = [], []
            for base, _ in servers.values():
                bare = _load(f"{base}/bench/bare", token)
                me = _load(f"{base}/bench/me", token)
                noop = _load(f"{base}/bench/noop", token)
                rps["bare"].append(bare)
                rps["me"].append(me)
                rps["noop"].append(noop)
                me_bare.append(me / bare)
                noop_bare.append(noop / bare)
            ratios.append(math.sqrt(me_bare[0] * me_bare[1]))
            noop_ratios.append(math.sqrt(noop_bare[0] * noop_bare[1]))
            rps["headerless"].append(_load(f"{servers['bare'][0]}/bench/bare", None))
            print(
                f"round {round_index + 1}: bare {rps['bare'][-2]:.0f} / {rps['bare'][-1]:.0f}, "
                f"me {rps['me'][-2]:.0f} / {rps['me'][-1]:.0f}, "
                f"noop {rps['noop'][-2]:.0f} / {rps['noop'][-1]:.0f} req/s (either order); "
                f"me ÷ bare x{ratios[-1]:.3f}, noop ÷ bare x{noop_ratios[-1]:.3f}; "
                f"bare without Authorization {rps['headerless'][-1]:.0f} req/s",
                flush=True,
            )
    finally:
        for _, server in servers.values():
            server.terminate()
            server.wait(10)
    bare_median, me_median = statistics.median(rps["bare"]), statistics.median(rps["me"])
    ratio = statistics.median(ratios)
    headerless = statistics.median(rps["headerless"])
    print()
    print(f"bare endpoint:  median {bare_median:.0f} req/s")
    print(f"GET /bench/me:  median {me_median:.0f} req/s")
    verdict = "PASS" if ratio >= TARGET else "MISS"
    print(f"/me ÷ bare:     median {ratio:.3f}, min {min(ratios):.3f}, max {max(ratios):.3f}   "
          f"(target >= {TARGET}) {verdict}")  # fmt: skip
    noop_ratio = statistics.median(noop_ratios)
    print(f"for information: a no-op FastAPI dependency alone ÷ bare: {noop_ratio:.3f} "
          "(FastAPI's own share of the cost)")  # fmt: skip
    print(f"for information, bare without the Authorization header: {headerless:.0f} req/s "
          f"(/me ÷ that: {me_median / headerless:.3f})")  # fmt: skip
    return {
        "bare_rps": bare_median,
        "me_rps": me_median,
        "ratio": ratio,
        "noop_dependency_ratio": noop_ratio,
        "headerless_bare_rps": headerless,
    }


if __name__ == "__main__":
    main()
