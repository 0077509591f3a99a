"""Configuration: parsing, defaults, valid combinations only, read once."""

from __future__ import annotations

import pytest

from triggers.config import ConfigError, get_config, load_config
from triggers.risk import RiskLevel, RiskPolicy


def test_an_empty_environment_turns_everything_off() -> None:
    config = load_config({})
    assert config.allowed_email_domains == frozenset()
    assert config.auto_confirm_users is False
    assert config.auto_verify_email is False
    assert config.platform_table_name == ""
    assert config.welcome_topic_arn == ""
    assert config.challenge_topic_arn == ""
    assert config.deny_list == frozenset()
    assert config.risk_policy == RiskPolicy()


def test_lists_are_trimmed_and_lower_cased() -> None:
    config = load_config(
        {
            "ALLOWED_EMAIL_DOMAINS": " Example.COM, @corp.example.org ,,",
            "DENY_LIST": "Mallory@Example.com, 7C4E2B9A-0d1f-4e57-9a3b-5f6e8d2c1a40",
            "PLATFORM_TABLE_NAME": " images ",
        }
    )
    assert config.allowed_email_domains == {"example.com", "corp.example.org"}
    assert config.deny_list == {"mallory@example.com", "7c4e2b9a-0d1f-4e57-9a3b-5f6e8d2c1a40"}
    assert config.platform_table_name == "images"


@pytest.mark.parametrize(
    ("confirm", "verify", "expected"),
    [
        ("", "", (False, False)),
        ("false", "false", (False, False)),
        ("true", "", (True, False)),
        ("TRUE", "1", (True, True)),
        ("yes", "on", (True, True)),
    ],
)
def test_valid_auto_flag_combinations(
    confirm: str, verify: str, expected: tuple[bool, bool]
) -> None:
    config = load_config({"AUTO_CONFIRM_USERS": confirm, "AUTO_VERIFY_EMAIL": verify})
    assert (config.auto_confirm_users, config.auto_verify_email) == expected


@pytest.mark.parametrize("confirm", ["", "false", "0"])
def test_auto_verify_without_auto_confirm_is_refused(confirm: str) -> None:
    with pytest.raises(ConfigError, match="AUTO_VERIFY_EMAIL=true requires AUTO_CONFIRM_USERS"):
        load_config({"AUTO_CONFIRM_USERS": confirm, "AUTO_VERIFY_EMAIL": "true"})


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"AUTO_CONFIRM_USERS": "maybe"}, "AUTO_CONFIRM_USERS must be true or false"),
        ({"ALLOWED_EMAIL_DOMAINS": "example.com, not a domain"}, "not domains"),
        ({"ALLOWED_EMAIL_DOMAINS": "user@example.com"}, "not domains"),
        ({"RISK_USUAL_HOURS": "morning"}, "START-END"),
        ({"RISK_USUAL_HOURS": "6-25"}, "outside 0..24"),
        ({"RISK_CHALLENGE_LEVEL": "EXTREME"}, "LOW, MEDIUM or HIGH"),
    ],
)
def test_malformed_values_are_refused_by_name(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(environ)


def test_risk_knobs() -> None:
    config = load_config({"RISK_USUAL_HOURS": "22-6", "RISK_CHALLENGE_LEVEL": "high"})
    assert config.risk_policy == RiskPolicy(
        usual_hours_start=22, usual_hours_end=6, challenge_from=RiskLevel.HIGH
    )


def test_the_environment_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_TABLE_NAME", "first")
    first = get_config()
    monkeypatch.setenv("PLATFORM_TABLE_NAME", "second")
    assert get_config() is first
    get_config.cache_clear()
    assert get_config().platform_table_name == "second"
