"""CreateAuthChallenge trigger: email a one-time code for the custom challenge.

For ``CUSTOM_CHALLENGE`` only. The first time in a session it generates a code and publishes it to
``CHALLENGE_TOPIC_ARN`` for emailing; after a wrong answer it re-asks for the same code (carried in
``challengeMetadata``) without mailing again. The client sees ``publicChallengeParameters``:
``challenge`` (``EMAIL_OTP``), ``deliveryMedium`` (``EMAIL``), ``destination`` (masked address),
``codeLength`` and ``attemptsRemaining``; it answers with the code as ``ANSWER``. If the code cannot
be sent the trigger raises ``TriggerRejection(CHALLENGE_DELIVERY_FAILED)``: a challenge nobody can
answer would only burn the user's attempts.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    CreateAuthChallengeTriggerEvent,
)

from triggers import clients
from triggers.challenge import (
    CODE_KEY,
    CODE_LENGTH,
    CUSTOM_CHALLENGE,
    EMAIL_OTP,
    MAX_WRONG_ANSWERS,
    code_from_metadata,
    mask_email,
    metadata_for,
    new_code,
    send_code,
)
from triggers.config import get_config
from triggers.logs import Event, logger, trigger_handler
from triggers.reasons import CHALLENGE_DELIVERY_FAILED, TriggerRejection


def _deliver(trigger: CreateAuthChallengeTriggerEvent, email: str, code: str) -> None:
    topic_arn = get_config().challenge_topic_arn
    if not topic_arn:
        raise RuntimeError("CHALLENGE_TOPIC_ARN is not set")
    if not email:
        raise RuntimeError("the user has no email address")
    send_code(
        clients.sns(trigger.region),
        topic_arn,
        user_id=trigger.request.user_attributes.get("sub", ""),
        email=email,
        code=code,
    )


@trigger_handler
def handler(event: Event, context: object) -> Event:
    """Issue (or re-issue) the emailed-code challenge."""
    trigger = CreateAuthChallengeTriggerEvent(event)
    if trigger.request.challenge_name != CUSTOM_CHALLENGE:
        logger.warning("create trigger called for a challenge it does not make: nothing done")
        return event
    previous = [
        item
        for item in trigger.request.get("session") or []
        if isinstance(item, dict) and item.get("challengeName") == CUSTOM_CHALLENGE
    ]
    attributes = trigger.request.user_attributes
    email = attributes.get("email", "")
    code = code_from_metadata(previous[-1].get("challengeMetadata")) if previous else None
    if code is None:
        code = new_code()
        if not trigger.request.user_not_found:
            try:
                _deliver(trigger, email, code)
            except Exception as exc:
                logger.exception("sign-in code not sent")
                raise TriggerRejection(CHALLENGE_DELIVERY_FAILED) from exc
            logger.info("sign-in code sent", user_id=attributes.get("sub"))
    response = trigger.response
    response.public_challenge_parameters = {
        "challenge": EMAIL_OTP,
        "deliveryMedium": "EMAIL",
        "destination": mask_email(email or trigger.user_name),
        "codeLength": str(CODE_LENGTH),
        "attemptsRemaining": str(max(MAX_WRONG_ANSWERS - len(previous), 0)),
    }
    response.private_challenge_parameters = {CODE_KEY: code}
    response.challenge_metadata = metadata_for(code)
    return event
