"""PreAuthentication: the deny list refuses with USER_BLOCKED, and the trigger fails open."""

from __future__ import annotations

import pytest

from tests.triggers.support import EMAIL, SUB, TABLE, Aws, load_event
from triggers import pre_authentication
from triggers.reasons import USER_BLOCKED, TriggerRejection

SOURCE = "PreAuthentication_Authentication"


def test_a_user_not_on_any_list_signs_in(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    monkeypatch.setenv("DENY_LIST", "mallory@example.com")
    aws.create_table()
    event = load_event(SOURCE)
    assert pre_authentication.handler(event, None) is event


@pytest.mark.parametrize("entry", [EMAIL.upper(), SUB, f" {SUB.upper()} "])
def test_configured_entries_refuse_with_the_exact_reason(
    monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    monkeypatch.setenv("DENY_LIST", f"someone@else.test,{entry}")
    with pytest.raises(TriggerRejection) as raised:
        pre_authentication.handler(load_event(SOURCE), None)
    assert str(raised.value) == USER_BLOCKED


def test_a_configured_username_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    event = load_event(SOURCE)
    event["userName"] = "legacy-jane"
    monkeypatch.setenv("DENY_LIST", "Legacy-Jane")
    with pytest.raises(TriggerRejection, match=f"^{USER_BLOCKED}$"):
        pre_authentication.handler(event, None)


def test_a_block_item_in_the_table_refuses(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    aws.create_table()
    aws.put_item({"userId": SUB, "imageId": "user_deny", "reason": "chargeback"})
    with pytest.raises(TriggerRejection, match=f"^{USER_BLOCKED}$"):
        pre_authentication.handler(load_event(SOURCE), None)


def test_another_users_block_item_does_not_refuse(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    aws.create_table()
    aws.put_item({"userId": "someone-else", "imageId": "user_deny"})
    aws.put_item({"userId": SUB, "imageId": "user_profile"})
    event = load_event(SOURCE)
    assert pre_authentication.handler(event, None) is event


def test_an_unreadable_table_fails_open_and_logs_an_error(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", "no-such-table")
    event = load_event(SOURCE)
    assert pre_authentication.handler(event, None) is event
    assert "ERROR" in [record.levelname for record in caplog.records]


def test_the_configured_list_still_applies_when_the_table_is_unreadable(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", "no-such-table")
    monkeypatch.setenv("DENY_LIST", EMAIL)
    with pytest.raises(TriggerRejection):
        pre_authentication.handler(load_event(SOURCE), None)


def test_an_invalid_configuration_fails_open(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AUTO_VERIFY_EMAIL", "true")
    monkeypatch.setenv("DENY_LIST", EMAIL)
    event = load_event(SOURCE)
    assert pre_authentication.handler(event, None) is event
    assert "ERROR" in [record.levelname for record in caplog.records]


def test_an_unknown_user_is_left_to_cognito(monkeypatch: pytest.MonkeyPatch) -> None:
    # PreventUserExistenceErrors: the answer must not differ from Cognito's own for unknown users.
    monkeypatch.setenv("DENY_LIST", EMAIL)
    event = load_event(SOURCE)
    event["request"]["userNotFound"] = True
    assert pre_authentication.handler(event, None) is event
