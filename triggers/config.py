"""The triggers' configuration, read once from the environment and checked for sense."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from triggers.risk import RiskLevel, RiskPolicy

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_HOURS = re.compile(r"^(?P<start>\d{1,2})-(?P<end>\d{1,2})$")


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a usable trigger configuration."""


@dataclass(frozen=True)
class TriggerConfig:
    """Everything the triggers read from their environment."""

    allowed_email_domains: frozenset[str]  # lower-case; empty = every domain
    auto_confirm_users: bool
    auto_verify_email: bool
    platform_table_name: str  # empty = no profile bookkeeping
    welcome_topic_arn: str  # empty = no welcome message
    challenge_topic_arn: str  # where one-time sign-in codes go to be emailed
    deny_list: frozenset[str]  # lower-case emails, subs or usernames
    risk_policy: RiskPolicy


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _items(environ: Mapping[str, str], name: str) -> frozenset[str]:
    return frozenset(
        item.strip().lower() for item in environ.get(name, "").split(",") if item.strip()
    )


def _domains(environ: Mapping[str, str]) -> frozenset[str]:
    domains = frozenset(item.removeprefix("@") for item in _items(environ, "ALLOWED_EMAIL_DOMAINS"))
    bad = sorted(domain for domain in domains if not _DOMAIN.match(domain))
    if bad:
        raise ConfigError(f"ALLOWED_EMAIL_DOMAINS has entries that are not domains: {bad}")
    return domains


def _risk_policy(environ: Mapping[str, str]) -> RiskPolicy:
    hours = environ.get("RISK_USUAL_HOURS", "").strip() or "6-22"
    match = _HOURS.match(hours)
    level_name = environ.get("RISK_CHALLENGE_LEVEL", "").strip().upper() or "MEDIUM"
    if level_name not in RiskLevel.__members__:
        raise ConfigError(f"RISK_CHALLENGE_LEVEL must be LOW, MEDIUM or HIGH, not {level_name!r}")
    if match is None:
        raise ConfigError(f"RISK_USUAL_HOURS={hours!r} must be START-END in UTC hours, e.g. 6-22")
    try:
        return RiskPolicy(
            usual_hours_start=int(match.group("start")),
            usual_hours_end=int(match.group("end")),
            challenge_from=RiskLevel[level_name],
        )
    except ValueError as exc:
        raise ConfigError(f"RISK_USUAL_HOURS={hours!r} is invalid: {exc}") from None


def load_config(environ: Mapping[str, str]) -> TriggerConfig:
    """Build the configuration from an environment mapping.

    Raises:
        ConfigError: a value is malformed or the auto-confirm/auto-verify combination is invalid.
    """
    auto_confirm = _flag(environ, "AUTO_CONFIRM_USERS")
    auto_verify = _flag(environ, "AUTO_VERIFY_EMAIL")
    if auto_verify and not auto_confirm:
        # Cognito only honours autoVerifyEmail for a user it also auto-confirms.
        raise ConfigError("AUTO_VERIFY_EMAIL=true requires AUTO_CONFIRM_USERS=true")
    return TriggerConfig(
        allowed_email_domains=_domains(environ),
        auto_confirm_users=auto_confirm,
        auto_verify_email=auto_verify,
        platform_table_name=environ.get("PLATFORM_TABLE_NAME", "").strip(),
        welcome_topic_arn=environ.get("WELCOME_TOPIC_ARN", "").strip(),
        challenge_topic_arn=environ.get("CHALLENGE_TOPIC_ARN", "").strip(),
        deny_list=_items(environ, "DENY_LIST"),
        risk_policy=_risk_policy(environ),
    )


@functools.cache
def get_config() -> TriggerConfig:
    """The process's configuration, read from ``os.environ`` once (``cache_clear()`` re-reads).

    Raises:
        ConfigError: see ``load_config``.
    """
    return load_config(os.environ)
