"""The queue index: who is active in a queue, in registration order, readable in one request.

A queue (general, or one benefit category inside it) is two kinds of items:

- **chunks** (``queue-chunks``: hash = queue key, range = chunk number): the active sequence
  numbers ``seq // chunk_size == chunk`` as a DynamoDB Number Set;
- a **head** (``queue-heads``: hash = queue key): ``size`` (active members), ``chunk_size``
  (fixed for the queue's life, checked on every write) and one top-level counter ``c<chunk>``
  per chunk with the active members of that chunk.

Joining or leaving is an atomic ``ADD``/``DELETE`` of ``{seq}`` on the chunk and an ``ADD ±1`` on
the head's counter, written inside the same transaction that changes the application, so the
sets and the counters never drift and no write needs a read first. A queue number is then
``sum(c<j> for j < my chunk) + |{m in my chunk : m < seq}| + 1``: one TransactGetItems of the
head and one chunk, whatever the queue's length (``docs/queue.md`` has the sizes).

The head's counters have names that depend on the data (``c0``, ``c1`` …), which pynamodb's
declared attributes cannot describe: they are written with ``Path`` update actions and read
from the raw item. The low-level access stays in this module.

The ``counters`` table holds the atomic counters that number things (a queue's ``seq``, the
registration serials of a year) and the sweep cursors.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pynamodb.attributes import NumberAttribute, NumberSetAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactGetError, UpdateError
from pynamodb.expressions.operand import Path
from pynamodb.models import Model

from chalicelib.domain.queue import CHUNK_SIZE, Departure, chunk_of, queue_position
from chalicelib.store.base import table_meta
from chalicelib.store.history import CONFLICT_ATTEMPTS, Change, connection

_COUNTER_NAME = re.compile(r"^c(\d+)$")


class QueueHead(Model):
    """A queue's size and its per-chunk active counts (``c<chunk>`` attributes, see the module doc)."""

    Meta = table_meta("queue-heads")

    key = UnicodeAttribute(hash_key=True)
    size = NumberAttribute(null=True)
    chunk_size = NumberAttribute(null=True)


class QueueChunk(Model):
    """The active sequence numbers of one chunk of a queue."""

    Meta = table_meta("queue-chunks")

    key = UnicodeAttribute(hash_key=True)
    chunk = NumberAttribute(range_key=True)
    members = NumberSetAttribute(null=True)


class Counter(Model):
    """A named atomic counter (``seq#<queue>``, ``registration#<year>``) or a sweep cursor."""

    Meta = table_meta("counters")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


def _number(value: int) -> dict[str, str]:
    return {"N": str(value)}


@dataclass(frozen=True)
class PositionRead:
    """What reading one queue number needs: the queue's head and the chunk that holds ``seq``."""

    key: str
    seq: int
    chunk_size: int = CHUNK_SIZE

    def gets(self) -> list[dict[str, Any]]:
        return [
            QueueHead.get_operation_kwargs_from_class(self.key),
            QueueChunk.get_operation_kwargs_from_class(self.key, range_key=chunk_of(self.seq, self.chunk_size)),
        ]

    def position(self, head: dict[str, Any] | None, chunk: dict[str, Any] | None) -> int | None:
        """The queue number, or None when ``seq`` is not an active member of this queue."""
        members = [int(value) for value in (chunk or {}).get("members", {}).get("NS", [])]
        if self.seq not in members:
            return None
        counts = {}
        for name, value in (head or {}).items():
            match = _COUNTER_NAME.match(name)
            if match is not None:
                counts[int(match[1])] = int(value["N"])
        return queue_position(self.seq, counts, members, self.chunk_size)

    def pool(self, head: dict[str, Any] | None, chunk: dict[str, Any] | None) -> PoolCount:
        """Counts around ``seq`` in this queue, whether or not ``seq`` is a member: the active
        members registered before it, the queue's size, and the departures from before it by reason."""
        mine = chunk_of(self.seq, self.chunk_size)
        ahead = 0
        gone = dict.fromkeys(Departure, 0)
        reasons = {reason.value: reason for reason in Departure}
        for name, value in (head or {}).items():
            if name[:1] in ("c", *reasons) and name[1:].isdigit() and int(name[1:]) < mine and "N" in value:
                if name[0] == "c":
                    ahead += int(value["N"])
                else:
                    gone[reasons[name[0]]] += int(value["N"])
        chunk = chunk or {}
        ahead += sum(1 for value in chunk.get("members", {}).get("NS", []) if int(value) < self.seq)
        for reason in Departure:
            gone[reason] += sum(1 for value in chunk.get(f"g{reason.value}", {}).get("NS", []) if int(value) < self.seq)
        size = int((head or {}).get("size", {}).get("N", "0"))
        member = str(self.seq) in chunk.get("members", {}).get("NS", [])
        return PoolCount(ahead=ahead, size=size, member=member, gone=gone)


@dataclass(frozen=True)
class PoolCount:
    """What :meth:`PositionRead.pool` reads: ``ahead`` active before ``seq``, the queue's ``size``,
    whether ``seq`` is a member, and how many who stood before ``seq`` left, by reason."""

    ahead: int
    size: int
    member: bool
    gone: dict[Departure, int]

    @property
    def behind(self) -> int:
        """Active members registered after ``seq``."""
        return self.size - self.ahead - (1 if self.member else 0)


