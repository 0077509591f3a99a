"""The local Cognito invokes the triggers as AWS does: the same points, event documents and errors.

A recording wrapper around the deployed handlers captures every event the local Cognito sends
while real flows run; each is compared with AWS's documented sample for its trigger source
(tests/events/). Failures of a handler come back as the errors Cognito reports.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from local_cognito.server import LocalCognito
from local_cognito.trigger_runner import HANDLER_MODULES, LocalTriggers, deployed_handler
from local_cognito.wire import AwsError
from tests.conftest import PASSWORD, new_email, register_and_confirm

EVENTS = Path(__file__).resolve().parents[1] / "events"
Event = dict[str, Any]
# Members AWS sends only when the call carried them (ClientMetadata) or for some sources.
OPTIONAL_REQUEST_KEYS = {"clientMetadata"}


class Recorder:
    """Wraps every deployed handler and keeps the events it was given."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def handlers(self) -> dict[str, Any]:
        def wrap(trigger: str) -> Any:
            handler = deployed_handler(trigger)

            def recorded(event: Event, context: Any) -> Any:
                self.events.append(json.loads(json.dumps(event)))
                return handler(event, context)

            return recorded

        return {trigger: wrap(trigger) for trigger in HANDLER_MODULES}

    def by_source(self) -> dict[str, Event]:
        return {event["triggerSource"]: event for event in self.events}


@pytest.fixture
def recorder(cognito: LocalCognito) -> Iterator[Recorder]:
    recording = Recorder()
    previous = cognito.layer.triggers
    mail = getattr(previous, "_mail", None)
    cognito.layer.triggers = LocalTriggers(recording.handlers(), mail=mail)
    yield recording
    cognito.layer.triggers = previous


def _shape(event: Event) -> tuple[list[str], list[str], list[str], list[str]]:
    return (
        sorted(event),
        sorted(set(event["request"]) - OPTIONAL_REQUEST_KEYS),
        sorted(event["response"]),
        sorted(event["callerContext"]),
    )


def test_every_flow_sends_the_documented_event_documents(
    client: httpx.Client, cognito: LocalCognito, recorder: Recorder
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    client.post("/auth/signin", json={"email": email, "password": PASSWORD})
    client.post("/auth/forgot-password", json={"email": email})
    code = cognito.outbox.latest(email, "forgot_password")
    assert code is not None
    client.post(
        "/auth/reset-password",
        json={"email": email, "code": code.code, "new_password": "N3w-Horse-Battery!"},
    )
    seen = recorder.by_source()
    for source in (
        "PreSignUp_SignUp",
        "PostConfirmation_ConfirmSignUp",
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
        "PostConfirmation_ConfirmForgotPassword",
    ):
        assert source in seen, f"{source} was not invoked"
        sample = json.loads((EVENTS / f"{source}.json").read_text())
        assert _shape(seen[source]) == _shape(sample), source
        event = seen[source]
        assert event["version"] == "1"
        assert event["userPoolId"] == cognito.pool.pool_id
        assert event["region"] == cognito.pool.region
        assert event["callerContext"]["clientId"] == cognito.pool.client_id


def test_the_user_pre_sign_up_names_is_the_user_that_exists(
    client: httpx.Client, cognito: LocalCognito, recorder: Recorder
) -> None:
    email = new_email()
    registered = client.post("/auth/register", json={"email": email, "password": PASSWORD})
    event = recorder.by_source()["PreSignUp_SignUp"]
    assert event["userName"] == registered.json()["user_sub"]
    assert event["request"]["userAttributes"]["email"] == email


def test_an_unknown_user_reaches_pre_authentication_flagged(
    client: httpx.Client, recorder: Recorder
) -> None:
    # PreventUserExistenceErrors: AWS runs the trigger for unknown users too, with userNotFound.
    email = new_email()
    client.post("/auth/signin", json={"email": email, "password": PASSWORD})
    event = recorder.by_source()["PreAuthentication_Authentication"]
    assert event["request"]["userNotFound"] is True
    assert event["userName"] == email


def _runner(handler: Any, **options: Any) -> LocalTriggers:
    return LocalTriggers({"PreSignUp": handler}, **options)


class _Pool:
    id = "eu-west-1_AbCdEf123"
    region = "eu-west-1"
    extended_config: ClassVar[dict[str, Any]] = {"UsernameAttributes": ["email"]}


def _invoke(runner: LocalTriggers) -> dict[str, Any]:
    return runner.invoke(
        "PreSignUp_SignUp",
        _Pool(),
        "client",
        None,
        {"userAttributes": {"email": "a@example.com"}, "username": "a@example.com"},
    )


def test_a_raising_handler_is_a_user_lambda_validation_error() -> None:
    def refuse(event: Event, context: Any) -> Event:
        raise ValueError("EMAIL_DOMAIN_NOT_ALLOWED")

    with pytest.raises(AwsError) as raised:
        _invoke(_runner(refuse))
    assert raised.value.error_type == "UserLambdaValidationException"
    assert raised.value.message == "PreSignUp failed with error EMAIL_DOMAIN_NOT_ALLOWED."


def test_a_handler_slower_than_cognitos_wait_is_unexpected() -> None:
    clock = iter([0.0, 0.0, 6.0, 6.0])

    def slow(event: Event, context: Any) -> Event:
        assert context.get_remaining_time_in_millis() == 5000
        return event

    with pytest.raises(AwsError) as raised:
        _invoke(_runner(slow, clock=lambda: next(clock)))
    assert raised.value.error_type == "UnexpectedLambdaException"


@pytest.mark.parametrize("returned", [None, "ok", {"response": "no"}, {"no": "response"}])
def test_a_handler_returning_no_event_is_an_invalid_response(returned: object) -> None:
    with pytest.raises(AwsError) as raised:
        _invoke(_runner(lambda event, context: returned))
    assert raised.value.error_type == "InvalidLambdaResponseException"


def test_the_handler_gets_a_copy_and_its_response_is_applied() -> None:
    def confirm(event: Event, context: Any) -> Event:
        event["response"]["autoConfirmUser"] = True
        return event

    started = time.monotonic()
    response = _invoke(_runner(confirm))
    assert response["autoConfirmUser"] is True
    assert time.monotonic() - started < 5
