"""Failing AWS calls on purpose: count every call a piece of work makes, make chosen ones fail.

:class:`Faults` wraps botocore's ``BaseClient._make_api_call`` (what boto3 and pynamodb both
call, once per API call above botocore's own retries), so the N-th AWS call of a request can
be made to fail as an outage would, with the error AWS gives when it is unavailable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.client
from botocore.exceptions import ClientError

from chalicelib.settings import get_settings

_REAL_CALL = botocore.client.BaseClient._make_api_call


@dataclass
class Faults:
    """Counts calls while recording; calls ``first`` … ``first + burst - 1`` fail (0: none)."""

    first: int = 0
    burst: int = 1
    calls: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def call(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        self.calls.append(f"{client.meta.service_model.service_name}.{operation}")
        number = len(self.calls)
        if self.first and self.first <= number < self.first + self.burst:
            self.failed.append(self.calls[-1])
            raise ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": f"injected failure of call {number}"}},
                operation,
            )
        return _REAL_CALL(client, operation, params)


@contextmanager
def injected(faults: Faults) -> Iterator[Faults]:
    def call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        return faults.call(client, operation, params)

    botocore.client.BaseClient._make_api_call = call  # type: ignore[method-assign]
    try:
        yield faults
    finally:
        botocore.client.BaseClient._make_api_call = _REAL_CALL  # type: ignore[method-assign]


class Baseline:
    """Every item and object that exists now; :meth:`restore` deletes whatever was added since.

    With ``whole`` it also puts back every item as it was (a seat offered, an application that
    holds a direction since): each round of a fault test starts from the same state.
    """

    def __init__(self, *, whole: bool = False) -> None:
        self.dynamodb = boto3.client("dynamodb", region_name=get_settings().aws_region)
        self.s3 = boto3.client("s3", region_name=get_settings().aws_region)
        self.whole = whole
        self.items = {table: self._keys(table) for table in self.dynamodb.list_tables()["TableNames"]}
        self.contents = {table: self._items(table) for table in self.items} if whole else {}
        self.objects = self._objects()

    def _items(self, table: str) -> dict[str, dict[str, Any]]:
        names = self._schema(table)
        found = {}
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                found[json.dumps({n: item[n] for n in names}, sort_keys=True)] = item
        return found

    def _schema(self, table: str) -> list[str]:
        return [k["AttributeName"] for k in self.dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]

    def _keys(self, table: str) -> set[str]:
        names = self._schema(table)
        keys = set()
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                keys.add(json.dumps({n: item[n] for n in names}, sort_keys=True))
        return keys

    def _objects(self) -> set[str]:
        bucket = get_settings().documents_bucket
        found = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            found.update(o["Key"] for o in page.get("Contents", []))
        return found

    def restore(self) -> None:
        for table, before in self.items.items():
            if self.whole:
                now = self._items(table)
                for key in now.keys() - before:
                    self.dynamodb.delete_item(TableName=table, Key=json.loads(key))
                for key, item in self.contents[table].items():
                    if now.get(key) != item:
                        self.dynamodb.put_item(TableName=table, Item=item)
                continue
            for key in self._keys(table) - before:
                self.dynamodb.delete_item(TableName=table, Key=json.loads(key))
        bucket = get_settings().documents_bucket
        for key in self._objects() - self.objects:
            self.s3.delete_object(Bucket=bucket, Key=key)
