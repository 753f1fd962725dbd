"""Secrets read at run time from AWS Secrets Manager, cached for a few minutes.

In AWS a secret never travels in the function's environment: the template passes only
its ARN (``BQ_JWT_SECRET_ID``), and the function reads the value on first use. The
value is kept for ``secret_cache_seconds`` so that a rotation reaches every warm
function within minutes without a call per request. Each read returns the current value
first and, while it exists, the previous one (``AWSPREVIOUS``): tokens signed just before a
rotation stay valid until they expire. Without an ARN (the local stack, tests) the value
comes from the settings, as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from chalicelib.settings import aws_endpoint_url, get_settings


def _client() -> Any:
    import boto3

    return boto3.client("secretsmanager", region_name=get_settings().aws_region, endpoint_url=aws_endpoint_url())


class SecretCache:
    """Values of Secrets Manager secrets: current first, then previous; re-read after ``ttl_seconds``."""

    def __init__(self, ttl_seconds: float, client: Callable[[], Any] = _client) -> None:
        self._ttl = ttl_seconds
        self._client_factory = client
        self._client: Any = None
        self._lock = threading.Lock()
        self._held: dict[str, tuple[float, tuple[str, ...]]] = {}

    def values(self, secret_id: str) -> tuple[str, ...]:
        with self._lock:
            held = self._held.get(secret_id)
            if held is not None and time.monotonic() - held[0] < self._ttl:
                return held[1]
            values = self._read(secret_id)
            self._held[secret_id] = (time.monotonic(), values)
            return values

    def forget(self) -> None:
        with self._lock:
            self._held.clear()

    def _read(self, secret_id: str) -> tuple[str, ...]:
        if self._client is None:
            self._client = self._client_factory()
        current = self._client.get_secret_value(SecretId=secret_id)["SecretString"]
        try:
            previous = self._client.get_secret_value(SecretId=secret_id, VersionStage="AWSPREVIOUS")["SecretString"]
        except self._client.exceptions.ResourceNotFoundException:
            previous = None
        return (current,) if previous in (None, current) else (current, previous)


_cache: SecretCache | None = None


def secret_cache() -> SecretCache:
    global _cache
    if _cache is None:
        _cache = SecretCache(get_settings().secret_cache_seconds)
    return _cache


def jwt_signing_keys() -> tuple[str, ...]:
    """The keys that sign (the first) and verify (any) session tokens."""
    settings = get_settings()
    if settings.jwt_secret_id:
        return secret_cache().values(settings.jwt_secret_id)
    return (settings.jwt_secret.get_secret_value(),)
