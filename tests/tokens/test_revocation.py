"""Opt-in revocation: signed-out sessions refused, in memory or through DynamoDB; free when off."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from app.settings import Settings
from app.tokens.errors import TokenRevokedError
from app.tokens.revocation import (
    DynamoDbRevocationStore,
    MemoryRevocationStore,
    RevocationUnavailableError,
)
from app.tokens.verifier import TokenVerifier

from .factory import (
    CLIENT_ID,
    NOW,
    POOL_ID,
    Clock,
    JwksEndpoint,
    KeyPair,
    access_payload,
    id_payload,
    make_verifier,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.anyio
TABLE = "platform-table"


def _settings(jwks: dict[str, Any], **values: Any) -> Settings:
    # Explicit: the local Cognito of other tests exports its table name to this process.
    values.setdefault("platform_table_name", "")
    return Settings(
        cognito_user_pool_id=POOL_ID,
        cognito_client_id=CLIENT_ID,
        environment="test",
        cognito_jwks_json=json.dumps(jwks),
        **values,
    )


async def test_memory_revocation_refuses_the_session(
    endpoint: JwksEndpoint, key: KeyPair, clock: Clock
) -> None:
    verifier = make_verifier(endpoint, clock=clock, revocation=MemoryRevocationStore(clock))
    token = key.token(access_payload())
    claims = await verifier.verify_access(token)
    await verifier.revoke(claims)
    with pytest.raises(TokenRevokedError):
        await verifier.verify_access(token)  # a cache hit is checked too
    refreshed = key.token(access_payload(jti="after-refresh", exp=int(NOW) + 7000))
    with pytest.raises(TokenRevokedError):
        await verifier.verify_access(refreshed)
    with pytest.raises(TokenRevokedError):
        await verifier.verify_id(key.token(id_payload()))
    other_session = key.token(access_payload(origin_jti="another-sign-in"))
    assert (await verifier.verify_access(other_session)).origin_jti == "another-sign-in"
    verifier.close()


async def test_memory_records_run_out_after_the_session_could_last() -> None:
    clock = Clock()
    store = MemoryRevocationStore(clock)
    await store.revoke("s1", until=NOW + 100)
    assert await store.is_revoked("s1")
    clock.now = NOW + 100
    assert not await store.is_revoked("s1")
    await store.revoke("s2", until=NOW + 500)
    assert not await store.is_revoked("s1")
    assert await store.is_revoked("s2")


async def test_revocation_lasts_one_more_token_lifetime(
    endpoint: JwksEndpoint, key: KeyPair, clock: Clock
) -> None:
    store = MemoryRevocationStore(clock)
    verifier = make_verifier(endpoint, clock=clock, revocation=store)
    claims = await verifier.verify_access(key.token(access_payload()))
    await verifier.revoke(claims)
    clock.now = claims.exp + (claims.exp - claims.iat) - 1
    assert await store.is_revoked("a0b4c4f4-1111-4c1b-9a4e-6b7f1e0c8a01")
    verifier.close()


async def test_revocation_off_is_a_no_op(jwks_document: dict[str, Any], key: KeyPair) -> None:
    verifier = TokenVerifier.from_settings(_settings(jwks_document, token_revocation="off"))
    assert verifier.revocation is None
    claims = await verifier.verify_access(_fresh(key))
    await verifier.revoke(claims)
    assert (await verifier.verify_access(_fresh(key))).sub == claims.sub


def _fresh(key: KeyPair) -> str:
    return key.token(access_payload(now=time.time()))


async def test_memory_mode_from_settings(jwks_document: dict[str, Any], key: KeyPair) -> None:
    verifier = TokenVerifier.from_settings(_settings(jwks_document, token_revocation="memory"))
    token = _fresh(key)
    await verifier.revoke(await verifier.verify_access(token))
    with pytest.raises(TokenRevokedError):
        await verifier.verify_access(token)


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBClient]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "userId", "KeyType": "HASH"},
                {"AttributeName": "imageId", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "userId", "AttributeType": "S"},
                {"AttributeName": "imageId", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


async def test_dynamodb_record_is_shared_between_containers(dynamodb: DynamoDBClient) -> None:
    clock = Clock()
    signing_out = DynamoDbRevocationStore(TABLE, lambda: dynamodb, clock=clock)
    other_container = DynamoDbRevocationStore(TABLE, lambda: dynamodb, clock=clock)
    assert not await other_container.is_revoked("session-1")
    await signing_out.revoke("session-1", until=NOW + 3600)
    item = dynamodb.get_item(
        TableName=TABLE, Key={"userId": {"S": "revoked#session-1"}, "imageId": {"S": "revocation"}}
    )["Item"]
    assert item["ttl"] == {"N": str(int(NOW) + 3601)}
    assert await signing_out.is_revoked("session-1")
    assert not await other_container.is_revoked("session-1")  # its negative answer is cached
    clock.now += 5
    assert await other_container.is_revoked("session-1")
    clock.now = NOW + 3602
    assert not await DynamoDbRevocationStore(TABLE, lambda: dynamodb, clock=clock).is_revoked(
        "session-1"
    )  # expired, even before DynamoDB's TTL sweeper deletes it


async def test_dynamodb_mode_from_settings_is_lazy(
    dynamodb: DynamoDBClient, jwks_document: dict[str, Any], key: KeyPair
) -> None:
    settings = _settings(jwks_document, token_revocation="dynamodb", platform_table_name=TABLE)
    verifier = TokenVerifier.from_settings(settings)
    store = verifier.revocation
    assert isinstance(store, DynamoDbRevocationStore)
    assert store._client is None  # nothing built before the first use
    token = _fresh(key)
    await verifier.revoke(await verifier.verify_access(token))
    with pytest.raises(TokenRevokedError):
        await verifier.verify_access(token)
    second = TokenVerifier.from_settings(settings)
    with pytest.raises(TokenRevokedError):
        await second.verify_access(token)


async def test_dynamodb_outage_fails_closed(dynamodb: DynamoDBClient) -> None:
    store = DynamoDbRevocationStore("no-such-table", lambda: dynamodb)
    with pytest.raises(RevocationUnavailableError) as caught:
        await store.is_revoked("session-1")
    assert caught.value.code == "REVOCATION_UNAVAILABLE"


def test_dynamodb_mode_needs_a_table(jwks_document: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="PLATFORM_TABLE_NAME"):
        TokenVerifier.from_settings(_settings(jwks_document, token_revocation="dynamodb"))
