"""Fixtures for the deployment checks: the packaged template and the osls state beside it.

Tests marked `deploy` need `.serverless/` from `npx osls package` (deploy/check_package.sh runs
it, then these tests with DEPLOY_CHECKS=1). Without the template they are deselected, unless
DEPLOY_CHECKS=1 asks for them, in which case they fail and say how to build it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".serverless"
TEMPLATE = BUILD / "cloudformation-template-update-stack.json"
STATE = BUILD / "serverless-state.json"


def pytest_configure(config: pytest.Config) -> None:
    """Register the `deploy` marker (pyproject runs pytest with --strict-markers)."""
    config.addinivalue_line(
        "markers", "deploy: needs the packaged template in .serverless/ (deploy/check_package.sh)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect `deploy` tests when there is no template and DEPLOY_CHECKS=1 does not ask."""
    if TEMPLATE.is_file() or os.environ.get("DEPLOY_CHECKS") == "1":
        return
    deselected = [item for item in items if item.get_closest_marker("deploy")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("deploy")]


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        pytest.fail(
            f"{path.relative_to(ROOT)} is missing: run deploy/check_package.sh "
            "(or `npx osls package --stage dev`) first",
            pytrace=False,
        )
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """The CloudFormation template osls generated."""
    return _read(TEMPLATE)


@pytest.fixture(scope="session")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    """The template's resources by logical id."""
    found: dict[str, Any] = template["Resources"]
    return found


@pytest.fixture(scope="session")
def stage() -> str:
    """The stage the template was packaged for."""
    value: str = _read(STATE)["service"]["provider"]["stage"]
    return value


@pytest.fixture(scope="session")
def user_pool_definition() -> dict[str, Any]:
    """deploy/user_pool.json: the one definition of the pool and app client."""
    return json.loads((ROOT / "deploy" / "user_pool.json").read_text())  # type: ignore[no-any-return]


def load_deploy_script(name: str) -> ModuleType:
    """Import deploy/<name>.py (deploy/ is scripts, not a package)."""
    if str(ROOT / "deploy") not in sys.path:
        sys.path.insert(0, str(ROOT / "deploy"))
    spec = importlib.util.spec_from_file_location(f"deploy_{name}", ROOT / "deploy" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
