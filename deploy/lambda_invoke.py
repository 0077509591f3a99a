"""Run inside a bare Python 3.12 (`python3.12 -I -S`): import a Lambda handler and invoke it.

The interpreter sees only the unpacked function zip (the task root) and a directory standing in
for the runtime's own packages (boto3), in Lambda's order, and nothing of the host's
site-packages. Arguments: TASK_ROOT RUNTIME_ROOT HANDLER EVENTS_JSON RESULT_JSON. The result file
gets the init time, each invocation's result (or error) and time.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any


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


def main(argv: list[str]) -> int:
    """Import the handler the way Lambda's bootstrap does, then invoke it once per event."""
    task_root, runtime_root, handler_name, events_file, result_file = argv[1:6]
    sys.path[:0] = [task_root, runtime_root]
    module_name, _, attribute = handler_name.rpartition(".")
    started = time.perf_counter()
    result: dict[str, Any] = {"python": sys.version.split()[0], "invocations": []}
    try:
        handler = getattr(importlib.import_module(module_name.replace("/", ".")), attribute)
    except Exception:  # reported, not raised: the orchestrator prints it
        result["init_error"] = traceback.format_exc()
        Path(result_file).write_text(json.dumps(result))
        return 0
    result["init_ms"] = (time.perf_counter() - started) * 1000
    result["modules"] = sorted({m.split(".")[0] for m in sys.modules})
    events = json.loads(Path(events_file).read_text())
    context_args = (argv[6], argv[7], float(argv[8]))
    for event in events:
        started = time.perf_counter()
        try:
            response = handler(event, FakeContext(*context_args))
            outcome: dict[str, Any] = {"response": response}
        except Exception as exc:  # a trigger rejecting raises: that is an outcome, not a crash
            outcome = {"error": type(exc).__name__, "message": str(exc)}
        outcome["ms"] = (time.perf_counter() - started) * 1000
        result["invocations"].append(outcome)
    Path(result_file).write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
