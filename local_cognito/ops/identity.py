"""cognito-identity GetId and GetCredentialsForIdentity as AWS answers them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jose import jwt
from jose.exceptions import JWTError

from local_cognito.wire import AwsError, Call, Reply

if TYPE_CHECKING:
    from local_cognito.aws_layer import AwsBehaviourLayer


def _login_subject(layer: AwsBehaviourLayer, call: Call) -> tuple[str, str]:
    """The (provider, sub) of the call's single user-pool login; AWS checks it, moto does not."""
    logins: dict[str, str] = call.params.get("Logins") or {}
    if len(logins) != 1:
        raise AwsError("NotAuthorizedException", "Invalid login token.")
    ((provider, token),) = logins.items()
    try:
        claims: dict[str, Any] = jwt.get_unverified_claims(token)
    except JWTError:
        raise AwsError("NotAuthorizedException", "Invalid login token.") from None
    if claims.get("iss") != f"https://{provider}" or claims.get("token_use") != "id":
        raise AwsError("NotAuthorizedException", "Invalid login token. Not a Cognito ID token.")
    return provider, str(claims.get("sub", ""))


def get_id(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """GetId: one identity per user (moto makes a new one on every call)."""
    provider, sub = _login_subject(layer, call)
    key = (str(call.params.get("IdentityPoolId", "")), provider, sub)
    known = layer.identities.get(key)
    if known is not None:
        return Reply.json(200, {"IdentityId": known})
    reply = layer.forward(call)
    if reply.status == 200:
        layer.identities[key] = reply.payload()["IdentityId"]
    return reply


def get_credentials_for_identity(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """GetCredentialsForIdentity: only with the login that owns the identity."""
    provider, sub = _login_subject(layer, call)
    identity_id = call.params.get("IdentityId")
    if not any(
        value == identity_id and key[1:] == (provider, sub)
        for key, value in layer.identities.items()
    ):
        raise AwsError("NotAuthorizedException", "Logins don't match the identity.")
    return layer.forward(call)
