"""Queue benchmarks: what a queue-number read and the confirmation sweep cost, by queue size.

- ``queue-number read``: DynamoDB requests and items read to show one application's queue
  numbers (``get`` + ``queue_numbers``), in queues of 1 000, 10 000 and 100 000 active
  applications. Target: the same small numbers at every size.
- ``position explained read``: requests and items read for the position page's counts
  (``pool_snapshot``: the general queue, the pool, the benefit queue and the pool's seven benefit
  categories in one TransactGetItems), same sizes; checked against a naive count of who is ahead.
- ``confirmation sweep``: items read by one sweep (``due`` + ``fire`` for each) over 100 000
  applications of which 100 have an overdue interest deadline. Target: at most twice the due.

The applications are bulk-loaded straight into moto's store, built by the same models and rules
the repository uses (registration numbers, ``seq``, timers, chunk sets, head counts, locks);
only the reads afterwards go through the repository and are metered. Every figure is checked
against a naive count before it is reported.
"""

from __future__ import annotations

import os
import random
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench.metering import metered
from bench.moto_tuning import item_scoped_rollback, unchecked_item_sizes
from chalicelib.domain.queue import (
    ApplicationStatus,
    BenefitStatus,
    QueueRules,
    RegistrationNumber,
    add_months,
    benefit_queue_key,
    chunk_of,
    due_bucket,
    next_timer,
    pool_benefit_key,
    pool_key,
    queue_key,
)
from chalicelib.settings import get_settings
from chalicelib.store.applications import (
    TIMER_SWEEP,
    Address,
    ApplicantSnapshot,
    Application,
    ApplicationRepository,
    ChildLock,
    lock_key,
)
from chalicelib.store.queue_index import Counter, QueueChunk, QueueHead
from chalicelib.store.registry import all_models

Row = tuple[str, int, float, str]

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
READ_SIZES = (1_000, 10_000, 100_000)
SWEEP_SIZE = 100_000
SWEEP_DUE = 100
BENEFIT_SHARE = 0.1
CATEGORY = "large_family"


@dataclass(frozen=True)
class Loaded:
    """What the checks need to know of a loaded application."""

    id: str
    seq: int
    benefit: bool
    due_at: datetime


