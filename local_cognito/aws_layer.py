"""A WSGI layer in front of moto's cognito-idp that makes it answer as AWS does.

Each deviation it corrects is listed in README.md ("How the local Cognito differs from AWS") and has
a test in tests/local_cognito/ that fails if a moto upgrade changes what is corrected here.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from app.cognito.secret_hash import secret_hash
from local_cognito.codes import CodeBook, CodeCheck
from local_cognito.outbox import Outbox

logger = logging.getLogger("local_cognito.layer")

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class AwsError(Exception):
    """An error answered the way cognito-idp answers errors (JSON `__type` + `message`)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(slots=True)
class Reply:
    """A complete HTTP answer."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, payload: object) -> Reply:
        """A JSON answer in cognito-idp's content type."""
        return cls(
            status, json.dumps(payload).encode(), [("Content-Type", "application/x-amz-json-1.1")]
        )

    def payload(self) -> dict[str, Any]:
        """The body parsed as a JSON object ({} when it is not one)."""
        try:
            parsed = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    @property
    def error_type(self) -> str:
        """The AWS error code of an error answer ('' for a success)."""
        return str(self.payload().get("__type", "")) if self.status >= 400 else ""


@dataclass(slots=True)
class Call:
    """One cognito-idp request on its way through the layer."""

    operation: str
    params: dict[str, Any]
    environ: dict[str, Any]


