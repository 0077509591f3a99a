"""PreSignUp: the allow-list for every source, auto flags for self sign-up only, exact reasons."""

from __future__ import annotations

import pytest

from tests.triggers.support import load_event
from triggers import pre_sign_up
from triggers.config import ConfigError
from triggers.reasons import EMAIL_DOMAIN_NOT_ALLOWED, TriggerRejection

SOURCES = ("PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider")


@pytest.mark.parametrize("source", SOURCES)
def test_every_source_passes_without_an_allow_list(source: str) -> None:
    event = load_event(source)
    assert pre_sign_up.handler(event, None) is event


@pytest.mark.parametrize(
    ("confirm", "verify", "expected"),
    [
        ("false", "false", (False, False)),
        ("true", "false", (True, False)),
        ("true", "true", (True, True)),
    ],
)
def test_self_sign_up_gets_the_configured_flags(
    monkeypatch: pytest.MonkeyPatch, confirm: str, verify: str, expected: tuple[bool, bool]
) -> None:
    monkeypatch.setenv("AUTO_CONFIRM_USERS", confirm)
    monkeypatch.setenv("AUTO_VERIFY_EMAIL", verify)
    response = pre_sign_up.handler(load_event("PreSignUp_SignUp"), None)["response"]
    assert (response["autoConfirmUser"], response["autoVerifyEmail"]) == expected
    assert response["autoVerifyPhone"] is False


@pytest.mark.parametrize("source", ["PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"])
def test_other_sources_never_get_auto_flags(monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    monkeypatch.setenv("AUTO_CONFIRM_USERS", "true")
    monkeypatch.setenv("AUTO_VERIFY_EMAIL", "true")
    response = pre_sign_up.handler(load_event(source), None)["response"]
    assert response == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    "email", ["jane.doe@example.com", "Jane.Doe@EXAMPLE.com", "j@Corp.Example.org"]
)
def test_allowed_domains_compare_case_insensitively(
    monkeypatch: pytest.MonkeyPatch, source: str, email: str
) -> None:
    monkeypatch.setenv("ALLOWED_EMAIL_DOMAINS", "example.COM,corp.example.org")
    event = load_event(source)
    event["request"]["userAttributes"]["email"] = email
    assert pre_sign_up.handler(event, None) is event


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    "email",
    [
        "jane@evil.test",
        "jane@mail.example.com",  # exact domains only, no subdomains
        "jane@example.com.evil.test",
        "jane@evil.test@example.com.evil.test",
        "no-at-sign",
        "@example.com",
        "",
    ],
)
def test_other_domains_are_refused_with_the_exact_reason(
    monkeypatch: pytest.MonkeyPatch, source: str, email: str
) -> None:
    monkeypatch.setenv("ALLOWED_EMAIL_DOMAINS", "example.com")
    event = load_event(source)
    event["request"]["userAttributes"]["email"] = email
    with pytest.raises(TriggerRejection) as raised:
        pre_sign_up.handler(event, None)
    assert str(raised.value) == EMAIL_DOMAIN_NOT_ALLOWED


def test_a_missing_email_attribute_is_refused_when_domains_are_restricted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLOWED_EMAIL_DOMAINS", "example.com")
    event = load_event("PreSignUp_SignUp")
    del event["request"]["userAttributes"]["email"]
    with pytest.raises(TriggerRejection, match=f"^{EMAIL_DOMAIN_NOT_ALLOWED}$"):
        pre_sign_up.handler(event, None)


def test_an_invalid_configuration_refuses_sign_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTO_VERIFY_EMAIL", "true")
    with pytest.raises(ConfigError):
        pre_sign_up.handler(load_event("PreSignUp_SignUp"), None)


def test_an_unknown_source_still_applies_the_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_EMAIL_DOMAINS", "example.com")
    monkeypatch.setenv("AUTO_CONFIRM_USERS", "true")
    event = load_event("PreSignUp_SignUp")
    event["triggerSource"] = "PreSignUp_SomethingNew"
    assert pre_sign_up.handler(event, None)["response"]["autoConfirmUser"] is False
    event["request"]["userAttributes"]["email"] = "jane@evil.test"
    with pytest.raises(TriggerRejection):
        pre_sign_up.handler(event, None)


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("a@example.com", "example.com"),
        ("A@Example.COM.", "example.com"),
        ("a@b@example.com", "example.com"),
        ("a@", None),
        ("@example.com", None),
        ("example.com", None),
    ],
)
def test_email_domain(email: str, domain: str | None) -> None:
    assert pre_sign_up.email_domain(email) == domain
