"""A WSGI layer in front of moto's cognito-idp that makes it answer as AWS does.

Each deviation it corrects is listed in README.md ("How the local Cognito differs from AWS") and has
a test in tests/local_cognito/ that fails if a moto upgrade changes what is corrected here. The
operations themselves live in local_cognito/ops/; this module is the plumbing and shared rules.
"""

from __future__ import annotations

import io
import ipaddress
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from app.cognito.secret_hash import secret_hash
from local_cognito.codes import CodeBook, CodeCheck
from local_cognito.outbox import Outbox
from local_cognito.trigger_hooks import NoTriggers, TriggerHooks
from local_cognito.wire import AwsError, Call, Reply, attributes_of, email_delivery, mask_email

__all__ = ["AwsBehaviourLayer", "AwsError", "Call", "Reply", "mask_email"]

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Operation = Callable[["AwsBehaviourLayer", Call], Reply]

_UNSIGNED_SERVICES = {
    "AWSCognitoIdentityProviderService": "cognito-idp",
    "AWSCognitoIdentityService": "cognito-identity",
}

INVALID_CODE = "Invalid verification code provided, please try again."
EXPIRED_CODE = "Invalid code provided, please request a code again."
ATTEMPT_LIMIT = "Attempt limit exceeded, please try after some time."

# AWS: an authentication session (challenge) lasts 3 minutes by default.
SESSION_VALIDITY_SECONDS = 180.0


