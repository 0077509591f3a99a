"""The pure risk decision and the sign-in context it is fed, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triggers.risk import (
    RiskFactor,
    RiskLevel,
    RiskPolicy,
    SignInContext,
    assess_risk,
    is_usual_hour,
    needs_challenge,
    risk_factors,
)
from triggers.signin import DEVICE_HASH, NETWORK_HASH, fingerprint, sign_in_context

DEFAULT = RiskPolicy()


@pytest.mark.parametrize(
    ("hour", "new_device", "new_network", "level"),
    [
        (12, False, False, RiskLevel.LOW),
        (6, False, False, RiskLevel.LOW),
        (21, False, False, RiskLevel.LOW),
        (22, False, False, RiskLevel.MEDIUM),
        (3, False, False, RiskLevel.MEDIUM),
        (5, False, False, RiskLevel.MEDIUM),
        (12, True, False, RiskLevel.MEDIUM),
        (12, False, True, RiskLevel.MEDIUM),
        (12, True, True, RiskLevel.HIGH),
        (23, True, False, RiskLevel.HIGH),
        (0, False, True, RiskLevel.HIGH),
        (2, True, True, RiskLevel.HIGH),
    ],
)
def test_assess_risk_counts_factors(
    hour: int, new_device: bool, new_network: bool, level: RiskLevel
) -> None:
    assert assess_risk(SignInContext(hour, new_device, new_network)) is level


def test_factors_are_named() -> None:
    assert risk_factors(SignInContext(23, True, True), DEFAULT) == {
        RiskFactor.UNUSUAL_HOUR,
        RiskFactor.NEW_DEVICE,
        RiskFactor.NEW_NETWORK,
    }
    assert risk_factors(SignInContext(12, False, False), DEFAULT) == frozenset()


@pytest.mark.parametrize(
    ("start", "end", "usual", "unusual"),
    [
        (6, 22, [6, 12, 21], [22, 23, 0, 5]),
        (22, 6, [22, 23, 0, 5], [6, 12, 21]),  # a night shift: the span wraps midnight
        (0, 24, list(range(24)), []),
        (9, 9, list(range(24)), []),
    ],
)
def test_usual_hours(start: int, end: int, usual: list[int], unusual: list[int]) -> None:
    policy = RiskPolicy(usual_hours_start=start, usual_hours_end=end)
    assert all(is_usual_hour(hour, policy) for hour in usual)
    assert not any(is_usual_hour(hour, policy) for hour in unusual)


@pytest.mark.parametrize(
    ("challenge_from", "challenged"),
    [
        (RiskLevel.LOW, [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]),
        (RiskLevel.MEDIUM, [RiskLevel.MEDIUM, RiskLevel.HIGH]),
        (RiskLevel.HIGH, [RiskLevel.HIGH]),
    ],
)
def test_needs_challenge_from_the_policy_level(
    challenge_from: RiskLevel, challenged: list[RiskLevel]
) -> None:
    policy = RiskPolicy(challenge_from=challenge_from)
    assert [level for level in RiskLevel if needs_challenge(level, policy)] == challenged


def test_a_policy_refuses_impossible_hours() -> None:
    with pytest.raises(ValueError, match="outside"):
        RiskPolicy(usual_hours_start=-1)


NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HOME = {"sourceIp": "203.0.113.42", "deviceId": "laptop"}


@pytest.mark.parametrize(
    ("current", "last", "new_device", "new_network"),
    [
        (HOME, HOME, False, False),
        ({"sourceIp": "203.0.113.7", "deviceId": "laptop"}, HOME, False, False),  # same /24
        ({"sourceIp": "198.51.100.1", "deviceId": "laptop"}, HOME, False, True),
        ({"sourceIp": "203.0.113.42", "deviceId": "phone"}, HOME, True, False),
        (HOME, None, True, True),  # never signed in before
        ({}, HOME, True, True),  # nothing reported: unknown counts as new
        ({"sourceIp": "not-an-ip", "deviceId": ""}, HOME, True, True),
        (
            {"sourceIp": "2001:db8:1:2::1", "deviceId": "x"},
            {"sourceIp": "2001:db8:1:9::5", "deviceId": "x"},
            False,
            False,
        ),
    ],
)
def test_sign_in_context(
    current: dict[str, str], last: dict[str, str] | None, new_device: bool, new_network: bool
) -> None:
    previous = fingerprint(last) if last is not None else None
    context = sign_in_context(NOON, fingerprint(current), previous)
    assert context == SignInContext(12, new_device, new_network)


def test_fingerprints_are_hashes_and_ignore_oversized_values() -> None:
    printed = fingerprint(HOME)
    assert set(printed) == {NETWORK_HASH, DEVICE_HASH}
    assert all(len(value) == 32 and "203.0.113" not in value for value in printed.values())
    assert fingerprint({"sourceIp": "203.0.113.42" + " " * 300, "deviceId": "d" * 257}) == {}
