"""One sentence in Kazakh and Russian for every change the parent's change history shows.

The history records of an application, its directions and its contracts keep codes (event,
from and to states, a reason code or the operator's/kindergarten's own words, details). The
parent reads each as one sentence: what changed, with the numbers, dates and kindergarten
names that matter. Pure: the caller hands over how to name a kindergarten and a reason code.

:func:`merged` puts the records of the three subjects into one list, oldest first, leaving out
a direction's record when the application's record of the same change already tells it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from chalicelib.clock import local_time
from chalicelib.domain.directions import last_valid_day
from chalicelib.domain.reference import Bilingual

NO_BENEFIT = "none"


@dataclass(frozen=True)
class Entry:
    """What the sentence is made of (the fields of a history record)."""

    event: str
    subject_id: str
    at: datetime
    who: str
    from_state: str | None = None
    to_state: str | None = None
    why: str | None = None
    details: Mapping[str, Any] | None = None


class Recorded(Protocol):
    """What :func:`merged` reads of a change (a history record or an :class:`Entry`)."""

    @property
    def at(self) -> datetime: ...
    @property
    def event(self) -> str: ...
    @property
    def to_state(self) -> str | None: ...


R = TypeVar("R", bound=Recorded)

KindergartenName = Callable[[str], Bilingual | None]
BenefitName = Callable[[str], Bilingual | None]


def _day(value: str | None, *, last_valid: bool = False) -> str:
    """An ISO instant from the details as the local day (the last day valid, for a deadline)."""
    if not value:
        return "—"
    at = datetime.fromisoformat(value)
    day = last_valid_day(at) if last_valid else local_time(at).date()
    return day.strftime("%d.%m.%Y")


def _benefit(state: str | None, name: BenefitName) -> Bilingual | None:
    """``pending:large_family`` → the category's name (None without a benefit)."""
    code = (state or "").partition(":")[2]
    if not code or code == NO_BENEFIT:
        return None
    return name(code) or Bilingual(code, code)


def _quoted(words: Bilingual | None, fallback: str) -> Bilingual:
    return Bilingual(f"«{words.kk}»", f"«{words.ru}»") if words else Bilingual(fallback, fallback)


def _reason(why: str | None, reasons: Mapping[str, Bilingual]) -> Bilingual | None:
    if not why:
        return None
    return reasons.get(why) or Bilingual(why, why)


def _with_reason(kk: str, ru: str, reason: Bilingual | None) -> Bilingual:
    """``sentence. Себебі: …`` — one full stop at the end whatever the reason's own punctuation."""
    if reason is None:
        return Bilingual(kk, ru)
    return Bilingual(
        f"{kk} Себебі: {reason.kk.rstrip('. ')}.",
        f"{ru} Причина: {reason.ru.rstrip('. ')}.",
    )


