"""MFA_SETUP as AWS runs it: a pool that requires MFA makes an unenrolled user enrol at sign-in."""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any

from local_cognito.wire import AwsError, Call, Reply

if TYPE_CHECKING:
    from local_cognito.aws_layer import AwsBehaviourLayer

INVALID_SESSION = "Invalid session for the user."


def _has_mfa(user: Any) -> bool:  # a moto user
    return bool(user.token_verified or user.software_token_mfa_enabled or user.sms_mfa_enabled)


def _can_set_up(pool: Any) -> list[str]:  # a moto pool
    kinds = []
    if pool.token_mfa_config == {"Enabled": True}:
        kinds.append("SOFTWARE_TOKEN_MFA")
    if pool.sms_mfa_config:
        kinds.append("SMS_MFA")
    return kinds


def require_setup(layer: AwsBehaviourLayer, pool: Any, user: Any, reply: Reply) -> Reply:
    """With MFA ON, AWS answers an unenrolled user's password sign-in with MFA_SETUP, not tokens.

    moto issues tokens (it asks for MFA_SETUP only after SRP or a new password).
    """
    payload = reply.payload()
    result = payload.get("AuthenticationResult")
    if reply.status != 200 or result is None or user is None:
        return reply
    if pool.mfa_config != "ON" or _has_mfa(user) or not _can_set_up(pool):
        return reply
    # Take back what moto minted: no tokens exist until MFA is set up.
    pool.access_tokens.pop(result.get("AccessToken"), None)
    pool.refresh_tokens.pop(result.get("RefreshToken"), None)
    backend = layer._backend()
    session = str(uuid.uuid4())
    backend.sessions[session] = (user.username, pool)
    return Reply.json(
        200,
        {
            "ChallengeName": "MFA_SETUP",
            "Session": session,
            "ChallengeParameters": {"MFAS_CAN_SETUP": json.dumps(_can_set_up(pool))},
        },
    )


def aws_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """AWS sends MFAS_CAN_SETUP as a JSON array in a string; moto a Python list's repr."""
    kinds = parameters.get("MFAS_CAN_SETUP")
    if isinstance(kinds, str):
        try:
            json.loads(kinds)
        except ValueError:
            kinds = re.findall(r"[A-Z_]+", kinds)
    if isinstance(kinds, list):
        parameters["MFAS_CAN_SETUP"] = json.dumps(kinds)
    return parameters


def _session_user(layer: AwsBehaviourLayer, session: str) -> tuple[Any, Any]:
    """The (pool, user) of a live challenge session, or NotAuthorizedException as AWS says."""
    layer.check_session(session)
    entry = layer._backend().sessions.get(session)
    if entry is None:
        raise AwsError("NotAuthorizedException", INVALID_SESSION)
    signed_in_as, pool = entry
    user = pool._get_user(signed_in_as)
    if user is None:
        raise AwsError("NotAuthorizedException", INVALID_SESSION)
    return pool, user


def _new_session(layer: AwsBehaviourLayer, pool: Any, user: Any) -> str:
    session = str(uuid.uuid4())
    layer._backend().sessions[session] = (user.username, pool)
    layer.note_session(Reply.json(200, {"Session": session}))
    return session


def associate_software_token(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """AssociateSoftwareToken; with a Session, the sessions expire and a new one is returned."""
    session = call.params.get("Session")
    if not session:
        return layer.forward(call)
    pool, user = _session_user(layer, str(session))
    reply = layer.forward(call)
    if reply.status != 200:
        return reply
    # moto hands back the same session; AWS a new one, which the next call must use.
    payload = reply.payload()
    payload["Session"] = _new_session(layer, pool, user)
    return Reply.json(200, payload)


def verify_software_token(layer: AwsBehaviourLayer, call: Call) -> Reply:
    """VerifySoftwareToken; with a Session, its answer is the session that completes MFA_SETUP."""
    session = call.params.get("Session")
    if not session:
        return layer.forward(call)
    _session_user(layer, str(session))
    reply = layer.forward(call)
    next_session = reply.payload().get("Session")
    if reply.status == 200 and isinstance(next_session, str):
        layer.note_session(reply)
        layer.mfa_setup_sessions.add(next_session)
    return reply


def answer(layer: AwsBehaviourLayer, call: Call, session: str, user: Any) -> Reply:
    """RespondToAuthChallenge(MFA_SETUP): only with the session VerifySoftwareToken returned.

    moto signs in whatever session it is given, verified or not, and lets it be used again.
    """
    if session not in layer.mfa_setup_sessions:
        raise AwsError("NotAuthorizedException", INVALID_SESSION)
    reply = layer.forward(call)
    if reply.status == 200 and "AuthenticationResult" in reply.payload():
        layer.mfa_setup_sessions.discard(session)
        layer._backend().sessions.pop(session, None)
        # The authenticator just verified is the user's MFA from now on.
        user.software_token_mfa_enabled = True
        user.preferred_mfa_setting = "SOFTWARE_TOKEN_MFA"
    return reply
