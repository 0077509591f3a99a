"""Risk-based custom auth: the define decision, the emailed code, its check, and whole sign-ins."""

from __future__ import annotations

from typing import Any

import pytest

from tests.triggers.support import EMAIL, FROZEN_ISO, SUB, TABLE, Aws, load_event, topic_arn
from triggers import create_auth_challenge, define_auth_challenge, verify_auth_challenge
from triggers.challenge import answer_matches, code_from_metadata, mask_email, metadata_for
from triggers.define_auth_challenge import FAIL, ISSUE_TOKENS, Step, next_step
from triggers.logs import logger
from triggers.reasons import CHALLENGE_DELIVERY_FAILED, TriggerRejection
from triggers.signin import fingerprint

CODES_TOPIC = "sign-in-codes"
HOME = {"sourceIp": "203.0.113.42", "deviceId": "d6f1c0de-52a4-4f3e-9a7b-0c9e1b2a3d4f"}
SRP_A = ("SRP_A", True)
PASSWORD_OK = ("PASSWORD_VERIFIER", True)
ASK_PASSWORD = Step(challenge_name="PASSWORD_VERIFIER")
ASK_CODE = Step(challenge_name="CUSTOM_CHALLENGE")
WRONG = ("CUSTOM_CHALLENGE", False)
RIGHT = ("CUSTOM_CHALLENGE", True)


def _never() -> bool:
    raise AssertionError("risk must only be assessed right after the password")


@pytest.mark.parametrize(
    ("session", "step"),
    [
        ([SRP_A], ASK_PASSWORD),
        ([SRP_A, ("PASSWORD_VERIFIER", False)], FAIL),
        ([SRP_A, PASSWORD_OK, RIGHT], ISSUE_TOKENS),
        ([SRP_A, PASSWORD_OK, WRONG], ASK_CODE),
        ([SRP_A, PASSWORD_OK, WRONG, WRONG], ASK_CODE),
        ([SRP_A, PASSWORD_OK, WRONG, WRONG, RIGHT], ISSUE_TOKENS),
        ([SRP_A, PASSWORD_OK, WRONG, WRONG, WRONG], FAIL),
        ([SRP_A, PASSWORD_OK, RIGHT, WRONG], FAIL),  # not a session this flow produces
        ([], FAIL),  # passwordless: the code is a second factor, never the only one
        ([("CUSTOM_CHALLENGE", True)], FAIL),
        ([SRP_A, ("SMS_MFA", True)], FAIL),
        ([SRP_A, PASSWORD_OK, ("SMS_MFA", True)], FAIL),
        ([SRP_A, SRP_A], FAIL),
    ],
)
def test_next_step_without_risk(session: list[tuple[str, bool]], step: Step) -> None:
    assert next_step(session, _never) == step


@pytest.mark.parametrize(("risky", "step"), [(False, ISSUE_TOKENS), (True, ASK_CODE)])
def test_after_the_password_the_risk_decides(risky: bool, step: Step) -> None:
    assert next_step([SRP_A, PASSWORD_OK], lambda: risky) == step
    assert next_step([PASSWORD_OK], lambda: risky) == step


def test_a_step_is_never_a_challenge_and_a_failure_at_once() -> None:
    # The seed set failAuthentication together with a challenge.
    sessions = [[SRP_A], [SRP_A, PASSWORD_OK], [SRP_A, PASSWORD_OK, WRONG], [], [SRP_A, WRONG]]
    for session in sessions:
        for risky in (False, True):

            def verdict(risky: bool = risky) -> bool:
                return risky

            step = next_step(session, verdict)
            chosen = [step.challenge_name is not None, step.issue_tokens, step.fail_authentication]
            assert chosen.count(True) == 1


def _session(*pairs: tuple[str, bool], metadata: str | None = None) -> list[dict[str, Any]]:
    return [
        {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}
        for name, result in pairs
    ]


def _define(
    session: list[dict[str, Any]], client_metadata: dict[str, str] | None = None
) -> dict[str, Any]:
    event = load_event("DefineAuthChallenge_Authentication")
    event["request"]["session"] = session
    if client_metadata is not None:
        event["request"]["clientMetadata"] = client_metadata
    response: dict[str, Any] = define_auth_challenge.handler(event, None)["response"]
    return response


@pytest.fixture
def codes(aws: Aws, monkeypatch: pytest.MonkeyPatch, frozen_clock: object) -> str:
    """Table and sign-in-code topic configured and created; returns the code queue's URL."""
    monkeypatch.setenv("PLATFORM_TABLE_NAME", TABLE)
    monkeypatch.setenv("CHALLENGE_TOPIC_ARN", topic_arn(CODES_TOPIC))
    aws.create_table()
    return aws.create_topic(CODES_TOPIC)


