"""Run inside a bare Python 3.12 (`python3.12 -I -S`): one Lambda container for one handler.

The interpreter sees only the unpacked function zip (the task root) and a directory standing in
for the runtime's own packages (boto3), in Lambda's order, and nothing of the host's
site-packages. Arguments: TASK_ROOT RUNTIME_ROOT HANDLER FUNCTION_NAME MEMORY_MB TIMEOUT_S.

Protocol, one JSON document per line: the first line written to stdout is the init report
(Python version, init time, or the import error); then for each event read from stdin, one
outcome (the handler's result or its exception, and the time it took). Whatever the handler
prints goes to stderr with its logs, so stdout carries the protocol only. Because the module is
imported once and invoked many times, this is a warm container as Lambda reuses it.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any, TextIO


class FakeContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    def __init__(self, function_name: str, memory_mb: str, timeout_s: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = (
            f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/12/03/[$LATEST]smoke"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the configured timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _protocol_channel() -> TextIO:
    """Keep stdout for the protocol; send fd 1 (prints, handlers' logs) to stderr."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(2, 1)
    return channel


def _send(channel: TextIO, document: dict[str, Any]) -> None:
    channel.write(json.dumps(document, default=str) + "\n")
    channel.flush()


def main(argv: list[str]) -> int:
    """Import the handler the way Lambda's bootstrap does, then invoke it once per event line."""
    task_root, runtime_root, handler_name, function_name, memory_mb, timeout_s = argv[1:7]
    channel = _protocol_channel()
    sys.path[:0] = [task_root, runtime_root]
    module_name, _, attribute = handler_name.rpartition(".")
    report: dict[str, Any] = {"python": sys.version.split()[0]}
    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name.replace("/", ".")), attribute)
    except Exception:  # reported, not raised: the orchestrator prints it
        report["init_error"] = traceback.format_exc()
        _send(channel, report)
        return 0
    report["init_ms"] = (time.perf_counter() - started) * 1000
    _send(channel, report)
    for line in sys.stdin:
        event = json.loads(line)
        context = FakeContext(function_name, memory_mb, float(timeout_s))
        started = time.perf_counter()
        try:
            outcome: dict[str, Any] = {"response": handler(event, context)}
        except Exception as exc:  # a trigger rejecting raises: that is an outcome, not a crash
            outcome = {"error": type(exc).__name__, "message": str(exc)}
        outcome["ms"] = (time.perf_counter() - started) * 1000
        _send(channel, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
