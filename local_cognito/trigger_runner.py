"""Run the triggers/ handlers in-process where AWS Cognito would invoke them, as AWS invokes them.

`LocalTriggers` implements `local_cognito.trigger_hooks.TriggerHooks`: it builds the event document
AWS sends (version, region, userPoolId, userName, callerContext, triggerSource, request, response),
passes a JSON copy of it to the same handler module that is deployed, and answers failures with the
errors Cognito reports. The CUSTOM_AUTH flow that drives the auth-challenge triggers lives in
local_cognito.custom_auth.
The handlers read their configuration from the same environment variables as on Lambda (see
`local_cognito.platform.PlatformResources.trigger_environment`).
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from local_cognito.custom_auth import CustomAuthFlow, SessionStore
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
        # (the caller renames moto's user to it afterwards).
        user_name = str(given.pop("user_name", None) or uuid.uuid4())
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
        self.custom = CustomAuthFlow(self, SessionStore(session_seconds, clock))

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

    def handles_session(self, session: str) -> bool:
        """True when `session` is one of this runner's CUSTOM_AUTH sessions (expired included)."""
        return session in self.custom.sessions

    def custom_auth(self, layer: Any, call: Call) -> Reply:  # the AWS layer
        """Serve InitiateAuth(CUSTOM_AUTH) and RespondToAuthChallenge for its sessions."""
        return self.custom.serve(layer, call)


def _rejection(trigger: str, exc: BaseException) -> AwsError:
    # Cognito's wording for a function error: "<Trigger> failed with error <errorMessage>."
    return AwsError("UserLambdaValidationException", f"{trigger} failed with error {exc}.")