class BulkLoader:
    """Writes whole queues into moto's tables as the repository would have left them.

    Applications share most attributes, so each item is the serialized form of a template
    application with the attributes of its own (number, child, ``seq``, times, timer, benefit)
    serialized by the model's own attributes; the first item of every queue is checked against a
    full ``Application(...).serialize()``.
    """

    def __init__(self, repo: ApplicationRepository, rng: random.Random) -> None:
        self.repo = repo
        self.rng = rng
        self.backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().aws_region]
        self.attributes = Application.get_attributes()
        self.serial = 0

    def _put(self, model: type, attributes: dict[str, Any]) -> None:
        self.backend.put_item(model.Meta.table_name, attributes)

    def load_queue(self, district: str, size: int, *, due: int = 0) -> list[Loaded]:
        """``size`` active applications in one queue; ``due`` of them have an overdue deadline."""
        birth = date(2023, 5, 4)
        key = queue_key("bench", district, birth.year, self.repo.rules.scope)
        common = self._common(key, birth)
        template = Application(id="template", child_iin="template", seq=0, **common).serialize()
        chunk_size = self.repo.index.chunk_size
        overdue = set(self.rng.sample(range(1, size + 1), due))
        members: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        loaded = []
        with unchecked_item_sizes():
            for seq in range(1, size + 1):
                own = self._own(seq, birth, overdue=seq in overdue)
                item = dict(template)
                for name, value in own.items():
                    attribute = self.attributes[name]
                    if value is None:
                        item.pop(attribute.attr_name, None)
                    else:
                        item[attribute.attr_name] = {attribute.attr_type: attribute.serialize(value)}
                if seq == 1 and Application(**common, **own).serialize() != item:
                    raise AssertionError("the bulk-loaded item differs from the model's own")
                self._put(Application, item)
                self._put(
                    ChildLock,
                    ChildLock(
                        lock_key(own["child_iin"], "bench"), application_id=own["id"], locked_at=own["registered_at"]
                    ).serialize(),
                )
                members[key][chunk_of(seq, chunk_size)].add(seq)
                members[pool_key(key, "kk")][chunk_of(seq, chunk_size)].add(seq)
                benefit = own["benefit_category"] is not None
                if benefit:
                    members[benefit_queue_key(key, CATEGORY)][chunk_of(seq, chunk_size)].add(seq)
                    members[pool_benefit_key(key, CATEGORY, "kk")][chunk_of(seq, chunk_size)].add(seq)
                loaded.append(Loaded(own["id"], seq, benefit, own["due_at"]))
            for queue, chunks in members.items():
                for chunk, seqs in chunks.items():
                    self._put(QueueChunk, QueueChunk(queue, chunk, members=seqs).serialize())
                head = QueueHead(queue, size=sum(map(len, chunks.values())), chunk_size=chunk_size).serialize()
                head.update({f"c{chunk}": {"N": str(len(seqs))} for chunk, seqs in chunks.items()})
                self._put(QueueHead, head)
            self._put(Counter, Counter(f"seq#{key}", value=size).serialize())
        return loaded

    def _common(self, key: str, birth: date) -> dict[str, Any]:
        region, district, cohort = key.split("#")
        return {
            "child_surname": "Сапаров",
            "child_given_name": "Алихан",
            "child_patronymic": "Ерланұлы",
            "birth_date": birth,
            "sex": "male",
            "region": region,
            "district": district,
            "language": "kk",
            "preferences": ["kg-1", "kg-2", "kg-3"],
            "cohort": int(cohort),
            "queue_key": key,
            "pool_key": pool_key(key, "kk"),
            "in_queue": key,
            "applicant_iin": "900101412344",
            "applicant": ApplicantSnapshot(
                iin="900101412344",
                surname="Сапарова",
                given_name="Әйгерім",
                patronymic="Қайратқызы",
                birth_date=date(1990, 1, 1),
                address=Address(city="Астана", district="Есіл", street="Мәңгілік Ел", house="10", flat="5"),
                email="parent@mail.kz",
                phone="+77011234567",
            ),
            "status": ApplicationStatus.ACTIVE.value,
            "version": 1,
        }

    def _own(self, seq: int, birth: date, *, overdue: bool) -> dict[str, Any]:
        rules = self.repo.rules
        if overdue:  # registered a year ago, never confirmed: the deadline passed hours ago
            registered = add_months(
                NOW - timedelta(minutes=self.rng.randint(1, 20 * 60)), -rules.interest_period_months
            )
        else:
            registered = NOW - timedelta(minutes=self.rng.randint(60, 330 * 24 * 60))
        timer = next_timer(registered_at=registered, last_confirmed_at=None, birth_date=birth, after=NOW, rules=rules)
        self.serial += 1
        benefit = self.rng.random() < BENEFIT_SHARE
        return {
            "id": str(RegistrationNumber(registered.year, self.serial)),
            "seq": seq,
            "child_iin": f"{230504500000 + self.serial:012d}",
            "registered_at": registered,
            "status_at": registered,
            "benefit_category": CATEGORY if benefit else None,
            "benefit_status": (BenefitStatus.APPROVED if benefit else BenefitStatus.NONE).value,
            "timer_kind": timer.kind.value,
            "timer_days": timer.days_before,
            "due_at": timer.due_at,
            "due_bucket": due_bucket(timer.due_at),  # written ahead of its moment, as the repository does
            "signed_xml_key": f"applications/{self.serial}/signed.xml",
        }


