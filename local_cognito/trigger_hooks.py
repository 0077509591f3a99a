"""The points at which the local Cognito calls Lambda triggers, as AWS does; none by default."""

from __future__ import annotations

from typing import Any, Protocol


class TriggerHooks(Protocol):
    """What the AWS behaviour layer calls; an implementation runs the triggers/ handlers.

    `invoke` builds the event document AWS would send for `trigger_source` (e.g.
    "PreSignUp_SignUp"), calls the configured handler, and returns the event's `response`. A
    handler that raises becomes `AwsError("UserLambdaValidationException",
    "<Trigger> failed with error <message>.")`, as AWS reports it. With no handler configured for
    that trigger it returns {} (the trigger is not attached).
    """

    def invoke(
        self,
        trigger_source: str,
        pool: Any,
        client_id: str | None,
        user: Any,
        request: dict[str, Any],
    ) -> dict[str, Any]:
        """Run the trigger for `trigger_source`; return its response object."""
        ...

    def custom_auth(self, layer: Any, call: Any) -> Any:
        """Serve InitiateAuth(CUSTOM_AUTH) and RespondToAuthChallenge(CUSTOM_CHALLENGE): a Reply."""
        ...

    def handles_session(self, session: str) -> bool:
        """True when `session` is a CUSTOM_AUTH session these triggers are running."""
        ...


class NoTriggers:
    """A pool with no Lambda triggers attached (moto's own behaviour)."""

    def invoke(
        self,
        trigger_source: str,
        pool: Any,
        client_id: str | None,
        user: Any,
        request: dict[str, Any],
    ) -> dict[str, Any]:
        """Nothing attached: an empty response."""
        return {}

    def handles_session(self, session: str) -> bool:
        """No custom auth, so no session of its own."""
        return False

    def custom_auth(self, layer: Any, call: Any) -> Any:
        """Without Define/Create/Verify triggers AWS refuses CUSTOM_AUTH."""
        from local_cognito.aws_layer import AwsError

        raise AwsError(
            "InvalidParameterException",
            "Custom auth lambda trigger is not configured for the user pool.",
        )
