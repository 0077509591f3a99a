"""Each function's role grants exactly the AWS actions its code can call, on named resources.

The actions a function needs are read from its code: the modules its handler imports (within
app/ and triggers/), and in them every boto3 operation taken from an object whose expression
names a client (`self._client.put_item`, `clients.sns(region).publish`, ...). Operations that
Cognito authorises by the user's own token (sign-up, sign-in, GetUser...) need no IAM.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import ROOT

SERVICE_OF = {
    "put_item": "dynamodb",
    "get_item": "dynamodb",
    "update_item": "dynamodb",
    "delete_item": "dynamodb",
    "query": "dynamodb",
    "scan": "dynamodb",
    "batch_get_item": "dynamodb",
    "batch_write_item": "dynamodb",
    "transact_get_items": "dynamodb",
    "transact_write_items": "dynamodb",
    "publish": "sns",
    "describe_user_pool_client": "cognito-idp",
    "describe_user_pool": "cognito-idp",
    "list_users": "cognito-idp",
}
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}


def action_for(operation: str) -> str | None:
    """The IAM action of a boto3 operation name, or None when it needs no IAM permission."""
    service = "cognito-idp" if operation.startswith("admin_") else SERVICE_OF.get(operation)
    if service is None:
        return None
    return f"{service}:{''.join(part.capitalize() for part in operation.split('_'))}"


def module_file(module: str) -> Path | None:
    """The source file of a project module, or None for anything outside app/ and triggers/."""
    if module.split(".")[0] not in {"app", "triggers"}:
        return None
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(tree: ast.Module) -> set[str]:
    """Project modules a module imports, at any depth of its body (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def operations(tree: ast.AST, source: str) -> set[str]:
    """boto3 operations reached through an expression that names a client."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and action_for(node.attr):
            owner = (ast.get_source_segment(source, node.value) or "").lower()
            if any(word in owner for word in ("client", "dynamodb", "sns", "cognito")):
                found.add(node.attr)
    return found


def referenced_names(tree: ast.AST) -> set[str]:
    """Every name and attribute a piece of code mentions (what it may call)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


Definition = ast.FunctionDef | ast.AsyncFunctionDef


def closure(handler: str) -> dict[Path, tuple[ast.Module, str]]:
    """Every project module the handler's module imports, directly or not (lazy imports too)."""
    modules: dict[Path, tuple[ast.Module, str]] = {}
    pending = [handler.rsplit(".", 1)[0].replace("/", ".")]
    while pending:
        path = module_file(pending.pop())
        if path is None or path in modules:
            continue
        source = path.read_text()
        tree = ast.parse(source)
        modules[path] = (tree, source)
        pending.extend(imported_modules(tree))
    assert modules, f"no source found for handler {handler}"
    return modules


def needed_actions(handler: str) -> set[str]:
    """IAM actions the code behind a handler (`pkg/module.handler`) can call.

    Reachability is by name: from the handler function, the modules' top-level code, every
    decorated function (routes) and every dunder method (`__call__` of a dependency), any
    function whose name is mentioned is taken as called.
    """
    definitions: dict[str, list[tuple[Definition, str]]] = {}
    roots: list[tuple[ast.AST, str]] = []
    entry = handler.rsplit(".", 1)[1]
    for tree, source in closure(handler).values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                definitions.setdefault(node.name, []).append((node, source))
                implicit = node.name.startswith("__") and node.name.endswith("__")
                if node.decorator_list or implicit or node.name == entry:
                    roots.append((node, source))
        top_level = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.ClassDef)]
        roots.extend((node, source) for node in top_level)
    actions: set[str] = set()
    seen: set[int] = set()
    while roots:
        node, source = roots.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        actions.update(a for op in operations(node, source) if (a := action_for(op)))
        for name in referenced_names(node):
            roots.extend(definitions.get(name, []))
    return actions


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement of a role's inline policies."""
    return [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def as_list(value: Any) -> list[Any]:
    """IAM allows a single value or a list."""
    return value if isinstance(value, list) else [value]


def function_roles(resources: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(function id, handler, role resource) for every Lambda function."""
    found = []
    for function_id, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            role_id, attribute = resource["Properties"]["Role"]["Fn::GetAtt"]
            assert attribute == "Arn"
            found.append((function_id, resource["Properties"]["Handler"], resources[role_id]))
    return found


def test_action_names_follow_the_boto3_operation() -> None:
    assert action_for("put_item") == "dynamodb:PutItem"
    assert action_for("admin_get_user") == "cognito-idp:AdminGetUser"
    assert action_for("describe_user_pool_client") == "cognito-idp:DescribeUserPoolClient"
    assert action_for("initiate_auth") is None  # authorised by the client id, not IAM


def test_operations_are_read_from_client_expressions_only() -> None:
    source = (
        "self._client.put_item(TableName='t')\n"
        "asyncio.to_thread(self._dynamodb().get_item, Key={})\n"
        "clients.sns(region).publish(TopicArn='x')\n"
        "url.query\n"
    )
    assert operations(ast.parse(source), source) == {"put_item", "get_item", "publish"}


@pytest.mark.deploy
def test_every_function_has_its_own_role(resources: dict[str, Any]) -> None:
    roles = [id(role) for _, _, role in function_roles(resources)]
    assert len(roles) == len(set(roles)) == 8


@pytest.mark.deploy
def test_roles_grant_exactly_what_the_code_calls(resources: dict[str, Any]) -> None:
    mismatches = {}
    for function_id, handler, role in function_roles(resources):
        granted = {a for s in statements(role) for a in as_list(s["Action"])} - LOG_ACTIONS
        needed = needed_actions(handler)
        if granted != needed:
            mismatches[function_id] = {
                "granted, unused": sorted(granted - needed),
                "used, not granted": sorted(needed - granted),
            }
    assert mismatches == {}


@pytest.mark.deploy
def test_roles_name_every_resource(resources: dict[str, Any]) -> None:
    for function_id, _, role in function_roles(resources):
        for statement in statements(role):
            assert statement["Effect"] == "Allow"
            for resource in as_list(statement["Resource"]):
                assert isinstance(resource, dict), f"{function_id}: literal resource {resource}"
                assert set(resource) <= {"Fn::GetAtt", "Ref"}, f"{function_id}: {resource}"


@pytest.mark.deploy
def test_each_function_writes_only_its_own_log_group(resources: dict[str, Any]) -> None:
    for function_id, _, role in function_roles(resources):
        [logs] = [s for s in statements(role) if set(as_list(s["Action"])) == LOG_ACTIONS]
        group_id = logs["Resource"]["Fn::GetAtt"][0]
        group = resources[group_id]["Properties"]["LogGroupName"]
        name = resources[function_id]["Properties"]["FunctionName"]
        assert group == f"/aws/lambda/{name}"


@pytest.mark.deploy
def test_lambda_roles_trust_only_lambda(resources: dict[str, Any]) -> None:
    for _, _, role in function_roles(resources):
        assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