def _read_rows(repo: ApplicationRepository, size: int, apps: list[Loaded]) -> list[Row]:
    """Meter reading the queue numbers of the first, middle and last child, with and without a benefit."""
    benefited = [app.seq for app in apps if app.benefit]
    rows: list[Row] = []
    for label, benefit in (("queue-number read", False), ("queue-number read, benefit", True)):
        sample = [app for app in apps if app.benefit is benefit]
        picks = [sample[0], sample[len(sample) // 2], sample[-1]]
        with metered() as meter:
            numbers = [repo.queue_numbers(repo.get(app.id)) for app in picks]
        for app, got in zip(picks, numbers, strict=True):
            expected = (app.seq, bisect_left(benefited, app.seq) + 1 if benefit else None)  # all are active
            if (got.general, got.benefit) != expected:
                raise AssertionError(f"{app.id}: read {got}, expected {expected}")
        if meter.count("Scan"):
            raise AssertionError("a queue-number read scanned")
        rows.append((label, size, round(meter.dynamodb_requests / len(picks), 2), "requests"))
        rows.append((label, size, round(meter.items / len(picks), 2), "items read"))
    return rows


# the benefit categories a position read asks about (the seven standard ones but "none")
CATEGORIES = (
    "military",
    "special_state_bodies",
    "disabled_parents",
    "orphans",
    CATEGORY,
    "special_needs",
    "disabled_child",
)


def _position_rows(repo: ApplicationRepository, size: int, apps: list[Loaded]) -> list[Row]:
    """Meter the position explained (``pool_snapshot``) of the first, middle and last child, checked
    against a naive count of who is ahead in the pool and in the benefit category."""
    benefited = [app.seq for app in apps if app.benefit]
    picks = [apps[0], apps[len(apps) // 2], apps[-1]]
    with metered() as meter:
        found = [repo.pool_snapshot(repo.get(app.id), CATEGORIES) for app in picks]
    for app, got in zip(picks, found, strict=True):
        ahead_benefit = bisect_left(benefited, app.seq)
        if got is None or got.pool.ahead != app.seq - 1 or got.categories[CATEGORY].ahead != ahead_benefit:
            raise AssertionError(f"{app.id}: read {got}, expected {app.seq - 1} ahead, {ahead_benefit} with a benefit")
        if got.pool.size != size or got.categories["military"].size != 0:
            raise AssertionError(f"{app.id}: pool sizes {got.pool.size}, {got.categories['military'].size}")
    if meter.count("Scan") or meter.count("Query"):
        raise AssertionError("a position read scanned or queried the queue")
    return [
        ("position explained read", size, round(meter.dynamodb_requests / len(picks), 2), "requests"),
        ("position explained read", size, round(meter.items / len(picks), 2), "items read"),
    ]


def _sweep_rows(repo: ApplicationRepository, apps: Iterable[Loaded]) -> list[Row]:
    """Meter one sweep over the loaded table, as the scheduled function runs it."""
    expected = {app.id for app in apps if app.due_at <= NOW}
    repo.index.advance_cursor(TIMER_SWEEP, (NOW - timedelta(days=1)).date())  # a sweep ran yesterday
    with metered() as meter:
        fired = [result for app in repo.due(NOW) if (result := repo.fire(app, NOW)) is not None]
    removed = {result.application.id for result in fired if result.application.state is ApplicationStatus.REMOVED}
    if removed != expected or meter.count("Scan"):
        raise AssertionError(f"the sweep removed {len(removed)} of {len(expected)} due applications")
    return [
        ("confirmation sweep", SWEEP_SIZE, len(expected), "due"),
        ("confirmation sweep", SWEEP_SIZE, meter.items, "items read"),
        ("confirmation sweep", SWEEP_SIZE, meter.dynamodb_requests, "requests"),
    ]


def run() -> list[Row]:
    """Both benchmarks in one in-process moto: the sweep meets exactly 100 000 applications."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    rows: list[Row] = []
    with mock_aws(), item_scoped_rollback():
        # every table a change may write: it counts itself, writes its jobs and its service times
        for model in all_models():
            model.create_table(wait=False)
        repo = ApplicationRepository(QueueRules())
        loader = BulkLoader(repo, random.Random(20260302))
        big = loader.load_queue("big", SWEEP_SIZE, due=SWEEP_DUE)
        rows += _read_rows(repo, SWEEP_SIZE, big)
        rows += _position_rows(repo, SWEEP_SIZE, big)
        rows += _sweep_rows(repo, big)
        for size in READ_SIZES:
            if size != SWEEP_SIZE:
                loaded = loader.load_queue(f"q{size}", size)
                rows += _read_rows(repo, size, loaded) + _position_rows(repo, size, loaded)
    return sorted(rows, key=lambda row: (row[0], row[1]))
