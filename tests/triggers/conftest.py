"""Fixtures for the trigger tests: a clean environment, moto, a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import boto3
import pytest
from moto import mock_aws

from tests.triggers.support import CONFIG_VARIABLES, FROZEN, REGION, Aws
from triggers import clients, clock
from triggers.config import get_config


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No trigger configuration, dummy credentials, and no cached configuration or clients."""
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    get_config.cache_clear()
    clients.reset()
    yield
    get_config.cache_clear()
    clients.reset()


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Make the triggers' clock return ``FROZEN``."""
    monkeypatch.setattr(clock, "utc_now", lambda: FROZEN)
    return FROZEN


@pytest.fixture
def aws() -> Iterator[Aws]:
    """moto in-process, for the duration of one test."""
    with mock_aws():
        yield Aws(
            dynamodb=boto3.client("dynamodb", region_name=REGION),
            sns=boto3.client("sns", region_name=REGION),
            sqs=boto3.client("sqs", region_name=REGION),
        )
