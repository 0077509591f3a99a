"""The sign-in deny list: configured identities, and per-user block items in the platform table.

A block item is ``userId = <sub>``, ``imageId = "user_deny"`` (other attributes, such as a reason,
are for operators and never read). It is kept apart from the profile so that a user can be blocked
before any profile exists, and unblocked by deleting one item without touching the profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DENY_IMAGE_ID: Final = "user_deny"


def identities(user_name: str, attributes: Mapping[str, str]) -> frozenset[str]:
    """The lower-cased names a deny-list entry may use for this user: sub, email, username."""
    names = {user_name, attributes.get("sub", ""), attributes.get("email", "")}
    return frozenset(name.strip().lower() for name in names if name and name.strip())


def listed(user_identities: frozenset[str], deny_list: frozenset[str]) -> bool:
    """True when any of the user's identities is on the configured deny list."""
    return not user_identities.isdisjoint(deny_list)


def blocked_in_table(client: DynamoDBClient, table_name: str, user_id: str) -> bool:
    """True when the table holds a block item for the user (consistent read: blocks act at once)."""
    response = client.get_item(
        TableName=table_name,
        Key={"userId": {"S": user_id}, "imageId": {"S": DENY_IMAGE_ID}},
        ProjectionExpression="userId",
        ConsistentRead=True,
    )
    return "Item" in response
