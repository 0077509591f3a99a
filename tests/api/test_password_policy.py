"""The service's password check: Cognito's character classes, and the deployed pool's policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.password_policy import SYMBOLS, policy_problems
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(cognito_user_pool_id="eu-west-1_AbCdEf123", cognito_client_id="c")


def test_the_defaults_are_the_deployed_pools_policy() -> None:
    definition = json.loads((ROOT / "deploy" / "user_pool.json").read_text())
    policy = definition["UserPool"]["Policies"]["PasswordPolicy"]
    assert {
        "MinimumLength": SETTINGS.password_min_length,
        "RequireUppercase": SETTINGS.password_require_uppercase,
        "RequireLowercase": SETTINGS.password_require_lowercase,
        "RequireNumbers": SETTINGS.password_require_numbers,
        "RequireSymbols": SETTINGS.password_require_symbols,
    } == {k: v for k, v in policy.items() if k != "TemporaryPasswordValidityDays"}


def test_symbols_are_cognitos_set() -> None:
    # The AWS developer guide's list, space included.
    assert set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ") == SYMBOLS


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("Corr3ct-Horse!", []),
        ("Corr3ct Horse", []),  # a space is a symbol
        ("ÀÉÎÕÜ-abc1", ["must contain an uppercase letter"]),  # Latin-1 capitals do not count
        ("ABCDE-àéîõü1", ["must contain a lowercase letter"]),
        ("Abcdef-٣٤٥", ["must contain a number"]),  # Arabic-Indic digits do not count
        ("Abcdef-\uff11\uff12\uff13", ["must contain a number"]),  # nor full-width ones
        ("Abcdef1§€", ["must contain a symbol such as ! @ # $ % ^ & *"]),  # not Cognito symbols
        ("Ab1-", ["must be at least 8 characters long"]),
    ],
)
def test_character_classes_are_basic_latin(password: str, problems: list[str]) -> None:
    assert policy_problems(password, SETTINGS) == problems
