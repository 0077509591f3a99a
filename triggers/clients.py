"""AWS clients, built once per container on first use, with timeouts that fit Cognito's 5 s wait.

Endpoints come from boto3's own configuration: ``AWS_ENDPOINT_URL`` (or the per-service
``AWS_ENDPOINT_URL_DYNAMODB`` / ``AWS_ENDPOINT_URL_SNS``) points them at a local emulator.
The region is the runtime's (``AWS_REGION`` on Lambda); without one, the region of the user pool
that sent the event.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

# Cognito gives up on a trigger after about 5 s: fail fast and let the handler decide what a
# failure means, rather than spending the budget on retries.
_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"max_attempts": 2, "mode": "standard"},
)


def _region(fallback: str) -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or fallback


@functools.cache
def _dynamodb(region: str) -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=region, config=_CONFIG)


@functools.cache
def _sns(region: str) -> SNSClient:
    return boto3.client("sns", region_name=region, config=_CONFIG)


def dynamodb(event_region: str) -> DynamoDBClient:
    """The DynamoDB client (``event_region`` is used only when the runtime names no region)."""
    return _dynamodb(_region(event_region))


def sns(event_region: str) -> SNSClient:
    """The SNS client (``event_region`` is used only when the runtime names no region)."""
    return _sns(_region(event_region))


def reset() -> None:
    """Forget the built clients (tests; a changed endpoint)."""
    _dynamodb.cache_clear()
    _sns.cache_clear()
