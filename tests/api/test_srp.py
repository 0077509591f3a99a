"""The SRP password proof: a fixed vector from an independent implementation, and a round trip."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from app.cognito.srp import N, SrpClient, SrpError, cognito_timestamp
from local_cognito.srp_verifier import SrpChallenge

POOL_ID = "eu-west-1_AbCdEf123"
USER_ID = "5a0f3e2c-1b4d-4e6f-8a9b-0c1d2e3f4a5b"
PASSWORD = "Corr3ct-Horse!"
SMALL_A = int("a1b2c3d4e5f60718293a4b5c6d7e8f90" * 8, 16)
SALT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SECRET_BLOCK = "c2VjcmV0LWJsb2NrLWZyb20tY29nbml0bw=="
AT = datetime(2026, 3, 3, 9, 5, 7, tzinfo=UTC)
# Computed with pycognito 2024.5.1 (`AWSSRP.process_challenge`, small_a and the clock fixed), the
# implementation most Python Cognito clients use, for B = g^12345678901234567890 mod N.
SRP_B = format(pow(2, 12345678901234567890, N), "x")
# SHA-256 of pycognito's SRP_A (hex) for SMALL_A.
A_DIGEST = "6c680705cea6178eaa7e618454de24907c082c813c817ac901b89048e0e55e16"
SIGNATURE = "pqqtqQL+/Xq2ObEVze1R5742dNRsHs2MELu28eCSAOQ="


def _claim(client: SrpClient, srp_b_hex: str = SRP_B) -> dict[str, str]:
    return client.password_claim(
        pool_id=POOL_ID,
        user_id_for_srp=USER_ID,
        password=PASSWORD,
        salt_hex=SALT,
        srp_b_hex=srp_b_hex,
        secret_block=SECRET_BLOCK,
        now=AT,
    )


def test_the_claim_matches_the_independent_vector() -> None:
    client = SrpClient.start(SMALL_A)
    assert hashlib.sha256(client.srp_a.encode()).hexdigest() == A_DIGEST
    assert _claim(client) == {
        "PASSWORD_CLAIM_SECRET_BLOCK": SECRET_BLOCK,
        "PASSWORD_CLAIM_SIGNATURE": SIGNATURE,
        "TIMESTAMP": "Tue Mar 3 09:05:07 UTC 2026",
    }


def test_a_wrong_password_gives_another_signature() -> None:
    claim = SrpClient.start(SMALL_A).password_claim(
        pool_id=POOL_ID,
        user_id_for_srp=USER_ID,
        password=PASSWORD + "x",
        salt_hex=SALT,
        srp_b_hex=SRP_B,
        secret_block=SECRET_BLOCK,
        now=AT,
    )
    assert claim["PASSWORD_CLAIM_SIGNATURE"] != SIGNATURE


def test_cognito_timestamps_do_not_pad_the_day() -> None:
    assert cognito_timestamp(datetime(2026, 12, 13, 23, 0, 1, tzinfo=UTC)) == (
        "Sun Dec 13 23:00:01 UTC 2026"
    )
    assert cognito_timestamp(datetime(2026, 1, 5, 0, 0, 0, tzinfo=UTC)) == (
        "Mon Jan 5 00:00:00 UTC 2026"
    )


@pytest.mark.parametrize("srp_b", ["0", format(N, "x"), format(2 * N, "x")])
def test_a_b_of_zero_modulo_n_is_refused(srp_b: str) -> None:
    # Answering B = 0 (mod N) would make the shared key independent of the password.
    with pytest.raises(SrpError):
        _claim(SrpClient.start(), srp_b)


@pytest.mark.parametrize(("password", "accepted"), [(PASSWORD, True), ("Wr0ng-Horse!", False)])
def test_the_local_cognito_accepts_only_the_right_password(password: str, accepted: bool) -> None:
    server = SrpChallenge.start(POOL_ID, USER_ID, PASSWORD)
    client = SrpClient.start()
    params = server.parameters(USER_ID)
    claim = client.password_claim(
        pool_id=POOL_ID,
        user_id_for_srp=params["USER_ID_FOR_SRP"],
        password=password,
        salt_hex=params["SALT"],
        srp_b_hex=params["SRP_B"],
        secret_block=params["SECRET_BLOCK"],
        now=datetime.now(UTC),
    )
    assert server.verify(POOL_ID, USER_ID, client.big_a, claim) is accepted


# More pycognito vectors (same method): an odd-length salt, a salt with the top bit set (both
# padding rules of pad_hex), a non-ASCII password, another pool and region.
MORE_VECTORS = [
    (
        "1f" * 100,
        "abc",
        987654321987654321,
        "0b1c2d3e-0000-4000-8000-000000000001",
        "74bee8e0d0401c27c5a70508ce245953c16f39923a845b5d21d3a9d4e4b8a7bf",
        "XqSRKXQ0oQTSU6iholIXSzrUZJFKvqrUaglInf5O2NI=",
    ),
    (
        "0" * 30 + "7" + "e5" * 90,
        "f00d" * 8,
        31337,
        "ffffffff-ffff-4fff-bfff-ffffffffffff",
        "a4294fb973d9380e49caad237afd4bd94ec7fa615577f26f11d62c09d1798400",
        "IsXGzTkH1RFoJCkhUkOUQ1ug3M9MLbi1ggP1BJSsCgk=",
    ),
]


@pytest.mark.parametrize(
    ("small_a", "salt", "b_exponent", "user_id", "a_digest", "signature"), MORE_VECTORS
)
def test_more_independent_vectors(
    small_a: str, salt: str, b_exponent: int, user_id: str, a_digest: str, signature: str
) -> None:
    client = SrpClient.start(int(small_a, 16))
    assert hashlib.sha256(client.srp_a.encode()).hexdigest() == a_digest
    claim = client.password_claim(
        pool_id="us-east-1_Zz9",
        user_id_for_srp=user_id,
        password="Pässwörd-1!",
        salt_hex=salt,
        srp_b_hex=format(pow(2, b_exponent, N), "x"),
        secret_block="AAEC",
        now=datetime(2026, 1, 5, 0, 0, 9, tzinfo=UTC),
    )
    assert claim["PASSWORD_CLAIM_SIGNATURE"] == signature
    assert claim["TIMESTAMP"] == "Mon Jan 5 00:00:09 UTC 2026"
