"""PreAuthentication trigger: refuse sign-in to users on the deny list, never on its own errors.

Deny list: ``DENY_LIST`` (emails, subs or usernames, case-insensitive) and, when
``PLATFORM_TABLE_NAME`` is set, a block item ``userId = <sub>``, ``imageId = "user_deny"``.
A listed user gets ``TriggerRejection(USER_BLOCKED)`` (Cognito: "PreAuthentication failed with error
USER_BLOCKED."). A failure to read the table or the configuration lets the sign-in through (fail
open) and is logged at error level: this bookkeeping must not lock every user out.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PreAuthenticationTriggerEvent,
)

from triggers import clients
from triggers.config import get_config
from triggers.deny import blocked_in_table, identities, listed
from triggers.logs import Event, logger, trigger_handler
from triggers.reasons import USER_BLOCKED, TriggerRejection


def _is_blocked(trigger: PreAuthenticationTriggerEvent) -> bool:
    attributes = trigger.request.user_attributes
    try:
        config = get_config()
    except Exception:
        logger.exception("deny check skipped: invalid configuration (sign-in allowed)")
        return False
    if listed(identities(trigger.user_name, attributes), config.deny_list):
        return True
    user_id = attributes.get("sub", "")
    if not config.platform_table_name or not user_id:
        return False
    try:
        return blocked_in_table(
            clients.dynamodb(trigger.region), config.platform_table_name, user_id
        )
    except Exception:
        logger.exception("deny check failed: table unreadable (sign-in allowed)", user_id=user_id)
        return False


@trigger_handler
def handler(event: Event, context: object) -> Event:
    """Raise ``USER_BLOCKED`` for a denied user; otherwise let the sign-in continue."""
    trigger = PreAuthenticationTriggerEvent(event)
    if trigger.request.user_not_found:
        return event  # PreventUserExistenceErrors: Cognito fails the sign-in itself, identically
    if _is_blocked(trigger):
        user_id = trigger.request.user_attributes.get("sub")
        logger.info("sign-in refused: user blocked", user_id=user_id)
        raise TriggerRejection(USER_BLOCKED)
    return event