def mask_email(email: str) -> str:
    """Mask an address the way Cognito shows CodeDeliveryDetails destinations."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


class AwsBehaviourLayer:
    """Intercepts cognito-idp JSON calls; corrects moto where it differs from AWS."""

    def __init__(
        self,
        app: WsgiApp,
        backend: Callable[[], Any],
        outbox: Outbox,
        codes: CodeBook,
        region: str,
    ) -> None:
        self._app = app
        self._region = region
        self._backend = backend
        self.outbox = outbox
        self.codes = codes
        self._operations: dict[str, Callable[[Call], Reply]] = {
            "SignUp": self._sign_up,
            "ConfirmSignUp": self._confirm_sign_up,
            "ResendConfirmationCode": self._resend_confirmation_code,
            "InitiateAuth": self._initiate_auth,
        }

    # --- WSGI plumbing -------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Serve the outbox, handle the corrected operations, pass the rest to moto."""
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_local/outbox"):
            return self._respond(self._serve_outbox(environ), start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else ""
        if operation and "HTTP_AUTHORIZATION" not in environ:
            # Public-client calls (GlobalSignOut, SignUp...) travel unsigned, and moto then picks
            # its default region instead of the pool's; AWS routes by endpoint. Name the region.
            environ["HTTP_AUTHORIZATION"] = (
                f"AWS4-HMAC-SHA256 Credential=unsigned/20260101/{self._region}/cognito-idp/"
                "aws4_request, SignedHeaders=host, Signature=0"
            )
        handler = self._operations.get(operation)
        if handler is None:
            return self._app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            params = json.loads(raw or b"{}")
            reply = handler(Call(operation, params, environ))
        except AwsError as exc:
            reply = Reply.json(400, {"__type": exc.error_type, "message": exc.message})
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

    # --- moto state ----------------------------------------------------------------------------

    def pool_and_client(self, client_id: str) -> tuple[Any, Any]:
        """The moto pool and client objects for an app client id."""
        for pool in self._backend().user_pools.values():
            if client_id in pool.clients:
                return pool, pool.clients[client_id]
        raise AwsError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")

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

    def send_code(self, pool: Any, user: Any, purpose: str) -> dict[str, str]:
        """Issue a code to the user's email through the outbox; return CodeDeliveryDetails."""
        email = user.attribute_lookup.get("email", "")
        code = self.codes.issue(pool.id, user.id, purpose)
        template = pool.extended_config.get("VerificationMessageTemplate") or {}
        subject = template.get("EmailSubject", "Your verification code")
        body = template.get("EmailMessage", "Your verification code is {####}").replace(
            "{####}", code
        )
        self.outbox.send(email, subject, body, code, purpose)
        return {
            "Destination": mask_email(email),
            "DeliveryMedium": "EMAIL",
            "AttributeName": "email",
        }

    # --- corrected operations ------------------------------------------------------------------

    def _sign_up(self, call: Call) -> Reply:
        pool, client = self.pool_and_client(call.params.get("ClientId", ""))
        username = call.params.get("Username", "")
        self.check_secret_hash(client, username, call.params.get("SecretHash"))
        call.params["Username"] = self.canonical_username(pool, username)
        reply = self.forward(call)
        if reply.status != 200:
            return reply
        payload = reply.payload()
        user = pool.users.get(payload.get("UserSub", "")) or pool._get_user(call.params["Username"])
        # moto generates no code; AWS emails one.
        payload["CodeDeliveryDetails"] = self.send_code(pool, user, "signup")
        return Reply.json(200, payload)

    def _confirm_sign_up(self, call: Call) -> Reply:
        pool, client = self.pool_and_client(call.params.get("ClientId", ""))
        username = call.params.get("Username", "")
        self.check_secret_hash(client, username, call.params.get("SecretHash"))
        call.params["Username"] = self.canonical_username(pool, username)
        user = pool._get_user(call.params["Username"])
        if user is None:
            # PreventUserExistenceErrors: an unknown user looks like a wrong code.
            raise AwsError(
                "CodeMismatchException", "Invalid verification code provided, please try again."
            )
        if user.status.value == "CONFIRMED":
            raise AwsError(
                "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"
            )
        check = self.codes.consume(
            pool.id, user.id, "signup", str(call.params.get("ConfirmationCode", ""))
        )
        if check is CodeCheck.MISMATCH:
            raise AwsError(
                "CodeMismatchException", "Invalid verification code provided, please try again."
            )
        if check is CodeCheck.EXPIRED:
            raise AwsError(
                "ExpiredCodeException", "Invalid code provided, please request a code again."
            )
        reply = self.forward(call)
        auto_verified = pool.extended_config.get("AutoVerifiedAttributes") or []
        if reply.status == 200 and "email" in auto_verified:
            # Confirming by emailed code proves the address; AWS marks it verified, moto does not.
            user.update_attributes([{"Name": "email_verified", "Value": "true"}])
        return reply

    def _resend_confirmation_code(self, call: Call) -> Reply:
        # moto does not implement ResendConfirmationCode at all.
        pool, client = self.pool_and_client(call.params.get("ClientId", ""))
        username = call.params.get("Username", "")
        self.check_secret_hash(client, username, call.params.get("SecretHash"))
        user = pool._get_user(self.canonical_username(pool, username))
        if user is None:
            # PreventUserExistenceErrors: AWS simulates a delivery for unknown users.
            details = {
                "Destination": mask_email(username),
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }
            return Reply.json(200, {"CodeDeliveryDetails": details})
        if user.status.value != "UNCONFIRMED":
            raise AwsError("InvalidParameterException", "User is already confirmed.")
        return Reply.json(200, {"CodeDeliveryDetails": self.send_code(pool, user, "signup")})

    def _initiate_auth(self, call: Call) -> Reply:
        pool, client = self.pool_and_client(call.params.get("ClientId", ""))
        flow = call.params.get("AuthFlow", "")
        params: dict[str, str] = call.params.setdefault("AuthParameters", {})
        if flow == "USER_PASSWORD_AUTH":
            username = params.get("USERNAME", "")
            self.check_secret_hash(client, username, params.get("SECRET_HASH"))
            params["USERNAME"] = self.canonical_username(pool, username)
            reply = self.forward(call)
            if reply.error_type == "UserNotFoundException":
                # PreventUserExistenceErrors: AWS answers an unknown user like a wrong password.
                return Reply.json(
                    400,
                    {
                        "__type": "NotAuthorizedException",
                        "message": "Incorrect username or password.",
                    },
                )
            return reply
        if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            self._correct_refresh_hash(pool, client, params)
        return self.forward(call)

    def _correct_refresh_hash(self, pool: Any, client: Any, params: dict[str, str]) -> None:
        entry = pool.refresh_tokens.get(params.get("REFRESH_TOKEN", ""))
        if entry is None:
            return  # moto answers NotAuthorizedException itself
        token_client_id, signed_in_as, _ = entry
        if token_client_id != client.id:
            raise AwsError("NotAuthorizedException", "Invalid Refresh Token")
        user = pool._get_user(signed_in_as)
        # AWS hashes the internal username (the UUID); moto wants the sign-in string (the
        # email). Check the AWS rule, then re-sign for moto.
        self.check_secret_hash(client, user.username, params.get("SECRET_HASH"))
        if client.generate_secret:
            params["SECRET_HASH"] = secret_hash(signed_in_as, client.id, client.secret)

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
