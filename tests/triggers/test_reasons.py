"""The rejection reasons: stable tokens, and their recognition inside Cognito's wrapped messages."""

from __future__ import annotations

import re
from itertools import permutations

import pytest

from triggers.reasons import (
    CHALLENGE_DELIVERY_FAILED,
    EMAIL_DOMAIN_NOT_ALLOWED,
    REASONS,
    USER_BLOCKED,
    TriggerRejection,
    parse_rejection,
)

TRIGGER_NAMES = ("PreSignUp", "PreAuthentication", "CreateAuthChallenge", "PostConfirmation")


def test_the_token_list_is_the_documented_one() -> None:
    # The API keeps a copy of this list; changing it is a contract change.
    assert {EMAIL_DOMAIN_NOT_ALLOWED, USER_BLOCKED, CHALLENGE_DELIVERY_FAILED} == REASONS


@pytest.mark.parametrize("token", sorted(REASONS))
def test_tokens_are_upper_snake_case(token: str) -> None:
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*", token)


def test_tokens_are_prefix_free() -> None:
    for first, second in permutations(REASONS, 2):
        assert not second.startswith(first)


@pytest.mark.parametrize("token", sorted(REASONS))
@pytest.mark.parametrize("trigger", TRIGGER_NAMES)
def test_recognises_cognitos_wrapped_message(trigger: str, token: str) -> None:
    assert parse_rejection(f"{trigger} failed with error {token}.") == token


@pytest.mark.parametrize("token", sorted(REASONS))
def test_recognises_the_bare_token_and_surrounding_space(token: str) -> None:
    assert parse_rejection(token) == token
    assert parse_rejection(f"  PreSignUp failed with error {token}. \n") == token


@pytest.mark.parametrize(
    "message",
    [
        "PreSignUp failed with error Email domain evil.test is not allowed.",
        "PreSignUp failed with error USER_BLOCKED_FOREVER.",
        "PreSignUp failed with error user_blocked.",
        "PreSignUp failed with error USER_BLOCKED because reasons.",
        "PreAuthentication failed with error Task timed out after 5.01 seconds.",
        "User is disabled.",
        "",
    ],
)
def test_other_messages_are_not_ours(message: str) -> None:
    assert parse_rejection(message) is None


@pytest.mark.parametrize("token", sorted(REASONS))
def test_rejection_message_is_exactly_the_token(token: str) -> None:
    rejection = TriggerRejection(token)
    assert str(rejection) == token
    assert rejection.reason == token


def test_rejection_refuses_an_unknown_reason() -> None:
    with pytest.raises(ValueError, match="unknown rejection reason"):
        TriggerRejection("SOMETHING_ELSE")
