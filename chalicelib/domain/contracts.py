"""The electronic contract's pure rules (seed 000): number, statuses, the wizard's order, who signs when.

A parent holding a live direction to a kindergarten that concludes contracts electronically
goes through six steps — 1 information, 2 EDS check, 3 legal representative, 4 contract details,
5 documents, 6 confirmation — each saved on the server, then signs the contract with the SIGN
key and sends it. The kindergarten's head signs it with the organisation's certificate (the
contract is **signed**: in force, indefinite, admission complete) or refuses it with a reason;
the parent then corrects steps 3–5 and signs again. ``docs/contracts.md`` explains the choices.

- **Number.** ``01.01-01.26.001``: the kindergarten's register code from its contract settings
  (``01.01-01``), the two-digit year the contract was started (Asia/Almaty), the serial of that
  kindergarten and year (three digits, more if ever needed).
- **Order.** Each party signs once, the parent first; only while the direction is live.
- **The direction's clock.** A draft does not stop it. While the contract is ``sent`` (the parent
  signed in time and the kindergarten holds it) the direction does not lapse; a refusal gives the
  parent back the time that was left when it was sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from chalicelib.clock import local_time
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable

_REGISTER_CODE = re.compile(r"^\d{2}\.\d{2}-\d{2}$")
_NUMBER = re.compile(r"^(?P<code>\d{2}\.\d{2}-\d{2})\.(?P<yy>\d{2})\.(?P<serial>\d{3,})$")
MAX_REFUSAL_REASON = 1000


class ContractStatus(StrEnum):
    """Where a contract stands. ``cancelled`` is shown, never stored: a draft whose direction ended."""

    DRAFT = "draft"
    SENT = "sent"  # the parent signed; the kindergarten has it
    SIGNED = "signed"  # both signed: in force, indefinite
    REFUSED = "refused"  # the kindergarten refused with a reason; the parent may correct and resend
    CANCELLED = "cancelled"

    @property
    def kk(self) -> str:
        return _STATUS_WORDS[self][0]

    @property
    def ru(self) -> str:
        return _STATUS_WORDS[self][1]

    @property
    def editable(self) -> bool:
        """Whether the parent may change the steps (a draft, or a refused contract to correct)."""
        return self in (ContractStatus.DRAFT, ContractStatus.REFUSED)


_STATUS_WORDS: dict[ContractStatus, tuple[str, str]] = {
    ContractStatus.DRAFT: ("Жоба", "Черновик"),
    ContractStatus.SENT: ("Қол қоюға жіберілді", "Отправлен на подписание"),
    ContractStatus.SIGNED: ("Қол қойылды", "Подписан"),
    ContractStatus.REFUSED: ("Балабақша қол қоюдан бас тартты", "Детский сад отказал в подписании"),
    ContractStatus.CANCELLED: ("Күші жойылды", "Аннулирован"),
}


class Step(IntEnum):
    """The wizard's six steps, in order."""

    INFO = 1
    EDS = 2
    REPRESENTATIVE = 3
    DETAILS = 4
    DOCUMENTS = 5
    CONFIRM = 6

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def kk(self) -> str:
        return _STEP_WORDS[self][0]

    @property
    def ru(self) -> str:
        return _STEP_WORDS[self][1]


_STEP_WORDS: dict[Step, tuple[str, str]] = {
    Step.INFO: ("Шарт жасасу туралы ақпарат", "Информация о заключении договора"),
    Step.EDS: ("ЭЦҚ тексеру", "Проверка ЭЦП"),
    Step.REPRESENTATIVE: ("Заңды өкіл туралы мәліметтер", "Сведения о законном представителе"),
    Step.DETAILS: ("Шарттың деректемелері", "Реквизиты договора"),
    Step.DOCUMENTS: ("Құжаттарды жүктеу", "Загрузка документов"),
    Step.CONFIRM: ("Растау", "Подтверждение"),
}


@dataclass(frozen=True)
class ContractNumber:
    """``01.01-01.26.001``: register code, two-digit year, serial of the kindergarten and year."""

    register_code: str
    year: int
    serial: int

    def __str__(self) -> str:
        return f"{self.register_code}.{self.year % 100:02d}.{self.serial:03d}"

    @classmethod
    def parse(cls, text: str) -> ContractNumber:
        match = _NUMBER.match(text)
        if match is None:
            raise ValueError(f"not a contract number: {text!r}")
        return cls(match["code"], 2000 + int(match["yy"]), int(match["serial"]))


def valid_register_code(code: str) -> bool:
    return bool(_REGISTER_CODE.match(code))


