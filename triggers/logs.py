"""The triggers' JSON logger (Powertools) and the wrapper every handler goes through.

The wrapper replaces Powertools' ``inject_lambda_context`` for two reasons: it accepts any context
(AWS's ``LambdaContext``; a small fake, of which ``function_name`` and ``aws_request_id`` are read
when present; or ``None`` when the local Cognito calls a handler in-process), and it can never log
the event, which carries one-time codes and challenge answers (``POWERTOOLS_LOGGER_LOG_EVENT``
would otherwise turn that on).
Keys are thread-local, so concurrent in-process invocations do not mix their log fields.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

Event = dict[str, Any]
Handler = Callable[[Event, object], Event]

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "cognito-triggers")

# At DEBUG, botocore logs every request body: the emailed code, the welcome message's address.
# A DEBUG log level for the function (AWS_LAMBDA_LOG_LEVEL) must not publish them.
for _name in ("botocore", "boto3", "urllib3"):
    _library = logging.getLogger(_name)
    if _library.level < logging.WARNING:  # NOTSET (inherit) included
        _library.setLevel(logging.WARNING)


def trigger_handler(func: Handler) -> Handler:
    """Wrap a trigger: fresh per-invocation log keys, and a ``response`` object to fill in."""

    @functools.wraps(func)
    def wrapper(event: Event, context: object) -> Event:
        caller = event.get("callerContext") or {}
        logger.thread_safe_clear_keys()
        logger.thread_safe_append_keys(
            trigger_source=event.get("triggerSource"),
            user_pool_id=event.get("userPoolId"),
            client_id=caller.get("clientId") if isinstance(caller, dict) else None,
            function_name=getattr(context, "function_name", None),
            function_request_id=getattr(context, "aws_request_id", None),
        )
        if not isinstance(event.get("response"), dict):
            event["response"] = {}
        return func(event, context)

    return wrapper