def _known_home(aws: Aws) -> None:
    aws.put_item(
        {
            "userId": SUB,
            "imageId": "user_profile",
            "profile": {"firstName": "Jane"},
            "lastSignIn": {**fingerprint(HOME), "at": FROZEN_ISO},
        }
    )


def test_define_sample_event_asks_for_the_password() -> None:
    response = _define(_session(SRP_A))
    assert response == {
        "challengeName": "PASSWORD_VERIFIER",
        "issueTokens": False,
        "failAuthentication": False,
    }


def test_a_known_device_and_network_at_noon_gets_tokens(aws: Aws, codes: str) -> None:
    _known_home(aws)
    response = _define(_session(SRP_A, PASSWORD_OK), HOME)
    assert response["issueTokens"] is True
    assert response["failAuthentication"] is False
    assert response["challengeName"] is None


@pytest.mark.parametrize(
    "client_metadata",
    [
        None,  # the API sent nothing
        {"sourceIp": "198.51.100.9", "deviceId": HOME["deviceId"]},
        {"sourceIp": HOME["sourceIp"], "deviceId": "another-device"},
    ],
)
def test_an_unknown_device_or_network_gets_the_code(
    aws: Aws, codes: str, client_metadata: dict[str, str] | None
) -> None:
    _known_home(aws)
    response = _define(_session(SRP_A, PASSWORD_OK), client_metadata)
    assert response == {
        "challengeName": "CUSTOM_CHALLENGE",
        "issueTokens": False,
        "failAuthentication": False,
    }


def test_the_challenge_level_is_configurable(
    aws: Aws, codes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _known_home(aws)
    monkeypatch.setenv("RISK_CHALLENGE_LEVEL", "HIGH")  # one factor (a new network) is MEDIUM
    response = _define(_session(SRP_A, PASSWORD_OK), {**HOME, "sourceIp": "198.51.100.9"})
    assert response["issueTokens"] is True


def test_a_failed_risk_assessment_asks_for_the_code(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", "no-such-table")
    response = _define(_session(SRP_A, PASSWORD_OK), HOME)
    assert response["challengeName"] == "CUSTOM_CHALLENGE"
    assert "ERROR" in [record.levelname for record in caplog.records]


def test_an_unknown_user_never_gets_tokens(aws: Aws, codes: str) -> None:
    _known_home(aws)
    event = load_event("DefineAuthChallenge_Authentication")
    event["request"]["session"] = _session(SRP_A, PASSWORD_OK)
    event["request"]["clientMetadata"] = HOME
    event["request"]["userNotFound"] = True
    response = define_auth_challenge.handler(event, None)["response"]
    assert (response["issueTokens"], response["failAuthentication"]) == (False, True)


def _create(session: list[dict[str, Any]]) -> dict[str, Any]:
    event = load_event("CreateAuthChallenge_Authentication")
    event["request"]["session"] = session
    response: dict[str, Any] = create_auth_challenge.handler(event, None)["response"]
    return response


def test_create_emails_a_fresh_code_once(aws: Aws, codes: str) -> None:
    response = _create(_session(SRP_A, PASSWORD_OK))
    [message] = aws.messages(codes)
    code = message["code"]
    assert message == {"type": "sign_in_code", "userId": SUB, "email": EMAIL, "code": code}
    assert len(code) == 6
    assert code.isdigit()
    assert response["privateChallengeParameters"] == {"code": code}
    assert response["challengeMetadata"] == metadata_for(code)
    assert response["publicChallengeParameters"] == {
        "challenge": "EMAIL_OTP",
        "deliveryMedium": "EMAIL",
        "destination": "j***@example.com",
        "codeLength": "6",
        "attemptsRemaining": "3",
    }


def test_after_a_wrong_answer_the_same_code_is_asked_for_without_a_new_email(
    aws: Aws, codes: str
) -> None:
    session = _session(SRP_A, PASSWORD_OK) + _session(WRONG, metadata=metadata_for("123456"))
    response = _create(session)
    assert aws.messages(codes) == []
    assert response["privateChallengeParameters"] == {"code": "123456"}
    assert response["publicChallengeParameters"]["attemptsRemaining"] == "2"


def test_codes_differ_between_sign_ins(aws: Aws, codes: str) -> None:
    for _ in range(5):
        _create(_session(SRP_A, PASSWORD_OK))
    assert len({message["code"] for message in aws.messages(codes)}) > 1


@pytest.mark.parametrize("topic_configured", [True, False])
def test_an_undeliverable_code_refuses_with_the_exact_reason(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, topic_configured: bool
) -> None:
    if topic_configured:
        monkeypatch.setenv("CHALLENGE_TOPIC_ARN", topic_arn("not-created"))
    with pytest.raises(TriggerRejection) as raised:
        _create(_session(SRP_A, PASSWORD_OK))
    assert str(raised.value) == CHALLENGE_DELIVERY_FAILED


def test_create_ignores_challenges_it_does_not_make() -> None:
    event = load_event("CreateAuthChallenge_Authentication")
    event["request"]["challengeName"] = "PASSWORD_VERIFIER"
    before = dict(event["response"])
    assert create_auth_challenge.handler(event, None)["response"] == before


def _verify(answer: object, private: dict[str, str] | None = None, **request: Any) -> bool:
    event = load_event("VerifyAuthChallengeResponse_Authentication")
    event["request"]["challengeAnswer"] = answer
    if private is not None:
        event["request"]["privateChallengeParameters"] = private
    event["request"].update(request)
    result: bool = verify_auth_challenge.handler(event, None)["response"]["answerCorrect"]
    return result


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("482913", True),
        (" 482913\n", True),
        ("482914", False),
        ("48291", False),
        ("", False),
        (482913, False),
        (None, False),
        ("\uff14\uff18\uff12\uff19\uff11\uff13", False),  # full-width digits
    ],
)
def test_verify_compares_the_answer_with_the_code(answer: object, correct: bool) -> None:
    assert _verify(answer) is correct


