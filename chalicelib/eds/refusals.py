"""Every way a signed document can be refused, with the words a parent reads (kk, ru).

Each message names what failed in the words of the check itself ("ЭЦҚ тексеруден өтпеді:
тіркеу куәлігінің мерзімі өтіп кеткен." / "Проверка ЭЦП не пройдена: …"), so that a parent knows
what to fix; every reason belongs to one check. The check's number stays out of the sentence
(a checker's note means nothing to a parent) and is in the refusal's code (``eds.<check>.<reason>``)
and details (``check``, ``check_number``) for support and the logs.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import ErrorKind
from chalicelib.eds.model import Check, SignatureRefused

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
    """The refusal for ``reason`` under ``check``: its message says what is wrong in kk and ru, in the
    parent's words; the check's number and name stay in the details (``check``, ``check_number``)
    for support and the logs, never in the sentence a parent reads."""
    reason_kk, reason_ru = _REASONS[(check, reason)]
    kk = f"ЭЦҚ тексеруден өтпеді: {reason_kk}."
    ru = f"Проверка ЭЦП не пройдена: {reason_ru}."
    return SignatureRefused(check, reason, kk, ru, details=details or None, kind=kind)


def known_reasons() -> list[tuple[Check, str]]:
    """Every (check, reason) pair a verification may refuse with."""
    return list(_REASONS)
