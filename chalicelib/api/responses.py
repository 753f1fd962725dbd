"""The one place that maps domain errors to HTTP and parses request bodies."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError
from pynamodb.exceptions import PynamoDBException

from chalicelib.domain.errors import DomainError, ErrorKind, InvalidInput, TooLarge, Unavailable
from chalicelib.domain.text import forbidden_character
from chalicelib.observability import logger
from chalicelib.settings import get_settings

STATUS: dict[ErrorKind, int] = {
    "invalid": 422,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "unavailable": 503,
}

M = TypeVar("M", bound=BaseModel)

MAX_JSON_DEPTH = 32  # the deepest body of the API is 4 levels; anything far deeper is an attack


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def service_unavailable() -> Unavailable:
    return Unavailable(
        "service.unavailable",
        "Қызмет уақытша қолжетімсіз: біраздан соң қайталап көріңіз.",
        "Сервис временно недоступен: повторите попытку немного позже.",
    )


def error_response(error: DomainError) -> Response:
    return json_response(error.body(), STATUS[error.kind])


# Refusals made before a view runs — by API Gateway, Chalice's router or a local HTTP server — in the
# project's words: status → (code, kk, ru). ``infra.resources`` gives API Gateway the same bodies.
GATEWAY_REFUSALS: dict[int, tuple[str, str, str]] = {
    400: ("request.bad_request", "Сұрау дұрыс құрылмаған.", "Запрос составлен неверно."),
    403: ("request.forbidden", "Бұл сұрауға рұқсат жоқ.", "Этот запрос не разрешён."),
    404: ("request.unknown_route", "Мұндай API мекенжайы жоқ.", "Такого адреса API нет."),
    405: (
        "request.method_not_allowed",
        "Бұл API мекенжайы мұндай әдісті қабылдамайды.",
        "Этот адрес API не принимает такой метод.",
    ),
    413: ("request.too_large", "Сұрау тым үлкен.", "Запрос слишком большой."),
    414: ("request.uri_too_long", "Сұрау мекенжайы тым ұзын.", "Адрес запроса слишком длинный."),
    415: (
        "request.unsupported_media_type",
        "Сұраудың денесі JSON болуы керек (Content-Type: application/json).",
        "Тело запроса должно быть JSON (Content-Type: application/json).",
    ),
    429: ("request.too_many", "Сұраулар тым көп: сәлден соң қайталаңыз.", "Слишком много запросов: повторите позже."),
    431: ("request.headers_too_large", "Сұрау тақырыптары тым үлкен.", "Заголовки запроса слишком велики."),
    500: ("internal_error", "Ішкі қате: кейінірек қайталаңыз.", "Внутренняя ошибка: повторите попытку позже."),
    501: ("request.not_implemented", "Мұндай әдіс жоқ.", "Такого метода нет."),
    502: ("internal_error", "Ішкі қате: кейінірек қайталаңыз.", "Внутренняя ошибка: повторите попытку позже."),
    503: ("unavailable", "Қызмет уақытша қолжетімсіз.", "Сервис временно недоступен."),
    504: ("timeout", "Жауап уақытында келмеді: кейінірек қайталаңыз.", "Ответ не получен вовремя: повторите позже."),
}


def gateway_refusal(status: int) -> dict[str, Any]:
    """The JSON error body of a refusal the view never saw (an unknown status reads as its class)."""
    code, kk, ru = GATEWAY_REFUSALS.get(status) or GATEWAY_REFUSALS[500 if status >= 500 else 400]
    return DomainError(code, kk, ru, details={"status": status}).body()


def in_project_words(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: Chalice's own refusals (405, 415, a 500 of an unexpected error) become the
    project's JSON error in Kazakh and Russian; every other answer passes unchanged."""
    response = get_response(event)
    body = response.body
    if isinstance(body, dict) and set(body) == {"Code", "Message"}:
        logger.info("refused before the view", extra={"status": response.status_code, "chalice": body["Code"]})
        headers = {k: v for k, v in (response.headers or {}).items() if k.lower() != "content-type"}
        return json_response(gateway_refusal(response.status_code), response.status_code, headers)
    return response


