"""The user's platform profile item (the seed's schema) and the conditional writes on it.

Item key: ``userId`` (hash) = the user's ``sub``, ``imageId`` (range) = ``"user_profile"``. Every
write is conditional so that Cognito's retries and concurrent writers change nothing twice:

* creation: ``attribute_not_exists(userId)`` — a second creation is a no-op;
* login bookkeeping: ``attribute_exists(profile)`` — updating ``profile.lastLoginAt`` on a missing
  item would fail with a ValidationException (invalid document path), so a missing profile is
  created instead (administrator-created users never pass PostConfirmation);
* the welcome marker ``welcomeSentAt``: claimed with ``attribute_not_exists`` before publishing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PROFILE_IMAGE_ID: Final = "user_profile"
WELCOME_MARKER: Final = "welcomeSentAt"
LAST_SIGN_IN: Final = "lastSignIn"

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()

LoginOutcome = Literal["updated", "created", "skipped"]


def new_profile(
    *,
    user_id: str,
    email: str,
    first_name: str,
    last_name: str,
    now: str,
    last_login_at: str | None = None,
) -> dict[str, Any]:
    """The profile item exactly as the seed defines it (plus ``profile.lastLoginAt`` if given)."""
    profile: dict[str, Any] = {
        "firstName": first_name,
        "lastName": last_name,
        "preferences": {
            "defaultImageSize": "medium",
            "watermarkEnabled": False,
            "watermarkText": "",
        },
    }
    if last_login_at is not None:
        profile["lastLoginAt"] = last_login_at
    return {
        "imageId": PROFILE_IMAGE_ID,
        "userId": user_id,
        "email": email,
        "profile": profile,
        "statistics": {"totalImages": 0, "totalStorageUsed": 0, "lastUploadAt": None},
        "createdAt": now,
        "updatedAt": now,
    }


def profile_from_attributes(
    attributes: Mapping[str, str], *, now: str, last_login_at: str | None = None
) -> dict[str, Any]:
    """The profile item for a user described by Cognito's ``userAttributes``."""
    return new_profile(
        user_id=attributes["sub"],
        email=attributes.get("email", ""),
        first_name=attributes.get("given_name", ""),
        last_name=attributes.get("family_name", ""),
        now=now,
        last_login_at=last_login_at,
    )


def _is_condition_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class ProfileTable:
    """Operations on profile items in the platform table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, user_id: str) -> dict[str, Any]:
        return {"userId": {"S": user_id}, "imageId": {"S": PROFILE_IMAGE_ID}}

    def create(self, item: Mapping[str, Any]) -> bool:
        """Write the item unless a profile exists; True if this call created it."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={name: _SERIALIZER.serialize(value) for name, value in item.items()},
                ConditionExpression="attribute_not_exists(userId)",
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def _update_login(self, user_id: str, now: str, sign_in: Mapping[str, str] | None) -> bool:
        names = {"#profile": "profile", "#lastLoginAt": "lastLoginAt", "#updatedAt": "updatedAt"}
        values: dict[str, Any] = {":now": {"S": now}}
        expression = "SET #profile.#lastLoginAt = :now, #updatedAt = :now"
        if sign_in:
            names["#lastSignIn"] = LAST_SIGN_IN
            values[":signIn"] = _SERIALIZER.serialize(dict(sign_in))
            expression += ", #lastSignIn = :signIn"
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(user_id),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(#profile)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def record_login(
        self,
        user_id: str,
        *,
        now: str,
        sign_in: Mapping[str, str] | None,
        new_item: Callable[[], Mapping[str, Any]],
    ) -> LoginOutcome:
        """Set ``profile.lastLoginAt`` and ``updatedAt``; make a missing profile from ``new_item``.

        "skipped" means an item exists under the profile key without a ``profile`` map: it is left
        to whoever wrote it.
        """
        for _ in range(2):  # a second round covers a profile created between our two writes
            if self._update_login(user_id, now, sign_in):
                return "updated"
            if self.create(new_item()):
                return "created"
        return "skipped"

    def claim_welcome(self, user_id: str, now: str) -> bool:
        """Mark the welcome message as sent; True only for the one call that set the marker."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(user_id),
                UpdateExpression="SET #marker = :now",
                # attribute_exists(userId) keeps UpdateItem from creating a stub item.
                ConditionExpression="attribute_exists(userId) AND attribute_not_exists(#marker)",
                ExpressionAttributeNames={"#marker": WELCOME_MARKER},
                ExpressionAttributeValues={":now": {"S": now}},
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def release_welcome(self, user_id: str, claimed_at: str) -> None:
        """Remove our own welcome marker (publishing failed) so that a retry may send it."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(user_id),
                UpdateExpression="REMOVE #marker",
                ConditionExpression="#marker = :claimed",
                ExpressionAttributeNames={"#marker": WELCOME_MARKER},
                ExpressionAttributeValues={":claimed": {"S": claimed_at}},
            )
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise

    def last_sign_in(self, user_id: str) -> dict[str, str] | None:
        """The fingerprint of the user's last recorded sign-in, if any."""
        response = self._client.get_item(
            TableName=self._table,
            Key=self._key(user_id),
            ProjectionExpression="#lastSignIn",
            ExpressionAttributeNames={"#lastSignIn": LAST_SIGN_IN},
        )
        stored = response.get("Item", {}).get(LAST_SIGN_IN)
        if stored is None:
            return None
        value = _DESERIALIZER.deserialize(stored)
        if not isinstance(value, dict):
            return None
        return {str(key): str(item) for key, item in value.items()}
