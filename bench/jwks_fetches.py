"""JWKS fetch counts over real HTTP: a burst of first requests, then a storm of unknown kids.

A threaded http.server on loopback serves the pool's JWKS, counts every GET, and answers after
a simulated network latency (50 ms, so the burst really overlaps the fetch in flight). The
verifier is the service's own (TokenVerifier.from_settings: httpx client, timeouts, 10 s
cool-down), not prefetched.
1. 500 concurrent first requests, each a distinct valid token: target exactly 1 fetch.
2. 1,000 tokens with random unknown kids inside one 10 s cool-down window (half at once, half
   paced over 5 s), starting just as the previous window ends, the worst case: target at most
   1 extra fetch. The verifier's monotonic clock is advanced by 10 s instead of sleeping.
Run: python bench/jwks_fetches.py
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/jwks_fetches.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from app.settings import Settings
from app.tokens.errors import KidNotFoundError, TokenError
from app.tokens.jwks import JwksCache
from app.tokens.verifier import TokenVerifier
from bench._common import CLIENT_ID, ISSUER, POOL_ID, Signer

BURST = 500
RANDOM_KIDS = 1000
LATENCY_S = 0.05
COOLDOWN_S = 10.0
PACED_OVER_S = 5.0


class JwksServer:
    """A JWKS on loopback over real HTTP, counting GET requests."""

    def __init__(self, document: dict[str, Any], latency: float) -> None:
        body = json.dumps(document).encode()
        self.gets = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    server.gets += 1
                time.sleep(latency)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: ANN401
                """Quiet: the bench prints its own figures."""

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/.well-known/jwks.json"

    @contextmanager
    def running(self) -> Iterator[JwksServer]:
        """Serve in a background thread while the block runs."""
        thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._http.shutdown()
            self._http.server_close()


class SteppedClock:
    """time.monotonic, plus whatever the bench adds to skip a cool-down without sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


async def _burst(server: JwksServer, signer: Signer) -> tuple[int, int]:
    settings = Settings(
        environment="test",
        cognito_user_pool_id=POOL_ID,
        cognito_client_id=CLIENT_ID,
        cognito_jwks_url=server.url,
        cognito_issuer=ISSUER,
        jwks_cooldown_seconds=COOLDOWN_S,
    )
    verifier = TokenVerifier.from_settings(settings)
    tokens = [signer.access_token() for _ in range(BURST)]
    before = server.gets
    try:
        results = await asyncio.gather(*(verifier.verify_access(t) for t in tokens))
    finally:
        verifier.close()
    return server.gets - before, sum(1 for claims in results if claims.client_id == CLIENT_ID)


async def _storm(server: JwksServer, signer: Signer) -> tuple[int, int, float]:
    clock = SteppedClock()
    with httpx.Client(timeout=3.0, follow_redirects=False) as client:
        jwks = JwksCache(url=server.url, http_client=client, cooldown=COOLDOWN_S, clock=clock)
        verifier = TokenVerifier(issuer=ISSUER, client_ids=(CLIENT_ID,), jwks=jwks)
        await verifier.start()
        clock.offset += COOLDOWN_S  # the prefetch's cool-down has just run out
        tokens = [signer.access_token(kid=secrets.token_urlsafe(32)) for _ in range(RANDOM_KIDS)]
        before, started = server.gets, time.monotonic()
        half = RANDOM_KIDS // 2
        outcomes: list[BaseException | Any] = list(
            await asyncio.gather(
                *(verifier.verify_access(t) for t in tokens[:half]), return_exceptions=True
            )
        )
        for index, token in enumerate(tokens[half:]):
            await asyncio.sleep(max(0.0, started + PACED_OVER_S * index / half - time.monotonic()))
            try:
                outcomes.append(await verifier.verify_access(token))
            except TokenError as exc:
                outcomes.append(exc)
        elapsed = time.monotonic() - started
    refused = sum(1 for outcome in outcomes if isinstance(outcome, KidNotFoundError))
    return server.gets - before, refused, elapsed


def main() -> dict[str, float]:
    """Run both scenarios against a real loopback JWKS and print the counts against targets."""
    signer = Signer()
    server = JwksServer({"keys": [signer.jwk()]}, LATENCY_S)
    with server.running():
        print(f"JWKS on {server.url} ({LATENCY_S * 1000:.0f} ms latency), "
              f"cool-down {COOLDOWN_S:g} s")  # fmt: skip
        first, accepted = asyncio.run(_burst(server, signer))
        extra, refused, elapsed = asyncio.run(_storm(server, signer))
    burst_ok = first == 1 and accepted == BURST
    storm_ok = extra <= 1 and refused == RANDOM_KIDS
    print(f"{BURST} concurrent first requests: {first} JWKS fetch(es), {accepted} accepted   "
          f"(target exactly 1) {'PASS' if burst_ok else 'MISS'}")  # fmt: skip
    print(f"{RANDOM_KIDS} random kids in {elapsed:.1f} s: {extra} extra fetch(es), {refused} "
          f"refused KID_NOT_FOUND   (target <= 1) {'PASS' if storm_ok else 'MISS'}")  # fmt: skip
    return {
        "burst_fetches": float(first),
        "burst_accepted": float(accepted),
        "random_kid_extra_fetches": float(extra),
        "random_kid_refused": float(refused),
        "random_kid_seconds": elapsed,
    }


if __name__ == "__main__":
    main()
