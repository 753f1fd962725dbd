"""Report counters, kept by every change in its own transaction, and read by the reports.

``report-counters`` — one item per (bucket, region) × (district, shard):

- hash key ``<bucket>#<region>``, bucket ``day#2026-03-02``, ``month#2026-03`` or ``year#2026``
  (Asia/Almaty calendar);
- range key ``<district>#<shard>``: a change counts in the shard of its subject
  (``crc32(subject id) mod SHARDS``), so that changes of one district on one day do not all
  write the same item (DynamoDB cancels transactions that touch an item at the same moment);
- one number attribute per counter, named ``<measure>|<dimension>|…``
  (``chalicelib/domain/reports.py``).

:func:`count_change` is called by :meth:`chalicelib.store.history.Change.commit_once`: it reads
the change's history records and the items it writes (the application, the direction or the
contract, whose region and district the record's subject has) and adds one ``ADD`` update per
counter item to the same transaction. A change is counted exactly when it is committed.

A report reads one query per bucket and region (:meth:`CounterStore.read`), never the
applications.

**Closings.** The states (the queue, the stop-list) are deltas summed since the counters began;
the scheduled reports keep, once a day or month is over, the states at its end per district
(:meth:`CounterStore.close`): items ``closed#<day>#<region>`` / ``<district>#-`` (every shard
summed), then the marker ``closings`` / ``<day>`` that says the closing is complete. A later
report starts from the latest complete closing (:meth:`CounterStore.latest_closing`, one
query) instead of summing every year and month bucket since the beginning.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.expressions.operand import Path
from pynamodb.models import Model

from chalicelib.domain.reports import NO_BENEFIT, Facts, RecordFacts, bucket_names, closed_bucket, closing, tallies
from chalicelib.settings import aws_endpoint_url, get_settings
from chalicelib.store.base import table_meta

if TYPE_CHECKING:
    from chalicelib.store.history import Change, HistoryRecord

SHARDS = 4
KEYS = ("bucket", "cell")
CLOSINGS = "closings"  # the markers of complete closings: range key the day (ISO)
CLOSED_CELL = "-"  # the shard part of a closing's cell (every shard summed)


class ReportCounter(Model):
    """Counters of one bucket, region, district and shard (the counters are dynamic attributes)."""

    Meta = table_meta("report-counters")

    bucket = UnicodeAttribute(hash_key=True)  # "<bucket>#<region>"
    cell = UnicodeAttribute(range_key=True)  # "<district>#<shard>"


def shard_of(subject_id: str) -> int:
    return zlib.crc32(subject_id.encode()) % SHARDS


def _subject_id(model: Model) -> str | None:
    for name in ("id", "number"):
        value = getattr(model, name, None)
        if isinstance(value, str):
            return value
    return None


def _facts(model: Model) -> Facts | None:
    region, district = getattr(model, "region", None), getattr(model, "district", None)
    if not region or not district:
        return None
    benefit = NO_BENEFIT
    if getattr(model, "benefit_status", None) == "approved" and getattr(model, "benefit_category", None):
        benefit = model.benefit_category  # type: ignore[attr-defined]
    cohort = getattr(model, "cohort", None)
    return Facts(
        region=region,
        district=district,
        cohort=int(cohort) if cohort is not None else None,
        language=getattr(model, "language", None),
        benefit=benefit,
    )


def increments(records: Iterable[HistoryRecord], models: Iterable[Model]) -> dict[tuple[str, str], Counter[str]]:
    """The counter increments of a change: ``{(bucket key, cell): {counter: delta}}``."""
    models = list(models)
    by_id: dict[str, Facts] = {}
    fallback: Facts | None = None
    for model in models:
        facts = _facts(model)
        if facts is None:
            continue
        fallback = fallback or facts
        subject = _subject_id(model)
        if subject is not None:
            by_id.setdefault(subject, facts)
    out: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for record in records:
        facts = by_id.get(record.subject_id)
        if facts is None and record.subject_type == "application":
            facts = fallback  # the expiry sweep's miss is written without reading the application
        if facts is None:
            continue
        found = tallies(
            RecordFacts(
                subject_type=record.subject_type,
                subject_id=record.subject_id,
                event=record.event,
                at=record.at,
                from_state=record.from_state,
                to_state=record.to_state,
                why=record.why,
                details=record.details,
            ),
            facts,
        )
        if not found:
            continue
        cell = f"{facts.district}#{shard_of(record.subject_id)}"
        for bucket in bucket_names(record.at):
            target = out[(f"{bucket}#{facts.region}", cell)]
            for name, delta in found:
                target[name] += delta
    return {item: counts for item, counts in out.items() if any(counts.values())}


def count_change(change: Change) -> None:
    """Add the change's counter updates to its own transaction (one ``ADD`` update per counter item)."""
    for (bucket, cell), counts in sorted(increments(change.records, change.models).items()):
        actions = [Path([name]).add({"N": str(delta)}) for name, delta in sorted(counts.items()) if delta]
        change.update(f"counters.{bucket}.{cell}", ReportCounter(bucket, cell), actions, add_version_condition=False)


