"""Session tokens (PyJWT, HS256): bound to the IIN, name and role from the sign-in certificate."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.principal import Principal, Role

AUDIENCE = "balabaqsha"
ISSUER = "balabaqsha"
ALGORITHM = "HS256"


class SessionTokens:
    """Issues and checks session tokens."""

    def __init__(self, secret: str | Callable[[], tuple[str, ...]], ttl: timedelta) -> None:
        """``secret`` is the key, or a function giving the keys: the first signs, any of them verifies.

        A function lets the key rotate while the process runs (Secrets Manager, see ``chalicelib.secrets``).
        """
        self._keys = secret if callable(secret) else (lambda: (secret,))
        self._ttl = ttl

    def issue(self, principal: Principal, now: datetime) -> tuple[str, datetime]:
        expires = now + self._ttl
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": principal.iin,
            "name": principal.full_name,
            "role": principal.role.value,
            "cert": principal.certificate_serial,
            "region": principal.region,
            "district": principal.district,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": uuid.uuid4().hex,
        }
        import jwt  # imported on first use: PyJWT pulls in cryptography (cold start)

        return jwt.encode(claims, self._keys()[0], algorithm=ALGORITHM), expires

    def principal(self, authorization: str | None, now: datetime) -> Principal:
        """The principal of a ``Bearer`` token; refused when missing, tampered or expired."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthenticated(
                "auth.missing_token",
                "Жүйеге ЭЦҚ арқылы кіріңіз.",
                "Войдите в систему с помощью ЭЦП.",
            )
        token = authorization.removeprefix("Bearer ").strip()
        # Times are judged by the service clock below, not PyJWT's wall clock (the local clock moves).
        import jwt

        claims: dict[str, Any] | None = None
        failure: jwt.PyJWTError | None = None
        for key in self._keys():  # the current key first; the previous one during a rotation
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[ALGORITHM],
                    audience=AUDIENCE,
                    issuer=ISSUER,
                    options={
                        "verify_exp": False,
                        "verify_iat": False,
                        "verify_nbf": False,
                        "require": ["exp", "sub", "role", "iat"],
                    },
                )
                break
            except jwt.InvalidSignatureError as error:
                failure = error
            except jwt.PyJWTError as error:
                failure = error
                break
        if claims is None:
            raise Unauthenticated(
                "auth.invalid_token",
                "Сессия жарамсыз. Жүйеге қайта кіріңіз.",
                "Сессия недействительна. Войдите в систему заново.",
            ) from failure
        if claims["exp"] <= now.timestamp():
            raise Unauthenticated(
                "auth.expired_token",
                "Сессияның мерзімі өтті. Жүйеге қайта кіріңіз.",
                "Срок сессии истёк. Войдите в систему заново.",
            )
        return Principal(
            iin=claims["sub"],
            full_name=claims.get("name", ""),
            role=Role(claims["role"]),
            certificate_serial=claims.get("cert", ""),
            region=claims.get("region"),
            district=claims.get("district"),
        )
