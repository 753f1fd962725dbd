"""Make in-process moto behave like DynamoDB where our tests and benchmarks depend on it.

moto (5.2) keeps every item as Python objects, and three of its code paths matter here:

- **Atomicity.** DynamoDB applies each request (and each transaction) atomically; moto handles
  requests from several threads without a lock, so two racing transactions can both pass their
  conditions, and a cancelled one restores whole tables over the other's writes.
  :func:`serialized_requests` runs one DynamoDB request at a time, which is the guarantee the
  race tests need: threads still interleave *between* requests exactly as clients do.
- **Transaction rollback.** moto deep-copies every table a transaction touches before applying
  it (seconds per transaction at 100 000 items). :func:`item_scoped_rollback` copies only the
  items the transaction names and puts them back if it is cancelled: the same all-or-nothing
  result.
- **Item size check.** Every attribute written re-measures the whole item (quadratic in the
  attribute count). :func:`unchecked_item_sizes` skips that while a benchmark bulk-loads items
  it built from our own models.

- **Response serialisation.** moto serialises every DynamoDB answer through botocore's shape
  model, attribute by attribute (milliseconds per wide item), which DynamoDB does not spend.
  :func:`plain_dynamodb_answers` sends moto's answer as plain JSON instead — for a benchmark's
  set-up only (its timed part keeps moto as it is).

Each is a context manager that restores moto when it exits.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import moto.dynamodb.models as ddb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

_REQUESTS = threading.RLock()


@contextmanager
def serialized_requests() -> Iterator[None]:
    """One DynamoDB request at a time, as DynamoDB's per-request atomicity promises."""
    original = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        with _REQUESTS:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoHandler.call_action = original  # type: ignore[method-assign]


def _keys_of(table: Table, op_type: str, op: dict[str, Any]) -> tuple[DynamoType, DynamoType | None] | None:
    source = op.get("Item") if op_type == "Put" else op.get("Key")
    if not source or table.hash_key_attr not in source:
        return None
    range_key = DynamoType(source[table.range_key_attr]) if table.range_key_attr in source else None
    return DynamoType(source[table.hash_key_attr]), range_key


def _restore(table: Table, hash_key: DynamoType, range_key: DynamoType | None, before: Any) -> None:
    if before is None:
        table.delete_item(hash_key, range_key)
    elif range_key is not None:
        table.items[hash_key][range_key] = before
    else:
        table.items[hash_key] = before


@contextmanager
def item_scoped_rollback() -> Iterator[None]:
    """Transactions snapshot only the items they write instead of deep-copying whole tables."""
    original: Callable[..., None] = DynamoDBBackend.transact_write_items

    def keep_tables(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        snapshots = []
        for entry in transact_items:
            for op_type, op in entry.items():
                table = self.tables.get(op.get("TableName", ""))
                keys = _keys_of(table, op_type, op) if table is not None else None
                if table is not None and keys is not None:
                    snapshots.append((table, *keys, copy.deepcopy(table.get_item(*keys))))
        shared_copy = ddb_models.copy
        ddb_models.copy = SimpleNamespace(deepcopy=keep_tables)  # type: ignore[assignment]
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, before in reversed(snapshots):
                _restore(table, hash_key, range_key, before)
            raise
        finally:
            ddb_models.copy = shared_copy

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]


@contextmanager
def unchecked_item_sizes() -> Iterator[None]:
    """Skip moto's per-attribute re-measurement of the whole item (bulk loads of known-good items)."""
    original = LimitedSizeDict.__setitem__
    LimitedSizeDict.__setitem__ = dict.__setitem__  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        LimitedSizeDict.__setitem__ = original  # type: ignore[method-assign]


@contextmanager
def dynamodb_like() -> Iterator[None]:
    """Atomic requests and cheap transactions together (what tests with moto want)."""
    with serialized_requests(), item_scoped_rollback():
        yield


@contextmanager
def partition_queries() -> Iterator[None]:
    """A Query of a table (not of an index) reads its partition only, as DynamoDB does.

    moto lists every item of the table for each Query and keeps those of the partition; with
    tens of thousands of items that is seconds per request, which DynamoDB never spends.
    """
    from moto.dynamodb.models.table import Table

    original = Table.query

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("index_name") or hash_key is None or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        self.all_items = lambda: partition  # type: ignore[method-assign]
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query = original  # type: ignore[method-assign]


@contextmanager
def plain_dynamodb_answers() -> Iterator[None]:
    """DynamoDB answers as plain JSON (the wire format), without moto's shape-driven serialiser.

    moto 5.2 turns every attribute of an answer into JSON through the operation's output shape,
    about a quarter of the processor time of a test that reads and writes items; the items moto
    keeps are already in the wire format. An answer that is not plain JSON (a table's
    description with its dates) still goes through moto's serialiser.
    """
    import json

    try:
        from moto.dynamodb.responses import DynamoResult
    except ImportError:  # moto before 5.2 answers DynamoDB as plain JSON already
        yield
        return

    def execute_result(self: DynamoResult, context: Any) -> Any:
        try:
            body = json.dumps(self.result)
        except TypeError:  # dates, bytes: moto's serialiser knows their wire form
            return original(self, context)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    original = DynamoResult.execute_result
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoResult.execute_result = original  # type: ignore[method-assign]
