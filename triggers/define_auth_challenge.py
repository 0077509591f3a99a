"""DefineAuthChallenge trigger: password first, then an emailed code only when the sign-in is risky.

The flow (``AuthFlow=CUSTOM_AUTH``, started with ``CHALLENGE_NAME=SRP_A``), by the session so far:

* ``[SRP_A]`` → ask ``PASSWORD_VERIFIER`` (Cognito checks the password by SRP);
* ``[SRP_A, PASSWORD_VERIFIER ok]`` → assess the risk (``triggers.risk``): below the policy's
  challenge level, issue tokens; otherwise ask ``CUSTOM_CHALLENGE`` (the emailed code);
* ``[..., CUSTOM_CHALLENGE ok]`` → issue tokens;
* ``[..., CUSTOM_CHALLENGE wrong]`` → ask again, until 3 wrong answers, then fail;
* anything else (no password step, a failed password, an unknown challenge) → fail.

Never both a challenge and ``failAuthentication`` (the seed's fault), never ``SMS_MFA`` (not a
challenge this trigger can issue). The risk decision reads the client metadata of the
RespondToAuthChallenge call that answered the password (``sourceIp``, ``deviceId``; see
``triggers.signin``) and the user's last recorded sign-in; on any error it asks for the code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    ChallengeResult,
    DefineAuthChallengeTriggerEvent,
)

from triggers import clients, clock
from triggers.challenge import CUSTOM_CHALLENGE, MAX_WRONG_ANSWERS
from triggers.config import get_config
from triggers.logs import Event, logger, trigger_handler
from triggers.profile import ProfileTable
from triggers.risk import assess_risk, needs_challenge, risk_factors
from triggers.signin import fingerprint, sign_in_context

SRP_A = "SRP_A"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"  # noqa: S105  # a challenge name


@dataclass(frozen=True)
class Step:
    """What the define trigger answers: a next challenge, tokens, or failure (exactly one)."""

    challenge_name: str | None = None
    issue_tokens: bool = False
    fail_authentication: bool = False


ISSUE_TOKENS = Step(issue_tokens=True)
FAIL = Step(fail_authentication=True)


def next_step(session: Sequence[tuple[str, bool]], challenge_needed: Callable[[], bool]) -> Step:
    """Decide the next step from the session's (challenge name, result) pairs."""
    rest = list(session)
    if rest and rest[0][0] == SRP_A:
        if len(rest) == 1:
            return Step(challenge_name=PASSWORD_VERIFIER)
        rest = rest[1:]
    if not rest or rest[0] != (PASSWORD_VERIFIER, True):
        return FAIL
    answers = rest[1:]
    if any(name != CUSTOM_CHALLENGE for name, _ in answers):
        return FAIL
    if not answers:
        return Step(challenge_name=CUSTOM_CHALLENGE) if challenge_needed() else ISSUE_TOKENS
    if any(result for _, result in answers[:-1]):
        return FAIL  # tokens were due after that answer: this session is not one we produced
    if answers[-1][1]:
        return ISSUE_TOKENS
    if len(answers) >= MAX_WRONG_ANSWERS:
        return FAIL
    return Step(challenge_name=CUSTOM_CHALLENGE)


def _challenge_needed(trigger: DefineAuthChallengeTriggerEvent) -> bool:
    try:
        config = get_config()
        user_id = trigger.request.user_attributes.get("sub", "")
        last = None
        if config.platform_table_name and user_id:
            table = ProfileTable(clients.dynamodb(trigger.region), config.platform_table_name)
            last = table.last_sign_in(user_id)
        context = sign_in_context(
            clock.utc_now(), fingerprint(trigger.request.client_metadata), last
        )
        level = assess_risk(context, config.risk_policy)
        logger.info(
            "sign-in risk assessed",
            risk_level=level.name,
            risk_factors=sorted(risk_factors(context, config.risk_policy)),
        )
        return needs_challenge(level, config.risk_policy)
    except Exception:
        logger.exception("risk assessment failed: asking for the emailed code")
        return True


def session_pairs(raw_session: object) -> list[tuple[str, bool]]:
    """The session as (challenge name, result) pairs; tolerant of a missing session."""
    items = raw_session if isinstance(raw_session, list) else []
    results = [ChallengeResult(item) for item in items if isinstance(item, dict)]
    return [(result.challenge_name, result.challenge_result) for result in results]


@trigger_handler
def handler(event: Event, context: object) -> Event:
    """Set the next challenge, issue tokens, or fail the sign-in."""
    trigger = DefineAuthChallengeTriggerEvent(event)
    step = next_step(
        session_pairs(trigger.request.get("session")), lambda: _challenge_needed(trigger)
    )
    if step.issue_tokens and trigger.request.user_not_found:
        step = FAIL  # unreachable through a real password check; never mint tokens for no one
    response = trigger.response
    response.issue_tokens = step.issue_tokens
    response.fail_authentication = step.fail_authentication
    if step.challenge_name is not None:
        response.challenge_name = step.challenge_name
    logger.info(
        "auth step decided",
        next_challenge=step.challenge_name,
        issue_tokens=step.issue_tokens,
        fail_authentication=step.fail_authentication,
    )
    return event
