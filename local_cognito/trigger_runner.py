"""Run the triggers/ handlers in-process where AWS Cognito would invoke them, as AWS invokes them.

`LocalTriggers` implements `local_cognito.trigger_hooks.TriggerHooks`: it builds the event document
AWS sends (version, region, userPoolId, userName, callerContext, triggerSource, request, response),
passes a JSON copy of it to the same handler module that is deployed, and answers failures with the
errors Cognito reports. It also serves the CUSTOM_AUTH flow: Define → (SRP password check) →
Create → answer → Verify → Define, with single-use sessions, until Define issues tokens or fails
the sign-in.
The handlers read their configuration from the same environment variables as on Lambda (see
`local_cognito.platform.PlatformResources.trigger_environment`).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import importlib
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from local_cognito.wire import AwsError, Call, Reply, attributes_of

logger = logging.getLogger("local_cognito.triggers")

Event = dict[str, Any]
Handler = Callable[[Event, Any], Any]

# The deployed handler of each trigger (serverless.yml functions), imported on first use.
HANDLER_MODULES: Final = {
    "PreSignUp": "triggers.pre_sign_up",
    "PostConfirmation": "triggers.post_confirmation",
    "PreAuthentication": "triggers.pre_authentication",
    "PostAuthentication": "triggers.post_authentication",
    "DefineAuthChallenge": "triggers.define_auth_challenge",
    "CreateAuthChallenge": "triggers.create_auth_challenge",
    "VerifyAuthChallengeResponse": "triggers.verify_auth_challenge",
}

# The `response` object as Cognito hands it to each trigger, before the trigger fills it in.
RESPONSE_TEMPLATES: Final[dict[str, dict[str, Any]]] = {
    "PreSignUp": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    "PostConfirmation": {},
    "PreAuthentication": {},
    "PostAuthentication": {},
    "DefineAuthChallenge": {
        "challengeName": None,
        "issueTokens": False,
        "failAuthentication": False,
    },
    "CreateAuthChallenge": {
        "publicChallengeParameters": None,
        "privateChallengeParameters": None,
        "challengeMetadata": None,
    },
    "VerifyAuthChallengeResponse": {"answerCorrect": False},
}

# Request members Cognito always sends, with the value it sends when the caller gave none.
REQUEST_DEFAULTS: Final[dict[str, dict[str, Any]]] = {
    "PreSignUp": {"validationData": None},
    "PreAuthentication": {"validationData": {}, "userNotFound": False},
    "PostAuthentication": {"newDeviceUsed": False},
    "DefineAuthChallenge": {"session": [], "userNotFound": False},
    "CreateAuthChallenge": {"session": [], "userNotFound": False},
    "VerifyAuthChallengeResponse": {"userNotFound": False},
}

SDK_VERSION = "aws-sdk-unknown-unknown"
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"  # what AWS puts in callerContext for admin calls
TIMEOUT_SECONDS = 5.0  # Cognito's wait for a trigger
BAD_CREDENTIALS = "Incorrect username or password."
CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"  # noqa: S105  # a challenge name


def trigger_name(trigger_source: str) -> str:
    """The trigger a source belongs to: "PreSignUp_SignUp" → "PreSignUp"."""
    return trigger_source.split("_", 1)[0]


def deployed_handler(trigger: str) -> Handler:
    """The `handler` of the deployed module for a trigger."""
    handler: Handler = importlib.import_module(HANDLER_MODULES[trigger]).handler
    return handler


def user_attributes(user: Any) -> dict[str, str]:  # a moto user
    """A user's attributes as Cognito shows them to triggers (sub first, status last)."""
    attributes = attributes_of(user)
    return {
        "sub": attributes.pop("sub"),
        **attributes,
        "cognito:user_status": user.status.value,
    }


def _as_dict(value: object) -> dict[str, Any]:
    """Attributes given as [{Name, Value}] (the API's shape) or as a mapping."""
    if isinstance(value, list):
        return {str(item["Name"]): item["Value"] for item in value if isinstance(item, dict)}
    return dict(value) if isinstance(value, Mapping) else {}


def build_event(
    trigger_source: str,
    pool: Any,  # a moto user pool
    client_id: str | None,
    user: Any,  # a moto user, or None before sign-up / for an unknown user
    request: Mapping[str, Any],
) -> Event:
    """The event document AWS sends for `trigger_source`; `request["username"]` names no user."""
    trigger = trigger_name(trigger_source)
    given = copy.deepcopy(dict(request))
    named = given.pop("username", None)
    if user is not None:
        user_name = str(user.username)
        attributes = user_attributes(user)
    elif trigger == "PreSignUp" and pool.extended_config.get("UsernameAttributes"):
        # Email-as-username pools: AWS names the new user by the internal username it generated
        # (moto generates its own later, so this one differs from the final sub).
        user_name = str(uuid.uuid4())
        attributes = _as_dict(given.get("userAttributes"))
    else:
        user_name = str(named or "")
        attributes = _as_dict(given.get("userAttributes"))
    body: dict[str, Any] = {"userAttributes": attributes}
    body.update((k, v) for k, v in given.items() if k != "userAttributes")
    for name, default in REQUEST_DEFAULTS.get(trigger, {}).items():
        body.setdefault(name, copy.deepcopy(default))
    if trigger == "PreSignUp":
        body["validationData"] = _as_dict(body["validationData"]) or None
    if not body.get("clientMetadata"):
        body.pop("clientMetadata", None)  # sent only when the API call carried ClientMetadata
    return {
        "version": "1",
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id or NO_CLIENT},
        "triggerSource": trigger_source,
        "request": body,
        "response": copy.deepcopy(RESPONSE_TEMPLATES.get(trigger, {})),
    }


