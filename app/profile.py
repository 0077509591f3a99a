"""The user's platform profile (DynamoDB) for GET /me: read it, or create it on first sight.

Item key: ``userId`` (hash) = the user's ``sub``, ``imageId`` (range) = ``"user_profile"``; the
document is the seed's, as triggers/profile.py writes it at PostConfirmation. Users created by an
administrator never pass PostConfirmation, so a missing profile is created here with the same
conditional write (``attribute_not_exists(userId)``): a trigger or a concurrent request that got
there first wins, and nothing is written twice.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, Field

from app.errors import ApiError, ErrorCode

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from app.settings import Settings

logger = logging.getLogger("app.profile")

PROFILE_IMAGE_ID: Final = "user_profile"
_THROTTLED = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


class PreferencesOut(BaseModel):
    """The user's image preferences."""

    default_image_size: str = Field(examples=["medium"])
    watermark_enabled: bool
    watermark_text: str


class StatisticsOut(BaseModel):
    """What the user has stored on the platform."""

    total_images: int
    total_storage_used: int = Field(description="Bytes.")
    last_upload_at: str | None


class ProfileOut(BaseModel):
    """The user's platform profile."""

    first_name: str
    last_name: str
    preferences: PreferencesOut
    statistics: StatisticsOut
    last_login_at: str | None = Field(examples=["2024-05-01T12:30:00.000Z"])
    created_at: str
    updated_at: str


def iso(moment: datetime) -> str:
    """The triggers' timestamp format, e.g. ``2024-05-01T12:30:00.000Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_profile_item(
    *, user_id: str, email: str, first_name: str, last_name: str, now: str
) -> dict[str, Any]:
    """The profile item exactly as triggers/profile.py's ``new_profile`` builds it."""
    return {
        "imageId": PROFILE_IMAGE_ID,
        "userId": user_id,
        "email": email,
        "profile": {
            "firstName": first_name,
            "lastName": last_name,
            "preferences": {
                "defaultImageSize": "medium",
                "watermarkEnabled": False,
                "watermarkText": "",
            },
        },
        "statistics": {"totalImages": 0, "totalStorageUsed": 0, "lastUploadAt": None},
        "createdAt": now,
        "updatedAt": now,
    }


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _count(value: object) -> int:
    return int(value) if isinstance(value, (int, Decimal)) else 0


def profile_out(item: Mapping[str, Any]) -> ProfileOut:
    """The API's view of a stored item; fields another writer left out get the seed's defaults."""
    profile = _map(item.get("profile"))
    preferences = _map(profile.get("preferences"))
    statistics = _map(item.get("statistics"))
    last_upload = statistics.get("lastUploadAt")
    last_login = profile.get("lastLoginAt")
    return ProfileOut(
        first_name=_text(profile.get("firstName")),
        last_name=_text(profile.get("lastName")),
        preferences=PreferencesOut(
            default_image_size=_text(preferences.get("defaultImageSize"), "medium"),
            watermark_enabled=preferences.get("watermarkEnabled") is True,
            watermark_text=_text(preferences.get("watermarkText")),
        ),
        statistics=StatisticsOut(
            total_images=_count(statistics.get("totalImages")),
            total_storage_used=_count(statistics.get("totalStorageUsed")),
            last_upload_at=last_upload if isinstance(last_upload, str) else None,
        ),
        last_login_at=last_login if isinstance(last_login, str) else None,
        created_at=_text(item.get("createdAt")),
        updated_at=_text(item.get("updatedAt")),
    )


@functools.cache
def _client(
    region: str, endpoint_url: str, connect: float, read: float, attempts: int
) -> DynamoDBClient:
    config = Config(
        region_name=region,
        connect_timeout=connect,
        read_timeout=read,
        retries={"max_attempts": attempts, "mode": "standard"},
        tcp_keepalive=True,
    )
    return boto3.client("dynamodb", endpoint_url=endpoint_url or None, config=config)


def build_dynamodb_client(settings: Settings) -> DynamoDBClient:
    """The process's one DynamoDB client (the emulator serves it on the Cognito endpoint)."""
    return _client(
        settings.cognito_region,
        settings.cognito_endpoint_url,
        settings.cognito_connect_timeout_seconds,
        settings.cognito_read_timeout_seconds,
        settings.cognito_max_attempts,
    )


def _failure(exc: ClientError | BotoCoreError) -> ApiError:
    if isinstance(exc, ClientError):
        aws_code = str(exc.response.get("Error", {}).get("Code", ""))
    else:
        aws_code = type(exc).__name__
    logger.warning("profile table unavailable", extra={"aws_error": aws_code})
    if aws_code in _THROTTLED:
        return ApiError(ErrorCode.TOO_MANY_REQUESTS)
    return ApiError(ErrorCode.SERVICE_UNAVAILABLE)


class ProfileStore:
    """Profile items in the platform table."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> ProfileStore | None:
        """The store for PLATFORM_TABLE_NAME, or None when no table is configured."""
        if not settings.platform_table_name:
            return None
        return cls(build_dynamodb_client(settings), settings.platform_table_name)

    def _get(self, user_id: str, *, consistent: bool) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"userId": {"S": user_id}, "imageId": {"S": PROFILE_IMAGE_ID}},
            ConsistentRead=consistent,
        )
        item = response.get("Item")
        if item is None:
            return None
        return {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}

    def _create(self, item: Mapping[str, Any]) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={name: _SERIALIZER.serialize(value) for name, value in item.items()},
                ConditionExpression="attribute_not_exists(userId)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_or_create(self, user_id: str, attributes: Mapping[str, str]) -> ProfileOut:
        """The user's profile, created from their Cognito attributes if there is none yet.

        Raises:
            ApiError: TOO_MANY_REQUESTS or SERVICE_UNAVAILABLE when the table cannot be used.
        """
        try:
            item = self._get(user_id, consistent=False)
            if item is None:
                item = new_profile_item(
                    user_id=user_id,
                    email=attributes.get("email", ""),
                    first_name=attributes.get("given_name", ""),
                    last_name=attributes.get("family_name", ""),
                    now=iso(self._clock()),
                )
                if self._create(item):
                    logger.info("profile created on first sight", extra={"user_id": user_id})
                else:
                    # Someone else created it since our read: theirs is the profile.
                    item = self._get(user_id, consistent=True) or item
        except (ClientError, BotoCoreError) as exc:
            raise _failure(exc) from None
        return profile_out(item)
