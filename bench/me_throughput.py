"""GET /me throughput ÷ a bare endpoint returning the same JSON, same app, same uvicorn worker.

One uvicorn worker serves bench/me_app.py; the load comes from another process on loopback:
wrk if installed (Debian package `wrk`), else a small asyncio keep-alive load generator. Runs
alternate bare / me, several rounds, and compare medians. Target (issue 3): >= 0.9.
Run: python -m bench.me_throughput
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

import httpx

from bench._common import Signer

ROUNDS = 4
SECONDS = 4
CONNECTIONS = 32


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pinned(cpu: int) -> list[str]:
    # On a 2-core machine, keep server and load generator off each other's core when possible.
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(cpu)]
    return []


def _load(url: str, token: str | None) -> float:
    header = [] if token is None else ["-H", f"Authorization: Bearer {token}"]
    if shutil.which("wrk"):
        command = [
            *_pinned(1), "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", *header, url,
        ]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        if match is None or "Non-2xx" in output:
            raise RuntimeError(f"unexpected wrk output:\n{output}")
        return float(match.group(1))
    command = [
        *_pinned(1), sys.executable, "-m", "bench._loadgen", url, str(SECONDS), str(CONNECTIONS),
        token or "",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(output.strip())


def main() -> dict[str, float]:
    signer = Signer()
    token = signer.access_token(lifetime=3600)
    port = _free_port()
    env = {
        **os.environ,
        "BENCH_JWKS": json.dumps({"keys": [signer.jwk()]}),
        "BENCH_TOKEN": token,
    }
    server = subprocess.Popen(
        [
            *_pinned(0), sys.executable, "-m", "uvicorn", "bench.me_app:app",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--no-access-log", "--log-level", "warning",
        ],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/bare", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        me = httpx.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        bare = httpx.get(f"{base}/bare", timeout=5)
        assert me.status_code == 200, me.text
        assert me.content == bare.content, "the two routes must return the same JSON"
        print(f"load generator: {'wrk' if shutil.which('wrk') else 'python asyncio'}, "
              f"{CONNECTIONS} connections, {SECONDS} s per run, {ROUNDS} rounds")  # fmt: skip
        _load(f"{base}/bare", None)  # warm-up
        bare_rps: list[float] = []
        me_rps: list[float] = []
        for round_index in range(ROUNDS):
            bare_rps.append(_load(f"{base}/bare", None))
            me_rps.append(_load(f"{base}/me", token))
            print(
                f"round {round_index + 1}: bare {bare_rps[-1]:.0f} req/s, "
                f"me {me_rps[-1]:.0f} req/s (x{me_rps[-1] / bare_rps[-1]:.3f})",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(10)
    ratio = statistics.median(me_rps) / statistics.median(bare_rps)
    print()
    print(f"bare endpoint: median {statistics.median(bare_rps):.0f} req/s")
    print(f"GET /me:       median {statistics.median(me_rps):.0f} req/s")
    print(f"/me ÷ bare:    {ratio:.3f}   (target >= 0.9)")
    return {"bare_rps": statistics.median(bare_rps), "me_rps": statistics.median(me_rps),
            "ratio": ratio}  # fmt: skip


if __name__ == "__main__":
    main()
