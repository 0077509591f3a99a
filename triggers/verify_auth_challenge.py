"""VerifyAuthChallengeResponse trigger: compare the answer with the emailed code in constant time.

``answerCorrect`` is true only when the private challenge parameters hold a code and the answer
equals it; the define trigger counts wrong answers and fails the sign-in after three.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    VerifyAuthChallengeResponseTriggerEvent,
)

from triggers.challenge import CODE_KEY, answer_matches
from triggers.logs import Event, logger, trigger_handler


@trigger_handler
def handler(event: Event, context: object) -> Event:
    """Set ``answerCorrect`` from the user's answer."""
    trigger = VerifyAuthChallengeResponseTriggerEvent(event)
    private = trigger.request.get("privateChallengeParameters") or {}
    expected = private.get(CODE_KEY, "") if isinstance(private, dict) else ""
    correct = not trigger.request.user_not_found and answer_matches(
        trigger.request.get("challengeAnswer"), expected
    )
    trigger.response.answer_correct = correct
    logger.info("challenge answer checked", answer_correct=correct)
    return event
