"""A DynamoDB table resource from a pynamodb model: keys, indexes, TTL, backups, encryption."""

from __future__ import annotations

import re
from typing import Any

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model


def logical_id(model: type[Model]) -> str:
    """``accounts`` → ``AccountsTable`` (CloudFormation logical ids are alphanumeric)."""
    words = re.split(r"[^0-9a-zA-Z]+", short_name(model))
    return "".join(word[:1].upper() + word[1:] for word in words if word) + "Table"


def short_name(model: type[Model]) -> str:
    """The table's name without the stage prefix (``balabaqsha-prod-accounts`` → ``accounts``)."""
    from chalicelib.settings import get_settings

    prefix = get_settings().table_prefix + "-"
    name = str(model.Meta.table_name)
    return name[len(prefix) :] if name.startswith(prefix) else name


def ttl_attribute(model: type[Model]) -> str | None:
    """The attribute DynamoDB's TTL reads, if the model has one (garbage collection only)."""
    for attribute in model.get_attributes().values():
        if isinstance(attribute, TTLAttribute):
            return str(attribute.attr_name)
    return None


def _hash_first(key_schema: list[dict[str, str]]) -> list[dict[str, str]]:
    """DynamoDB wants the HASH key before the RANGE key; pynamodb lists them in declaration order."""
    return sorted(key_schema, key=lambda key: key["KeyType"] != "HASH")


def table_resource(model: type[Model], key: str | None = None) -> dict[str, Any]:
    """The ``AWS::DynamoDB::Table`` for ``model``: on-demand, point-in-time recovery, encrypted, kept on delete.

    ``key``: the logical id of the customer-managed KMS key (AWS-owned encryption without it).
    """
    schema = model._get_schema()
    properties: dict[str, Any] = {
        "TableName": model.Meta.table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": schema["attribute_definitions"],
        "KeySchema": _hash_first(schema["key_schema"]),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": (
            {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": key}} if key else {"SSEEnabled": True}
        ),
        "DeletionProtectionEnabled": True,
        "Tags": [{"Key": "service", "Value": "balabaqsha"}],
    }
    if schema["global_secondary_indexes"]:
        properties["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["index_name"],
                "KeySchema": _hash_first(index["key_schema"]),
                "Projection": index["projection"],
            }
            for index in schema["global_secondary_indexes"]
        ]
    if schema["local_secondary_indexes"]:
        properties["LocalSecondaryIndexes"] = [
            {
                "IndexName": index["index_name"],
                "KeySchema": _hash_first(index["key_schema"]),
                "Projection": index["projection"],
            }
            for index in schema["local_secondary_indexes"]
        ]
    if hasattr(model.Meta, "stream_view_type"):
        properties["StreamSpecification"] = {"StreamViewType": model.Meta.stream_view_type}
    ttl = ttl_attribute(model)
    if ttl:
        properties["TimeToLiveSpecification"] = {"AttributeName": ttl, "Enabled": True}
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def create_local_table(dynamodb: Any, model: type[Model], existing: set[str]) -> None:
    """The same table on the local moto server, from :func:`table_resource` (idempotent)."""
    properties = table_resource(model)["Properties"]
    name = properties["TableName"]
    if name in existing:
        return
    request = {
        key: properties[key]
        for key in (
            "TableName",
            "BillingMode",
            "AttributeDefinitions",
            "KeySchema",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
        )
        if key in properties
    }
    request["SSESpecification"] = {"Enabled": properties["SSESpecification"]["SSEEnabled"]}
    if "StreamSpecification" in properties:
        request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    dynamodb.create_table(**request)
    dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    if "TimeToLiveSpecification" in properties:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=properties["TimeToLiveSpecification"])
    dynamodb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification=properties["PointInTimeRecoverySpecification"]
    )
