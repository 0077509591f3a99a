"""PreSignUp trigger: the email-domain allow-list, and auto-confirm/auto-verify as configured.

Sources, each handled explicitly:

* ``PreSignUp_SignUp`` (self sign-up): allow-list, then ``autoConfirmUser``/``autoVerifyEmail``
  from ``AUTO_CONFIRM_USERS``/``AUTO_VERIFY_EMAIL``;
* ``PreSignUp_AdminCreateUser``: allow-list only; the administrator's call decides the rest;
* ``PreSignUp_ExternalProvider``: allow-list only; an identity provider's email is not marked
  verified here (not every provider verifies emails, and a verified email can link accounts).

A refusal raises ``TriggerRejection(EMAIL_DOMAIN_NOT_ALLOWED)``; an invalid configuration raises
``ConfigError`` (every sign-up then fails, loudly, rather than running with half a policy).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PreSignUpTriggerEvent,
)

from triggers.config import get_config
from triggers.logs import Event, logger, trigger_handler
from triggers.reasons import EMAIL_DOMAIN_NOT_ALLOWED, TriggerRejection

SIGN_UP = "PreSignUp_SignUp"
ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"
EXTERNAL_PROVIDER = "PreSignUp_ExternalProvider"


def email_domain(email: str) -> str | None:
    """The lower-cased domain of an address, or None when it is not ``local@domain``."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        return None
    return domain.lower().rstrip(".")


def domain_allowed(email: str, allowed: frozenset[str]) -> bool:
    """True when no allow-list is configured or the email's domain is on it (exact match)."""
    if not allowed:
        return True
    domain = email_domain(email)
    return domain is not None and domain in allowed


@trigger_handler
def handler(event: Event, context: object) -> Event:
    """Refuse sign-ups from domains not allowed; set the auto-confirm flags for self sign-up."""
    config = get_config()
    trigger = PreSignUpTriggerEvent(event)
    source = trigger.trigger_source
    email = trigger.request.user_attributes.get("email", "")
    if not domain_allowed(email, config.allowed_email_domains):
        logger.info("sign-up refused: email domain not allowed")
        raise TriggerRejection(EMAIL_DOMAIN_NOT_ALLOWED)
    if source == SIGN_UP:
        trigger.response.auto_confirm_user = config.auto_confirm_users
        trigger.response.auto_verify_email = config.auto_verify_email
    elif source == ADMIN_CREATE_USER:
        logger.debug("administrator-created user: flags left to the administrator")
    elif source == EXTERNAL_PROVIDER:
        logger.debug("federated user: email not auto-verified")
    else:
        logger.warning("unexpected PreSignUp source: allow-list applied, flags left unset")
    return event
