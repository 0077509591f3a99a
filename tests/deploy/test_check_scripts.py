"""The deployment check scripts judge what they are given correctly (no packaging needed)."""

from __future__ import annotations

import re
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from tests.deploy.conftest import ROOT, load_deploy_script

lint = load_deploy_script("lint_template")
artifacts = load_deploy_script("check_artifacts")


def finding(rule: str, level: str, path: list[Any]) -> dict[str, Any]:
    """A cfn-lint JSON finding."""
    return {"Rule": {"Id": rule}, "Level": level, "Location": {"Path": path}, "Message": "m"}


def elf(machine: int = 62, elf_class: int = 2, glibc: str = "2.17") -> bytes:
    """The first bytes of an ELF shared object, with one glibc version reference."""
    header = b"\x7fELF" + bytes([elf_class, 1, 1]) + bytes(9)
    header += (3).to_bytes(2, "little") + machine.to_bytes(2, "little")
    return header + bytes(44) + f"GLIBC_{glibc}\0".encode()


# ---------------------------------------------------------------- cfn-lint judging


def test_framework_warning_on_a_generated_resource_is_tolerated() -> None:
    findings = [finding("W3005", "Warning", ["Resources", "ApiLambdaFunction", "DependsOn", 0])]
    failures, tolerated = lint.judge(findings, {"UserPool"})
    assert failures == []
    assert [line.split()[1] for line in tolerated] == ["W3005"]


def test_framework_warning_on_our_own_resource_fails() -> None:
    findings = [finding("W3005", "Warning", ["Resources", "UserPool", "DependsOn", 0])]
    failures, tolerated = lint.judge(findings, {"UserPool"})
    assert len(failures) == 1
    assert tolerated == []


@pytest.mark.parametrize(("rule", "level"), [("E3002", "Error"), ("W2001", "Warning")])
def test_errors_and_other_warnings_fail(rule: str, level: str) -> None:
    findings = [finding(rule, level, ["Resources", "ApiLambdaFunction", "Properties"])]
    failures, _ = lint.judge(findings, set())
    assert [line.split()[1] for line in failures] == [rule]


def test_a_framework_rule_outside_resources_fails() -> None:
    failures, _ = lint.judge([finding("W3005", "Warning", ["Outputs", "X"])], set())
    assert len(failures) == 1


# ---------------------------------------------------------------- native modules


def test_a_lambda_compatible_extension_passes() -> None:
    assert artifacts.native_problems("pkg/_x.cpython-312-x86_64-linux-gnu.so", elf()) == []
    assert artifacts.native_problems("pkg/_rust.abi3.so", elf(glibc="2.34")) == []


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("pkg/_x.cpython-311-x86_64-linux-gnu.so", elf(), "not CPython 3.12"),
        ("pkg/_x.cpython-312-aarch64-linux-gnu.so", elf(), "not CPython 3.12"),
        ("pkg/_x.cpython-312-x86_64-linux-gnu.so", elf(machine=183), "not built for x86-64"),
        ("pkg/_x.cpython-312-x86_64-linux-gnu.so", elf(elf_class=1), "64-bit"),
        ("pkg/_x.abi3.so", elf(glibc="2.38"), "glibc 2.38"),
        ("pkg/_x.cpython-312-darwin.so", b"\xcf\xfa\xed\xfe", "not an ELF"),
    ],
)
def test_an_extension_the_runtime_cannot_load_is_reported(
    name: str, data: bytes, reason: str
) -> None:
    problems = artifacts.native_problems(name, data)
    assert any(reason in problem for problem in problems), problems


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_a_small_zip_with_its_handler_passes(tmp_path: Path) -> None:
    path = _zip(tmp_path / "fn.zip", {"app/lambda_handler.py": b"handler = None\n"})
    problems, summary = artifacts.check_zip(path, "app/lambda_handler.handler")
    assert problems == []
    assert summary.startswith("fn.zip")


def test_a_zip_bundling_boto3_or_missing_its_handler_fails(tmp_path: Path) -> None:
    path = _zip(tmp_path / "fn.zip", {"boto3/__init__.py": b"", "botocore/__init__.py": b""})
    problems, _ = artifacts.check_zip(path, "app/lambda_handler.handler")
    assert any("handler module app/lambda_handler.py is missing" in p for p in problems)
    assert any("['boto3', 'botocore']" in p for p in problems)


def test_a_zip_over_ten_megabytes_fails(tmp_path: Path) -> None:
    path = tmp_path / "fn.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("app/lambda_handler.py", b"x" * 10_000_001)
    problems, _ = artifacts.check_zip(path, "app/lambda_handler.handler")
    assert any("> 10000000" in p for p in problems)


def test_functions_are_read_from_the_template() -> None:
    template = {
        "Resources": {
            "ApiLambdaFunction": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Handler": "app/x.handler", "Code": {"S3Key": "a/b/api.zip"}},
            },
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        }
    }
    assert artifacts.functions(template) == {"ApiLambdaFunction": ("app/x.handler", "api.zip")}


# ---------------------------------------------------------------- Lambda requirements


def _lambda_requirements() -> dict[str, Requirement]:
    lines = (ROOT / "deploy" / "requirements-lambda.txt").read_text().splitlines()
    found = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {requirement.name.lower(): requirement for requirement in found}


def _project_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = [Requirement(line) for line in project["dependencies"]]
    return {requirement.name.lower(): requirement for requirement in found}


def test_lambda_requirements_are_the_project_dependencies_minus_runtime_and_server() -> None:
    # boto3 is in the Lambda runtime; uvicorn only serves the container.
    assert set(_lambda_requirements()) == set(_project_requirements()) - {"boto3", "uvicorn"}


def test_lambda_requirements_are_pinned_within_the_project_ranges() -> None:
    project = _project_requirements()
    for name, requirement in _lambda_requirements().items():
        [pin] = requirement.specifier
        assert pin.operator == "==", f"{name} is not pinned"
        assert project[name].specifier.contains(pin.version), f"{name} {pin.version}"
        assert requirement.extras == project[name].extras, name


def test_container_requirements_add_only_boto3_and_uvicorn_pinned_in_range() -> None:
    lines = (ROOT / "deploy" / "requirements-container.txt").read_text().splitlines()
    entries = [line for line in lines if line.strip() and not line.startswith("#")]
    assert entries[0] == "-r requirements-lambda.txt"
    extra = {Requirement(line).name.lower(): Requirement(line) for line in entries[1:]}
    assert set(extra) == {"boto3", "uvicorn"}
    project = _project_requirements()
    for name, requirement in extra.items():
        [pin] = requirement.specifier
        assert pin.operator == "=="
        assert project[name].specifier.contains(pin.version), f"{name} {pin.version}"


def test_check_tools_are_pinned() -> None:
    lines = (ROOT / "deploy" / "requirements-checks.txt").read_text().splitlines()
    pins = [line for line in lines if line.strip() and not line.startswith("#")]
    assert pins
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", pin) for pin in pins)