@dataclass(frozen=True, slots=True)
class LocalLambdaContext:
    """The LambdaContext attributes a handler may read, for an in-process invocation."""

    function_name: str
    aws_request_id: str
    deadline: float
    clock: Callable[[], float]
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Cognito gives up on this invocation."""
        return max(int((self.deadline - self.clock()) * 1000), 0)


# --- Cognito's SRP (as amazon-cognito-identity-js computes it), the server side ----------------

_N_HEX: Final = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
SRP_N: Final = int(_N_HEX, 16)
SRP_G: Final = 2


def pad_hex(value: int | str) -> str:
    """Hex with an even number of digits and a leading 00 when the top bit is set."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return f"0{text}"
    return f"00{text}" if text[0] in "89abcdefABCDEF" else text


def _hex_hash(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest().rjust(64, "0")


SRP_K: Final = int(_hex_hash(f"00{_N_HEX}0{SRP_G}"), 16)


def srp_x(pool_id: str, user_id: str, password: str, salt_hex: str) -> int:
    """The private value x = H(salt | H(poolName | userId | ":" | password))."""
    inner = hashlib.sha256(f"{pool_id.split('_', 1)[1]}{user_id}:{password}".encode()).hexdigest()
    return int(_hex_hash(pad_hex(salt_hex) + inner.rjust(64, "0")), 16)


def srp_u(big_a: int, big_b: int) -> int:
    """The scrambler u = H(A | B)."""
    return int(_hex_hash(pad_hex(big_a) + pad_hex(big_b)), 16)


def srp_key(shared: int, u: int) -> bytes:
    """Cognito's 16-byte HKDF of the shared secret, salted with u."""
    prk = hmac.new(bytes.fromhex(pad_hex(f"{u:x}")), bytes.fromhex(pad_hex(shared)), "sha256")
    return hmac.new(prk.digest(), b"Caldera Derived Key\x01", "sha256").digest()[:16]


def srp_signature(key: bytes, pool_id: str, user_id: str, secret_block: str, timestamp: str) -> str:
    """PASSWORD_CLAIM_SIGNATURE = base64(HMAC(key, poolName | userId | secretBlock | timestamp))."""
    message = (
        pool_id.split("_", 1)[1].encode()
        + user_id.encode()
        + base64.b64decode(secret_block)
        + timestamp.encode()
    )
    return base64.b64encode(hmac.new(key, message, "sha256").digest()).decode()


@dataclass(frozen=True, slots=True)
class SrpChallenge:
    """The server's half of one PASSWORD_VERIFIER challenge."""

    salt_hex: str
    small_b: int
    big_b: int
    verifier: int
    secret_block: str

    @classmethod
    def start(cls, pool_id: str, user_id: str, password: str | None) -> SrpChallenge:
        """Make B for the user's password; with no password (no such user) nothing can match."""
        salt_hex = secrets.token_hex(16)
        if password is None:
            verifier = secrets.randbelow(SRP_N - 2) + 2
        else:
            verifier = pow(SRP_G, srp_x(pool_id, user_id, password, salt_hex), SRP_N)
        # A 256-bit secret exponent (RFC 5054 asks for at least that); a full-size one only slows
        # every sign-in down.
        small_b = secrets.randbits(256) | 1 << 255
        big_b = (SRP_K * verifier + pow(SRP_G, small_b, SRP_N)) % SRP_N
        block = base64.b64encode(secrets.token_bytes(64)).decode()
        return cls(salt_hex, small_b, big_b, verifier, block)

    def parameters(self, user_id: str) -> dict[str, str]:
        """The PASSWORD_VERIFIER ChallengeParameters."""
        return {
            "SALT": self.salt_hex,
            "SRP_B": f"{self.big_b:x}",
            "SECRET_BLOCK": self.secret_block,
            "USER_ID_FOR_SRP": user_id,
            "USERNAME": user_id,
        }

    def verify(self, pool_id: str, user_id: str, big_a: int, responses: Mapping[str, str]) -> bool:
        """True when the client's signature proves it knows the password."""
        block = str(responses.get("PASSWORD_CLAIM_SECRET_BLOCK", ""))
        if not hmac.compare_digest(block, self.secret_block):
            return False
        u = srp_u(big_a, self.big_b)
        if u == 0:
            return False
        shared = pow(big_a * pow(self.verifier, u, SRP_N), self.small_b, SRP_N)
        expected = srp_signature(
            srp_key(shared, u), pool_id, user_id, block, str(responses.get("TIMESTAMP", ""))
        )
        return hmac.compare_digest(expected, str(responses.get("PASSWORD_CLAIM_SIGNATURE", "")))


# --- the custom auth flow ------------------------------------------------------------------------


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


class LocalTriggers:
    """The pool's Lambda triggers, run in-process (see the module docstring)."""

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        *,
        mail: Any = None,  # a MailRelay: .relay() after each invocation
        timeout_seconds: float = TIMEOUT_SECONDS,
        session_seconds: float = 180.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`handlers` maps trigger names to handlers; None attaches every deployed handler."""
        self._handlers = dict(handlers) if handlers is not None else None
        self._loaded: dict[str, Handler] = {}
        self._mail = mail
        self._timeout = timeout_seconds
        self._clock = clock
        self.sessions = SessionStore(session_seconds, clock)

    def handler_for(self, trigger: str) -> Handler | None:
        """The handler attached to a trigger, or None."""
        if self._handlers is not None:
            return self._handlers.get(trigger)
        if trigger not in HANDLER_MODULES:
            return None
        if trigger not in self._loaded:
            self._loaded[trigger] = deployed_handler(trigger)
        return self._loaded[trigger]

    def invoke(
        self,
        trigger_source: str,
        pool: Any,  # a moto user pool
        client_id: str | None,
        user: Any,  # a moto user or None
        request: dict[str, Any],
    ) -> dict[str, Any]:
        """Run the trigger for `trigger_source` as AWS would; return its `response` ({} if none).

        Raises:
            AwsError: UserLambdaValidationException (the handler raised),
                UnexpectedLambdaException (it crashed or overran Cognito's wait), or
                InvalidLambdaResponseException (it returned no event with a response object).
        """
        trigger = trigger_name(trigger_source)
        handler = self.handler_for(trigger)
        if handler is None:
            return {}
        event = build_event(trigger_source, pool, client_id, user, request)
        try:
            return self._run(trigger, handler, event)
        finally:
            self._relay_mail()

    def _run(self, trigger: str, handler: Handler, event: Event) -> dict[str, Any]:
        started = self._clock()
        context = LocalLambdaContext(
            function_name=f"local-{trigger}",
            aws_request_id=str(uuid.uuid4()),
            deadline=started + self._timeout,
            clock=self._clock,
        )
        try:
            # Lambda hands the function a fresh JSON document of the event.
            result = handler(json.loads(json.dumps(event)), context)
        except Exception as exc:
            raise _rejection(trigger, exc) from exc
        except SystemExit as exc:  # the Lambda runtime would report the process as exited
            raise AwsError(
                "UnexpectedLambdaException", f"{trigger} failed: the function exited."
            ) from exc
        elapsed = self._clock() - started
        logger.debug("trigger %s ran in %.1f ms", event["triggerSource"], elapsed * 1000)
        if elapsed > self._timeout:
            raise AwsError(
                "UnexpectedLambdaException",
                f"{trigger} failed: the function did not answer within {self._timeout:g} s.",
            )
        try:
            returned = json.loads(json.dumps(result))  # what Lambda serialises back to Cognito
        except (TypeError, ValueError):
            returned = None
        response = returned.get("response") if isinstance(returned, dict) else None
        if not isinstance(response, dict):
            raise AwsError("InvalidLambdaResponseException", "Unrecognizable lambda output")
        return response

    def _relay_mail(self) -> None:
        if self._mail is None:
            return
        try:
            self._mail.relay()
        except Exception:
            logger.exception("mail relay failed: published messages stay queued")

    # --- CUSTOM_AUTH ------------------------------------------------------------------------

    def custom_auth(self, layer: Any, call: Call) -> Reply:  # the AWS layer
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
        if self.handler_for("DefineAuthChallenge") is None:
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
            if session.srp_a % SRP_N == 0:
                raise AwsError("InvalidParameterException", "SRP_A is invalid.")
            session.history.append(_entry("SRP_A", True))
        self.invoke(
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
            if correct and user is not None and user.status.value == "UNCONFIRMED":
                raise AwsError("UserNotConfirmedException", "User is not confirmed.")
            session.history.append(_entry(PASSWORD_VERIFIER, correct))
        else:
            answer = _require(responses, "ANSWER")
            verdict = self.invoke(
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
        decision = self.invoke(
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
            created = self.invoke(
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


def _rejection(trigger: str, exc: BaseException) -> AwsError:
    # Cognito's wording for a function error: "<Trigger> failed with error <errorMessage>."
    return AwsError("UserLambdaValidationException", f"{trigger} failed with error {exc}.")
