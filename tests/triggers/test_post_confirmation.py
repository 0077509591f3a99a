"""PostConfirmation: the seed's profile, one welcome message under retries, nothing on a reset."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from tests.triggers.support import (
    EMAIL,
    FROZEN,
    FROZEN_ISO,
    REGION,
    SUB,
    TABLE,
    Aws,
    load_event,
    topic_arn,
)
from triggers import clients, clock, post_confirmation

WELCOME_TOPIC = "welcome"

EXPECTED_PROFILE: dict[str, Any] = {
    "imageId": "user_profile",
    "userId": SUB,
    "email": EMAIL,
    "profile": {
        "firstName": "Jane",
        "lastName": "Doe",
        "preferences": {
            "defaultImageSize": "medium",
            "watermarkEnabled": False,
            "watermarkText": "",
        },
    },
    "statistics": {"totalImages": 0, "totalStorageUsed": 0, "lastUploadAt": None},
    "createdAt": FROZEN_ISO,
    "updatedAt": FROZEN_ISO,
}


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, aws: Aws, frozen_clock: object) -> str:
    """Table and welcome topic configured and created; returns the topic's queue URL."""
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    monkeypatch.setenv("WELCOME_TOPIC_ARN", topic_arn(WELCOME_TOPIC))
    aws.create_table()
    return aws.create_topic(WELCOME_TOPIC)


def _without_marker(item: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in item.items() if name != "welcomeSentAt"}


def test_confirmation_creates_the_seed_profile_and_announces_the_user(
    aws: Aws, configured: str
) -> None:
    event = load_event("PostConfirmation_ConfirmSignUp")
    assert post_confirmation.handler(event, None) is event
    [item] = aws.items()
    assert _without_marker(item) == EXPECTED_PROFILE
    assert item["welcomeSentAt"] == FROZEN_ISO
    assert aws.messages(configured) == [
        {"type": "welcome_email", "userId": SUB, "email": EMAIL, "timestamp": FROZEN_ISO}
    ]