def sentence(
    entry: Entry,
    *,
    kindergarten_name: KindergartenName,
    benefit_name: BenefitName,
    reasons: Mapping[str, Bilingual],
) -> Bilingual:
    """The change as one sentence (kk, ru)."""
    d = entry.details or {}
    number = str(d.get("direction") or d.get("number") or entry.subject_id)
    kg_id = d.get("kindergarten_id")
    event = entry.event
    if event == "application.registered" and d.get("channel") == "service_center":
        paper = d.get("consent") == "paper"
        return Bilingual(
            "Өтінішті ХҚКО операторы ата-ананың атынан берді, бала кезекке қойылды. Келісім: "
            + (
                "ата-ана қағаз жүзінде келісім берді, өтінішке оператор ЭЦҚ-мен қол қойды."
                if paper
                else "ата-ана өтінішке өз ЭЦҚ-сымен қол қойды."
            ),
            "Заявление подал оператор ЦОН за родителя, ребёнок поставлен в очередь. Согласие: "
            + (
                "родитель дал согласие на бумаге, заявление подписал оператор своей ЭЦП."
                if paper
                else "родитель подписал заявление своей ЭЦП."
            ),
        )
    if event == "application.registered":
        return Bilingual(
            "Өтініш тіркелді, бала кезекке қойылды.", "Заявление зарегистрировано, ребёнок поставлен в очередь."
        )
    if event == "application.handed_over":
        return Bilingual(
            "ХҚКО операторы қызмет нәтижесін — өтініш құжаттарын — ата-анаға басып берді.",
            "Оператор ЦОН выдал родителю результат услуги — документы заявления — в распечатанном виде.",
        )
    if event == "application.pool_counted":
        return Bilingual(
            "Кезектегі орнын түсіндіру үшін бала өз тобының (аудан, туған жылы, оқыту тілі) кезегінде есептелді; "
            "кезек нөмірі өзгерген жоқ.",
            "Для объяснения места в очереди ребёнок учтён в очереди своей группы (район, год рождения, язык "
            "обучения); номер очереди не изменился.",
        )
    if event == "application.benefit_changed":
        new = _benefit(entry.to_state, benefit_name)
        if new is None:
            return Bilingual(
                "Жеңілдік санатынан бас тартылды: кезек жеңілдіксіз.", "Льгота отменена: очередь без льготы."
            )
        return Bilingual(
            f"Жеңілдік санаты «{new.kk}» болып өзгертілді және тексеруге жіберілді.",
            f"Категория льготы изменена на «{new.ru}» и отправлена на проверку.",
        )
    if event == "application.benefit_approved":
        name = _quoted(_benefit(entry.to_state, benefit_name), "")
        return Bilingual(
            f"{name.kk} жеңілдігі расталды: бала жеңілдік санаты бойынша кезекке қосылды.",
            f"Льгота {name.ru} подтверждена: ребёнок включён в очередь по льготной категории.",
        )
    if event == "application.benefit_refused":
        name = _quoted(_benefit(entry.to_state, benefit_name), "")
        return _with_reason(
            f"{name.kk} жеңілдігі расталмады.", f"Льгота {name.ru} не подтверждена.", _reason(entry.why, reasons)
        )
    if event == "application.interest_confirmed":
        until = _day(d.get("deadline"))
        return Bilingual(
            f"Мүдделілік расталды; келесі растау {until} дейін.",
            f"Заинтересованность подтверждена; следующее подтверждение до {until}.",
        )
    if event == "application.interest_reminder":
        until = _day(d.get("deadline"))
        return Bilingual(
            f"Мүдделілікті {until} дейін растау туралы еске салынды.",
            f"Отправлено напоминание подтвердить заинтересованность до {until}.",
        )
    if event == "application.parent_linked":
        return Bilingual(
            "Өтініш баланың екінші ата-анасының жеке кабинетіне қосылды.",
            "Заявление добавлено в личный кабинет второго родителя ребёнка.",
        )
    if event in ("application.direction_issued", "direction.issued"):
        found = kindergarten_name(kg_id) if kg_id else None
        return Bilingual(
            f"№ {number} жолдама кезектегі орны бойынша берілді" + (f": {found.kk}." if found else "."),
            f"По месту в очереди выдано направление № {number}" + (f": {found.ru}." if found else "."),
        )
    if event in ("application.direction_revoked", "direction.revoked"):
        return Bilingual(
            f"№ {number} жолдама кері қайтарылды; бала кезектегі орнын сақтайды.",
            f"Направление № {number} отозвано; ребёнок сохраняет место в очереди.",
        )
    if event == "application.direction_missed":
        until = _day(d.get("stop_list_until"), last_valid=True)
        return Bilingual(
            f"№ {number} жолдама мерзімінде пайдаланылмады: бала {until} қоса алғанда стоп-тізімде.",
            f"Направление № {number} не использовано в срок: ребёнок в стоп-листе по {until} включительно.",
        )
    if event in ("application.direction_expired", "direction.expired"):
        return Bilingual(f"№ {number} жолдаманың мерзімі өтті.", f"Срок направления № {number} истёк.")
    if event == "direction.enrolled":
        return Bilingual(
            f"Балабақша № {number} жолдама бойынша баланың келгенін растады.",
            f"Детский сад подтвердил, что ребёнок пришёл по направлению № {number}.",
        )
    if event == "direction.extended":
        days = d.get("days")
        until = _day(d.get("deadline"), last_valid=True)
        return Bilingual(
            f"№ {number} жолдаманың мерзімі {days} күнге ұзартылды: {until} қоса алғанда жарамды.",
            f"Срок направления № {number} продлён на {days} дн.: действительно по {until} включительно.",
        )
    if event == "application.corrected":
        names = {
            "address": ("мекенжай", "адрес"),
            "email": ("электрондық пошта", "электронная почта"),
            "phone": ("ұялы телефон", "мобильный телефон"),
        }
        fields = [names[f] for f in d.get("fields", []) if f in names]
        kk = ", ".join(f[0] for f in fields) or "деректер"
        ru = ", ".join(f[1] for f in fields) or "данные"
        return _with_reason(
            f"Білім басқармасы өтініштегі деректерді түзетті: {kk}.",
            f"Управление образования исправило данные заявления: {ru}.",
            Bilingual(entry.why, entry.why) if entry.why else None,
        )
    if event == "application.left":
        return _left(entry, reasons)
    if event == "contract.started":
        return Bilingual(
            f"№ {entry.subject_id} электрондық шартты толтыру басталды.",
            f"Начато заполнение электронного договора № {entry.subject_id}.",
        )
    if event == "contract.sent":
        return Bilingual(
            f"№ {entry.subject_id} шартқа ата-ана ЭЦҚ-мен қол қойып, балабақшаға жіберді; "
            "балабақша жауап бергенше жолдаманың мерзімі тоқтатылды.",
            f"Договор № {entry.subject_id} подписан родителем ЭЦП и отправлен детскому саду; "
            "до ответа детского сада срок направления приостановлен.",
        )
    if event == "contract.refused":
        return _with_reason(
            f"Балабақша № {entry.subject_id} шартқа қол қоюдан бас тартты; жолдаманың мерзімі қайта жүріп тұр.",
            f"Детский сад отказал в подписании договора № {entry.subject_id}; срок направления снова идёт.",
            Bilingual(entry.why, entry.why) if entry.why else None,
        )
    if event == "contract.signed":
        return Bilingual(
            f"Балабақша № {entry.subject_id} шартқа қол қойды: шарт заңды күшіне енді.",
            f"Детский сад подписал договор № {entry.subject_id}: договор вступил в силу.",
        )
    return Bilingual(f"Өзгеріс: {event}.", f"Изменение: {event}.")


