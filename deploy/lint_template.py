"""Judge cfn-lint's JSON findings on the packaged template: no errors, no warnings of our own.

The only findings tolerated are the ones osls itself generates, each named in FRAMEWORK_FINDINGS
with the reason, and only on resources the framework generated (not on anything declared under
`resources:` in serverless.yml).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# rule id -> why the framework's output triggers it.
FRAMEWORK_FINDINGS = {
    "W3005": (
        "osls adds DependsOn on the execution role and log group of every function, and on the"
        " integration of the HTTP API route, next to the Ref/GetAtt that already orders them"
    ),
}


def user_resources(state_file: Path) -> set[str]:
    """Logical ids declared under `resources.Resources` in serverless.yml."""
    state = json.loads(state_file.read_text())
    return set(state["service"]["resources"]["Resources"])


def judge(findings: list[dict[str, Any]], ours: set[str]) -> tuple[list[str], list[str]]:
    """Split findings into (failures, tolerated framework findings), both as printable lines."""
    failures: list[str] = []
    tolerated: list[str] = []
    for finding in findings:
        rule = finding["Rule"]["Id"]
        where = finding["Location"]["Path"]
        resource = where[1] if len(where) > 1 and where[0] == "Resources" else None
        line = f"{finding['Level']} {rule} {'/'.join(map(str, where))}: {finding['Message']}"
        from_framework = rule in FRAMEWORK_FINDINGS and resource is not None
        if (from_framework and resource not in ours) or finding["Level"] == "Informational":
            tolerated.append(line)
        else:
            failures.append(line)
    return failures, tolerated


def main(argv: list[str]) -> int:
    """Read cfn-lint's JSON output and the osls state file; exit 1 on any failure."""
    findings_file, state_file = Path(argv[1]), Path(argv[2])
    findings = json.loads(findings_file.read_text() or "[]")
    failures, tolerated = judge(findings, user_resources(state_file))
    for line in tolerated:
        rule = line.split()[1]
        print(f"tolerated (framework, {FRAMEWORK_FINDINGS.get(rule, 'informational')}): {line}")
    for line in failures:
        print(f"FAIL: {line}")
    print(f"cfn-lint: {len(failures)} failing finding(s), {len(tolerated)} tolerated")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
