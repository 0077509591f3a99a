"""PostConfirmation trigger: create the platform profile and announce the new user, once.

Only ``PostConfirmation_ConfirmSignUp`` does anything; ``PostConfirmation_ConfirmForgotPassword``
(Cognito fires this trigger after a password reset too) leaves everything untouched. The handler
never raises: a DynamoDB or SNS failure is logged and the confirmation goes through.

Once per user, under retries (Cognito retries a slow trigger) and partial failures:

1. the profile is written with ``attribute_not_exists(userId)``: a retry finds it and goes on;
2. the welcome marker ``welcomeSentAt`` is claimed on the profile with ``attribute_not_exists``:
   only the invocation that sets it publishes, so no retry sends a second message;
3. if publishing fails, the marker is removed again (conditioned on our own timestamp) so that a
   later retry can still send it.

A crash between claim and publish leaves the marker without a message: the message is sent at most
once, never twice, and such users can be found by their marker. Without ``PLATFORM_TABLE_NAME``
nothing is written and nothing is published (once-only could not be guaranteed).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PostConfirmationTriggerEvent,
)

from triggers import clients, clock
from triggers.config import get_config
from triggers.logs import Event, logger, trigger_handler
from triggers.profile import ProfileTable, profile_from_attributes
from triggers.welcome import publish_welcome

CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp"
CONFIRM_FORGOT_PASSWORD = "PostConfirmation_ConfirmForgotPassword"  # noqa: S105  # a source


def _welcome_new_user(trigger: PostConfirmationTriggerEvent) -> None:
    config = get_config()
    if not config.platform_table_name:
        logger.info("PLATFORM_TABLE_NAME not set: no profile, no welcome message")
        return
    attributes = trigger.request.user_attributes
    user_id = attributes["sub"]
    now = clock.iso(clock.utc_now())
    table = ProfileTable(clients.dynamodb(trigger.region), config.platform_table_name)
    created = table.create(profile_from_attributes(attributes, now=now))
    logger.info("profile created" if created else "profile already present", user_id=user_id)
    if not config.welcome_topic_arn:
        return
    if not table.claim_welcome(user_id, now):
        logger.info("welcome message already sent", user_id=user_id)
        return
    try:
        message_id = publish_welcome(
            clients.sns(trigger.region),
            config.welcome_topic_arn,
            user_id=user_id,
            email=attributes.get("email", ""),
            now=now,
        )
    except Exception:
        logger.exception("welcome message not published", user_id=user_id)
        try:
            table.release_welcome(user_id, now)
        except Exception:
            logger.exception("welcome marker not released: no retry will send it", user_id=user_id)
        return
    logger.info("welcome message published", user_id=user_id, message_id=message_id)


@trigger_handler
def handler(event: Event, context: object) -> Event:
    """Create the profile and publish the welcome message after sign-up confirmation only."""
    trigger = PostConfirmationTriggerEvent(event)
    source = trigger.trigger_source
    if source == CONFIRM_SIGN_UP:
        try:
            _welcome_new_user(trigger)
        except Exception:
            # Never fail the confirmation: the user is confirmed either way, and a missing profile
            # is created on first sign-in (PostAuthentication) or first sight (GET /me).
            logger.exception("post-confirmation bookkeeping failed")
    elif source == CONFIRM_FORGOT_PASSWORD:
        logger.info("password reset confirmed: profile untouched")
    else:
        logger.warning("unexpected PostConfirmation source: nothing done")
    return event
