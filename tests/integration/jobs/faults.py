"""Failing AWS calls on purpose: count every call a piece of work makes, make chosen ones fail.

:class:`Faults` wraps botocore's ``BaseClient._make_api_call`` (what boto3 and pynamodb both
call, once per API call above botocore's own retries), so the N-th AWS call of a request can
be made to fail as an outage would, with the error AWS gives when it is unavailable.
"""

from __future__ import annotations

import copy
from collections import defaultdict
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
    holds a direction since): each round of a fault test starts from the same state. The items
    are kept and put back in moto's own tables (the tests' DynamoDB), not read and written again
    through the API: a round's restore costs a copy in memory, not a scan of every table.
    """

    def __init__(self, *, whole: bool = False) -> None:
        self.s3 = boto3.client("s3", region_name=get_settings().aws_region)
        self.whole = whole
        self.tables = _moto_tables()
        self.items = {name: copy.deepcopy(dict(table.items)) for name, table in self.tables.items()}
        self.objects = self._objects()

    def _objects(self) -> set[str]:
        bucket = get_settings().documents_bucket
        found = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            found.update(o["Key"] for o in page.get("Contents", []))
        return found

    def restore(self) -> None:
        for name, table in self.tables.items():
            before = self.items[name]
            if self.whole:
                table.items = defaultdict(dict, copy.deepcopy(before))
                continue
            for hash_key in list(table.items):
                if hash_key not in before:
                    del table.items[hash_key]
                elif table.has_range_key:
                    for range_key in list(table.items[hash_key]):
                        if range_key not in before[hash_key]:
                            del table.items[hash_key][range_key]
        bucket = get_settings().documents_bucket
        for key in self._objects() - self.objects:
            self.s3.delete_object(Bucket=bucket, Key=key)


def _moto_tables() -> dict[str, Any]:
    """The tables of the tests' (moto's) DynamoDB in this test's account and region."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dict(dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().aws_region].tables)
