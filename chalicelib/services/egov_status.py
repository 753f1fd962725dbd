"""Relays every status change of an application to the e-government channel, durably.

The source is the history's outbox: each application's history record is born, in the
transaction of its change, with the outbox mark of its UTC day. The relay reads the marked
records of the last days, sends the status message of each (``status_of``) and only then
removes the mark; a message the channel refuses stays marked and is sent again at the next
run. Records of other subjects (the kindergartens' events) are left to their own delivery.
The message carries the record's subject and entry as its id, so a repeat is recognisable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from chalicelib.clock import Clock
from chalicelib.gateways.egov import EgovStatusChannel, StatusMessage
from chalicelib.observability import logger
from chalicelib.store.applications import ApplicationRepository
from chalicelib.store.history import HistoryRecord, HistoryRepository

LOOK_BACK_DAYS = 7

_TEXTS: dict[str, tuple[str, str]] = {
    "accepted": ("Өтініш қабылданды, бала кезекке қойылды", "Заявление принято, ребёнок поставлен в очередь"),
    "direction_issued": ("Жолдама берілді", "Выдано направление"),
    "benefit_approved": ("Жеңілдік расталды", "Льгота подтверждена"),
    "benefit_refused": ("Жеңілдік расталмады", "Льгота не подтверждена"),
    "withdrawn": ("Өтініш кері қайтарылды", "Заявление отозвано"),
    "removed": ("Бала кезектен шығарылды", "Ребёнок снят с очереди"),
    "aged_out": ("Бала мектеп жасына толды", "Ребёнок достиг школьного возраста"),
    "enrolled": ("Бала балабақшаға қабылданды", "Ребёнок зачислен в детский сад"),
    "left_for_private": ("Жекеменшік балабақша таңдалды", "Выбран частный детский сад"),
    "refused": ("Өтініш бойынша бас тартылды", "По заявлению отказано"),
}


def status_of(record: HistoryRecord) -> str | None:
    """The e-government status a history record stands for (None: not a status change)."""
    if record.event == "application.registered":
        return "accepted"
    if record.event == "application.direction_issued":
        return "direction_issued"
    if record.event in ("application.benefit_approved", "application.benefit_refused"):
        return record.event.split(".", 1)[1]
    if record.event == "application.left":
        return record.to_state if record.to_state in _TEXTS else "removed"
    if record.event == "application.refused":
        return "refused"
    return None


@dataclass
class EgovStatusRelay:
    clock: Clock
    history: HistoryRepository
    applications: ApplicationRepository
    channel: EgovStatusChannel

    def run(self) -> dict[str, int]:
        counts = {"sent": 0, "skipped": 0, "failed": 0}
        today = self.clock.now().astimezone(UTC).date()
        for back in range(LOOK_BACK_DAYS, -1, -1):
            day = (today - timedelta(days=back)).isoformat()
            for record in list(self.history.pending(day)):
                if record.subject_type != "application":
                    continue
                status = status_of(record)
                if status is None:
                    self.history.mark_delivered(record)
                    counts["skipped"] += 1
                    continue
                app = self.applications.find(record.subject_id)
                kk, ru = _TEXTS[status]
                message = StatusMessage(
                    event_id=f"{record.subject}/{record.entry}",
                    application_id=record.subject_id,
                    egov_number=app.egov_number if app else None,
                    status=status,
                    text_kk=f"{record.subject_id}: {kk}",
                    text_ru=f"{record.subject_id}: {ru}",
                    at=record.at,
                )
                try:
                    self.channel.send(message)
                except Exception:  # the channel refused: the record stays marked, sent again next run
                    logger.exception("e-government status not delivered", extra={"event_id": message.event_id})
                    counts["failed"] += 1
                    continue
                self.history.mark_delivered(record)
                counts["sent"] += 1
        return counts
