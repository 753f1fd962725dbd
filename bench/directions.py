"""Direction benchmark: what one expiry sweep reads when few of many live directions are due.

- ``expiry sweep``: items read (and requests) by one run of the direction-expiry sweep
  (``DirectionService.expire_due``: the due buckets, then each due direction claimed in one
  transaction with its seat and the child's application) over 100 000 live directions of which
  100 have passed their deadline. Target: at most twice the due; no Scan.

The directions are bulk-loaded straight into moto's store, each item the model's own
serialization (the first is checked against ``Direction(...).serialize()``); the due ones get
their application (in the queue, holding the direction) and their offered seat, the others need
none because a sweep must never touch them. Only the sweep is metered; afterwards every due
direction is checked to have lapsed and every other one to be untouched.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench.metering import metered
from bench.moto_tuning import item_scoped_rollback, unchecked_item_sizes
from chalicelib.clock import FixedClock
from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.directions import DirectionNumber, DirectionRules, DirectionStatus
from chalicelib.domain.queue import ApplicationStatus, due_bucket
from chalicelib.services.directions import DirectionService
from chalicelib.services.documents import DocumentService
from chalicelib.settings import get_settings
from chalicelib.store.applications import Address, ApplicantSnapshot, Application, ApplicationRepository
from chalicelib.store.directions import EXPIRY_SWEEP, Direction, DirectionRepository, issued_key
from chalicelib.store.documents import DocumentRepository
from chalicelib.store.jobs import Job
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.registry import all_models
from chalicelib.store.vacancies import SeatItem, SeatRepository

Row = tuple[str, int, float, str]

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LIVE = 100_000
DUE = 100


@dataclass
class CountingNotifier:
    """Counts the messages the sweep sends (the parents are told; nothing is delivered here)."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def send_email(self, to: str, subject: str, body_text: str, *, attachments: Any = ()) -> str:
        self.sent.append(("email", to))
        return str(len(self.sent))

    def send_sms(self, to_phone: str, text: str) -> str:
        self.sent.append(("sms", to_phone))
        return str(len(self.sent))


