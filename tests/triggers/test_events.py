"""Every sample event has AWS's common shape, and its handler returns it, whatever the context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    BaseTriggerEvent,
    CreateAuthChallengeTriggerEvent,
    DefineAuthChallengeTriggerEvent,
    PostAuthenticationTriggerEvent,
    PostConfirmationTriggerEvent,
    PreAuthenticationTriggerEvent,
    PreSignUpTriggerEvent,
    VerifyAuthChallengeResponseTriggerEvent,
)

from tests.triggers.support import EVENTS_DIR, FakeContext, load_event
from triggers import (
    create_auth_challenge,
    define_auth_challenge,
    post_authentication,
    post_confirmation,
    pre_authentication,
    pre_sign_up,
    verify_auth_challenge,
)
from triggers.logs import logger
from triggers.reasons import TriggerRejection

Handler = Callable[[dict[str, Any], object], dict[str, Any]]

# trigger source -> (Powertools event class, handler)
SOURCES: dict[str, tuple[type[BaseTriggerEvent], Handler]] = {
    "PreSignUp_SignUp": (PreSignUpTriggerEvent, pre_sign_up.handler),
    "PreSignUp_AdminCreateUser": (PreSignUpTriggerEvent, pre_sign_up.handler),
    "PreSignUp_ExternalProvider": (PreSignUpTriggerEvent, pre_sign_up.handler),
    "PostConfirmation_ConfirmSignUp": (PostConfirmationTriggerEvent, post_confirmation.handler),
    "PostConfirmation_ConfirmForgotPassword": (
        PostConfirmationTriggerEvent,
        post_confirmation.handler,
    ),
    "PreAuthentication_Authentication": (PreAuthenticationTriggerEvent, pre_authentication.handler),
    "PostAuthentication_Authentication": (
        PostAuthenticationTriggerEvent,
        post_authentication.handler,
    ),
    "DefineAuthChallenge_Authentication": (
        DefineAuthChallengeTriggerEvent,
        define_auth_challenge.handler,
    ),
    "CreateAuthChallenge_Authentication": (
        CreateAuthChallengeTriggerEvent,
        create_auth_challenge.handler,
    ),
    "VerifyAuthChallengeResponse_Authentication": (
        VerifyAuthChallengeResponseTriggerEvent,
        verify_auth_challenge.handler,
    ),
}


def test_there_is_one_sample_per_source() -> None:
    assert {path.stem for path in EVENTS_DIR.glob("*.json")} == set(SOURCES)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_samples_have_the_common_shape(source: str) -> None:
    event = load_event(source)
    assert list(event) == [
        "version",
        "region",
        "userPoolId",
        "userName",
        "callerContext",
        "triggerSource",
        "request",
        "response",
    ]
    assert set(event["callerContext"]) == {"awsSdkVersion", "clientId"}
    wrapped = SOURCES[source][0](event)
    assert wrapped.trigger_source == source
    assert wrapped.user_pool_id.startswith(f"{wrapped.region}_")


@pytest.mark.parametrize("context", [None, FakeContext(), object()], ids=["none", "fake", "bare"])
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_each_handler_returns_its_event(source: str, context: object) -> None:
    # Nothing configured: the create trigger alone refuses (it cannot send a code).
    event = load_event(source)
    handler = SOURCES[source][1]
    if source.startswith("CreateAuthChallenge"):
        with pytest.raises(TriggerRejection, match=r"^CHALLENGE_DELIVERY_FAILED$"):
            handler(event, context)
        return
    assert handler(event, context) is event


def test_a_missing_response_object_is_supplied() -> None:
    event = load_event("PreSignUp_SignUp")
    del event["response"]
    assert pre_sign_up.handler(event, None)["response"] == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
    }


def test_log_lines_carry_the_invocation_keys(caplog: pytest.LogCaptureFixture) -> None:
    event = load_event("PostConfirmation_ConfirmForgotPassword")
    post_confirmation.handler(event, FakeContext(aws_request_id="req-42"))
    [line] = [logger.registered_formatter.format(record) for record in caplog.records]
    for expected in (
        '"function_request_id":"req-42"',
        '"function_name":"cognito-triggers-test"',
        '"trigger_source":"PostConfirmation_ConfirmForgotPassword"',
        '"user_pool_id":"eu-west-1_EXAMPLE01"',
    ):
        assert expected in line
    post_confirmation.handler(load_event("PostConfirmation_ConfirmForgotPassword"), None)
    assert "req-42" not in logger.registered_formatter.format(caplog.records[-1])
