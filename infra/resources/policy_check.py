"""No IAM role of the template may hold a wildcard.

A wildcard is ``*`` in an action (``s3:*``, ``dynamodb:Get*``), a resource that is ``*``
(except for the few actions AWS gives no resource to, :data:`UNSCOPABLE_ACTIONS`), or a
``*`` anywhere in a resource except two narrow forms: the objects under one named prefix of
one bucket (``${DocumentsBucket.Arn}/documents/*``) and the streams of one named log group
(``…:log-group:/aws/lambda/<name>:*``). Indexes are named one by one. Managed policies
are refused too: their content is not in the template.
Every role of the template is checked, whoever added it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from infra.resources.roles import UNSCOPABLE_ACTIONS


def _render(value: Any) -> str:
    """A resource as text: intrinsic functions become their JSON (``${…}`` placeholders stay)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return value["Fn::Sub"]
    return json.dumps(value, sort_keys=True)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_S3_OBJECTS = re.compile(r"^(arn:(aws|\$\{AWS::Partition\}):s3:::[a-z0-9.-]+|\$\{\w+Bucket\.Arn\})/([^*]+/)[^*]*\*$")
_LOG_STREAMS = re.compile(r"^arn:[^*]+:logs:[^*]+:log-group:[^*:]+:\*$")


def _resource_wildcard(resource: str) -> bool:
    """True unless ``resource`` has no ``*``, or is one of the two narrow forms allowed.

    Allowed: the objects under a named prefix of a named bucket (``${DocumentsBucket.Arn}/signed/*``)
    and the log streams of one named log group (``…:log-group:/aws/lambda/<name>:*``).
    """
    if "*" not in resource:
        return False
    return not (_S3_OBJECTS.match(resource) or _LOG_STREAMS.match(resource))


def statement_problems(where: str, statement: dict[str, Any]) -> list[str]:
    if statement.get("Effect") != "Allow":
        return []
    problems = []
    if "NotAction" in statement or "NotResource" in statement:
        problems.append(f"{where}: NotAction/NotResource allows everything else")
    actions = [str(a) for a in _listed(statement.get("Action", []))]
    problems += [f"{where}: action {a!r} is a wildcard" for a in actions if "*" in a]
    for resource in (_render(r) for r in _listed(statement.get("Resource", []))):
        if resource == "*":
            broad = sorted(set(actions) - UNSCOPABLE_ACTIONS)
            if broad:
                problems.append(f"{where}: resource '*' for {broad}")
        elif _resource_wildcard(resource):
            problems.append(f"{where}: resource {resource!r} is a wildcard")
    return problems


def _documents_of(role_id: str, resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    role = resources[role_id]["Properties"]
    documents = [(f"{role_id}/{p.get('PolicyName')}", p["PolicyDocument"]) for p in role.get("Policies", [])]
    for policy_id, policy in resources.items():
        if policy.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            roles = policy["Properties"].get("Roles", [])
            if any(r == {"Ref": role_id} or r == role_id for r in roles):
                documents.append((f"{role_id}/{policy_id}", policy["Properties"]["PolicyDocument"]))
    return documents


def role_problems(template: dict[str, Any]) -> list[str]:
    """Every wildcard (or managed policy) of every role of ``template``; empty when clean."""
    resources = template.get("Resources", {})
    problems = []
    for role_id, role in resources.items():
        if role.get("Type") != "AWS::IAM::Role":
            continue
        if role["Properties"].get("ManagedPolicyArns"):
            problems.append(f"{role_id}: managed policies are not reviewed here; write the statements out")
        for where, document in _documents_of(role_id, resources):
            for number, statement in enumerate(_listed(document.get("Statement", []))):
                problems += statement_problems(f"{where}#{statement.get('Sid', number)}", statement)
    return problems


def function_roles(template: dict[str, Any]) -> dict[str, Any]:
    """Each function's role, as the template states it."""
    return {
        logical: resource["Properties"].get("Role")
        for logical, resource in template.get("Resources", {}).items()
        if resource.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function")
    }
