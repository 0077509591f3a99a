"""The CUSTOM_AUTH flow as Cognito runs it, driving the Define/Create/Verify challenge triggers.

Define → (SRP password check) → Create → answer → Verify → Define, with single-use sessions that
expire (3 minutes), until Define issues tokens or fails the sign-in.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.cognito.srp import N
from local_cognito.ops.sign_up import confirm_user
from local_cognito.srp_verifier import SrpChallenge
from local_cognito.wire import AwsError, Call, Reply

if TYPE_CHECKING:
    from local_cognito.trigger_runner import LocalTriggers

BAD_CREDENTIALS = "Incorrect username or password."
CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"  # noqa: S105  # a challenge name
NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105  # a challenge name
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105  # a challenge name


def _after_password(user: Any) -> str | None:  # a moto user
    """The challenge the account requires once its password is proven, as AWS asks it.

    Raises:
        AwsError: UserNotConfirmedException, PasswordResetRequiredException.
    """
    status = user.status.value
    if status == "UNCONFIRMED":
        raise AwsError("UserNotConfirmedException", "User is not confirmed.")
    if status == "RESET_REQUIRED":
        raise AwsError("PasswordResetRequiredException", "Password reset required for the user")
    if status == "FORCE_CHANGE_PASSWORD":
        return NEW_PASSWORD_REQUIRED
    if user.software_token_mfa_enabled and user.preferred_mfa_setting == SOFTWARE_TOKEN_MFA:
        return SOFTWARE_TOKEN_MFA
    return None


def _follow_up_parameters(session: AuthSession) -> dict[str, str]:
    names = {"USER_ID_FOR_SRP": session.user_name, "USERNAME": session.user_name}
    if session.challenge == NEW_PASSWORD_REQUIRED:
        return {**names, "userAttributes": "{}", "requiredAttributes": "[]"}
    return names


def totp_matches(code: str) -> bool:
    """Whether an authenticator code is valid now (moto's one TOTP secret, as the layer uses)."""
    from cryptography.hazmat.primitives.twofactor import InvalidToken
    from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET
    from moto.cognitoidp.utils import cognito_totp, verify_totp

    try:
        verify_totp(cognito_totp(COGNITO_TOTP_MFA_SECRET), code.encode())
    except InvalidToken:
        return False
    return True


@dataclass(slots=True)
class AuthSession:
    """One CUSTOM_AUTH sign-in between calls (what Cognito keeps behind the Session string)."""

    client_id: str
    user_name: str  # the internal username; the typed name when there is no such user
    user_found: bool
    history: list[dict[str, Any]] = field(default_factory=list)
    srp_a: int | None = None
    challenge: str = ""
    srp: SrpChallenge | None = None
    private: dict[str, Any] = field(default_factory=dict)
    metadata: str | None = None


class SessionStore:
    """Single-use session strings that expire (AWS: 3 minutes by default)."""

    def __init__(self, validity_seconds: float, clock: Callable[[], float]) -> None:
        self._validity = validity_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[float, AuthSession]] = {}

    def put(self, session: AuthSession) -> str:
        """Store the session under a new opaque string."""
        token = secrets.token_urlsafe(96)
        now = self._clock()
        with self._lock:
            for key, (expires_at, _) in list(self._sessions.items()):
                if expires_at < now:
                    del self._sessions[key]
            self._sessions[token] = (now + self._validity, session)
        return token

    def __contains__(self, token: object) -> bool:
        with self._lock:
            return token in self._sessions

    def take(self, token: str) -> AuthSession:
        """Remove and return a session; an unknown or expired one is NotAuthorizedException."""
        with self._lock:
            entry = self._sessions.pop(token, None)
        if entry is None:
            raise AwsError("NotAuthorizedException", "Invalid session for the user.")
        expires_at, session = entry
        if expires_at < self._clock():
            raise AwsError(
                "NotAuthorizedException", "Invalid session for the user, session is expired."
            )
        return session


