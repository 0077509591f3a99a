"""README "Deploy to AWS" lists every parameter and output of serverless.yml, with its default."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.conftest import ROOT

README = (ROOT / "README.md").read_text()
SERVERLESS = (ROOT / "serverless.yml").read_text()


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match is not None, f'README has no "{title}" section'
    return match.group(1)


def _params() -> dict[str, str]:
    """`params.default` of serverless.yml: name -> default as written."""
    block = SERVERLESS.split("\nparams:\n  default:\n", 1)[1].split("\nprovider:", 1)[0]
    found = re.findall(r"^    (\w+): ?(.*)$", block, re.M)
    return {name: value.strip().strip("'") for name, value in found}


def test_every_parameter_is_in_the_table_with_its_default() -> None:
    rows = {
        name: row
        for row in _section("Deploy to AWS").splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`(\w+)`", row.split("|")[1])
    }
    params = _params()
    assert params
    assert sorted(set(params) - set(rows)) == []
    for name, default in params.items():
        shown = rows[name].split("|")[2]
        if default and "${" not in default:
            assert f"`{default}`" in shown, f"{name}: default {default!r} not shown"
        elif not default:
            assert "empty" in shown, f"{name}: empty default not shown"


@pytest.mark.deploy
def test_every_output_of_the_stack_is_named(template: dict[str, Any]) -> None:
    section = _section("Deploy to AWS")
    ours = [name for name in template["Outputs"] if not name.endswith("QualifiedArn")]
    missing = [name for name in ours if f"`{name}`" not in section]
    assert missing == ["ServerlessDeploymentBucketName"]  # named as "the deployment bucket"