class AwsBehaviourLayer:
    """Intercepts cognito-idp JSON calls; corrects moto where it differs from AWS."""

    def __init__(
        self,
        app: WsgiApp,
        backend: Callable[[], Any],
        outbox: Outbox,
        codes: CodeBook,
        region: str,
        triggers: TriggerHooks | None = None,
    ) -> None:
        from local_cognito.ops import OPERATIONS

        self._app = app
        self._backend = backend
        self._region = region
        self.outbox = outbox
        self.codes = codes
        self.triggers: TriggerHooks = triggers or NoTriggers()
        self.session_validity = SESSION_VALIDITY_SECONDS
        self._sessions: dict[str, float] = {}
        self._lock = threading.Lock()
        self.pending_emails: dict[str, str] = {}  # user id -> email awaiting verification
        self.identities: dict[tuple[str, str, str], str] = {}  # (pool, provider, sub) -> id
        self._operations: dict[str, Operation] = dict(OPERATIONS)
        # What the service sent, for tests to observe: the last UserContextData per operation,
        # each RevokeToken (token, outcome), and the sessions VerifySoftwareToken handed out.
        self.user_contexts: dict[str, dict[str, Any] | None] = {}
        self.revocations: list[tuple[str, str]] = []
        self.mfa_setup_sessions: set[str] = set()

    # --- WSGI plumbing -------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Serve the outbox, handle the corrected operations, pass the rest to moto."""
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_local/outbox"):
            return self._respond(self._serve_outbox(environ), start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        service = _UNSIGNED_SERVICES.get(target.partition(".")[0])
        if service is not None and "HTTP_AUTHORIZATION" not in environ:
            # Public-client calls (GlobalSignOut, GetId...) travel unsigned, and moto then picks
            # its default region instead of the pool's; AWS routes by endpoint. Name the region.
            environ["HTTP_AUTHORIZATION"] = (
                f"AWS4-HMAC-SHA256 Credential=unsigned/20260101/{self._region}/{service}/"
                "aws4_request, SignedHeaders=host, Signature=0"
            )
        handler = self._operations.get(target)
        if handler is None:
            return self._app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            params = json.loads(raw or b"{}")
            call = Call(target.rpartition(".")[2], params, environ)
            self.note_user_context(call)
            reply = handler(self, call)
        except AwsError as exc:
            reply = Reply.error(exc.error_type, exc.message)
        return self._respond(reply, start_response)

    def forward(self, call: Call) -> Reply:
        """Send a (possibly rewritten) call on to moto and collect its answer."""
        body = json.dumps(call.params).encode()
        environ = dict(call.environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = headers

        chunks = self._app(environ, start_response)
        try:
            data = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        return Reply(captured["status"], data, headers)

    @staticmethod
    def _respond(reply: Reply, start_response: StartResponse) -> Iterable[bytes]:
        headers = [*reply.headers, ("Content-Length", str(len(reply.body)))]
        start_response(f"{reply.status} X", headers)
        return [reply.body]

    # --- shared rules --------------------------------------------------------------------------

    def pool_and_client(self, client_id: str) -> tuple[Any, Any]:
        """The moto pool and client objects for an app client id."""
        for pool in self._backend().user_pools.values():
            if client_id in pool.clients:
                return pool, pool.clients[client_id]
        raise AwsError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")

    def public_call(self, call: Call) -> tuple[Any, Any, str]:
        """Pool, client and canonical username of a public-client call whose SecretHash holds.

        The call's Username is rewritten to the canonical form moto must see.

        Raises:
            AwsError: no such client, or SECRET_HASH missing or wrong.
        """
        pool, client = self.pool_and_client(call.params.get("ClientId", ""))
        username = str(call.params.get("Username", ""))
        self.check_secret_hash(client, username, call.params.get("SecretHash"))
        call.params["Username"] = self.canonical_username(pool, username)
        return pool, client, call.params["Username"]

    def pool_by_id(self, pool_id: str) -> Any:
        """The moto pool with this id."""
        pool = self._backend().user_pools.get(pool_id)
        if pool is None:
            raise AwsError("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
        return pool

    def user_by_access_token(self, access_token: str) -> tuple[Any, Any]:
        """The pool and user an access token belongs to (revoked tokens are unknown)."""
        for pool in self._backend().user_pools.values():
            entry = pool.access_tokens.get(access_token)
            if entry is not None:
                user = pool._get_user(entry[1])
                if user is not None:
                    return pool, user
        raise AwsError("NotAuthorizedException", "Invalid Access Token")

    @staticmethod
    def canonical_username(pool: Any, username: str) -> str:
        """AWS matches usernames case-insensitively when the pool says so; moto never does."""
        config = pool.extended_config.get("UsernameConfiguration") or {}
        if config.get("CaseSensitive", True) is False:
            return username.lower()
        return username

    @staticmethod
    def check_secret_hash(client: Any, username: str, given: str | None) -> None:
        """AWS requires SECRET_HASH over `username` on these calls; moto skips most checks."""
        if not client.generate_secret:
            return
        if not given:
            raise AwsError(
                "NotAuthorizedException",
                f"Client {client.id} is configured for secret but secret was not received",
            )
        if given != secret_hash(username, client.id, client.secret):
            raise AwsError(
                "NotAuthorizedException", f"Unable to verify secret hash for client {client.id}"
            )

    def check_password_policy(self, pool: Any, password: str) -> None:
        """AWS applies the pool's password policy everywhere; moto skips it on some calls."""
        from moto.cognitoidp.exceptions import InvalidPasswordException

        try:
            self._backend()._validate_password(pool.id, password)
        except InvalidPasswordException as exc:
            raise AwsError("InvalidPasswordException", exc.message) from None

    def send_code(
        self, pool: Any, user: Any, purpose: str, to: str | None = None
    ) -> dict[str, str]:
        """Issue a code to the user's email through the outbox; return CodeDeliveryDetails."""
        email = to or user.attribute_lookup.get("email", "")
        code = self.codes.issue(pool.id, user.id, purpose)
        template = pool.extended_config.get("VerificationMessageTemplate") or {}
        subject = template.get("EmailSubject", "Your verification code")
        body = template.get("EmailMessage", "Your verification code is {####}")
        self.outbox.send(email, subject, body.replace("{####}", code), code, purpose)
        return email_delivery(email)

    def consume_code(self, pool: Any, user: Any, purpose: str, code: str) -> None:
        """Use up a code the user was sent, or fail as AWS does (mismatch, expired)."""
        check = self.codes.consume(pool.id, user.id, purpose, code)
        if check is CodeCheck.MISMATCH:
            raise AwsError("CodeMismatchException", INVALID_CODE)
        if check is CodeCheck.EXPIRED:
            raise AwsError("ExpiredCodeException", EXPIRED_CODE)
        if check is CodeCheck.LIMIT_EXCEEDED:
            raise AwsError("LimitExceededException", ATTEMPT_LIMIT)

    def note_user_context(self, call: Call) -> None:
        """Record the call's UserContextData; AWS refuses one whose IpAddress is not an IP."""
        context = call.params.get("UserContextData")
        self.user_contexts[call.operation] = context
        if context is None:
            return
        address = context.get("IpAddress") if isinstance(context, dict) else None
        try:
            ipaddress.ip_address(str(address))
        except ValueError:
            raise AwsError(
                "InvalidParameterException", "Invalid UserContextData: IpAddress is not valid."
            ) from None

    def note_session(self, reply: Reply) -> None:
        """Remember when a challenge session was handed out (moto's never expire)."""
        session = reply.payload().get("Session")
        if reply.status == 200 and isinstance(session, str):
            with self._lock:
                self._sessions[session] = time.monotonic()

    def check_session(self, session: str) -> None:
        """Refuse an expired challenge session, as AWS does after its validity."""
        with self._lock:
            started = self._sessions.get(session)
        if started is not None and time.monotonic() - started > self.session_validity:
            raise AwsError(
                "NotAuthorizedException", "Invalid session for the user, session is expired."
            )

    def expire_sessions(self) -> None:
        """Make every outstanding challenge session expired (for tests of the expiry path)."""
        with self._lock:
            for session in self._sessions:
                self._sessions[session] = -1e9

    def after_authentication(self, pool: Any, client_id: str, user: Any, call: Call) -> None:
        """PostAuthentication runs once tokens are about to be issued (its failure blocks them)."""
        # AWS hands it the ClientMetadata of RespondToAuthChallenge, never of InitiateAuth.
        metadata = call.params.get("ClientMetadata") if call.operation != "InitiateAuth" else None
        self.triggers.invoke(
            "PostAuthentication_Authentication",
            pool,
            client_id,
            user,
            {
                "userAttributes": attributes_of(user),
                "newDeviceUsed": False,
                "clientMetadata": metadata or {},
            },
        )

    # --- the outbox over HTTP -----------------------------------------------------------------

    def _serve_outbox(self, environ: dict[str, Any]) -> Reply:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        to = (query.get("to") or [None])[0]
        path = environ.get("PATH_INFO", "")
        if path.rstrip("/") == "/_local/outbox":
            messages = [m.as_json() for m in self.outbox.messages(to)]
            return Reply.json(200, {"messages": messages})
        if path == "/_local/outbox/latest-code" and to:
            message = self.outbox.latest(to)
            if message is not None:
                return Reply(200, message.code.encode(), [("Content-Type", "text/plain")])
        return Reply.json(404, {"message": "no such message"})
