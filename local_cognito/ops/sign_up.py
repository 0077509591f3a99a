"""SignUp, ConfirmSignUp and ResendConfirmationCode as AWS answers them."""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING, Any

from local_cognito.aws_layer import INVALID_CODE
from local_cognito.wire import AwsError, Call, Reply, attributes_of, email_delivery, pairs

if TYPE_CHECKING:
    from local_cognito.aws_layer import AwsBehaviourLayer


def confirm_user(user: Any) -> None:  # a moto user
    """Mark a user CONFIRMED, as ConfirmSignUp or an auto-confirming trigger does."""
    from moto.cognitoidp.models import UserStatus

    user.status = UserStatus.CONFIRMED


def sign_up(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """SignUp: SECRET_HASH, case-insensitive names, PreSignUp, and a real emailed code."""
    pool, client, _ = layer.public_call(call)
    if pool._get_user(call.params["Username"]) is not None:
        raise AwsError("UsernameExistsException", "An account with the given email already exists.")
    attributes = pairs(call.params.get("UserAttributes"))
    attributes.setdefault("email", call.params["Username"])
    internal_username = str(uuid.uuid4())
    decision = layer.triggers.invoke(
        "PreSignUp_SignUp",
        pool,
        client.id,
        None,
        {
            "userAttributes": attributes,
            "validationData": pairs(call.params.get("ValidationData")),
            "clientMetadata": call.params.get("ClientMetadata") or {},
            "username": call.params["Username"],
            "user_name": internal_username,
        },
    )
    reply = layer.forward(call)
    if reply.status != 200:
        return reply
    payload = reply.payload()
    user = pool.users.get(payload.get("UserSub", "")) or pool._get_user(call.params["Username"])
    if pool.extended_config.get("UsernameAttributes"):
        # The user the trigger was told about is the user that exists (moto drew its own id).
        rename_user(pool, user, internal_username)
        payload["UserSub"] = internal_username
    if decision.get("autoVerifyEmail"):
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    if decision.get("autoConfirmUser"):
        confirm_user(user)
        payload["UserConfirmed"] = True
        payload.pop("CodeDeliveryDetails", None)
        return Reply.json(200, payload)
    # moto generates no code; AWS emails one.
    payload["CodeDeliveryDetails"] = layer.send_code(pool, user, "signup")
    return Reply.json(200, payload)


def rename_user(pool: Any, user: Any, internal_username: str) -> None:  # a moto pool and user
    """Give a new email-as-username user the internal username (= sub) AWS would have drawn."""
    del pool.users[user.username]
    user.id = user.username = internal_username
    user.update_attributes([{"Name": "sub", "Value": internal_username}])
    pool.users[internal_username] = user


def admin_create_user(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """AdminCreateUser: PreSignUp_AdminCreateUser first, and the invitation in the outbox."""
    pool = layer.pool_by_id(call.params.get("UserPoolId", ""))
    username = layer.canonical_username(pool, str(call.params.get("Username", "")))
    call.params["Username"] = username
    resend = call.params.get("MessageAction") == "RESEND"
    attributes = pairs(call.params.get("UserAttributes"))
    if pool.extended_config.get("UsernameAttributes"):
        attributes.setdefault("email", username)
    decision: dict[str, Any] = {}
    internal_username = str(uuid.uuid4())
    if not resend:
        decision = layer.triggers.invoke(
            "PreSignUp_AdminCreateUser",
            pool,
            None,
            None,
            {
                "userAttributes": attributes,
                "validationData": pairs(call.params.get("ValidationData")),
                "clientMetadata": call.params.get("ClientMetadata") or {},
                "username": username,
                "user_name": internal_username,
            },
        )
    # moto creates a user with no password when none is given; AWS generates one and emails it.
    temporary = str(call.params.get("TemporaryPassword") or temporary_password())
    call.params["TemporaryPassword"] = temporary
    reply = layer.forward(call)
    if reply.status != 200:
        return reply
    user = pool._get_user(username)
    if not resend and user is not None and pool.extended_config.get("UsernameAttributes"):
        rename_user(pool, user, internal_username)
        reply = _renamed(reply, internal_username)
    if decision.get("autoVerifyEmail") and user is not None:
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    email = attributes.get("email", "")
    if call.params.get("MessageAction") != "SUPPRESS" and email and user is not None:
        template = (pool.extended_config.get("AdminCreateUserConfig") or {}).get(
            "InviteMessageTemplate"
        ) or {}
        body = template.get(
            "EmailMessage", "Your username is {username} and temporary password is {####}."
        )
        layer.outbox.send(
            email,
            template.get("EmailSubject", "Your temporary password"),
            body.replace("{username}", email).replace("{####}", temporary),
            temporary,
            "invitation",
        )
    return reply


def _renamed(reply: Reply, internal_username: str) -> Reply:
    payload = reply.payload()
    created = payload.get("User")
    if isinstance(created, dict):
        created["Username"] = internal_username
        for attribute in created.get("Attributes") or []:
            if attribute.get("Name") == "sub":
                attribute["Value"] = internal_username
    return Reply.json(reply.status, payload)


def temporary_password() -> str:
    """A temporary password that meets the seed's policy (upper, lower, digit, symbol, 8+)."""
    return f"Tmp-{secrets.token_urlsafe(9)}-a1A!"


def confirm_sign_up(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """ConfirmSignUp: the code must be the one sent, unexpired, and is used up."""
    pool, client, username = layer.public_call(call)
    user = pool._get_user(username)
    if user is None:
        # PreventUserExistenceErrors: an unknown user looks like a wrong code.
        raise AwsError("CodeMismatchException", INVALID_CODE)
    if user.status.value == "CONFIRMED":
        raise AwsError(
            "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"
        )
    code = str(call.params.get("ConfirmationCode", ""))
    layer.consume_code(pool, user, "signup", code)
    reply = layer.forward(call)
    if reply.status != 200:
        return reply
    if "email" in (pool.extended_config.get("AutoVerifiedAttributes") or []):
        # Confirming by emailed code proves the address; AWS marks it verified, moto does not.
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    layer.triggers.invoke(
        "PostConfirmation_ConfirmSignUp",
        pool,
        client.id,
        user,
        {
            "userAttributes": attributes_of(user),
            "clientMetadata": call.params.get("ClientMetadata") or {},
        },
    )
    return reply


def resend_confirmation_code(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """ResendConfirmationCode, which moto does not implement."""
    pool, _, username = layer.public_call(call)
    user = pool._get_user(username)
    if user is None:
        # PreventUserExistenceErrors: AWS simulates a delivery for unknown users.
        return Reply.json(200, {"CodeDeliveryDetails": email_delivery(username.lower())})
    if user.status.value != "UNCONFIRMED":
        raise AwsError("InvalidParameterException", "User is already confirmed.")
    return Reply.json(200, {"CodeDeliveryDetails": layer.send_code(pool, user, "signup")})