def test_three_identical_invocations_make_one_profile_and_one_message(
    aws: Aws, configured: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for attempt in range(3):
        # Later retries run later: the stored timestamps must still be the first run's.
        monkeypatch.setattr(
            clock, "utc_now", lambda attempt=attempt: FROZEN + timedelta(minutes=attempt)
        )
        post_confirmation.handler(load_event("PostConfirmation_ConfirmSignUp"), None)
    [item] = aws.items()
    assert _without_marker(item) == EXPECTED_PROFILE
    assert len(aws.messages(configured)) == 1


def test_a_retry_does_not_overwrite_a_profile_the_user_already_changed(
    aws: Aws, configured: str
) -> None:
    post_confirmation.handler(load_event("PostConfirmation_ConfirmSignUp"), None)
    [item] = aws.items()
    item["profile"]["preferences"]["watermarkEnabled"] = True
    aws.put_item(item)
    post_confirmation.handler(load_event("PostConfirmation_ConfirmSignUp"), None)
    assert aws.items() == [item]
    assert len(aws.messages(configured)) == 1


def test_forgot_password_confirmation_leaves_everything_untouched(
    aws: Aws, configured: str
) -> None:
    event = load_event("PostConfirmation_ConfirmForgotPassword")
    assert post_confirmation.handler(event, None) is event
    assert aws.items() == []
    assert aws.messages(configured) == []


def test_forgot_password_confirmation_keeps_an_existing_profile(aws: Aws, configured: str) -> None:
    existing = {
        **EXPECTED_PROFILE,
        "email": "old@example.com",
        "updatedAt": "2020-01-01T00:00:00.000Z",
    }
    aws.put_item(existing)
    post_confirmation.handler(load_event("PostConfirmation_ConfirmForgotPassword"), None)
    assert aws.items() == [existing]
    assert aws.messages(configured) == []


def test_a_missing_table_does_not_fail_the_confirmation(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", "no-such-table")
    monkeypatch.setenv("WELCOME_TOPIC_ARN", topic_arn(WELCOME_TOPIC))
    queue = aws.create_topic(WELCOME_TOPIC)
    event = load_event("PostConfirmation_ConfirmSignUp")
    assert post_confirmation.handler(event, None) is event
    assert aws.messages(queue) == []  # without the profile, once-only cannot hold: no message
    assert [record.levelname for record in caplog.records] == ["ERROR"]


def test_a_failed_publish_releases_the_marker_so_a_retry_sends_it(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, frozen_clock: object
) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    monkeypatch.setenv("WELCOME_TOPIC_ARN", topic_arn(WELCOME_TOPIC))
    aws.create_table()
    event = load_event("PostConfirmation_ConfirmSignUp")
    assert post_confirmation.handler(event, None) is event  # the topic does not exist yet
    [item] = aws.items()
    assert item == EXPECTED_PROFILE  # created, and no marker left behind
    queue = aws.create_topic(WELCOME_TOPIC)
    post_confirmation.handler(load_event("PostConfirmation_ConfirmSignUp"), None)
    post_confirmation.handler(load_event("PostConfirmation_ConfirmSignUp"), None)
    assert len(aws.messages(queue)) == 1


def test_a_throttled_table_does_not_fail_the_confirmation(aws: Aws, configured: str) -> None:
    with Stubber(clients.dynamodb(REGION)) as stub:
        stub.add_client_error(
            "put_item", "ProvisionedThroughputExceededException", http_status_code=400
        )
        event = load_event("PostConfirmation_ConfirmSignUp")
        assert post_confirmation.handler(event, None) is event
        stub.assert_no_pending_responses()
    assert aws.items() == []
    assert aws.messages(configured) == []


def test_an_sns_error_does_not_fail_the_confirmation(aws: Aws, configured: str) -> None:
    with Stubber(clients.sns(REGION)) as stub:
        stub.add_client_error("publish", "InternalError", http_status_code=500)
        event = load_event("PostConfirmation_ConfirmSignUp")
        assert post_confirmation.handler(event, None) is event
        stub.assert_no_pending_responses()
    assert aws.items() == [EXPECTED_PROFILE]  # marker released for a later retry


def test_without_a_topic_only_the_profile_is_written(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, frozen_clock: object
) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    aws.create_table()
    post_confirmation.handler(load_event("PostConfirmation_ConfirmSignUp"), None)
    assert aws.items() == [EXPECTED_PROFILE]


def test_without_a_table_nothing_is_written_or_published(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELCOME_TOPIC_ARN", topic_arn(WELCOME_TOPIC))
    queue = aws.create_topic(WELCOME_TOPIC)
    event = load_event("PostConfirmation_ConfirmSignUp")
    assert post_confirmation.handler(event, None) is event
    assert aws.messages(queue) == []


def test_missing_names_become_empty_strings(aws: Aws, configured: str) -> None:
    event = load_event("PostConfirmation_ConfirmSignUp")
    del event["request"]["userAttributes"]["given_name"]
    del event["request"]["userAttributes"]["family_name"]
    post_confirmation.handler(event, None)
    [item] = aws.items()
    assert (item["profile"]["firstName"], item["profile"]["lastName"]) == ("", "")


def test_an_invalid_configuration_does_not_fail_the_confirmation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUTO_VERIFY_EMAIL", "true")
    event = load_event("PostConfirmation_ConfirmSignUp")
    assert post_confirmation.handler(event, None) is event


def test_the_welcome_subject_is_the_seeds(aws: Aws, configured: str) -> None:
    with Stubber(clients.sns(REGION)) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "m-1"},
            {
                "TopicArn": topic_arn(WELCOME_TOPIC),
                "Subject": "Welcome to Image Processing Platform",
                "Message": (
                    f'{{"type": "welcome_email", "userId": "{SUB}", "email": "{EMAIL}", '
                    f'"timestamp": "{FROZEN_ISO}"}}'
                ),
                "MessageAttributes": {
                    "type": {"DataType": "String", "StringValue": "welcome_email"}
                },
            },
        )
        post_confirmation.handler(load_event("PostConfirmation_ConfirmSignUp"), None)
        stub.assert_no_pending_responses()


def test_a_fifo_topic_also_gets_a_per_user_deduplication_id(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, frozen_clock: object
) -> None:
    fifo_arn = topic_arn("welcome.fifo")
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    monkeypatch.setenv("WELCOME_TOPIC_ARN", fifo_arn)
    aws.create_table()
    with Stubber(clients.sns(REGION)) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "m-1"},
            {
                "TopicArn": fifo_arn,
                "Subject": ANY,
                "Message": ANY,
                "MessageAttributes": ANY,
                "MessageGroupId": SUB,
                "MessageDeduplicationId": f"welcome-{SUB}",
            },
        )
        post_confirmation.handler(load_event("PostConfirmation_ConfirmSignUp"), None)
        stub.assert_no_pending_responses()
