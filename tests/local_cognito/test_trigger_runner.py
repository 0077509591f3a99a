"""The local Cognito invokes the triggers as AWS does: the same points, event documents and errors.

A recording wrapper around the deployed handlers captures every event the local Cognito sends
while real flows run; each is compared with AWS's documented sample for its trigger source
(tests/events/). Failures of a handler come back as the errors Cognito reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import boto3
import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from local_cognito.server import LocalCognito
from local_cognito.trigger_runner import HANDLER_MODULES, LocalTriggers, deployed_handler
from local_cognito.wire import AwsError
from tests.conftest import PASSWORD, new_email, register_and_confirm, serve

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

    def by_source(self) -> dict[str, list[Event]]:
        found: dict[str, list[Event]] = {}
        for event in self.events:
            found.setdefault(event["triggerSource"], []).append(event)
        return found


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


@pytest.fixture(scope="module")
def adaptive(settings: Settings) -> Iterator[httpx.Client]:
    """The API with the adaptive sign-in, which runs the custom-auth triggers."""
    app = create_app(settings.model_copy(update={"sign_in_flow": "adaptive"}))
    with serve(app) as running, httpx.Client(base_url=running.base_url, timeout=10) as http:
        yield http


def _check_documented(event: Event, cognito: LocalCognito, *, client_id: str) -> None:
    sample = json.loads((EVENTS / f"{event['triggerSource']}.json").read_text())
    assert _shape(event) == _shape(sample), event["triggerSource"]
    assert event["version"] == "1"
    assert event["userPoolId"] == cognito.pool.pool_id
    assert event["region"] == cognito.pool.region
    assert event["callerContext"]["clientId"] == client_id


def test_every_flow_sends_the_documented_event_documents(
    client: httpx.Client, adaptive: httpx.Client, cognito: LocalCognito, recorder: Recorder
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    client.post("/auth/signin", json={"email": email, "password": PASSWORD})
    client.post("/auth/forgot-password", json={"email": email})
    code = cognito.outbox.latest(email, "forgot_password")
    assert code is not None
    new_password = "N3w-Horse-Battery!"
    client.post(
        "/auth/reset-password",
        json={"email": email, "code": code.code, "new_password": new_password},
    )
    step = adaptive.post("/auth/signin", json={"email": email, "password": new_password}).json()[
        "next_step"
    ]
    sign_in_code = cognito.outbox.latest(email, "sign_in")
    assert sign_in_code is not None
    retry = adaptive.post(
        "/auth/challenge",
        json={**{k: step[k] for k in ("challenge_name", "session", "username")}, "answer": "0"},
    ).json()["next_step"]
    signed_in = adaptive.post(
        "/auth/challenge",
        json={
            "challenge_name": "CUSTOM_CHALLENGE",
            "session": retry["session"],
            "username": retry["username"],
            "answer": sign_in_code.code,
        },
    )
    assert signed_in.json()["status"] == "SIGNED_IN"
    boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    ).admin_create_user(UserPoolId=cognito.pool.pool_id, Username=new_email())
    seen = recorder.by_source()
    for source in [path.stem for path in EVENTS.glob("*.json")]:
        if source == "PreSignUp_ExternalProvider":
            continue  # federated sign-in: the local Cognito has no identity providers
        assert source in seen, f"{source} was not invoked"
        client_id = "CLIENT_ID_NOT_APPLICABLE" if "AdminCreateUser" in source else None
        for event in seen[source]:
            _check_documented(event, cognito, client_id=client_id or cognito.pool.client_id)
    assert "clientMetadata" in seen["VerifyAuthChallengeResponse_Authentication"][0]["request"]


def test_the_user_pre_sign_up_names_is_the_user_that_exists(
    client: httpx.Client, cognito: LocalCognito, recorder: Recorder
) -> None:
    email = new_email()
    registered = client.post("/auth/register", json={"email": email, "password": PASSWORD})
    [event] = recorder.by_source()["PreSignUp_SignUp"]
    assert event["userName"] == registered.json()["user_sub"]
    assert event["request"]["userAttributes"]["email"] == email
    admin = boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    )
    created = admin.admin_create_user(UserPoolId=cognito.pool.pool_id, Username=new_email())
    [admin_event] = recorder.by_source()["PreSignUp_AdminCreateUser"]
    assert admin_event["userName"] == created["User"]["Username"]


def test_an_unknown_user_reaches_pre_authentication_flagged(
    client: httpx.Client, recorder: Recorder
) -> None:
    # PreventUserExistenceErrors: AWS runs the trigger for unknown users too, with userNotFound.
    email = new_email()
    client.post("/auth/signin", json={"email": email, "password": PASSWORD})
    [event] = recorder.by_source()["PreAuthentication_Authentication"]
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


class _Clock:
    """A clock that moves only when a handler says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_handler_slower_than_cognitos_wait_is_unexpected() -> None:
    clock = _Clock()

    def slow(event: Event, context: Any) -> Event:
        assert context.get_remaining_time_in_millis() == 5000
        clock.now += 6.0
        assert context.get_remaining_time_in_millis() == 0
        return event

    with pytest.raises(AwsError) as raised:
        _invoke(_runner(slow, clock=clock))
    assert raised.value.error_type == "UnexpectedLambdaException"


@pytest.mark.parametrize("returned", [None, "ok", {"response": "no"}, {"no": "response"}])
def test_a_handler_returning_no_event_is_an_invalid_response(returned: object) -> None:
    with pytest.raises(AwsError) as raised:
        _invoke(_runner(lambda event, context: returned))
    assert raised.value.error_type == "InvalidLambdaResponseException"


def test_the_handler_gets_a_copy_and_its_response_is_applied() -> None:
    given: list[Event] = []

    def confirm(event: Event, context: Any) -> Event:
        given.append(event)
        event["response"]["autoConfirmUser"] = True
        event["request"]["userAttributes"]["email"] = "changed@example.com"
        return event

    request = {"userAttributes": {"email": "a@example.com"}, "username": "a@example.com"}
    response = _LocalPoolRunner(_runner(confirm)).invoke(request)
    assert response["autoConfirmUser"] is True
    assert request["userAttributes"] == {"email": "a@example.com"}  # the caller's is untouched
    assert given[0]["request"]["userAttributes"]["email"] == "changed@example.com"


class _LocalPoolRunner:
    def __init__(self, runner: LocalTriggers) -> None:
        self._runner = runner

    def invoke(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._runner.invoke("PreSignUp_SignUp", _Pool(), "client", None, request)
