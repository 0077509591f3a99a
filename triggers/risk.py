"""The sign-in risk decision: a pure function of what is known about one sign-in attempt.

Factors are counted (seed "Risk-Based Adaptive Authentication"): none is LOW, one is MEDIUM, two or
more is HIGH. ``RiskPolicy.challenge_from`` says from which level the custom auth flow asks for an
emailed one-time code (see ``define_auth_challenge``). Unknown device or network counts as new:
missing information must never lower the risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class RiskLevel(IntEnum):
    """How risky a sign-in looks; ordered so that levels compare."""

    LOW = 0
    MEDIUM = 1
    HIGH = 2


class RiskFactor(StrEnum):
    """One reason a sign-in looks unusual."""

    UNUSUAL_HOUR = "UNUSUAL_HOUR"
    NEW_DEVICE = "NEW_DEVICE"
    NEW_NETWORK = "NEW_NETWORK"


@dataclass(frozen=True)
class RiskPolicy:
    """The tunable part of the decision (``RISK_USUAL_HOURS``, ``RISK_CHALLENGE_LEVEL``)."""

    # UTC hours, start inclusive, end exclusive; an end before the start wraps past midnight.
    usual_hours_start: int = 6
    usual_hours_end: int = 22
    challenge_from: RiskLevel = RiskLevel.MEDIUM

    def __post_init__(self) -> None:
        for hour in (self.usual_hours_start, self.usual_hours_end):
            if not 0 <= hour <= 24:
                raise ValueError(f"hour {hour} is outside 0..24")


@dataclass(frozen=True)
class SignInContext:
    """What the define-auth-challenge trigger knows about one sign-in."""

    hour_utc: int
    new_device: bool
    new_network: bool


def is_usual_hour(hour: int, policy: RiskPolicy) -> bool:
    """True when the hour lies in the policy's usual span (which may wrap midnight)."""
    start, end = policy.usual_hours_start, policy.usual_hours_end
    if start == end:
        return True  # an empty span would flag every hour; equal bounds mean "any hour is usual"
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def risk_factors(context: SignInContext, policy: RiskPolicy) -> frozenset[RiskFactor]:
    """The factors that make this sign-in look unusual."""
    factors: set[RiskFactor] = set()
    if not is_usual_hour(context.hour_utc, policy):
        factors.add(RiskFactor.UNUSUAL_HOUR)
    if context.new_device:
        factors.add(RiskFactor.NEW_DEVICE)
    if context.new_network:
        factors.add(RiskFactor.NEW_NETWORK)
    return frozenset(factors)


def assess_risk(context: SignInContext, policy: RiskPolicy | None = None) -> RiskLevel:
    """Rate a sign-in: no unusual factor is LOW, one is MEDIUM, two or more is HIGH."""
    count = len(risk_factors(context, policy or RiskPolicy()))
    return RiskLevel(min(count, RiskLevel.HIGH))


def needs_challenge(level: RiskLevel, policy: RiskPolicy) -> bool:
    """True when the level calls for the emailed one-time code."""
    return level >= policy.challenge_from
