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
    body = request.raw_body or b""
    limit = get_settings().max_body_bytes
    if len(body) > limit:
        raise TooLarge(
            "request.too_large",
            f"Сұрау тым үлкен: {limit} байттан аспауы керек.",
            f"Запрос слишком большой: не более {limit} байт.",
            details={"limit": limit, "size": len(body)},
        )
    return body


def parse_body(request: Request, model: type[M]) -> M:
    """Parse a JSON body into a typed model; a broken rule names the field."""
    body = raw_body(request)
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(
            "request.malformed_json",
            "Сұраудың денесі дұрыс JSON емес.",
            "Тело запроса не является корректным JSON.",
        ) from error
    try:
        return model.model_validate(data)
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
