"""Every way a signed document can be refused, with the words a parent reads (kk, ru).

Each message names the check that failed ("2-тексеру: ..." / "проверка 2: ..."), as
SPEC requires, so that a parent or an operator knows what to fix.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import ErrorKind
from chalicelib.eds.model import CHECK_NUMBER, Check, SignatureRefused

_CHECK_NAMES: dict[Check, tuple[str, str]] = {
    Check.MALFORMED: ("құжат пішімі", "формат документа"),
    Check.SIGNATURE: ("қолтаңбаның түпнұсқалығы", "подлинность подписи"),
    Check.CHAIN: ("сенімді куәландырушы орталық", "доверенный удостоверяющий центр"),
    Check.VALIDITY: ("тіркеу куәлігінің мерзімі", "срок действия сертификата"),
    Check.REVOCATION: ("кері қайтарылған тіркеу куәліктері", "отзыв сертификата"),
    Check.IDENTITY: ("ЖСН/БСН сәйкестігі", "совпадение ИИН/БИН"),
    Check.PURPOSE: ("кілттің мақсаты", "назначение ключа"),
    Check.OWNER: ("жеке кабинеттің иесі", "владелец личного кабинета"),
}

_REASONS: dict[tuple[Check, str], tuple[str, str]] = {
    (Check.MALFORMED, "empty"): ("құжат бос", "документ пуст"),
    (Check.MALFORMED, "too_large"): ("құжат тым үлкен", "документ слишком большой"),
    (Check.MALFORMED, "not_xml"): ("құжат дұрыс XML емес", "документ не является корректным XML"),
    (Check.MALFORMED, "dtd"): (
        "DTD және нысандарға (entity) рұқсат етілмейді",
        "DTD и сущности (entity) не допускаются",
    ),
    (Check.MALFORMED, "bad_base64"): ("base64 кодтауы қате", "ошибка в кодировке base64"),
    (Check.MALFORMED, "bad_certificate"): (
        "қолтаңбадағы тіркеу куәлігін оқу мүмкін емес",
        "не удаётся прочитать сертификат в подписи",
    ),
    (Check.SIGNATURE, "missing"): ("құжатқа қол қойылмаған", "документ не подписан"),
    (Check.SIGNATURE, "several"): ("құжатта бірнеше қолтаңба бар", "в документе несколько подписей"),
    (Check.SIGNATURE, "misplaced"): (
        "қолтаңба құжаттың түбірлік элементінің ішінде болуы керек",
        "подпись должна находиться непосредственно в корневом элементе документа",
    ),
    (Check.SIGNATURE, "not_whole_document"): (
        "қолтаңба бүкіл құжатты қамтымайды",
        "подпись не охватывает весь документ",
    ),
    (Check.SIGNATURE, "weak_algorithm"): (
        "SHA-1 алгоритміне рұқсат етілмейді, RSA-SHA256 қажет",
        "алгоритм SHA-1 не допускается, требуется RSA-SHA256",
    ),
    (Check.SIGNATURE, "hmac"): (
        "HMAC қолтаңбасына рұқсат етілмейді, RSA-SHA256 қажет",
        "подпись HMAC не допускается, требуется RSA-SHA256",
    ),
    (Check.SIGNATURE, "unsupported_algorithm"): (
        "алгоритмге қолдау көрсетілмейді: тек RSA-SHA256 қабылданады (ГОСТ кілттері қабылданбайды)",
        "алгоритм не поддерживается: принимается только RSA-SHA256 (ключи ГОСТ не принимаются)",
    ),
    (Check.SIGNATURE, "no_certificate"): (
        "қолтаңбада қол қоюшының тіркеу куәлігі жоқ",
        "в подписи нет сертификата подписавшего",
    ),
    (Check.SIGNATURE, "invalid"): (
        "қолтаңба жарамсыз немесе құжат қол қойылғаннан кейін өзгертілген",
        "подпись недействительна или документ изменён после подписания",
    ),
    (Check.CHAIN, "untrusted"): (
        "тіркеу куәлігін сенімді куәландырушы орталық бермеген",
        "сертификат выдан не доверенным удостоверяющим центром",
    ),
    (Check.VALIDITY, "expired"): (
        "тіркеу куәлігінің қолданылу мерзімі өтіп кеткен",
        "срок действия сертификата истёк",
    ),
    (Check.VALIDITY, "not_yet_valid"): (
        "тіркеу куәлігінің қолданылу мерзімі әлі басталмаған",
        "срок действия сертификата ещё не начался",
    ),
    (Check.VALIDITY, "issuer_not_valid"): (
        "куәландырушы орталықтың тіркеу куәлігі бұл уақытта жарамсыз",
        "сертификат удостоверяющего центра недействителен на это время",
    ),
    (Check.REVOCATION, "revoked"): (
        "тіркеу куәлігі кері қайтарылған (жойылған)",
        "сертификат отозван",
    ),
    (Check.REVOCATION, "unavailable"): (
        "тіркеу куәлігінің мәртебесін қазір тексеру мүмкін емес, кейінірек қайталаңыз",
        "сейчас не удаётся проверить статус сертификата, повторите попытку позже",
    ),
    (Check.IDENTITY, "iin_mismatch"): (
        "сұраудағы ЖСН тіркеу куәлігіндегі ЖСН-мен сәйкес келмейді",
        "ИИН в запросе не совпадает с ИИН в сертификате",
    ),
    (Check.IDENTITY, "iin_missing"): ("тіркеу куәлігінде ЖСН жоқ", "в сертификате нет ИИН"),
    (Check.IDENTITY, "bin_mismatch"): (
        "сұраудағы БСН тіркеу куәлігіндегі БСН-мен сәйкес келмейді",
        "БИН в запросе не совпадает с БИН в сертификате",
    ),
    (Check.IDENTITY, "bin_missing"): ("тіркеу куәлігінде БСН жоқ", "в сертификате нет БИН"),
    (Check.PURPOSE, "auth_key_for_document"): (
        "кіру кілтімен (AUTH_RSA) құжатқа қол қоюға болмайды, қол қою кілтін (RSA) таңдаңыз",
        "ключом для входа (AUTH_RSA) нельзя подписывать документы, выберите ключ подписи (RSA)",
    ),
    (Check.PURPOSE, "sign_key_for_sign_in"): (
        "қол қою кілтімен (RSA) жүйеге кіруге болмайды, AUTH_RSA кілтін таңдаңыз",
        "ключом подписи (RSA) нельзя входить в систему, выберите ключ AUTH_RSA",
    ),
    (Check.PURPOSE, "key_usage"): (
        "кілт электрондық цифрлық қолтаңбаға арналмаған",
        "ключ не предназначен для электронной цифровой подписи",
    ),
    (Check.PURPOSE, "individual_required"): (
        "жеке тұлғаның кілті қажет",
        "требуется ключ физического лица",
    ),
    (Check.PURPOSE, "organisation_required"): (
        "заңды тұлғаның кілті қажет",
        "требуется ключ юридического лица",
    ),
    (Check.PURPOSE, "holder_unknown"): (
        "тіркеу куәлігі жеке немесе заңды тұлғаға берілмеген",
        "сертификат не выдан ни физическому, ни юридическому лицу",
    ),
    (Check.OWNER, "not_owner"): (
        "ЭЦҚ жеке кабинеттің иесіне тіркелген болу керек",
        "ЭЦП должна быть зарегистрирована на владельца личного кабинета",
    ),
}


def refuse(
    check: Check, reason: str, *, kind: ErrorKind | None = None, **details: Any
) -> SignatureRefused:
    """The refusal for ``reason`` under ``check``, its message naming the check in kk and ru."""
    number = CHECK_NUMBER[check]
    check_kk, check_ru = _CHECK_NAMES[check]
    reason_kk, reason_ru = _REASONS[(check, reason)]
    kk = f"ЭЦҚ тексеруден өтпеді ({number}-тексеру, {check_kk}): {reason_kk}."
    ru = f"Проверка ЭЦП не пройдена (проверка {number}, {check_ru}): {reason_ru}."
    return SignatureRefused(check, reason, kk, ru, details=details or None, kind=kind)


def known_reasons() -> list[tuple[Check, str]]:
    """Every (check, reason) pair a verification may refuse with."""
    return list(_REASONS)