def _entry(name: str, result: bool, metadata: str | None = None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


def _strings(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _require(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise AwsError("InvalidParameterException", f"Missing required parameter {name}")
    return value


class CustomAuthFlow:
    """One pool's CUSTOM_AUTH sign-ins, run through the triggers of a LocalTriggers."""

    def __init__(self, triggers: LocalTriggers, sessions: SessionStore) -> None:
        self._triggers = triggers
        self.sessions = sessions

    def serve(self, layer: Any, call: Call) -> Reply:  # the AWS layer
        """Serve InitiateAuth(CUSTOM_AUTH) and RespondToAuthChallenge for its sessions.

        Raises:
            AwsError: as Cognito answers each failure (NotAuthorizedException for a failed sign-in).
        """
        if call.operation == "InitiateAuth":
            return self._initiate(layer, call)
        if call.operation == "RespondToAuthChallenge":
            return self._respond(layer, call)
        raise AwsError("InvalidParameterException", f"{call.operation} is not a custom auth call.")

    def _initiate(self, layer: Any, call: Call) -> Reply:
        pool, client = layer.pool_and_client(call.params.get("ClientId", ""))
        flows = client.extended_config.get("ExplicitAuthFlows") or []
        if flows and not {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"} & set(flows):
            raise AwsError("InvalidParameterException", "Auth flow not enabled for this client")
        if self._triggers.handler_for("DefineAuthChallenge") is None:
            raise AwsError(
                "InvalidParameterException",
                "Custom auth lambda trigger is not configured for the user pool.",
            )
        params: Mapping[str, Any] = call.params.get("AuthParameters") or {}
        typed = _require(params, "USERNAME")
        layer.check_secret_hash(client, typed, params.get("SECRET_HASH"))
        user = pool._get_user(layer.canonical_username(pool, typed))
        if user is None and client.extended_config.get("PreventUserExistenceErrors") != "ENABLED":
            raise AwsError("UserNotFoundException", "User does not exist.")
        if user is not None and not user.enabled:
            raise AwsError("NotAuthorizedException", "User is disabled.")
        session = AuthSession(
            client_id=client.id,
            user_name=str(user.username) if user is not None else typed,
            user_found=user is not None,
        )
        if params.get("CHALLENGE_NAME") == "SRP_A":
            try:
                session.srp_a = int(_require(params, "SRP_A"), 16)
            except ValueError:
                raise AwsError("InvalidParameterException", "SRP_A is not a number.") from None
            if session.srp_a % N == 0:
                raise AwsError("InvalidParameterException", "SRP_A is invalid.")
            session.history.append(_entry("SRP_A", True))
        self._triggers.invoke(
            "PreAuthentication_Authentication",
            pool,
            client.id,
            user,
            {
                "validationData": call.params.get("ClientMetadata") or {},
                "userNotFound": user is None,
                "username": typed,
            },
        )
        # InitiateAuth passes its ClientMetadata to Pre sign-up/authentication only (AWS docs).
        return self._advance(layer, call, pool, client, session, None)

    def _respond(self, layer: Any, call: Call) -> Reply:
        pool, client = layer.pool_and_client(call.params.get("ClientId", ""))
        token = str(call.params.get("Session") or "")
        check_session = getattr(layer, "check_session", None)
        if check_session is not None:
            check_session(token)
        session = self.sessions.take(token)
        if session.client_id != client.id:
            raise AwsError("NotAuthorizedException", "Invalid session for the user.")
        name = call.params.get("ChallengeName")
        if name != session.challenge:
            raise AwsError("InvalidParameterException", f"Invalid challenge name {name}.")
        responses: Mapping[str, Any] = call.params.get("ChallengeResponses") or {}
        given = _require(responses, "USERNAME")
        user = self._session_user(pool, session)
        same = hmac.compare_digest(given, session.user_name) or (
            user is not None and pool._get_user(layer.canonical_username(pool, given)) is user
        )
        if not same:
            raise AwsError("NotAuthorizedException", BAD_CREDENTIALS)
        # AWS hashes challenge answers over the internal username, not the email typed at sign-in.
        layer.check_secret_hash(client, session.user_name, responses.get("SECRET_HASH"))
        client_metadata = call.params.get("ClientMetadata") or None
        if name == PASSWORD_VERIFIER:
            srp, big_a = session.srp, session.srp_a
            correct = (
                srp is not None
                and big_a is not None
                and srp.verify(pool.id, session.user_name, big_a, _strings(responses))
            )
            if correct and user is not None:
                follow_up = _after_password(user)
                if follow_up is not None:
                    # What the account itself requires comes next, and then tokens: AWS does not
                    # consult DefineAuthChallenge again (so no emailed code after these).
                    session.challenge = follow_up
                    return self._challenge_reply(session, _follow_up_parameters(session))
            session.history.append(_entry(PASSWORD_VERIFIER, correct))
        elif name == NEW_PASSWORD_REQUIRED:
            password = _require(responses, "NEW_PASSWORD")
            layer.check_password_policy(pool, password)
            user.password = password
            confirm_user(user)
            return self._issue_tokens(layer, call, pool, client, user)
        elif name == SOFTWARE_TOKEN_MFA:
            if not totp_matches(_require(responses, "SOFTWARE_TOKEN_MFA_CODE")):
                raise AwsError("CodeMismatchException", "Invalid code or auth state for the user.")
            return self._issue_tokens(layer, call, pool, client, user)
        else:
            answer = _require(responses, "ANSWER")
            verdict = self._triggers.invoke(
                "VerifyAuthChallengeResponse_Authentication",
                pool,
                client.id,
                user,
                self._challenge_request(
                    session,
                    {"privateChallengeParameters": session.private, "challengeAnswer": answer},
                    client_metadata,
                ),
            )
            answer_correct = verdict.get("answerCorrect")
            if not isinstance(answer_correct, bool):
                raise AwsError("InvalidLambdaResponseException", "Invalid lambda response")
            session.history.append(_entry(CUSTOM_CHALLENGE, answer_correct, session.metadata))
        return self._advance(layer, call, pool, client, session, client_metadata)

    @staticmethod
    def _session_user(pool: Any, session: AuthSession) -> Any:
        return pool._get_user(session.user_name) if session.user_found else None

    @staticmethod
    def _challenge_request(
        session: AuthSession, request: dict[str, Any], client_metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        body = dict(request)
        if client_metadata:
            body["clientMetadata"] = client_metadata
        body["userNotFound"] = not session.user_found
        body["username"] = session.user_name
        return body

    def _advance(
        self,
        layer: Any,
        call: Call,
        pool: Any,
        client: Any,
        session: AuthSession,
        client_metadata: dict[str, str] | None,
    ) -> Reply:
        """Ask DefineAuthChallenge what comes next, and do it."""
        user = self._session_user(pool, session)
        decision = self._triggers.invoke(
            "DefineAuthChallenge_Authentication",
            pool,
            client.id,
            user,
            self._challenge_request(session, {"session": session.history}, client_metadata),
        )
        if decision.get("failAuthentication") is True:
            raise AwsError("NotAuthorizedException", BAD_CREDENTIALS)
        if decision.get("issueTokens") is True:
            if user is None:
                raise AwsError("NotAuthorizedException", BAD_CREDENTIALS)
            if user.status.value == "UNCONFIRMED":
                raise AwsError("UserNotConfirmedException", "User is not confirmed.")
            return self._issue_tokens(layer, call, pool, client, user)
        name = decision.get("challengeName")
        if name == PASSWORD_VERIFIER and session.srp_a is not None:
            password = user.password if user is not None else None
            session.srp = SrpChallenge.start(pool.id, session.user_name, password)
            session.challenge = PASSWORD_VERIFIER
            return self._challenge_reply(session, session.srp.parameters(session.user_name))
        if name == CUSTOM_CHALLENGE:
            created = self._triggers.invoke(
                "CreateAuthChallenge_Authentication",
                pool,
                client.id,
                user,
                self._challenge_request(
                    session,
                    {"challengeName": CUSTOM_CHALLENGE, "session": session.history},
                    client_metadata,
                ),
            )
            session.private = dict(created.get("privateChallengeParameters") or {})
            metadata = created.get("challengeMetadata")
            session.metadata = metadata if isinstance(metadata, str) else None
            session.challenge = CUSTOM_CHALLENGE
            public = _strings(created.get("publicChallengeParameters"))
            return self._challenge_reply(session, {**public, "USERNAME": session.user_name})
        # SMS_MFA, SOFTWARE_TOKEN_MFA, DEVICE_SRP_AUTH... are not emulated locally.
        raise AwsError(
            "InvalidLambdaResponseException",
            f"Invalid lambda response: challenge {name!r} cannot be issued here.",
        )

    def _challenge_reply(self, session: AuthSession, parameters: dict[str, str]) -> Reply:
        return Reply.json(
            200,
            {
                "ChallengeName": session.challenge,
                "Session": self.sessions.put(session),
                "ChallengeParameters": parameters,
            },
        )

    @staticmethod
    def _issue_tokens(layer: Any, call: Call, pool: Any, client: Any, user: Any) -> Reply:
        # PostAuthentication first: a failing one means no tokens, as in AWS.
        layer.after_authentication(pool, client.id, user, call)
        refresh_token, origin_jti = pool.create_refresh_token(client.id, user.username)
        access_token, expires_in = pool.create_access_token(client.id, user.username, origin_jti)
        id_token, _ = pool.create_id_token(client.id, user.username, origin_jti)
        return Reply.json(
            200,
            {
                "ChallengeParameters": {},
                "AuthenticationResult": {
                    "AccessToken": access_token,
                    "ExpiresIn": expires_in,
                    "TokenType": "Bearer",
                    "RefreshToken": refresh_token,
                    "IdToken": id_token,
                },
            },
        )