def _left(entry: Entry, reasons: Mapping[str, Bilingual]) -> Bilingual:
    d = entry.details or {}
    to = entry.to_state
    if to == "enrolled":
        number = d.get("direction")
        via_kk = f" № {number} жолдама бойынша" if number else ""
        via_ru = f" по направлению № {number}" if number else ""
        return Bilingual(
            f"Бала{via_kk} балабақшаға қабылданды және кезектен шықты.",
            f"Ребёнок зачислен в детский сад{via_ru} и вышел из очереди.",
        )
    if to == "withdrawn":
        return _with_reason(
            "Өтініш ата-ананың ЭЦҚ қол қойылған өтініші бойынша кезектен алынды.",
            "Заявление снято с очереди по подписанному ЭЦП заявлению родителя.",
            _reason(entry.why, reasons) if entry.why != "withdrawn_by_parent" else None,
        )
    if to == "left_for_private":
        return Bilingual(
            "Бала мемлекеттік тапсырыс бойынша жеке балабақшаға жолдама алып, кезектен шықты.",
            "Ребёнок получил направление в частный детский сад по госзаказу и вышел из очереди.",
        )
    if to == "refused":
        ground = _reason(entry.why, reasons)
        kk = "Білім басқармасы қызмет көрсетуден бас тартты (дәлелді жауапқа қызметкердің ЭЦҚ-мен қол қойылған)."
        ru = "Управление образования отказало в оказании услуги (мотивированный ответ подписан ЭЦП сотрудника)."
        if ground is not None:
            kk, ru = f"{kk} Негізі: {ground.kk}.", f"{ru} Основание: {ground.ru}."
        motivation = (d.get("motivation_kk"), d.get("motivation_ru"))
        if motivation[0] and motivation[1]:
            return _with_reason(kk, ru, Bilingual(str(motivation[0]), str(motivation[1])))
        return Bilingual(kk, ru)
    if to == "aged_out":
        return Bilingual(
            "Бала мектеп жасына толып, кезектен шықты.", "Ребёнок достиг школьного возраста и вышел из очереди."
        )
    return _with_reason("Бала кезектен шығарылды.", "Ребёнок исключён из очереди.", _reason(entry.why, reasons))


def merged(application: Iterable[R], directions: Iterable[R], contracts: Iterable[R]) -> list[R]:
    """The application's, its directions' and its contracts' changes, oldest first, each change once.

    A direction's issue, revocation, lapse or enrolment is recorded on the application too (in the
    same transaction, at the same instant): the application's record tells it, the direction's is
    left out. Its extension is the direction's alone.
    """
    own = list(application)
    told: set[tuple[datetime, str]] = set()
    for entry in own:
        if entry.event.startswith("application.direction_"):
            told.add((entry.at, entry.event.removeprefix("application.direction_")))
        elif entry.event == "application.left" and entry.to_state == "enrolled":
            told.add((entry.at, "enrolled"))
    kept = list(own)
    for entry in directions:
        state = entry.event.removeprefix("direction.")
        if (entry.at, state) in told or (state == "expired" and (entry.at, "missed") in told):
            continue
        kept.append(entry)
    kept.extend(contracts)
    order = {"contract": 0, "direction": 1, "application": 2}  # the signature before the enrolment it makes
    return sorted(kept, key=lambda e: (e.at, order.get(e.event.partition(".")[0], 3)))