def is_contract_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


def contract_year(at: datetime) -> int:
    return local_time(at).year


def first_missing_step(done: set[Step]) -> Step:
    """The step the wizard opens at: the first one not yet done (confirmation when all are)."""
    for step in Step:
        if step is not Step.CONFIRM and step not in done:
            return step
    return Step.CONFIRM


def check_step_order(step: Step, done: set[Step]) -> None:
    """A step is saved only after the steps before it (the EDS check before any personal data)."""
    missing = [earlier for earlier in Step if earlier < step and earlier not in done]
    if missing:
        raise step_out_of_order(step, missing[0])


def paused_remaining(deadline: datetime, now: datetime) -> float:
    """Seconds of the direction left when the contract was sent (the clock stops there)."""
    return max(0.0, (deadline - now).total_seconds())


# --- refusals ----------------------------------------------------------------------------------


def contract_not_found(number: str) -> NotFound:
    return NotFound("contract.not_found", "Шарт табылмады.", "Договор не найден.", details={"number": number})


def not_yours() -> Forbidden:
    return Forbidden(
        "contract.not_yours",
        "Бұл шарт сіздің балаңыз бойынша жасалмаған.",
        "Этот договор заключается не по вашему ребёнку.",
    )


def other_kindergarten() -> Forbidden:
    return Forbidden(
        "contract.other_kindergarten",
        "Бұл шарт басқа балабақшамен жасалады: оған сол балабақша ғана қол қоя алады.",
        "Этот договор заключается с другим детским садом: подписать его может только он.",
    )


def paper_only() -> Conflict:
    return Conflict(
        "contract.paper_only",
        "Бұл балабақша шарттарды қағаз түрінде жасасады: электрондық шарт қарастырылмаған.",
        "Этот детский сад заключает договоры на бумаге: электронный договор не предусмотрен.",
    )


def direction_not_live(status_kk: str, status_ru: str, status: str) -> Conflict:
    return Conflict(
        "contract.direction_not_live",
        f"Шартты тек әрекеттегі жолдама бойынша жасасуға болады: жолдама {status_kk.lower()}.",
        f"Договор заключается только по действующему направлению: {status_ru.lower()}.",
        details={"direction_status": status},
    )


def direction_deadline_passed() -> Conflict:
    return Conflict(
        "contract.direction_deadline_passed",
        "Жолдаманың жарамдылық мерзімі өтіп кетті: шартты жіберуге болмайды.",
        "Срок действия направления истёк: договор отправить нельзя.",
    )


def not_editable(status: ContractStatus) -> Conflict:
    return Conflict(
        "contract.not_editable",
        f"Шартты енді өзгертуге болмайды ({status.kk.lower()}).",
        f"Договор больше нельзя изменять ({status.ru.lower()}).",
        details={"status": status.value},
    )


def step_out_of_order(step: Step, missing: Step) -> Conflict:
    return Conflict(
        "contract.step_out_of_order",
        f"Алдымен {missing.value}-қадамды орындаңыз ({missing.kk}).",
        f"Сначала выполните шаг {missing.value} ({missing.ru}).",
        details={"step": step.value, "missing_step": missing.value},
    )


def not_read() -> InvalidInput:
    return InvalidInput(
        "contract.not_read",
        "«Мен шарттың мазмұнымен таныстым» деген белгіні қойыңыз.",
        "Отметьте «Я ознакомился(-ась) с содержанием договора».",
        details={"field": "read_confirmed"},
    )


def info_not_read() -> InvalidInput:
    return InvalidInput(
        "contract.info_not_read",
        "Шарт жасасу туралы анықтамалық ақпаратты оқып, растаңыз.",
        "Прочитайте справочную информацию о заключении договора и подтвердите.",
        details={"field": "read"},
    )


def not_sent(status: ContractStatus) -> Conflict:
    return Conflict(
        "contract.not_sent",
        f"Шарт балабақшаға қол қоюға жіберілмеген ({status.kk.lower()}).",
        f"Договор не отправлен детскому саду на подписание ({status.ru.lower()}).",
        details={"status": status.value},
    )


def already_signed() -> Conflict:
    return Conflict(
        "contract.already_signed",
        "Шартқа қол қойылған: әр тарап шартқа бір рет қол қояды.",
        "Договор уже подписан: каждая сторона подписывает договор один раз.",
    )


def in_signing() -> Conflict:
    return Conflict(
        "contract.in_signing",
        "Шарт балабақшаға қол қоюға жіберілген: балабақшаның жауабын күтіңіз.",
        "Договор отправлен детскому саду на подписание: дождитесь ответа детского сада.",
    )