def handles_errors(view: Callable[..., Any]) -> Callable[..., Response]:
    """Turn a domain refusal into its stable JSON error body and status code."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            result = view(*args, **kwargs)
        except DomainError as error:
            logger.info("refused", extra={"code": error.code, "kind": error.kind})
            return error_response(error)
        except (BotoCoreError, ClientError, PynamoDBException) as error:
            # AWS failed before anything was committed (or the change stands and its jobs carry on):
            # the parent may simply try again; nothing half-written was left behind
            logger.exception("a service the request needs failed", extra={"error": type(error).__name__})
            return error_response(service_unavailable())
        return result if isinstance(result, Response) else json_response(result)

    return wrapper


def raw_body(request: Request) -> bytes:
    """The request body, refused past the size limit."""
    try:
        body = request.raw_body or b""
    except UnicodeEncodeError as error:  # a text body holding a lone surrogate: not UTF-8 at all
        raise _malformed_json() from error
    limit = get_settings().max_body_bytes
    if len(body) > limit:
        raise TooLarge(
            "request.too_large",
            f"Сұрау тым үлкен: {limit} байттан аспауы керек.",
            f"Запрос слишком большой: не более {limit} байт.",
            details={"limit": limit, "size": len(body)},
        )
    return body


def _malformed_json() -> InvalidInput:
    return InvalidInput(
        "request.malformed_json",
        "Сұраудың денесі дұрыс JSON емес.",
        "Тело запроса не является корректным JSON.",
    )


def _too_deep() -> InvalidInput:
    return InvalidInput(
        "request.too_deep",
        f"JSON тым терең: {MAX_JSON_DEPTH} деңгейден аспауы керек.",
        f"JSON вложен слишком глубоко: не более {MAX_JSON_DEPTH} уровней.",
        details={"limit": MAX_JSON_DEPTH},
    )


def _path(parts: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in parts) or "(body)"


def check_json(data: Any) -> None:
    """Refuse nesting past :data:`MAX_JSON_DEPTH` and any forbidden character in a key or a string."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, where = stack.pop()
        if len(where) > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, str):
            found = forbidden_character(value)
            if found is not None:
                field = _path(where)
                raise InvalidInput(
                    "request.control_character",
                    f"«{field}» өрісінде рұқсат етілмеген басқару таңбасы ({found}) бар.",
                    f"Поле «{field}» содержит недопустимый управляющий символ ({found}).",
                    details={"field": field, "character": found},
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, (*where, "(key)")))
                stack.append((item, (*where, key)))
        elif isinstance(value, list):
            stack.extend((item, (*where, index)) for index, item in enumerate(value))


def load_json(body: bytes) -> Any:
    """The parsed JSON body (``{}`` when empty), refused when malformed, too deep or holding control characters."""
    try:
        data = json.loads(body or b"{}")
    except RecursionError as error:
        raise _too_deep() from error
    except (ValueError, UnicodeDecodeError) as error:
        raise _malformed_json() from error
    check_json(data)
    return data


def canonical_json(body: bytes) -> bytes:
    """The body as canonical JSON (sorted keys, no whitespace), so that a repeat in other whitespace is
    the same request; a body that is not JSON stays as it is."""
    try:
        data = load_json(body)
    except DomainError:
        return body
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def parse_body(request: Request, model: type[M], *, strict: bool = True) -> M:
    """Parse a JSON body into a typed model with strict types (``true`` is not a number, ``"2"`` is
    not one either); a broken rule names the field."""
    body = raw_body(request)
    data = load_json(body)
    try:
        return model.model_validate_json(json.dumps(data), strict=strict)
    except ValidationError as error:
        fields = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in error.errors()
        ]
        raise InvalidInput(
            "request.invalid_fields",
            "Кейбір өрістер толтырылмаған немесе қате толтырылған: белгіленген өрістерді тексеріңіз.",
            "Некоторые поля не заполнены или заполнены неверно: проверьте отмеченные поля.",
            details={"fields": fields},
        ) from error
