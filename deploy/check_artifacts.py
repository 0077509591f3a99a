"""Check every function zip named in the packaged template: size, no boto3, Lambda-native code.

Native extensions must load on the python3.12 x86_64 runtime (Amazon Linux 2023, glibc 2.34):
CPython 3.12 or stable-ABI tags, 64-bit x86-64 ELF, and no glibc symbol version above 2.34.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

MAX_ZIP_BYTES = 10_000_000  # 10 MB
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
MAX_GLIBC = (2, 34)
ELF_MAGIC = b"\x7fELF"
EM_X86_64 = 62
_GLIBC = re.compile(rb"GLIBC_(\d+)\.(\d+)")
_EXT_TAG = re.compile(r"\.(?P<tag>[^./]+)\.so$")
_GOOD_TAGS = ("cpython-312-x86_64-linux-gnu", "abi3")


def functions(template: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Logical id -> (handler, zip file name) for every Lambda function in the template."""
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Function":
            props = resource["Properties"]
            found[logical_id] = (props["Handler"], Path(props["Code"]["S3Key"]).name)
    return found


def native_problems(name: str, data: bytes) -> list[str]:
    """Why this shared object would not load on the Lambda runtime (empty when it would)."""
    problems = []
    match = _EXT_TAG.search(name)
    if match and not match.group("tag").endswith(_GOOD_TAGS):
        problems.append(f"{name}: built for {match.group('tag')}, not CPython 3.12 x86_64")
    if data[:4] != ELF_MAGIC:
        return [*problems, f"{name}: not an ELF shared object"]
    if data[4] != 2 or data[5] != 1:  # ELFCLASS64, little endian
        problems.append(f"{name}: not a 64-bit little-endian ELF")
    if int.from_bytes(data[18:20], "little") != EM_X86_64:
        problems.append(f"{name}: not built for x86-64")
    versions = {(int(a), int(b)) for a, b in _GLIBC.findall(data)}
    if versions and max(versions) > MAX_GLIBC:
        newest = max(versions)
        problems.append(f"{name}: needs glibc {newest[0]}.{newest[1]} > 2.34")
    return problems


def check_zip(path: Path, handler: str) -> tuple[list[str], str]:
    """Problems with one function zip, and a one-line summary."""
    problems = []
    size = path.stat().st_size
    if size > MAX_ZIP_BYTES:
        problems.append(f"{path.name}: {size} bytes > {MAX_ZIP_BYTES}")
    module_file = handler.rsplit(".", 1)[0].replace(".", "/") + ".py"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if module_file not in names:
            problems.append(f"{path.name}: handler module {module_file} is missing")
        tops = {name.split("/")[0] for name in names}
        bundled = sorted(RUNTIME_PROVIDED & tops)
        if bundled:
            problems.append(f"{path.name}: bundles {bundled}, which the runtime provides")
        natives = [name for name in names if name.endswith(".so") or ".so." in name]
        for name in natives:
            problems.extend(f"{path.name}: {p}" for p in native_problems(name, archive.read(name)))
    summary = f"{path.name}: {size / 1e6:.2f} MB, {len(names)} files, {len(natives)} native"
    return problems, summary


def main(argv: list[str]) -> int:
    """Check the zips of `.serverless/` against its packaged template; exit 1 on any problem."""
    build = Path(argv[1]) if len(argv) > 1 else Path(".serverless")
    template = json.loads((build / "cloudformation-template-update-stack.json").read_text())
    found = functions(template)
    if not found:
        print("FAIL: the template has no Lambda functions")
        return 1
    problems: list[str] = []
    for logical_id, (handler, zip_name) in sorted(found.items()):
        zip_problems, summary = check_zip(build / zip_name, handler)
        problems.extend(zip_problems)
        print(f"{logical_id}: {summary}")
    for problem in problems:
        print(f"FAIL: {problem}")
    print(f"artifacts: {len(found)} zips, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