class QueueIndex:
    """Membership changes (inside a :class:`Change`), snapshot reads and counters."""

    def __init__(self, chunk_size: int = CHUNK_SIZE) -> None:
        self.chunk_size = chunk_size

    # --- writes, always inside the caller's transaction -----------------------------------------

    def join(self, change: Change, label: str, key: str, seq: int) -> None:
        """Add ``seq`` to the queue ``key`` (refused if it is already a member)."""
        chunk = chunk_of(seq, self.chunk_size)
        change.update(
            f"{label}.chunk",
            QueueChunk(key, chunk),
            [QueueChunk.members.add({seq})],
            condition=~QueueChunk.members.contains(seq),
        )
        change.update(
            f"{label}.head",
            QueueHead(key),
            [
                Path(f"c{chunk}").add(_number(1)),
                QueueHead.size.add(1),
                QueueHead.chunk_size.set(QueueHead.chunk_size | self.chunk_size),
            ],
            condition=QueueHead.chunk_size.does_not_exist() | (QueueHead.chunk_size == self.chunk_size),
        )

    def leave(self, change: Change, label: str, key: str, seq: int, reason: Departure | None = None) -> None:
        """Take ``seq`` out of the queue ``key`` (refused if it is not a member).

        With a ``reason`` the departure is also kept: ``seq`` goes to the chunk's set ``g<reason>``
        and the head's ``<reason><chunk>`` counts it, so that anyone behind can read how many ahead
        of them left, and why, in the same two items as their number (:meth:`PositionRead.pool`).
        """
        chunk = chunk_of(seq, self.chunk_size)
        chunk_actions: list[Any] = [QueueChunk.members.delete({seq})]
        head_actions: list[Any] = [Path(f"c{chunk}").add(_number(-1)), QueueHead.size.add(-1)]
        if reason is not None:
            chunk_actions.append(Path([f"g{reason.value}"]).add({"NS": [str(seq)]}))
            head_actions.append(Path([f"{reason.value}{chunk}"]).add(_number(1)))
        change.update(
            f"{label}.chunk",
            QueueChunk(key, chunk),
            chunk_actions,
            condition=QueueChunk.members.contains(seq),
        )
        change.update(
            f"{label}.head",
            QueueHead(key),
            head_actions,
            condition=QueueHead.chunk_size == self.chunk_size,
        )

    # --- reads ----------------------------------------------------------------------------------

    def reader(self, key: str, seq: int) -> PositionRead:
        return PositionRead(key, seq, self.chunk_size)

    def size(self, key: str) -> int:
        """How many are active in the queue ``key`` (one strongly consistent read of the head)."""
        try:
            head = QueueHead.get(key, consistent_read=True)
        except QueueHead.DoesNotExist:
            return 0
        return int(head.size or 0)

    # --- counters -------------------------------------------------------------------------------

    def next_value(self, name: str) -> int:
        """Atomically increment the counter ``name`` and return its new value (1 for a new counter)."""
        counter = Counter(name)
        counter.update(actions=[Counter.value.add(1)])
        return int(counter.value)

    def current_value(self, name: str) -> int:
        """The counter's value now (0 for a counter never taken), strongly consistent."""
        try:
            return int(Counter.get(name, consistent_read=True).value or 0)
        except Counter.DoesNotExist:
            return 0

    def take_value(self, change: Change, label: str, name: str, current: int) -> int:
        """Take ``current + 1`` inside ``change``: refused (``label``) if someone took it first.

        The number is used only if the change commits: a failed change leaves no gap.
        """
        condition = Counter.value == current
        if current == 0:
            condition = Counter.name.does_not_exist() | condition
        change.update(label, Counter(name), [Counter.value.set(current + 1)], condition, add_version_condition=False)
        return current + 1

    def next_seq(self, general_key: str) -> int:
        return self.next_value(f"seq#{general_key}")

    def cursor(self, name: str) -> date | None:
        """A sweep cursor: the oldest day that may still hold work (None before the first sweep)."""
        try:
            return date.fromordinal(int(Counter.get(f"cursor#{name}", consistent_read=True).value))
        except Counter.DoesNotExist:
            return None

    def advance_cursor(self, name: str, day: date) -> None:
        """Move a sweep cursor forward to ``day`` (never backward, whoever sweeps at the same time)."""
        counter = Counter(f"cursor#{name}")
        try:
            counter.update(
                actions=[Counter.value.set(day.toordinal())],
                condition=Counter.value.does_not_exist() | (Counter.value < day.toordinal()),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise


def transact_get(gets: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Read items as one serializable snapshot (TransactGetItems); the raw items, None where missing.

    DynamoDB cancels a snapshot read that meets a transaction in flight on the same items; it is
    read again after a short pause.
    """
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            response = connection().transact_get_items(get_items=list(gets))
        except TransactGetError as error:
            codes = {reason.code for reason in (error.cancellation_reasons or []) if reason is not None}
            if "TransactionConflict" not in codes or attempt == CONFLICT_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
            continue
        return [entry.get("Item") for entry in response["Responses"]]
    raise RuntimeError("unreachable")