def test_verify_without_a_code_is_never_correct() -> None:
    assert _verify("", {}) is False
    assert _verify("482913", {"code": ""}) is False


def test_verify_for_an_unknown_user_is_never_correct() -> None:
    assert _verify("482913", userNotFound=True) is False


@pytest.mark.parametrize(
    ("metadata", "code"),
    [
        ("EMAIL_OTP:012345", "012345"),
        ("EMAIL_OTP:12345", None),
        ("CAPTCHA", None),
        (None, None),
        ("EMAIL_OTP:abcdef", None),
    ],
)
def test_code_from_metadata(metadata: str | None, code: str | None) -> None:
    assert code_from_metadata(metadata) == code


@pytest.mark.parametrize(
    ("email", "masked"),
    [("jane@example.com", "j***@example.com"), ("x@y.z", "x***@y.z"), ("nonsense", "***")],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


def test_answer_matches_needs_a_string() -> None:
    assert answer_matches("1", "1") is True
    assert answer_matches(1, "1") is False


CODE = "<the emailed code>"


def _sign_in(
    aws: Aws, queue: str, answers: list[str], client_metadata: dict[str, str]
) -> tuple[str, int]:
    """Play Cognito's side of one CUSTOM_AUTH sign-in; returns the outcome and emails sent."""
    session = _session(SRP_A)
    emailed: list[str] = []
    pending = list(answers)
    for _ in range(20):
        response = _define(session, client_metadata)
        if response["issueTokens"]:
            return "tokens", len(emailed)
        if response["failAuthentication"]:
            return "failed", len(emailed)
        if response["challengeName"] == "PASSWORD_VERIFIER":
            session += _session(PASSWORD_OK)  # Cognito checked the password by SRP
            continue
        assert response["challengeName"] == "CUSTOM_CHALLENGE"
        challenge = _create(session)
        emailed += [message["code"] for message in aws.messages(queue)]
        if not pending:
            return "abandoned", len(emailed)
        answer = pending.pop(0)
        correct = _verify(
            emailed[-1] if answer == CODE else answer, challenge["privateChallengeParameters"]
        )
        session += _session(("CUSTOM_CHALLENGE", correct), metadata=challenge["challengeMetadata"])
    raise AssertionError("the flow did not end")


@pytest.mark.parametrize(
    ("known", "answers", "outcome"),
    [
        (True, [], ("tokens", 0)),
        (False, [CODE], ("tokens", 1)),
        (False, ["000000", "999999", CODE], ("tokens", 1)),
        (False, ["000000", "999999", "111111", CODE], ("failed", 1)),
        (False, [], ("abandoned", 1)),
    ],
)
def test_whole_sign_ins(
    aws: Aws, codes: str, known: bool, answers: list[str], outcome: tuple[str, int]
) -> None:
    _known_home(aws)
    metadata = HOME if known else {"sourceIp": "198.51.100.9", "deviceId": "new-phone"}
    assert _sign_in(aws, codes, answers, metadata) == outcome


def test_the_code_and_answers_are_never_logged(
    aws: Aws, codes: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(create_auth_challenge, "new_code", lambda: "987123")
    caplog.set_level("DEBUG")
    assert _sign_in(aws, codes, ["555444", CODE], {}) == ("tokens", 1)
    lines = [logger.registered_formatter.format(record) for record in caplog.records]
    assert any("sign-in code sent" in line for line in lines)  # the flow did log
    for line in lines:
        assert "987123" not in line
        assert "555444" not in line
