"""The pool's password policy, checked before Cognito so the error can name the rule."""

from __future__ import annotations

import string

from app.errors import ApiError, ErrorCode
from app.settings import Settings

# Cognito counts only Basic Latin letters and digits; "É" or "٣" satisfy no rule there
# (str.isupper/isdigit would accept them). Symbols are Cognito's own set, space included.
UPPERCASE = frozenset(string.ascii_uppercase)
LOWERCASE = frozenset(string.ascii_lowercase)
DIGITS = frozenset(string.digits)
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def policy_problems(password: str, settings: Settings) -> list[str]:
    """Each rule the password breaks, in words (empty when it is acceptable)."""
    problems = []
    if len(password) < settings.password_min_length:
        problems.append(f"must be at least {settings.password_min_length} characters long")
    if settings.password_require_uppercase and not any(c in UPPERCASE for c in password):
        problems.append("must contain an uppercase letter")
    if settings.password_require_lowercase and not any(c in LOWERCASE for c in password):
        problems.append("must contain a lowercase letter")
    if settings.password_require_numbers and not any(c in DIGITS for c in password):
        problems.append("must contain a number")
    if settings.password_require_symbols and not any(c in SYMBOLS for c in password):
        problems.append("must contain a symbol such as ! @ # $ % ^ & *")
    return problems


def enforce_policy(password: str, settings: Settings, field: str) -> None:
    """Raise PASSWORD_POLICY listing the broken rules (never the password) for `field`."""
    problems = policy_problems(password, settings)
    if problems:
        raise ApiError(
            ErrorCode.PASSWORD_POLICY,
            errors=[{"field": field, "message": problem} for problem in problems],
        )