@dataclass
class Read:
    """Counters per district, and how many items were read to get them."""

    counts: dict[str, Counter[str]]
    items: int = 0
    requests: int = 0


class CounterStore:
    """Reads of the counters: one query per bucket and region (all its districts and shards)."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "dynamodb", region_name=get_settings().aws_region, endpoint_url=aws_endpoint_url()
            )
        return self._client

    def read(self, buckets: Iterable[str], regions: Iterable[str], district: str | None = None) -> Read:
        """The sum of ``buckets`` for each district of ``regions`` (or the one ``district``)."""
        result = Read(defaultdict(Counter))
        table = ReportCounter.Meta.table_name
        for region in regions:
            for bucket in buckets:
                request: dict[str, Any] = {
                    "TableName": table,
                    "KeyConditionExpression": "#b = :b",
                    "ExpressionAttributeNames": {"#b": "bucket"},
                    "ExpressionAttributeValues": {":b": {"S": f"{bucket}#{region}"}},
                }
                if district is not None:
                    request["KeyConditionExpression"] += " AND begins_with(#c, :c)"
                    request["ExpressionAttributeNames"]["#c"] = "cell"
                    request["ExpressionAttributeValues"][":c"] = {"S": f"{district}#"}
                while True:
                    page = self.client.query(**request)
                    result.requests += 1
                    for item in page.get("Items", []):
                        result.items += 1
                        counts = result.counts[item["cell"]["S"].rsplit("#", 1)[0]]
                        for name, value in item.items():
                            if name not in KEYS and "N" in value:
                                counts[name] += int(value["N"])
                    if "LastEvaluatedKey" not in page:
                        break
                    request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return result

    def latest_closing(self, until: date) -> tuple[date | None, int]:
        """The latest day not after ``until`` whose closing is complete (or None), and items read."""
        page = self.client.query(
            TableName=ReportCounter.Meta.table_name,
            KeyConditionExpression="#b = :b AND #c <= :c",
            ExpressionAttributeNames={"#b": "bucket", "#c": "cell"},
            ExpressionAttributeValues={":b": {"S": CLOSINGS}, ":c": {"S": until.isoformat()}},
            ScanIndexForward=False,
            Limit=1,
        )
        items = page.get("Items", [])
        return (date.fromisoformat(items[0]["cell"]["S"]) if items else None), len(items)

    def close(self, day: date, states: Mapping[tuple[str, str], Mapping[str, int]]) -> int:
        """Keep the states at 00:00 of ``day`` per (region, district), then mark the closing complete.

        ``states`` are the sums of every bucket before ``day``; :func:`closing` says what is kept
        of them. Writing the same closing again replaces its items with the same values; the marker
        is written last, so a closing cut short is never read. Returns the items written.
        """
        table = ReportCounter.Meta.table_name
        bucket = closed_bucket(day)
        puts = []
        for (region, district), counts in sorted(states.items()):
            item: dict[str, Any] = {"bucket": {"S": f"{bucket}#{region}"}, "cell": {"S": f"{district}#{CLOSED_CELL}"}}
            kept = closing(counts, day)
            item.update({name: {"N": str(value)} for name, value in sorted(kept.items())})
            if len(item) > len(KEYS):
                puts.append({"PutRequest": {"Item": item}})
        for start in range(0, len(puts), 25):
            pending = {table: puts[start : start + 25]}
            while pending:
                answer = self.client.batch_write_item(RequestItems=pending)
                pending = answer.get("UnprocessedItems") or {}
        self.client.put_item(TableName=table, Item={"bucket": {"S": CLOSINGS}, "cell": {"S": day.isoformat()}})
        return len(puts) + 1
