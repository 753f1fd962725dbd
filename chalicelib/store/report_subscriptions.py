"""Operators who asked for an e-mail when a scheduled report of their scope is ready.

``report-subscriptions`` — keyed by the operator's IIN (one subscription each), with a GSI
``by-scope`` (the scope's label) so that the announcement reads its subscribers in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class SubscriptionsByScope(GlobalSecondaryIndex["SubscriptionItem"]):
    class Meta:
        index_name = "by-scope"
        projection = AllProjection()

    scope = UnicodeAttribute(hash_key=True)
    operator_iin = UnicodeAttribute(range_key=True)


class SubscriptionItem(Model):
    Meta = table_meta("report-subscriptions")

    operator_iin = UnicodeAttribute(hash_key=True)
    scope = UnicodeAttribute()  # "region-astana", "district-astana-esil", "national"
    email = UnicodeAttribute()
    kinds = ListAttribute(of=UnicodeAttribute)  # "day", "month"
    since = UTCDateTimeAttribute()

    by_scope = SubscriptionsByScope()


@dataclass(frozen=True)
class Subscription:
    operator_iin: str
    scope: str
    email: str
    kinds: tuple[str, ...]


def _out(item: SubscriptionItem) -> Subscription:
    return Subscription(item.operator_iin, item.scope, item.email, tuple(item.kinds or ()))


class ReportSubscriptions:
    def put(self, operator_iin: str, scope: str, email: str, kinds: list[str], now: datetime) -> Subscription:
        item = SubscriptionItem(operator_iin, scope=scope, email=email, kinds=kinds, since=now)
        item.save()
        return _out(item)

    def get(self, operator_iin: str) -> Subscription | None:
        try:
            return _out(SubscriptionItem.get(operator_iin, consistent_read=True))
        except SubscriptionItem.DoesNotExist:
            return None

    def delete(self, operator_iin: str) -> None:
        SubscriptionItem(operator_iin).delete()

    def for_scope(self, scope: str, kind: str) -> list[Subscription]:
        return [_out(item) for item in SubscriptionItem.by_scope.query(scope) if kind in (item.kinds or [])]
