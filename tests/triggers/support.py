"""Helpers for the trigger tests: sample events, moto resources, a fake Lambda context."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account
TABLE = "image-platform-test"
SUB = "7c4e2b9a-0d1f-4e57-9a3b-5f6e8d2c1a40"  # the user of every sample event
EMAIL = "jane.doe@example.com"
FROZEN = datetime(2024, 5, 1, 12, 30, 0, tzinfo=UTC)
FROZEN_ISO = "2024-05-01T12:30:00.000Z"

CONFIG_VARIABLES = (
    "ALLOWED_EMAIL_DOMAINS",
    "AUTO_CONFIRM_USERS",
    "AUTO_VERIFY_EMAIL",
    "PLATFORM_TABLE_NAME",
    "WELCOME_TOPIC_ARN",
    "CHALLENGE_TOPIC_ARN",
    "DENY_LIST",
    "RISK_USUAL_HOURS",
    "RISK_CHALLENGE_LEVEL",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_SNS",
    "AWS_REGION",
    "AWS_PROFILE",
    "POWERTOOLS_LOGGER_LOG_EVENT",
)


@cache
def _raw_event(source: str) -> str:
    return (EVENTS_DIR / f"{source}.json").read_text()


def load_event(source: str) -> dict[str, Any]:
    """A fresh copy of the sample event for a trigger source (``tests/events/<source>.json``)."""
    event: dict[str, Any] = json.loads(_raw_event(source))
    return copy.deepcopy(event)


def topic_arn(name: str) -> str:
    """The ARN moto gives a topic of this name."""
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"


@dataclass
class Aws:
    """moto's DynamoDB, SNS and SQS, with helpers to build the platform's resources."""

    dynamodb: DynamoDBClient
    sns: SNSClient
    sqs: Any  # boto3-stubs for SQS are not installed

    def create_table(self, name: str = TABLE) -> None:
        """The platform table: ``userId`` hash key, ``imageId`` range key."""
        self.dynamodb.create_table(
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

    def create_topic(self, name: str) -> str:
        """A topic with a queue subscribed (raw delivery); returns the queue URL."""
        arn = self.sns.create_topic(Name=name)["TopicArn"]
        queue_url = str(self.sqs.create_queue(QueueName=f"{name}-queue")["QueueUrl"])
        attributes = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        queue_arn = attributes["Attributes"]["QueueArn"]
        self.sns.subscribe(
            TopicArn=arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        return queue_url

    def messages(self, queue_url: str) -> list[dict[str, Any]]:
        """Every message delivered to the queue so far, decoded from JSON."""
        bodies: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                return bodies
            for message in batch:
                bodies.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def items(self, table: str = TABLE) -> list[dict[str, Any]]:
        """Every item of the table, as plain Python values."""
        deserializer = TypeDeserializer()
        raw = self.dynamodb.scan(TableName=table)["Items"]
        return [
            {name: deserializer.deserialize(value) for name, value in item.items()} for item in raw
        ]

    def put_item(self, item: dict[str, Any], table: str = TABLE) -> None:
        """Write a plain-Python item (as an operator or another service would)."""
        serializer = TypeSerializer()
        self.dynamodb.put_item(
            TableName=table, Item={name: serializer.serialize(v) for name, v in item.items()}
        )


@dataclass(frozen=True)
class FakeContext:
    """The few LambdaContext attributes a caller such as the local Cognito may provide."""

    function_name: str = "cognito-triggers-test"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
