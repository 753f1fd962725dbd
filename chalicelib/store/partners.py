"""Kindergarten portals calling in: their API keys, and the answers kept for their idempotency keys.

**API keys.** A kindergarten's portal sends ``Authorization: Bearer bqk_<key id>.<secret>``. The
key id finds the :class:`PartnerKey` (one ``GetItem``); only the SHA-256 of the secret is
stored, compared in constant time, so the table never holds a usable key. A key belongs to one
kindergarten and may be revoked; a portal may hold several (rotation).

**Idempotency.** A portal's ``POST`` carries an ``Idempotency-Key``: the same key with the same
body gets the same answer without doing the work again, the same key with another body is
refused, and a repeat that arrives while the first is still running is told so. This is
Powertools' idempotency utility over the ``idempotency`` table (the answer is kept for
``settings.partner_idempotency_hours``; DynamoDB's TTL clears it later); the record's key is the
kindergarten, the route and the portal's key, so portals cannot collide.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.domain.errors import Conflict, InvalidInput, Unauthenticated, Unavailable
from chalicelib.domain.principal import Principal, Role
from chalicelib.settings import aws_endpoint_url, get_settings
from chalicelib.store.base import table_meta
from chalicelib.store.reference import ReferenceRepository

KEY_PREFIX = "bqk_"
_TOKEN = re.compile(r"^bqk_(?P<key_id>[a-z0-9]{8,40})\.(?P<secret>[A-Za-z0-9_-]{20,128})$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,128}$")


class PartnerKey(Model):
    """A kindergarten portal's API key: the SHA-256 of its secret, never the secret."""

    Meta = table_meta("partner-keys")

    key_id = UnicodeAttribute(hash_key=True)
    kindergarten_id = UnicodeAttribute()
    secret_sha256 = UnicodeAttribute()
    label = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class IdempotencyRecord(Model):
    """The table Powertools keeps idempotency records in (it writes the other attributes itself)."""

    Meta = table_meta("idempotency")

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)


PARTNER_MODELS: tuple[type[Model], ...] = (PartnerKey, IdempotencyRecord)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _refused() -> Unauthenticated:
    return Unauthenticated(
        "partner.key_invalid",
        "Балабақша порталының API кілті жоқ, жарамсыз немесе қайтарып алынған.",
        "API-ключ портала детского сада отсутствует, недействителен или отозван.",
    )


class PartnerKeys:
    """Issuing and checking the portals' API keys."""

    def __init__(self, reference: ReferenceRepository | None = None) -> None:
        self.reference = reference or ReferenceRepository()

    def issue(
        self,
        kindergarten_id: str,
        *,
        now: datetime,
        label: str | None = None,
        key_id: str | None = None,
        secret: str | None = None,
    ) -> str:
        """A new key for the kindergarten, returned once in full (``bqk_<key id>.<secret>``).

        ``key_id`` and ``secret`` are chosen at random unless given (demo keys of the local stack).
        """
        key_id = key_id or secrets.token_hex(8)
        secret = secret or secrets.token_urlsafe(32)
        token = f"{KEY_PREFIX}{key_id}.{secret}"
        if _TOKEN.match(token) is None:
            raise ValueError("a key id is 8–40 lower-case letters or digits, a secret 20–128 URL-safe characters")
        PartnerKey(
            key_id,
            kindergarten_id=kindergarten_id,
            secret_sha256=_digest(secret),
            label=label,
            created_at=now,
        ).save()
        return token

    def revoke(self, key_id: str, now: datetime) -> None:
        PartnerKey(key_id).update(actions=[PartnerKey.revoked_at.set(now)], condition=PartnerKey.key_id.exists())

    def principal(self, authorization: str | None) -> Principal:
        """The kindergarten behind ``Authorization: Bearer bqk_…``; refused when missing, unknown or revoked."""
        token = (authorization or "").removeprefix("Bearer ").strip()
        match = _TOKEN.match(token)
        if match is None:
            raise _refused()
        try:
            key = PartnerKey.get(match["key_id"], consistent_read=True)
        except PartnerKey.DoesNotExist:
            raise _refused() from None
        if key.revoked_at is not None or not hmac.compare_digest(key.secret_sha256, _digest(match["secret"])):
            raise _refused()
        kindergarten = self.reference.get_kindergarten(key.kindergarten_id)
        if kindergarten is None:
            raise _refused()
        return Principal(
            iin=kindergarten.bin,
            full_name=kindergarten.name.ru,
            role=Role.KINDERGARTEN,
            certificate_serial=f"api-key:{key.key_id}",
            region=kindergarten.region,
            district=kindergarten.district,
            kindergarten_id=kindergarten.id,
        )


