"""Which application changes are e-government status messages, and what they say (pure).

Every status change of an application (``status_of``: accepted, direction issued, benefit
decided, withdrawn, removed, aged out, enrolled, a private kindergarten chosen, refused) becomes
one ``egov.status`` job, written in the transaction of the change
(``chalicelib.store.history.Change.put``), and one message to the e-government portal's
notification channel (``chalicelib/jobs/handlers/egov.py``).
"""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, tuple[str, str]] = {
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


def status_of(subject_type: str, event: str, to_state: str | None) -> str | None:
    """The e-government status an application's history record stands for (None: not a status change)."""
    if subject_type != "application":
        return None
    if event == "application.registered":
        return "accepted"
    if event == "application.direction_issued":
        return "direction_issued"
    if event in ("application.benefit_approved", "application.benefit_refused"):
        return event.split(".", 1)[1]
    if event == "application.left":
        return to_state if to_state in TEXTS else "removed"
    if event == "application.refused":
        return "refused"
    return None


def texts(status: str, application_id: str) -> dict[str, Any]:
    kk, ru = TEXTS[status]
    return {"kk": f"{application_id}: {kk}", "ru": f"{application_id}: {ru}"}
