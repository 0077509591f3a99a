"""The welcome message announcing a new user on SNS (the seed's message)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

WELCOME_SUBJECT = "Welcome to Image Processing Platform"


def publish_welcome(
    client: SNSClient, topic_arn: str, *, user_id: str, email: str, now: str
) -> str:
    """Publish the welcome message and return SNS's message id."""
    request: dict[str, Any] = {
        "TopicArn": topic_arn,
        "Subject": WELCOME_SUBJECT,
        "Message": json.dumps(
            {"type": "welcome_email", "userId": user_id, "email": email, "timestamp": now}
        ),
        "MessageAttributes": {"type": {"DataType": "String", "StringValue": "welcome_email"}},
    }
    if topic_arn.endswith(".fifo"):
        # A FIFO topic also deduplicates on its side (5-minute window).
        request["MessageGroupId"] = user_id
        request["MessageDeduplicationId"] = f"welcome-{user_id}"
    return client.publish(**request)["MessageId"]