class BulkLoader:
    """Writes live directions (and, for the due ones, their applications and seats) into moto's tables."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().aws_region]
        self.attributes = Direction.get_attributes()

    def _put(self, model: type, item: dict[str, Any]) -> None:
        self.backend.put_item(model.Meta.table_name, item)

    def load(self) -> set[str]:
        """``LIVE`` live directions; returns the numbers of the ``DUE`` ones whose deadline has passed."""
        due = set(self.rng.sample(range(1, LIVE + 1), DUE))
        common = self._common()
        template = Direction(number="template", **common).serialize(null_check=False)
        numbers = set()
        with unchecked_item_sizes():
            for serial in range(1, LIVE + 1):
                own = self._own(serial, overdue=serial in due)
                item = dict(template)
                for name, value in own.items():
                    attribute = self.attributes[name]
                    item[attribute.attr_name] = {attribute.attr_type: attribute.serialize(value)}
                if serial == 1 and Direction(**common, **own).serialize() != item:
                    raise AssertionError("the bulk-loaded item differs from the model's own")
                self._put(Direction, item)
                if serial in due:
                    numbers.add(own["number"])
                    self._put(Application, self._application(own).serialize())
                    self._put(SeatItem, self._seat(own).serialize())
        return numbers

    @staticmethod
    def _common() -> dict[str, Any]:
        return {
            "applicant_iin": "900101412344",
            "child_surname": "Сапаров",
            "child_given_name": "Алихан",
            "child_patronymic": "Ерланұлы",
            "birth_date": date(2022, 5, 4),
            "notify_email": "parent@mail.kz",
            "notify_phone": "+77011234567",
            "region": "bench",
            "district": "big",
            "kindergarten_id": "kg-1",
            "group_id": "2022-kk",
            "cohort": 2022,
            "language": "kk",
            "status": DirectionStatus.ISSUED.value,
            "extended": False,
            "run_id": "20260301T000000Z-00000000",
            "version": 2,
        }

    def _own(self, serial: int, *, overdue: bool) -> dict[str, Any]:
        if overdue:  # lapsed within the last 20 hours
            deadline = NOW - timedelta(minutes=self.rng.randint(1, 20 * 60))
        else:  # live for another hour to 40 days
            deadline = NOW + timedelta(minutes=self.rng.randint(60, 40 * 24 * 60))
        issued = deadline - timedelta(days=7)
        number = str(DirectionNumber(2026, serial))
        return {
            "number": number,
            "application_id": f"УО.2025.{serial:06d}.1",
            "child_iin": f"{220504500000 + serial:012d}",
            "seat_id": f"Pbench-{serial:06d}",
            "issued_at": issued,
            "issued_key": issued_key(issued, number),
            "status_at": issued,
            "deadline": deadline,
            "due_at": deadline,
            "due_bucket": due_bucket(deadline),  # written ahead of its moment, as the service does
        }

    @staticmethod
    def _application(own: dict[str, Any]) -> Application:
        return Application(
            own["application_id"],
            child_iin=own["child_iin"],
            child_surname="Сапаров",
            child_given_name="Алихан",
            birth_date=date(2022, 5, 4),
            sex="male",
            region="bench",
            district="big",
            language="kk",
            preferences=["kg-1"],
            cohort=2022,
            queue_key="bench#big#2022",
            seq=int(own["seat_id"][-6:]),
            applicant_iin="900101412344",
            applicant=ApplicantSnapshot(
                iin="900101412344",
                surname="Сапарова",
                given_name="Әйгерім",
                address=Address(city="Астана"),
                email="parent@mail.kz",
                phone="+77011234567",
            ),
            status=ApplicationStatus.ACTIVE.value,
            in_queue="bench#big#2022",
            registered_at=own["issued_at"] - timedelta(days=300),
            live_direction_id=own["number"],
            version=3,
        )

    @staticmethod
    def _seat(own: dict[str, Any]) -> SeatItem:
        return SeatItem(
            own["seat_id"],
            publication_id="Pbench",
            kindergarten_id="kg-1",
            group_id="2022-kk",
            region="bench",
            district="big",
            cohort=2022,
            language="kk",
            status="offered",
            direction_number=own["number"],
            published_at=own["issued_at"],
            published_by="kindergarten:bench",
            status_at=own["issued_at"],
        )


def _service(notifier: CountingNotifier) -> DirectionService:
    objects = ObjectStore()
    return DirectionService(
        clock=FixedClock(NOW),
        applications=ApplicationRepository(),
        directions=DirectionRepository(),
        seats=SeatRepository(),
        reference=ReferenceRepository(),
        documents=DocumentService(DocumentRepository(), objects),
        objects=objects,
        notifier=notifier,
        calendar=WorkingCalendar(),
        rules=DirectionRules(),
    )


def run() -> list[Row]:
    """One sweep over exactly 100 000 live directions."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws(), item_scoped_rollback():
        for model in all_models():  # every table a change may write (jobs, counters, service steps …)
            model.create_table(wait=False)
        due = BulkLoader(random.Random(20260302)).load()
        notifier = CountingNotifier()
        service = _service(notifier)
        service.directions.index.advance_cursor(EXPIRY_SWEEP, (NOW - timedelta(days=1)).date())  # swept yesterday
        with metered() as meter:
            counts = service.expire_due()
        if counts != {"expired": DUE, "stop_listed": DUE, "removed": 0} or meter.count("Scan"):
            raise AssertionError(f"the sweep did {counts}, expected {DUE} lapses and no Scan")
        lapsed = {number for number in due if service.directions.find(number).status == DirectionStatus.EXPIRED}
        jobs = dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().aws_region].get_table(Job.Meta.table_name)
        messages = Counter(
            item.attrs["kind"].value for item in jobs.all_items() if item.attrs["kind"].value.startswith("message.")
        )
        # the parents are told by the message jobs each lapse writes in its own transaction (e-mail and SMS)
        if lapsed != due or sum(messages.values()) != 2 * DUE:
            raise AssertionError(f"not every due direction lapsed, or a parent was not told: {dict(messages)}")
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().aws_region].get_table(Direction.Meta.table_name)
        still_live = sum(1 for item in table.all_items() if item.attrs["status"].value == DirectionStatus.ISSUED)
        if still_live != LIVE - DUE:
            raise AssertionError(f"{LIVE - DUE - still_live} directions that were not due were touched")
    return [
        ("expiry sweep", LIVE, DUE, "due"),
        ("expiry sweep", LIVE, meter.items, "items read"),
        ("expiry sweep", LIVE, meter.dynamodb_requests, "requests"),
    ]
