"""Per-verify cost: new token and warm (cached) token against a bare cryptography RS256 verify.

Floor: the least code that checks a token's RS256 signature with `cryptography`: split off the
signature, base64url-decode it, `RSAPublicKey.verify` (key built once). A stricter floor, the
verify call alone on pre-split inputs, is printed too. New-token verifies use distinct tokens,
so none is served from the cache; they run without an event loop (the path never suspends).
The measurements are interleaved in rounds, so a noisy neighbour hits floor and subject alike.
Targets (issue 3): new ÷ floor <= 1.5; warm <= 3 µs. python-jose with the JWK dict per call
(the seed's pattern) is printed as the naive baseline.
Run: python -m bench.verify_cost
"""

from __future__ import annotations

import base64
import statistics
import time
import warnings

from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256

from app.tokens.jwks import JwksCache
from app.tokens.verifier import TokenVerifier
from bench._common import CLIENT_ID, ISSUER, Signer, run, summary

ROUNDS = 7
BATCH = 250
WARM_CALLS = 50_000


def _verifier(signer: Signer) -> TokenVerifier:
    jwks = JwksCache(static_document={"keys": [signer.jwk()]})
    return TokenVerifier(issuer=ISSUER, client_ids=(CLIENT_ID,), jwks=jwks)


def main() -> dict[str, float]:
    signer = Signer()
    print(f"signing {ROUNDS * BATCH} distinct tokens...", flush=True)
    tokens = [signer.access_token() for _ in range(ROUNDS * BATCH)]
    print(f"token length: {len(tokens[0])} characters")
    key = JwksCache(static_document={"keys": [signer.jwk()]}).lookup(signer.kid)
    assert key is not None
    split = []
    for token in tokens:
        signing_input, _, signature = token.rpartition(".")
        split.append((base64.urlsafe_b64decode(signature + "=="), signing_input.encode()))
    jwk = signer.jwk()

    from jose import jwt  # the naive baseline only

    strict_us: list[float] = []
    floor_us: list[float] = []
    new_us: list[float] = []
    ratios: list[float] = []
    jose_ratios: list[float] = []
    warm_us: list[float] = []
    pad, sha = PKCS1v15(), SHA256()
    for round_index in range(ROUNDS):
        batch = slice(round_index * BATCH, (round_index + 1) * BATCH)
        verifier = _verifier(signer)
        run(verifier.verify_access(tokens[0]))  # JWKS keys and header cache in place

        start = time.perf_counter()
        for raw_signature, message in split[batch]:
            key.verify(raw_signature, message, pad, sha)
        strict = (time.perf_counter() - start) / BATCH * 1e6

        start = time.perf_counter()
        for token in tokens[batch]:
            head, _, encoded = token.rpartition(".")
            key.verify(base64.urlsafe_b64decode(encoded + "=="), head.encode(), pad, sha)
        floor = (time.perf_counter() - start) / BATCH * 1e6

        start = time.perf_counter()
        for token in tokens[batch]:
            run(verifier.verify_access(token))
        new = (time.perf_counter() - start) / BATCH * 1e6

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for token in tokens[batch][:50]:
                jwt.decode(token, jwk, algorithms=["RS256"], options={"verify_aud": False})
        jose = (time.perf_counter() - start) / 50 * 1e6

        warm_token = tokens[batch][0]
        verify = verifier.verify_access
        start = time.perf_counter()
        for _ in range(WARM_CALLS):
            run(verify(warm_token))
        warm = (time.perf_counter() - start) / WARM_CALLS * 1e6

        strict_us.append(strict)
        floor_us.append(floor)
        new_us.append(new)
        ratios.append(new / floor)
        jose_ratios.append(jose / floor)
        warm_us.append(warm)
        print(
            f"round {round_index + 1}: floor {floor:.1f} µs (verify alone {strict:.1f}), "
            f"new {new:.1f} µs "
            f"(x{new / floor:.2f}), python-jose {jose:.1f} µs (x{jose / floor:.2f}), "
            f"warm {warm:.2f} µs",
            flush=True,
        )

    result = {
        "floor_us": statistics.median(floor_us),
        "new_us": statistics.median(new_us),
        "new_ratio": statistics.median(ratios),
        "new_ratio_strict": statistics.median(
            n / f for n, f in zip(new_us, strict_us, strict=True)
        ),
        "jose_ratio": statistics.median(jose_ratios),
        "warm_us": statistics.median(warm_us),
        "warm_us_best": min(warm_us),
    }
    print()
    print(f"bare cryptography RS256 token check (floor): {summary(floor_us)} µs")
    print(f"RSAPublicKey.verify alone:                  {summary(strict_us)} µs")
    print(f"new token verify:                       {summary(new_us)} µs")
    print(f"new ÷ floor:        {summary(ratios)}   (target <= 1.5)")
    print(f"new ÷ verify alone: median {result['new_ratio_strict']:.2f}")
    print(f"python-jose ÷ floor: {summary(jose_ratios)}   (naive baseline)")
    print(f"warm cached verify: {summary(warm_us)} µs   (target <= 3 µs)")
    return result


if __name__ == "__main__":
    main()