def document_mismatch(field: str | None = None) -> InvalidInput:
    named_kk = f" («{field}»)" if field else ""
    named_ru = f" («{field}»)" if field else ""
    return InvalidInput(
        "contract.document_mismatch",
        f"Қол қойылған құжат осы шарттың қазіргі мәтініне сәйкес келмейді{named_kk}: шарт жобасын қайта ашып, "
        "қайтадан қол қойыңыз.",
        f"Подписанный документ не совпадает с текущим текстом договора{named_ru}: откройте проект договора заново "
        "и подпишите снова.",
        details={"field": field} if field else None,
    )


# Who may sign a contract for a kindergarten: NCA organisation roles (1.2.398.3.3.4.1.2.<role>).
CONTRACT_SIGNING_ROLES = ("1.2.398.3.3.4.1.2.1", "1.2.398.3.3.4.1.2.2")  # first head; right of signature


def signer_not_authorised(role: str | None, role_kk: str, role_ru: str) -> InvalidInput:
    from chalicelib.eds.model import Check, SignatureRefused

    return SignatureRefused(
        Check.PURPOSE,
        "not_authorised_to_sign",
        f"Шартқа балабақшаның бірінші басшысы немесе қол қою құқығы бар тұлға ғана қол қоя алады; "
        f"сертификаттағы рөл: {role_kk}.",
        f"Договор может подписать только первый руководитель детского сада или лицо с правом подписи; "
        f"роль в сертификате: {role_ru}.",
        details={"role": role, "allowed": list(CONTRACT_SIGNING_ROLES)},
    )


def challenge_unknown() -> InvalidInput:
    return InvalidInput(
        "contract.eds_challenge_unknown",
        "ЭЦҚ тексеру сұрауы табылмады немесе пайдаланылған: тексеруді қайта бастаңыз.",
        "Запрос проверки ЭЦП не найден или уже использован: начните проверку заново.",
    )


def challenge_expired() -> InvalidInput:
    return InvalidInput(
        "contract.eds_challenge_expired",
        "ЭЦҚ тексеру сұрауының мерзімі өтті: тексеруді қайта бастаңыз.",
        "Срок запроса проверки ЭЦП истёк: начните проверку заново.",
    )


def refusal_reason_required() -> InvalidInput:
    return InvalidInput(
        "contract.refusal_reason_required",
        f"Бас тарту себебін көрсетіңіз (1–{MAX_REFUSAL_REASON} таңба).",
        f"Укажите причину отказа (1–{MAX_REFUSAL_REASON} символов).",
        details={"field": "reason"},
    )


def no_contract_settings() -> Conflict:
    return Conflict(
        "contract.no_settings",
        "Балабақшаның шарт баптаулары (үлгі, бағалар) әлі енгізілмеген: балабақшаға хабарласыңыз.",
        "Настройки договора детского сада (шаблон, цены) ещё не заполнены: обратитесь в детский сад.",
    )


def changed_concurrently(number: str) -> Conflict:
    return Conflict(
        "contract.changed_concurrently",
        "Шарт дәл қазір өзгертілуде: әрекетті қайталаңыз.",
        "Договор сейчас изменяется: повторите действие.",
        details={"number": number},
    )


def answer_contract_first(number: str) -> Conflict:
    """For the kindergarten: a direction whose contract waits for its signature is answered there."""
    return Conflict(
        "contract.answer_contract",
        f"Осы жолдама бойынша № {number} шарт балабақшаның қолын күтуде: шартқа қол қойыңыз немесе "
        "бас тартыңыз — қабылдау сонда расталады.",
        f"По этому направлению договор № {number} ждёт подписи детского сада: подпишите его или откажите — "
        "зачисление подтверждается этим.",
        details={"contract_number": number},
    )


def document_preparing() -> Unavailable:
    """Signed: the final PDF is a job of the signing, rendered within seconds."""
    return Unavailable(
        "contract.document_preparing",
        "Шарттың қорытынды құжаты дайындалуда: бірнеше секундтан соң қайталаңыз.",
        "Итоговый документ договора готовится: повторите через несколько секунд.",
    )


def not_signed_yet(status: ContractStatus) -> Conflict:
    return Conflict(
        "contract.not_signed_yet",
        f"Шартқа әлі екі тарап қол қоймаған ({status.kk.lower()}): қорытынды құжат кейін пайда болады.",
        f"Договор ещё не подписан обеими сторонами ({status.ru.lower()}): итоговый документ появится позже.",
        details={"status": status.value},
    )
