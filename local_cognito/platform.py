"""The platform's resources the triggers use, created in the local emulator, and their mail relay.

In AWS the table and the two topics come from serverless.yml (PlatformTable, WelcomeTopic,
ChallengeTopic), and whoever subscribes to the topics sends the emails. Locally one SQS queue
subscribed to both topics stands in for that subscriber: `MailRelay` moves what was published into
the outbox, where a developer reads sign-in codes as they read confirmation codes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from local_cognito.outbox import Outbox

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger("local_cognito.platform")

# serverless.yml names: ${param:projectName}-${sls:stage}-..., with the stage "local".
PREFIX = "image-platform-local"
TABLE_NAME = f"{PREFIX}-platform"
WELCOME_TOPIC = f"{PREFIX}-welcome"
CHALLENGE_TOPIC = f"{PREFIX}-sign-in-codes"
MAIL_QUEUE = f"{PREFIX}-mail"

# What the relay puts in the outbox, by the `type` of the published message.
SIGN_IN_CODE = "sign_in_code"
WELCOME_EMAIL = "welcome_email"


@dataclass(frozen=True, slots=True)
class PlatformResources:
    """Names of the platform's local resources (`topic_arn` is the welcome topic)."""

    table_name: str
    topic_arn: str
    challenge_topic_arn: str
    mail_queue_url: str
    endpoint_url: str
    region: str

    def trigger_environment(self) -> dict[str, str]:
        """The variables the triggers/ handlers read, pointing them at these resources."""
        return {
            "PLATFORM_TABLE_NAME": self.table_name,
            "WELCOME_TOPIC_ARN": self.topic_arn,
            "CHALLENGE_TOPIC_ARN": self.challenge_topic_arn,
            # Per-service endpoints: only the triggers' DynamoDB and SNS clients are redirected.
            "AWS_ENDPOINT_URL_DYNAMODB": self.endpoint_url,
            "AWS_ENDPOINT_URL_SNS": self.endpoint_url,
            # As on Lambda: a developer's AWS_DEFAULT_REGION must not send them elsewhere.
            "AWS_REGION": self.region,
        }


def _create_table(client: DynamoDBClient, name: str) -> None:
    try:
        client.create_table(
            TableName=name,
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
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise
        return  # provisioned before: keep its items
    # As deployed: token revocation records expire by their `ttl`.
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )


def provision_platform(endpoint_url: str, region: str) -> PlatformResources:
    """Create (or find) the table, the topics and the mail queue in the emulator at endpoint_url."""
    options: dict[str, Any] = {"endpoint_url": endpoint_url, "region_name": region}
    _create_table(boto3.client("dynamodb", **options), TABLE_NAME)
    sns = boto3.client("sns", **options)
    sqs = boto3.client("sqs", **options)
    # CreateTopic, CreateQueue and Subscribe all return the existing resource when called again.
    welcome_arn = sns.create_topic(Name=WELCOME_TOPIC)["TopicArn"]
    challenge_arn = sns.create_topic(Name=CHALLENGE_TOPIC)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=MAIL_QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    for topic_arn in (welcome_arn, challenge_arn):
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return PlatformResources(
        table_name=TABLE_NAME,
        topic_arn=welcome_arn,
        challenge_topic_arn=challenge_arn,
        mail_queue_url=queue_url,
        endpoint_url=endpoint_url,
        region=region,
    )


class MailRelay:
    """The local subscriber to the platform's topics: published emails go to the outbox."""

    def __init__(self, platform: PlatformResources, outbox: Outbox) -> None:
        self._sqs = boto3.client(
            "sqs", endpoint_url=platform.endpoint_url, region_name=platform.region
        )
        self._queue_url = platform.mail_queue_url
        self._outbox = outbox

    def relay(self) -> int:
        """Move every waiting message into the outbox; return how many were moved."""
        moved = 0
        while True:
            batch = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                return moved
            for message in batch:
                self._deliver(message.get("Body", ""))
                self._sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
                moved += 1

    def _deliver(self, body: str) -> None:
        try:
            envelope = json.loads(body)
            content = json.loads(envelope["Message"])
            subject = str(envelope.get("Subject") or "")
            kind, email = content["type"], content["email"]
        except (ValueError, KeyError, TypeError):
            logger.warning("mail relay: a message it cannot read was dropped")
            return
        if kind == SIGN_IN_CODE:
            code = str(content.get("code", ""))
            self._outbox.send(email, subject, f"Your sign-in code is {code}", code, "sign_in")
        elif kind == WELCOME_EMAIL:
            self._outbox.send(
                email, subject, "Welcome to the Image Processing Platform.", "", "welcome"
            )
        else:
            logger.warning("mail relay: message of unknown type %r dropped", kind)
