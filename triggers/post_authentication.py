"""PostAuthentication trigger: record the sign-in on the profile; never raises.

Sets ``profile.lastLoginAt`` and ``updatedAt`` (and ``lastSignIn``, the hashed network/device
fingerprint the risk decision compares against, when the API reported one in client metadata).
A user without a profile (created by an administrator, so PostConfirmation never ran) gets one,
created with the same conditional write as PostConfirmation's. A failing PostAuthentication
trigger would block an otherwise valid sign-in, so every error is logged and swallowed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PostAuthenticationTriggerEvent,
)

from triggers import clients, clock
from triggers.config import get_config
from triggers.logs import Event, logger, trigger_handler
from triggers.profile import LAST_SIGN_IN, ProfileTable, profile_from_attributes
from triggers.signin import fingerprint


def _record_login(trigger: PostAuthenticationTriggerEvent) -> None:
    config = get_config()
    if not config.platform_table_name:
        return
    attributes = trigger.request.user_attributes
    user_id = attributes.get("sub")
    if not user_id:
        logger.warning("no sub in userAttributes: login not recorded")
        return
    now = clock.iso(clock.utc_now())
    sign_in = fingerprint(trigger.request.client_metadata)
    if sign_in:
        sign_in["at"] = now

    def new_item() -> dict[str, Any]:
        item = profile_from_attributes(attributes, now=now, last_login_at=now)
        if sign_in:
            item[LAST_SIGN_IN] = sign_in
        return item

    table = ProfileTable(clients.dynamodb(trigger.region), config.platform_table_name)
    outcome = table.record_login(user_id, now=now, sign_in=sign_in or None, new_item=new_item)
    if outcome == "skipped":
        logger.warning("profile item has no profile map: login not recorded", user_id=user_id)
    else:
        logger.info(f"login recorded (profile {outcome})", user_id=user_id)


@trigger_handler
def handler(event: Event, context: object) -> Event:
    """Record the login time on the user's profile; errors are logged, never raised."""
    trigger = PostAuthenticationTriggerEvent(event)
    try:
        _record_login(trigger)
    except Exception:
        logger.exception("login bookkeeping failed (sign-in unaffected)")
    return event
