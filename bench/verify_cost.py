"""Per-verify cost: new token and warm (cached) token against a bare cryptography RS256 verify.

Floor: the least code that checks a token's RS256 signature with `cryptography`:
split off the signature, base64url-decode it, `RSAPublicKey.verify` (key built once). Two more
floors are printed: the verify call alone on pre-split inputs, and the same bare check hashing
with hashlib and verifying prehashed, the trick the verifier itself uses (1 µs cheaper than
letting cryptography hash). New-token verifies use distinct tokens, so none is served from the
cache. The verifier is awaited in a loop inside one coroutine, as a route's dependency awaits
it, driven without an event loop (the path never suspends). Floor and verifier alternate in
small batches over many rounds, so a noisy neighbour hits both alike; ratios are medians of the
per-round ratios. Targets: new ÷ floor <= 1.5; warm <= 3 µs. python-jose with the JWK
dict per call (the seed's pattern) is printed as the naive baseline.
Run: python bench/verify_cost.py
"""

from __future__ import annotations

import base64
import hashlib
import statistics
import sys
import time
import warnings
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/verify_cost.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.hashes import SHA256

from app.tokens.jwks import JwksCache
from app.tokens.verifier import TokenVerifier
from bench._common import CLIENT_ID, ISSUER, Signer, run, summary

ROUNDS = 21
BATCH = 100
JOSE_BATCH = 20
WARM_CALLS = 20_000
NEW_TARGET = 1.5
WARM_TARGET_US = 3.0


def _verifier(signer: Signer) -> TokenVerifier:
    jwks = JwksCache(static_document={"keys": [signer.jwk()]})
    return TokenVerifier(issuer=ISSUER, client_ids=(CLIENT_ID,), jwks=jwks)


def _per_call_us(start: float, calls: int) -> float:
    return (time.perf_counter() - start) / calls * 1e6


async def _verify_each(verifier: TokenVerifier, tokens: list[str]) -> None:
    for token in tokens:
        await verifier.verify_access(token)


async def _verify_repeatedly(verifier: TokenVerifier, token: str, calls: int) -> None:
    verify = verifier.verify_access
    for _ in range(calls):
        await verify(token)


def main() -> dict[str, float]:
    """Run the rounds, print the figures, and return the medians (µs and ratios)."""
    signer = Signer()
    print(f"signing {ROUNDS * BATCH} distinct tokens...", flush=True)
    tokens = [signer.access_token() for _ in range(ROUNDS * BATCH)]
    print(f"token length: {len(tokens[0])} characters; {ROUNDS} rounds of {BATCH} tokens")
    key = JwksCache(static_document={"keys": [signer.jwk()]}).lookup(signer.kid)
    assert key is not None
    split = []
    for token in tokens:
        signing_input, _, signature = token.rpartition(".")
        split.append((base64.urlsafe_b64decode(signature + "=="), signing_input.encode()))
    jwk = signer.jwk()

    from jose import jwt  # the naive baseline only

    figures: dict[str, list[float]] = {
        name: [] for name in ("floor", "alone", "prehashed", "new", "jose", "warm")
    }
    pad, sha, prehashed = PKCS1v15(), SHA256(), Prehashed(SHA256())
    sha256 = hashlib.sha256
    for round_index in range(ROUNDS):
        batch = tokens[round_index * BATCH : (round_index + 1) * BATCH]
        verifier = _verifier(signer)
        run(verifier.verify_access(tokens[0]))  # JWKS keys and header cache in place

        start = time.perf_counter()
        for token in batch:
            head, _, encoded = token.rpartition(".")
            key.verify(base64.urlsafe_b64decode(encoded + "=="), head.encode(), pad, sha)
        figures["floor"].append(_per_call_us(start, BATCH))

        start = time.perf_counter()
        run(_verify_each(verifier, batch))
        figures["new"].append(_per_call_us(start, BATCH))

        start = time.perf_counter()
        for raw_signature, message in split[round_index * BATCH : (round_index + 1) * BATCH]:
            key.verify(raw_signature, message, pad, sha)
        figures["alone"].append(_per_call_us(start, BATCH))

        start = time.perf_counter()
        for token in batch:
            head, _, encoded = token.rpartition(".")
            digest = sha256(head.encode()).digest()
            key.verify(base64.urlsafe_b64decode(encoded + "=="), digest, pad, prehashed)
        figures["prehashed"].append(_per_call_us(start, BATCH))

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for token in batch[:JOSE_BATCH]:
                jwt.decode(token, jwk, algorithms=["RS256"], options={"verify_aud": False})
        figures["jose"].append(_per_call_us(start, JOSE_BATCH))

        start = time.perf_counter()
        run(_verify_repeatedly(verifier, batch[0], WARM_CALLS))
        figures["warm"].append(_per_call_us(start, WARM_CALLS))

    def ratios(name: str, floor: str = "floor") -> list[float]:
        return [a / b for a, b in zip(figures[name], figures[floor], strict=True)]

    new_ratio = statistics.median(ratios("new"))
    warm = statistics.median(figures["warm"])
    print()
    print(f"bare cryptography RS256 token check (floor): {summary(figures['floor'])} µs")
    print(f"RSAPublicKey.verify alone:                  {summary(figures['alone'])} µs")
    print(f"bare check, hashlib + prehashed verify:     {summary(figures['prehashed'])} µs")
    print(f"new token verify (TokenVerifier):           {summary(figures['new'])} µs")
    print(f"python-jose, JWK dict per call:             {summary(figures['jose'])} µs")
    print(f"new ÷ floor:             {summary(ratios('new'))}   (target <= {NEW_TARGET}) "
          f"{'PASS' if new_ratio <= NEW_TARGET else 'MISS'}")  # fmt: skip
    print(f"new ÷ verify alone:      {summary(ratios('new', 'alone'))}")
    print(f"new ÷ prehashed floor:   {summary(ratios('new', 'prehashed'))}")
    print(f"python-jose ÷ floor:     {summary(ratios('jose'))}   (naive baseline)")
    print(f"warm cached verify:      {summary(figures['warm'])} µs   (target <= "
          f"{WARM_TARGET_US:g} µs) {'PASS' if warm <= WARM_TARGET_US else 'MISS'}")  # fmt: skip
    return {
        "floor_us": statistics.median(figures["floor"]),
        "new_us": statistics.median(figures["new"]),
        "new_ratio": new_ratio,
        "new_ratio_verify_alone": statistics.median(ratios("new", "alone")),
        "new_ratio_prehashed_floor": statistics.median(ratios("new", "prehashed")),
        "jose_ratio": statistics.median(ratios("jose")),
        "warm_us": warm,
    }


if __name__ == "__main__":
    main()
