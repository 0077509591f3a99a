"""The packaged template carries every seed setting, one test per setting.

Sources: deploy/user_pool.json (the pool and client in API shape, including DeployOnly) and the
seed's HCL for what that file does not hold (identity pool, role, table, topic, alarms). Every
deliberate difference is listed in DEVIATIONS with its reason and asserted as such.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.deploy.conftest import ROOT

pytestmark = pytest.mark.deploy

DEVIATIONS = {
    "UserPool.DeviceConfiguration": (
        "device tracking makes refresh tokens from USER_PASSWORD_AUTH fail without a confirmed"
        " device; the seed's values are in the template behind the DeviceTracking parameter,"
        " default false"
    ),
    "UserPoolClient.AllowedOAuthFlows": "the implicit flow is dropped (OAuth 2.0 Security BCP)",
    "UserPoolClient.ExplicitAuthFlows": (
        "ALLOW_CUSTOM_AUTH is added to the seed's three: the adaptive sign-in runs the"
        " Define/Create/VerifyAuthChallenge triggers, which Cognito calls in CUSTOM_AUTH only"
    ),
    "names": "pool, client and identity pool names carry the stage so stages can share an account",
}

DEFINITION = json.loads((ROOT / "deploy" / "user_pool.json").read_text())
# Settings compared one by one with deploy/user_pool.json; the keys left out have their own tests.
POOL_KEYS = sorted(
    set(DEFINITION["UserPool"]) - {"PoolName", "DeviceConfiguration", "UserPoolTags"}
)
DEPLOY_ONLY_POOL_KEYS = sorted(set(DEFINITION["DeployOnly"]["UserPool"]) - {"LambdaConfig"})
CLIENT_KEYS = sorted(set(DEFINITION["UserPoolClient"]) - {"ClientName"})
DEPLOY_ONLY_CLIENT_KEYS = sorted(DEFINITION["DeployOnly"]["UserPoolClient"])
TRIGGER_MODULES = {
    "PreSignUp": "pre_sign_up",
    "PostConfirmation": "post_confirmation",
    "PreAuthentication": "pre_authentication",
    "PostAuthentication": "post_authentication",
    "DefineAuthChallenge": "define_auth_challenge",
    "CreateAuthChallenge": "create_auth_challenge",
    "VerifyAuthChallengeResponse": "verify_auth_challenge",
}


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    """The single resource of a type, by logical id."""
    found = {key: value for key, value in resources.items() if value["Type"] == kind}
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return found


def props(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    """Properties of the single resource of a type."""
    value: dict[str, Any] = next(iter(of_type(resources, kind).values()))["Properties"]
    return value


def logical_id(resources: dict[str, Any], kind: str) -> str:
    """Logical id of the single resource of a type."""
    return next(iter(of_type(resources, kind)))


def as_iam_sees(value: Any) -> str:
    """A Fn::Sub string as IAM receives it: partition aws, `${!x}` unescaped to `${x}`."""
    if isinstance(value, str):
        return value
    assert set(value) == {"Fn::Sub"}, f"expected Fn::Sub, got {value}"
    text: str = value["Fn::Sub"]
    text = text.replace("${AWS::Partition}", "aws")
    unresolved = re.findall(r"\$\{(?!!)[^}]*\}", text)
    assert not unresolved, f"unresolved Fn::Sub variables {unresolved}"
    return re.sub(r"\$\{!([^}]*)\}", r"${\1}", text)


# ---------------------------------------------------------------- user pool


@pytest.mark.parametrize("key", POOL_KEYS)
def test_pool_setting_matches_definition(
    key: str, resources: dict[str, Any], user_pool_definition: dict[str, Any]
) -> None:
    pool = props(resources, "AWS::Cognito::UserPool")
    assert pool[key] == user_pool_definition["UserPool"][key]


@pytest.mark.parametrize("key", DEPLOY_ONLY_POOL_KEYS)
def test_pool_deploy_only_setting_matches_definition(
    key: str, resources: dict[str, Any], user_pool_definition: dict[str, Any]
) -> None:
    pool = props(resources, "AWS::Cognito::UserPool")
    assert pool[key] == user_pool_definition["DeployOnly"]["UserPool"][key]


def test_pool_password_policy_is_the_seeds(resources: dict[str, Any]) -> None:
    policy = props(resources, "AWS::Cognito::UserPool")["Policies"]["PasswordPolicy"]
    assert policy == {
        "MinimumLength": 8,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "RequireUppercase": True,
        "TemporaryPasswordValidityDays": 7,
    }


def test_pool_name_is_the_definitions_with_the_stage(
    resources: dict[str, Any], user_pool_definition: dict[str, Any], stage: str
) -> None:
    expected = user_pool_definition["UserPool"]["PoolName"].replace(
        "-user-pool", f"-{stage}-user-pool"
    )
    assert props(resources, "AWS::Cognito::UserPool")["UserPoolName"] == expected


def test_pool_advanced_security_is_enforced_on_the_plus_plan(resources: dict[str, Any]) -> None:
    pool = props(resources, "AWS::Cognito::UserPool")
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    assert pool["UserPoolTier"] == "PLUS"  # threat protection needs the Plus feature plan


def test_pool_device_configuration_is_the_seeds_behind_an_off_switch(
    template: dict[str, Any], resources: dict[str, Any], user_pool_definition: dict[str, Any]
) -> None:
    condition, when_on, when_off = props(resources, "AWS::Cognito::UserPool")[
        "DeviceConfiguration"
    ]["Fn::If"]
    assert when_on == user_pool_definition["UserPool"]["DeviceConfiguration"]
    assert when_off == {"Ref": "AWS::NoValue"}
    assert template["Conditions"][condition] == {"Fn::Equals": [{"Ref": "DeviceTracking"}, "true"]}
    assert template["Parameters"]["DeviceTracking"]["Default"] == "false"
    assert "UserPool.DeviceConfiguration" in DEVIATIONS


def test_pool_tags_are_the_seeds(resources: dict[str, Any], stage: str) -> None:
    tags = props(resources, "AWS::Cognito::UserPool")["UserPoolTags"]
    assert tags == {"Environment": stage, "Service": "authentication"}


@pytest.mark.parametrize("trigger", sorted(TRIGGER_MODULES))
def test_pool_trigger_points_at_its_function(
    trigger: str, resources: dict[str, Any], user_pool_definition: dict[str, Any]
) -> None:
    lambda_config = props(resources, "AWS::Cognito::UserPool")["LambdaConfig"]
    function_id, attribute = lambda_config[trigger]["Fn::GetAtt"]
    assert attribute == "Arn"
    function = resources[function_id]
    assert function["Type"] == "AWS::Lambda::Function"
    assert function["Properties"]["Handler"] == f"triggers/{TRIGGER_MODULES[trigger]}.handler"
    assert set(user_pool_definition["DeployOnly"]["UserPool"]["LambdaConfig"]) <= set(lambda_config)


@pytest.mark.parametrize("trigger", sorted(TRIGGER_MODULES))
def test_cognito_may_invoke_the_trigger_of_this_pool_only(
    trigger: str, resources: dict[str, Any]
) -> None:
    pool_id = logical_id(resources, "AWS::Cognito::UserPool")
    function_id = props(resources, "AWS::Cognito::UserPool")["LambdaConfig"][trigger]["Fn::GetAtt"][
        0
    ]
    permissions = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Permission"
        and r["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
            "Principal": "cognito-idp.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [pool_id, "Arn"]},
        }
    ]


def test_trigger_functions_do_not_reference_the_pool(resources: dict[str, Any]) -> None:
    # The pool references the functions; the reverse would be a circular dependency.
    pool_id = logical_id(resources, "AWS::Cognito::UserPool")
    for resource in resources.values():
        if resource["Type"] == "AWS::Lambda::Function" and resource["Properties"][
            "Handler"
        ].startswith("triggers/"):
            assert f'"{pool_id}"' not in repr(resource).replace("'", '"')


# ---------------------------------------------------------------- app client


@pytest.mark.parametrize("key", CLIENT_KEYS)
def test_client_setting_matches_definition(
    key: str, resources: dict[str, Any], user_pool_definition: dict[str, Any]
) -> None:
    client = props(resources, "AWS::Cognito::UserPoolClient")
    assert client[key] == user_pool_definition["UserPoolClient"][key]


@pytest.mark.parametrize("key", DEPLOY_ONLY_CLIENT_KEYS)
def test_client_oauth_setting_matches_definition(
    key: str, resources: dict[str, Any], user_pool_definition: dict[str, Any]
) -> None:
    client = props(resources, "AWS::Cognito::UserPoolClient")
    assert client[key] == user_pool_definition["DeployOnly"]["UserPoolClient"][key]


def test_client_token_validity_is_one_hour_one_hour_thirty_days(resources: dict[str, Any]) -> None:
    client = props(resources, "AWS::Cognito::UserPoolClient")
    units = client["TokenValidityUnits"]
    assert (client["AccessTokenValidity"], units["AccessToken"]) == (1, "hours")
    assert (client["IdTokenValidity"], units["IdToken"]) == (1, "hours")
    assert (client["RefreshTokenValidity"], units["RefreshToken"]) == (30, "days")


def test_client_passes_the_users_context_to_threat_protection(resources: dict[str, Any]) -> None:
    client = props(resources, "AWS::Cognito::UserPoolClient")
    assert client["EnablePropagateAdditionalUserContextData"] is True
    assert client["GenerateSecret"] is True  # the switch needs a client with a secret


def test_client_has_no_implicit_flow(resources: dict[str, Any]) -> None:
    assert props(resources, "AWS::Cognito::UserPoolClient")["AllowedOAuthFlows"] == ["code"]
    assert "UserPoolClient.AllowedOAuthFlows" in DEVIATIONS


@pytest.mark.parametrize("key", ["CallbackURLs", "LogoutURLs"])
def test_client_urls_are_parameters(key: str, resources: dict[str, Any]) -> None:
    separator, urls = props(resources, "AWS::Cognito::UserPoolClient")[key]["Fn::Split"]
    assert separator == ","
    assert all(url.startswith(("https://", "http://localhost")) for url in urls.split(","))


def test_client_belongs_to_the_pool(resources: dict[str, Any]) -> None:
    pool_id = logical_id(resources, "AWS::Cognito::UserPool")
    assert props(resources, "AWS::Cognito::UserPoolClient")["UserPoolId"] == {"Ref": pool_id}


def _api_function(resources: dict[str, Any]) -> dict[str, Any]:
    """Properties of the API function."""
    [api] = [
        v["Properties"]
        for v in resources.values()
        if v["Type"] == "AWS::Lambda::Function"
        and v["Properties"]["Handler"] == "app/lambda_handler.handler"
    ]
    found: dict[str, Any] = api
    return found


def test_client_secret_is_nowhere_in_the_template(template: dict[str, Any]) -> None:
    # Neither the value (no GetAtt of the client's ClientSecret, no output of it) nor a variable
    # that would carry it: the API reads it from Cognito at run time.
    text = json.dumps(template)
    assert "ClientSecret" not in text
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            variables = resource["Properties"].get("Environment", {}).get("Variables", {})
            assert "COGNITO_CLIENT_SECRET" not in variables


def test_api_reads_the_client_secret_from_cognito(resources: dict[str, Any]) -> None:
    # Without it the API would send no SECRET_HASH and Cognito would refuse every sign-up and
    # sign-in of this client (it has a secret).
    variables = _api_function(resources)["Environment"]["Variables"]
    assert variables["COGNITO_CLIENT_SECRET_SOURCE"] == "describe"
    assert props(resources, "AWS::Cognito::UserPoolClient")["GenerateSecret"] is True


def test_api_may_describe_only_its_own_pools_clients(resources: dict[str, Any]) -> None:
    pool_id = logical_id(resources, "AWS::Cognito::UserPool")
    role_id = _api_function(resources)["Role"]["Fn::GetAtt"][0]
    statements = [
        s
        for policy in resources[role_id]["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
        if "cognito-idp:DescribeUserPoolClient" in repr(s["Action"])
    ]
    assert statements == [
        {
            "Effect": "Allow",
            "Action": "cognito-idp:DescribeUserPoolClient",
            "Resource": {"Fn::GetAtt": [pool_id, "Arn"]},
        }
    ]


def test_api_reads_and_creates_profiles_in_the_platform_table_only(
    resources: dict[str, Any],
) -> None:
    table_id = logical_id(resources, "AWS::DynamoDB::Table")
    role_id = _api_function(resources)["Role"]["Fn::GetAtt"][0]
    [statement] = [
        s
        for policy in resources[role_id]["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
        if "dynamodb:" in repr(s["Action"])
    ]
    assert statement["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]}
    assert {"dynamodb:GetItem", "dynamodb:PutItem"} <= set(statement["Action"])
    assert not [action for action in statement["Action"] if "*" in action]


def test_client_allows_the_seeds_flows_and_custom_auth(resources: dict[str, Any]) -> None:
    flows = props(resources, "AWS::Cognito::UserPoolClient")["ExplicitAuthFlows"]
    assert flows == [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_CUSTOM_AUTH",
    ]
    assert "UserPoolClient.ExplicitAuthFlows" in DEVIATIONS


def test_definition_lists_every_trigger_of_the_template(
    resources: dict[str, Any], user_pool_definition: dict[str, Any]
) -> None:
    lambda_config = props(resources, "AWS::Cognito::UserPool")["LambdaConfig"]
    listed = user_pool_definition["DeployOnly"]["UserPool"]["LambdaConfig"]
    assert sorted(listed) == sorted(lambda_config) == sorted(TRIGGER_MODULES)


# ---------------------------------------------------------------- identity pool and its role


def test_identity_pool_has_no_unauthenticated_identities(resources: dict[str, Any]) -> None:
    assert props(resources, "AWS::Cognito::IdentityPool")["AllowUnauthenticatedIdentities"] is False


def test_identity_pool_trusts_the_client_of_the_pool(resources: dict[str, Any]) -> None:
    pool_id = logical_id(resources, "AWS::Cognito::UserPool")
    client_id = logical_id(resources, "AWS::Cognito::UserPoolClient")
    assert props(resources, "AWS::Cognito::IdentityPool")["CognitoIdentityProviders"] == [
        {
            "ClientId": {"Ref": client_id},
            "ProviderName": {"Fn::GetAtt": [pool_id, "ProviderName"]},
            "ServerSideTokenCheck": False,
        }
    ]


def test_identity_pool_tags_are_the_seeds(resources: dict[str, Any], stage: str) -> None:
    tags = props(resources, "AWS::Cognito::IdentityPool")["IdentityPoolTags"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == {
        "Environment": stage,
        "Service": "authentication",
    }


def _authenticated_role(resources: dict[str, Any]) -> dict[str, Any]:
    attachment = props(resources, "AWS::Cognito::IdentityPoolRoleAttachment")
    role_id, attribute = attachment["Roles"]["authenticated"]["Fn::GetAtt"]
    assert attribute == "Arn"
    assert set(attachment["Roles"]) == {"authenticated"}
    value: dict[str, Any] = resources[role_id]["Properties"]
    return value


def test_authenticated_role_is_assumable_by_authenticated_identities_of_the_pool_only(
    resources: dict[str, Any],
) -> None:
    identity_pool_id = logical_id(resources, "AWS::Cognito::IdentityPool")
    [statement] = _authenticated_role(resources)["AssumeRolePolicyDocument"]["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": identity_pool_id}},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
        },
    }


def test_authenticated_role_reaches_only_the_users_own_prefixes(
    resources: dict[str, Any], stage: str
) -> None:
    [policy] = _authenticated_role(resources)["Policies"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert [as_iam_sees(resource) for resource in statement["Resource"]] == [
        f"arn:aws:s3:::image-platform-{stage}-input/uploads/${{cognito-identity.amazonaws.com:sub}}/*",
        f"arn:aws:s3:::image-platform-{stage}-output/processed/${{cognito-identity.amazonaws.com:sub}}/*",
    ]


def test_the_policy_variable_helper_rejects_an_unescaped_variable() -> None:
    with pytest.raises(AssertionError, match="unresolved"):
        as_iam_sees({"Fn::Sub": "arn:aws:s3:::b/uploads/${cognito-identity.amazonaws.com:sub}/*"})


# ---------------------------------------------------------------- table, topics, logs, alarms


def test_table_keys_are_user_and_image(resources: dict[str, Any]) -> None:
    table = props(resources, "AWS::DynamoDB::Table")
    assert table["KeySchema"] == [
        {"AttributeName": "userId", "KeyType": "HASH"},
        {"AttributeName": "imageId", "KeyType": "RANGE"},
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == {
        "userId": "S",
        "imageId": "S",
    }


def test_table_is_on_demand_with_point_in_time_recovery(resources: dict[str, Any]) -> None:
    table = props(resources, "AWS::DynamoDB::Table")
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_table_expires_revocation_records_by_ttl(resources: dict[str, Any]) -> None:
    table = props(resources, "AWS::DynamoDB::Table")
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


def test_table_and_pool_survive_stack_deletion(resources: dict[str, Any]) -> None:
    for kind in ("AWS::DynamoDB::Table", "AWS::Cognito::UserPool"):
        resource = next(iter(of_type(resources, kind).values()))
        assert resource["DeletionPolicy"] == "Retain"
        assert resource["UpdateReplacePolicy"] == "Retain"


def test_welcome_topic_is_given_to_post_confirmation(resources: dict[str, Any]) -> None:
    topics = {k for k, v in resources.items() if v["Type"] == "AWS::SNS::Topic"}
    handlers = {
        v["Properties"]["Handler"]: v["Properties"].get("Environment", {}).get("Variables", {})
        for v in resources.values()
        if v["Type"] == "AWS::Lambda::Function"
    }
    welcome = handlers["triggers/post_confirmation.handler"]["WELCOME_TOPIC_ARN"]
    assert welcome["Ref"] in topics
    assert resources[welcome["Ref"]]["Properties"]["KmsMasterKeyId"] == "alias/aws/sns"


def test_every_log_group_has_a_retention(resources: dict[str, Any]) -> None:
    groups = [v for v in resources.values() if v["Type"] == "AWS::Logs::LogGroup"]
    assert len(groups) >= 9  # eight functions and the HTTP API access log
    assert all(group["Properties"]["RetentionInDays"] == 30 for group in groups)


@pytest.mark.parametrize(
    ("alarm_metric", "threshold"), [("SignInSuccesses", 10), ("SignUpSuccesses", 5)]
)
def test_failure_alarm_counts_failed_requests_with_the_seed_threshold(
    alarm_metric: str, threshold: int, resources: dict[str, Any]
) -> None:
    pool_id = logical_id(resources, "AWS::Cognito::UserPool")
    client_id = logical_id(resources, "AWS::Cognito::UserPoolClient")
    [alarm] = [
        v["Properties"]
        for v in resources.values()
        if v["Type"] == "AWS::CloudWatch::Alarm"
        and alarm_metric in repr(v["Properties"].get("Metrics"))
    ]
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert (alarm["EvaluationPeriods"], alarm["Threshold"]) == (2, threshold)
    assert alarm["TreatMissingData"] == "notBreaching"
    queries = {query["Id"]: query for query in alarm["Metrics"]}
    [returned] = [query for query in queries.values() if query["ReturnData"]]
    # One data point per request, 1 = success: failures = SampleCount - Sum.
    minuend, subtrahend = (name.strip() for name in returned["Expression"].split("-"))
    stats = {}
    for name in (minuend, subtrahend):
        stat = queries[name]["MetricStat"]
        assert stat["Period"] == 300
        assert stat["Metric"] == {
            "Namespace": "AWS/Cognito",
            "MetricName": alarm_metric,
            "Dimensions": [
                {"Name": "UserPool", "Value": {"Ref": pool_id}},
                {"Name": "UserPoolClient", "Value": {"Ref": client_id}},
            ],
        }
        stats[name] = stat["Stat"]
    assert (stats[minuend], stats[subtrahend]) == ("SampleCount", "Sum")
    assert alarm["AlarmActions"]


# ---------------------------------------------------------------- functions and API


def test_every_function_runs_python_3_12_on_x86(resources: dict[str, Any]) -> None:
    functions = [
        v["Properties"] for v in resources.values() if v["Type"] == "AWS::Lambda::Function"
    ]
    assert len(functions) == 8
    assert {(f["Runtime"], tuple(f.get("Architectures", ["x86_64"]))) for f in functions} == {
        ("python3.12", ("x86_64",))
    }


def test_triggers_answer_within_cognitos_five_seconds(resources: dict[str, Any]) -> None:
    for resource in resources.values():
        if resource["Type"] == "AWS::Lambda::Function" and resource["Properties"][
            "Handler"
        ].startswith("triggers/"):
            assert resource["Properties"]["Timeout"] <= 5


def test_http_api_sends_every_route_to_the_api_function(resources: dict[str, Any]) -> None:
    routes = [
        v["Properties"] for v in resources.values() if v["Type"] == "AWS::ApiGatewayV2::Route"
    ]
    assert [route["RouteKey"] for route in routes] == ["$default"]
    integration_id = routes[0]["Target"]["Fn::Join"][1][1]["Ref"]
    target = resources[integration_id]["Properties"]["IntegrationUri"]["Fn::GetAtt"][0]
    assert resources[target]["Properties"]["Handler"] == "app/lambda_handler.handler"
    assert resources[integration_id]["Properties"]["PayloadFormatVersion"] == "2.0"


def test_api_environment_names_the_pool_client_and_table(resources: dict[str, Any]) -> None:
    variables = _api_function(resources)["Environment"]["Variables"]
    assert variables["COGNITO_USER_POOL_ID"] == {
        "Ref": logical_id(resources, "AWS::Cognito::UserPool")
    }
    assert variables["COGNITO_CLIENT_ID"] == {
        "Ref": logical_id(resources, "AWS::Cognito::UserPoolClient")
    }
    assert variables["PLATFORM_TABLE_NAME"] == {
        "Ref": logical_id(resources, "AWS::DynamoDB::Table")
    }
    assert variables["ENVIRONMENT"] == "production"


def test_api_environment_names_the_identity_pool(resources: dict[str, Any]) -> None:
    # Without it POST /auth/credentials answers 501.
    variables = _api_function(resources)["Environment"]["Variables"]
    assert variables["COGNITO_IDENTITY_POOL_ID"] == {
        "Ref": logical_id(resources, "AWS::Cognito::IdentityPool")
    }


def test_api_sign_in_flow_is_a_checked_parameter_defaulting_to_adaptive(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    variables = _api_function(resources)["Environment"]["Variables"]
    parameter = variables["SIGN_IN_FLOW"]["Ref"]
    assert template["Parameters"][parameter]["AllowedValues"] == ["password", "adaptive"]
    assert template["Parameters"][parameter]["Default"] == "adaptive"
