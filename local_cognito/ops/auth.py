"""InitiateAuth, RespondToAuthChallenge and RevokeToken as AWS answers them."""

from __future__ import annotations

import hmac
import re
from typing import TYPE_CHECKING, Any

from jose import jwt

from app.cognito.secret_hash import secret_hash
from local_cognito.ops import mfa_setup
from local_cognito.wire import AwsError, Call, Reply, attributes_of

if TYPE_CHECKING:
    from local_cognito.aws_layer import AwsBehaviourLayer

BAD_CREDENTIALS = "Incorrect username or password."
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9\-_=.]+")  # RevokeToken's Token, per the API reference


def initiate_auth(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """InitiateAuth: SECRET_HASH per AWS, triggers, and no user-existence leaks."""
    pool, client = layer.pool_and_client(call.params.get("ClientId", ""))
    flow = call.params.get("AuthFlow", "")
    params: dict[str, str] = call.params.setdefault("AuthParameters", {})
    if flow == "USER_PASSWORD_AUTH":
        return _password_auth(layer, call, pool, client, params)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        _correct_refresh_hash(pool, client, params)
    if flow == "CUSTOM_AUTH":
        reply: Reply = layer.triggers.custom_auth(layer, call)
        layer.note_session(reply)
        return reply
    return layer.forward(call)


def _password_auth(
    layer: AwsBehaviourLayer, call: Call, pool: Any, client: Any, params: dict[str, str]
) -> Reply:
    username = params.get("USERNAME", "")
    layer.check_secret_hash(client, username, params.get("SECRET_HASH"))
    params["USERNAME"] = layer.canonical_username(pool, username)
    user = pool._get_user(params["USERNAME"])
    # PreventUserExistenceErrors: AWS runs PreAuthentication for unknown users too, flagged.
    prevent = client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"
    if user is not None or prevent:
        layer.triggers.invoke(
            "PreAuthentication_Authentication",
            pool,
            client.id,
            user,
            {
                "userAttributes": attributes_of(user) if user is not None else {},
                "validationData": call.params.get("ClientMetadata") or {},
                "userNotFound": user is None,
                "username": params["USERNAME"],
            },
        )
    reply = layer.forward(call)
    if reply.error_type == "UserNotFoundException":
        # PreventUserExistenceErrors: AWS answers an unknown user like a wrong password.
        return Reply.error("NotAuthorizedException", BAD_CREDENTIALS)
    reply = mfa_setup.require_setup(layer, pool, user, reply)
    if reply.status == 200 and "AuthenticationResult" in reply.payload():
        layer.after_authentication(pool, client.id, user, call)
    layer.note_session(reply)
    return _name_the_user(reply, user)


def _name_the_user(reply: Reply, user: Any) -> Reply:  # a moto user
    """AWS names the internal username in every challenge's parameters; moto sometimes not."""
    payload = reply.payload()
    if reply.status != 200 or "ChallengeName" not in payload or user is None:
        return reply
    parameters = mfa_setup.aws_parameters(payload.setdefault("ChallengeParameters", {}))
    parameters.setdefault("USER_ID_FOR_SRP", user.username)
    parameters.setdefault("USERNAME", user.username)
    return Reply.json(200, payload)


def _correct_refresh_hash(pool: Any, client: Any, params: dict[str, str]) -> None:
    from local_cognito.aws_layer import AwsBehaviourLayer

    entry = pool.refresh_tokens.get(params.get("REFRESH_TOKEN", ""))
    if entry is None:
        return  # unknown or revoked: moto answers NotAuthorizedException itself
    token_client_id, signed_in_as, _ = entry
    if token_client_id != client.id:
        raise AwsError("NotAuthorizedException", "Invalid Refresh Token")
    user = pool._get_user(signed_in_as)
    # AWS hashes the internal username (the UUID); moto wants the sign-in string (the email).
    # Check the AWS rule, then re-sign for moto.
    AwsBehaviourLayer.check_secret_hash(client, user.username, params.get("SECRET_HASH"))
    if client.generate_secret:
        params["SECRET_HASH"] = secret_hash(signed_in_as, client.id, client.secret)


def respond_to_auth_challenge(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """RespondToAuthChallenge: sessions expire, SECRET_HASH over the internal username."""
    pool, client = layer.pool_and_client(call.params.get("ClientId", ""))
    if layer.triggers.handles_session(str(call.params.get("Session", ""))):
        # A CUSTOM_AUTH sign-in: its PASSWORD_VERIFIER and CUSTOM_CHALLENGE steps.
        reply: Reply = layer.triggers.custom_auth(layer, call)
        layer.note_session(reply)
        return reply
    session = str(call.params.get("Session", ""))
    layer.check_session(session)
    backend_sessions = layer._backend().sessions
    if session not in backend_sessions:
        raise AwsError("NotAuthorizedException", "Invalid session for the user.")
    signed_in_as, _ = backend_sessions[session]
    user = pool._get_user(signed_in_as)
    if user is None:
        raise AwsError("NotAuthorizedException", "Invalid session for the user.")
    responses: dict[str, str] = call.params.setdefault("ChallengeResponses", {})
    layer.check_secret_hash(client, user.username, responses.get("SECRET_HASH"))
    given = responses.get("USERNAME", "")
    if not hmac.compare_digest(given, user.username) and pool._get_user(given) is not user:
        raise AwsError("NotAuthorizedException", BAD_CREDENTIALS)
    responses["USERNAME"] = user.username
    if client.generate_secret:
        responses["SECRET_HASH"] = secret_hash(user.username, client.id, client.secret)
    if call.params.get("ChallengeName") == "MFA_SETUP":
        reply = mfa_setup.answer(layer, call, session, user)
    else:
        reply = layer.forward(call)
    if reply.status == 200 and "AuthenticationResult" in reply.payload():
        layer.after_authentication(pool, client.id, user, call)
    layer.note_session(reply)
    return _name_the_user(reply, user)


def revoke_token(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """RevokeToken (not in moto): the refresh token and the access tokens it issued stop working."""
    pool, client = layer.pool_and_client(call.params.get("ClientId", ""))
    given = str(call.params.get("ClientSecret") or "")
    if client.generate_secret and not hmac.compare_digest(given, client.secret):
        # RevokeToken declares UnauthorizedException, not NotAuthorizedException, for this.
        raise AwsError("UnauthorizedException", "Client authentication failed.")
    token = str(call.params.get("Token", ""))
    if not _TOKEN_PATTERN.fullmatch(token):
        layer.revocations.append((token, "malformed"))
        raise AwsError("InvalidParameterException", "Invalid token.")
    if token.count(".") == 2:
        # A JWS, i.e. an access or ID token: only refresh tokens can be revoked.
        layer.revocations.append((token, "unsupported"))
        raise AwsError("UnsupportedTokenTypeException", "Unsupported token type.")
    entry = pool.refresh_tokens.get(token)
    if entry is None or entry[0] != client.id:
        # AWS answers success for a refresh token that is already revoked (or not one it knows).
        outcome = "already_invalid" if token in pool.refresh_tokens else "unknown"
        layer.revocations.append((token, outcome))
        return Reply.json(200, {})
    origin_jti = entry[2]
    pool.refresh_tokens[token] = None
    for access_token in list(pool.access_tokens):
        claims = jwt.get_unverified_claims(access_token)
        if claims.get("origin_jti") == origin_jti:
            pool.access_tokens.pop(access_token, None)
    layer.revocations.append((token, "revoked"))
    return Reply.json(200, {})
