"""Each function family runs with its own role, and no role of the template holds a wildcard."""

import copy
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import app
from chalicelib.settings import get_settings
from chalicelib.store.registry import all_models
from infra.resources.edge import greater_than_pattern
from infra.resources.policy_check import role_problems
from infra.resources.roles import FAMILIES, Family, Function
from infra.resources.template import app_functions, merge_template


@pytest.fixture(scope="module")
def template():
    return merge_template(get_settings(), all_models(), app_functions(app))


def _statements(template, role):
    return template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def test_every_function_of_the_app_runs_with_its_familys_role(template):
    # the merge template overrides chalice's functions: their properties carry no Type
    roles = {
        logical: resource["Properties"]["Role"]["Fn::GetAtt"][0]
        for logical, resource in template["Resources"].items()
        if "Role" in resource.get("Properties", {}) and "Type" not in resource
    }
    assert roles["APIHandler"] == "ApiRole"
    assert {roles[f] for f in ("DirectionExpiry", "AllocateVacancies", "ApplicationTimers")} == {"SweepsRole"}
    assert len(roles) == len(app_functions(app))


def test_no_role_holds_a_wildcard(template):
    assert role_problems(template) == []


def test_the_sweeps_cannot_read_the_session_key_nor_partner_keys(template):
    statements = _statements(template, "SweepsRole")
    text = repr(statements)
    assert "JwtSecret" not in text and "secretsmanager" not in text
    assert "PartnerKeysTable" not in text and "ChallengesTable" not in text
    assert "uploads/" not in text  # parents' scans are the API's alone
    api = repr(_statements(template, "ApiRole"))
    assert "JwtSecret" in api and "PartnerKeysTable" in api


@pytest.mark.parametrize(
    "planted",
    [
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::bucket/documents/*"},
        {"Effect": "Allow", "Action": ["dynamodb:Get*"], "Resource": {"Fn::GetAtt": ["ApplicationsTable", "Arn"]}},
        {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": {"Fn::Sub": "${ApplicationsTable.Arn}/index/*"}},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::*/documents/x"},
        {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "arn:aws:s3:::bucket"},
    ],
)
def test_a_wildcard_planted_in_any_role_is_found(template, planted):
    for role in ("ApiRole", "SweepsRole"):
        spoiled = copy.deepcopy(template)
        _statements(spoiled, role).append(planted)
        assert role_problems(spoiled), planted


def test_a_role_added_by_anyone_else_is_checked_too(template):
    spoiled = copy.deepcopy(template)
    spoiled["Resources"]["SomeRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
    }
    spoiled["Resources"]["SomePolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "Roles": [{"Ref": "ApiRole"}],
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]},
        },
    }
    problems = role_problems(spoiled)
    assert any(p.startswith("SomeRole") for p in problems)
    assert any("SomePolicy" in p for p in problems)


def test_a_function_without_a_family_stops_the_build():
    with pytest.raises(SystemExit, match="job-worker"):
        merge_template(get_settings(), all_models(), [Function("job-worker", "JobWorker")])


def test_a_new_family_is_one_entry():
    worker = Family("worker", "JobWorkerRole", functions=("job-worker",), tables={"history": "write"}, email=True)
    template = merge_template(
        get_settings(), all_models(), [Function("job-worker", "JobWorker", 1)], families=[*FAMILIES, worker]
    )
    assert template["Resources"]["JobWorker"]["Properties"]["Role"] == {"Fn::GetAtt": ["JobWorkerRole", "Arn"]}
    assert role_problems(template) == []
    assert "JobWorkerNotRunAlarm" in template["Resources"]


@given(limit=st.integers(min_value=1, max_value=10**9), value=st.integers(min_value=0, max_value=10**10))
def test_the_edge_payload_rule_matches_exactly_the_lengths_above_the_limit(limit, value):
    assert bool(re.match(greater_than_pattern(limit), str(value))) == (value > limit)