def is_partner_key(authorization: str | None) -> bool:
    return (authorization or "").removeprefix("Bearer ").strip().startswith(KEY_PREFIX)


Answer = tuple[int, Any]


class IdempotentRequests:
    """Runs a portal's request once per idempotency key and answers repeats with the kept answer."""

    def __init__(self, table_name: str | None = None, ttl_seconds: int | None = None) -> None:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

        settings = get_settings()
        import boto3

        client = boto3.client("dynamodb", region_name=settings.aws_region, endpoint_url=aws_endpoint_url())
        self._store = DynamoDBPersistenceLayer(
            table_name=table_name or settings.table_name("idempotency"), boto3_client=client
        )
        self._config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="body",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=ttl_seconds or settings.partner_idempotency_hours * 3600,
        )

    def once(
        self,
        *,
        principal: Principal,
        route: str,
        idempotency_key: str | None,
        body: bytes,
        action: Callable[[], Answer],
        lambda_context: Any = None,
    ) -> Answer:
        """``action()``'s answer ``(status, body)``; a repeat of the same key and body gets the kept one.

        A refusal (a domain error) is not kept: nothing changed, so a repeat is judged afresh.
        """
        from aws_lambda_powertools.utilities.idempotency import idempotent_function
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        key = (idempotency_key or "").strip()
        if _IDEMPOTENCY_KEY.match(key) is None:
            raise InvalidInput(
                "partner.idempotency_key_required",
                "Сұрауда Idempotency-Key тақырыбы болуы керек (8–128 таңба).",
                "Запрос должен содержать заголовок Idempotency-Key (8–128 символов).",
                details={"header": "Idempotency-Key"},
            )
        if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
            self._config.register_lambda_context(lambda_context)

        def run(request: dict[str, Any]) -> dict[str, Any]:
            status, answer = action()
            return {"status": status, "body": json.loads(json.dumps(answer, ensure_ascii=False, default=str))}

        guarded = idempotent_function(
            run, data_keyword_argument="request", persistence_store=self._store, config=self._config, key_prefix=route
        )
        request = {
            "key": f"{principal.kindergarten_id}#{route}#{key}",
            "body": hashlib.sha256(body or b"").hexdigest(),
        }
        try:
            kept = guarded(request=request)
        except IdempotencyValidationError as error:
            raise InvalidInput(
                "partner.idempotency_key_reused",
                "Бұл Idempotency-Key басқа сұрауда қолданылған: жаңа сұрауға жаңа кілт беріңіз.",
                "Этот Idempotency-Key уже использован с другим запросом: для нового запроса нужен новый ключ.",
                details={"header": "Idempotency-Key"},
            ) from error
        except IdempotencyPersistenceLayerError as error:
            # the idempotency table failed (before the action, or while keeping its answer): the
            # same 503 as any AWS failure, and the portal may send the request again
            raise Unavailable(
                "service.unavailable",
                "Қызмет уақытша қолжетімсіз: біраздан соң қайталап көріңіз.",
                "Сервис временно недоступен: повторите попытку немного позже.",
            ) from error
        except IdempotencyAlreadyInProgressError as error:
            raise Conflict(
                "partner.request_in_progress",
                "Осы Idempotency-Key бар сұрау әлі орындалуда: сәлден соң қайталаңыз.",
                "Запрос с этим Idempotency-Key ещё выполняется: повторите немного позже.",
            ) from error
        return int(kept["status"]), kept["body"]
