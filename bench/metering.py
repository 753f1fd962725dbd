"""Count AWS requests and DynamoDB items read, whoever makes them (pynamodb or boto3).

Every botocore client, whichever session made it, sends its requests through
``BaseClient._make_api_call``; :func:`metered` wraps it while active, so the clients pynamodb
creates lazily (one per connection and thread) are counted as well as boto3's.

Items read per operation (what DynamoDB reads, not what a filter keeps):

| operation | items read |
|---|---|
| GetItem | 1 if an item came back |
| BatchGetItem | items in ``Responses`` |
| TransactGetItems | entries with an ``Item`` |
| Query, Scan | ``ScannedCount`` |

A request that fails (a refused condition, a cancelled transaction) counts as a request.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError


def items_read(operation: str, response: dict[str, Any]) -> int:
    """How many items a DynamoDB response says were read."""
    if operation == "GetItem":
        return 1 if response.get("Item") else 0
    if operation == "BatchGetItem":
        return sum(len(items) for items in response.get("Responses", {}).values())
    if operation == "TransactGetItems":
        return sum(1 for entry in response.get("Responses", []) if entry.get("Item"))
    if operation in ("Query", "Scan"):
        return int(response.get("ScannedCount", response.get("Count", 0)))
    return 0


@dataclass
class Meter:
    """What the code under the meter asked of AWS."""

    requests: Counter[str] = field(default_factory=Counter)  # "dynamodb.GetItem" → how many
    items: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, service: str, operation: str, response: dict[str, Any]) -> None:
        with self._lock:
            self.requests[f"{service}.{operation}"] += 1
            if service == "dynamodb":
                self.items += items_read(operation, response)

    @property
    def dynamodb_requests(self) -> int:
        return sum(count for name, count in self.requests.items() if name.startswith("dynamodb."))

    def count(self, operation: str) -> int:
        """Requests of one DynamoDB operation, e.g. ``count("Scan")``."""
        return self.requests[f"dynamodb.{operation}"]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.items = 0


@contextmanager
def metered() -> Iterator[Meter]:
    """Count every AWS request made in this process while the block runs."""
    meter = Meter()
    original = BaseClient._make_api_call

    def make_api_call(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        try:
            response = original(client, operation_name, api_params)
        except ClientError:
            meter.add(service, operation_name, {})
            raise
        meter.add(service, operation_name, response)
        return response

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
    try:
        yield meter
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
