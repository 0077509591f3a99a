"""Password reset and change, attribute updates with verification, and account deletion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from local_cognito.aws_layer import INVALID_CODE
from local_cognito.ops.sign_up import confirm_user
from local_cognito.wire import AwsError, Call, Reply, attributes_of, email_delivery, pairs

if TYPE_CHECKING:
    from local_cognito.aws_layer import AwsBehaviourLayer


def forgot_password(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """ForgotPassword: a code to the verified email; a simulated answer for unknown users."""
    pool, _, username = layer.public_call(call)
    user = pool._get_user(username)
    if user is None:
        # PreventUserExistenceErrors: the same answer as for a real account.
        return Reply.json(200, {"CodeDeliveryDetails": email_delivery(username.lower())})
    if user.attribute_lookup.get("email_verified") != "true":
        raise AwsError(
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or "
            "phone_number",
        )
    return Reply.json(200, {"CodeDeliveryDetails": layer.send_code(pool, user, "forgot_password")})


def confirm_forgot_password(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """ConfirmForgotPassword: checks the code and (unlike moto) the password policy."""
    pool, client, username = layer.public_call(call)
    user = pool._get_user(username)
    if user is None:
        raise AwsError("CodeMismatchException", INVALID_CODE)
    password = str(call.params.get("Password", ""))
    layer.check_password_policy(pool, password)
    code = str(call.params.get("ConfirmationCode", ""))
    layer.consume_code(pool, user, "forgot_password", code)
    user.password = password
    confirm_user(user)
    layer.triggers.invoke(
        "PostConfirmation_ConfirmForgotPassword",
        pool,
        client.id,
        user,
        {
            "userAttributes": attributes_of(user),
            "clientMetadata": call.params.get("ClientMetadata") or {},
        },
    )
    return Reply.json(200, {})


def change_password(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """ChangePassword: the previous password must match and the new one meet the policy."""
    pool, user = layer.user_by_access_token(str(call.params.get("AccessToken", "")))
    if call.params.get("PreviousPassword") != user.password:
        raise AwsError("NotAuthorizedException", "Incorrect username or password.")
    layer.check_password_policy(pool, str(call.params.get("ProposedPassword", "")))
    user.password = call.params["ProposedPassword"]
    return Reply.json(200, {})


def update_user_attributes(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """UpdateUserAttributes: a new email waits for verification; the old one stays the sign-in."""
    pool, user = layer.user_by_access_token(str(call.params.get("AccessToken", "")))
    changes = pairs(call.params.get("UserAttributes"))
    new_email = changes.pop("email", None)
    writable = {"given_name", "family_name"}
    if not set(changes) <= writable:
        raise AwsError(
            "NotAuthorizedException", "A client attempted to write unauthorized attribute"
        )
    if changes:
        user.update_attributes([{"Name": k, "Value": v} for k, v in changes.items()])
    deliveries = []
    if new_email is not None:
        new_email = layer.canonical_username(pool, new_email)
        if new_email != user.attribute_lookup.get("email"):
            if pool._get_user(new_email) is not None:
                raise AwsError(
                    "AliasExistsException", "An account with the given email already exists."
                )
            # AttributesRequireVerificationBeforeUpdate=[email]: keep the old address until the
            # new one is verified with the code sent to it.
            layer.pending_emails[user.id] = new_email
            deliveries.append(layer.send_code(pool, user, "attribute", to=new_email))
    return Reply.json(200, {"CodeDeliveryDetailsList": deliveries})


def get_user_attribute_verification_code(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """GetUserAttributeVerificationCode: resend the code for a pending email."""
    pool, user = layer.user_by_access_token(str(call.params.get("AccessToken", "")))
    if call.params.get("AttributeName") != "email":
        raise AwsError("InvalidParameterException", "Only email can be verified here.")
    to = layer.pending_emails.get(user.id) or user.attribute_lookup.get("email", "")
    return Reply.json(200, {"CodeDeliveryDetails": layer.send_code(pool, user, "attribute", to=to)})


def verify_user_attribute(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """VerifyUserAttribute: the code switches the email over and marks it verified."""
    pool, user = layer.user_by_access_token(str(call.params.get("AccessToken", "")))
    if call.params.get("AttributeName") != "email":
        raise AwsError("InvalidParameterException", "Only email can be verified here.")
    layer.consume_code(pool, user, "attribute", str(call.params.get("Code", "")))
    new_email = layer.pending_emails.pop(user.id, None)
    updates = [{"Name": "email_verified", "Value": "true"}]
    if new_email is not None:
        updates.append({"Name": "email", "Value": new_email})
        _rekey_tokens(pool, user)
    user.update_attributes(updates)
    return Reply.json(200, {})


def _rekey_tokens(pool: Any, user: Any) -> None:  # moto objects
    # moto files tokens under the sign-in string (the old email); AWS ties them to the user. Re-file
    # them under the internal username so they survive the email change.
    for token, (client_id, name) in list(pool.access_tokens.items()):
        if pool._get_user(name) is user:
            pool.access_tokens[token] = (client_id, user.username)
    for token, entry in list(pool.refresh_tokens.items()):
        if entry is not None and pool._get_user(entry[1]) is user:
            pool.refresh_tokens[token] = (entry[0], user.username, entry[2])


def delete_user(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """DeleteUser (not in moto): the user and all their tokens go."""
    pool, user = layer.user_by_access_token(str(call.params.get("AccessToken", "")))
    # moto keys tokens by the sign-in string, so match them through the user they resolve to.
    for token, (_, name) in list(pool.access_tokens.items()):
        if pool._get_user(name) is user:
            del pool.access_tokens[token]
    for token, entry in list(pool.refresh_tokens.items()):
        if entry is not None and pool._get_user(entry[1]) is user:
            pool.refresh_tokens[token] = None
    for key, candidate in list(pool.users.items()):
        if candidate is user:
            del pool.users[key]
    layer.pending_emails.pop(user.id, None)
    return Reply.json(200, {})
