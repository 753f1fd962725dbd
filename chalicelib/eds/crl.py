"""Certificate revocation lists: where they come from and how fresh they are.

Production CRLs are fetched from the configured addresses over HTTP (time-boxed),
kept in S3 so that every Lambda instance starts from the last good copy, and kept in
memory for the life of the process. A scheduled function refreshes them ahead of
time (:func:`refresh_revocation_data`); a request fetches one itself only when its
copy is stale, and after a failed fetch waits a little before trying again, so that
a CA outage does not slow every request down.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from chalicelib.eds.transport import Fetch, TransportError, http_get
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.clock import Clock
    from chalicelib.settings import Settings
    from chalicelib.store.objects import ObjectStore

CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_LIFETIME = timedelta(days=1)  # for a CRL that names no next update
CACHE_PREFIX = "revocation/crl/"


def load_crl(data: bytes) -> x509.CertificateRevocationList:
    """A CRL from DER or PEM bytes (``ValueError`` when it is neither)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NCA issuer names longer than 64 bytes
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)


def crl_der(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(Encoding.DER)


def expires_at(crl: x509.CertificateRevocationList) -> datetime:
    """When the CRL stops being current: its next update, or a day after issue if it names none."""
    return crl.next_update_utc or crl.last_update_utc + DEFAULT_LIFETIME


def is_current(crl: x509.CertificateRevocationList, now: datetime) -> bool:
    """Issued already (allowing for clock skew) and not yet past its next update."""
    return crl.last_update_utc <= now + CLOCK_SKEW and now <= expires_at(crl)


def crl_number(crl: x509.CertificateRevocationList) -> int | None:
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return None


def is_newer(candidate: x509.CertificateRevocationList, than: x509.CertificateRevocationList | None) -> bool:
    """Whether ``candidate`` supersedes ``than`` (by CRL number, else by issue time)."""
    if than is None:
        return True
    mine, theirs = crl_number(candidate), crl_number(than)
    if mine is not None and theirs is not None and mine != theirs:
        return mine > theirs
    return candidate.last_update_utc > than.last_update_utc


class CrlSource(Protocol):
    def crls(self, now: datetime) -> Sequence[x509.CertificateRevocationList]:
        """The CRLs known now (current or not: the caller judges freshness)."""
        ...


class StaticCrlSource:
    """CRLs held in memory: given once (tests, a CRL file shipped with configuration) or replaced."""

    def __init__(self, crls: Iterable[bytes | x509.CertificateRevocationList] = ()) -> None:
        self._crls: list[x509.CertificateRevocationList] = []
        self.replace(crls)

    def replace(self, crls: Iterable[bytes | x509.CertificateRevocationList]) -> None:
        self._crls = [load_crl(c) if isinstance(c, bytes) else c for c in crls]

    def add(self, crl: bytes | x509.CertificateRevocationList) -> None:
        self._crls.append(load_crl(crl) if isinstance(crl, bytes) else crl)

    def crls(self, now: datetime) -> Sequence[x509.CertificateRevocationList]:
        return list(self._crls)


@dataclass(frozen=True)
class CrlRefresh:
    """What one refresh did for one address."""

    url: str
    outcome: Literal["updated", "unchanged", "failed"]
    next_update: datetime | None = None
    error: str | None = None


def cache_key(url: str) -> str:
    """The S3 key of the cached copy of the CRL published at ``url``."""
    return f"{CACHE_PREFIX}{hashlib.sha256(url.encode('utf-8')).hexdigest()[:32]}.crl"


class CachedCrlSource:
    """CRLs from configured addresses: memory first, then S3, then HTTP."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        store: ObjectStore | None = None,
        fetch: Fetch = http_get,
        timeout: float = 5.0,
        retry_after: timedelta = timedelta(minutes=1),
    ) -> None:
        self.urls = list(urls)
        self._store = store
        self._fetch = fetch
        self._timeout = timeout
        self._retry_after = retry_after
        self._memory: dict[str, x509.CertificateRevocationList] = {}
        self._failed_at: dict[str, datetime] = {}

    def crls(self, now: datetime) -> Sequence[x509.CertificateRevocationList]:
        found = (self._current(url, now) for url in self.urls)
        return [crl for crl in found if crl is not None]

    def refresh(self, now: datetime) -> list[CrlRefresh]:
        """Fetch every address now and keep what is newer than the cached copy (the scheduled refresh)."""
        results = []
        for url in self.urls:
            self._remember(url, self._from_store(url))
            results.append(self._refresh_one(url, now))
        return results

    def _current(self, url: str, now: datetime) -> x509.CertificateRevocationList | None:
        held = self._memory.get(url)
        if held is not None and is_current(held, now):
            return held
        failed = self._failed_at.get(url)
        if failed is not None and now - failed < self._retry_after:
            return held
        self._remember(url, self._from_store(url))
        held = self._memory.get(url)
        if held is not None and is_current(held, now):
            return held
        self._refresh_one(url, now)
        return self._memory.get(url)

    def _refresh_one(self, url: str, now: datetime) -> CrlRefresh:
        try:
            crl = load_crl(self._fetch(url, self._timeout))
        except (TransportError, ValueError) as error:
            self._failed_at[url] = now
            logger.warning("CRL fetch failed", extra={"crl_url": url, "reason": str(error)})
            held = self._memory.get(url)  # the cached copy still in use, if any
            return CrlRefresh(url, "failed", error=str(error), next_update=held.next_update_utc if held else None)
        self._failed_at.pop(url, None)
        if not is_newer(crl, self._memory.get(url)):
            return CrlRefresh(url, "unchanged", next_update=crl.next_update_utc)
        self._remember(url, crl)
        if self._store is not None:
            try:
                self._store.put(
                    cache_key(url),
                    crl_der(crl),
                    content_type="application/pkix-crl",
                    metadata={"source-url": url},
                )
            except Exception as error:  # the cache is an optimisation: a failed write loses nothing
                logger.warning("CRL cache write failed", extra={"crl_url": url, "reason": str(error)})
        return CrlRefresh(url, "updated", next_update=crl.next_update_utc)

    def _from_store(self, url: str) -> x509.CertificateRevocationList | None:
        if self._store is None:
            return None
        try:
            data = self._store.get(cache_key(url))
            return load_crl(data) if data else None
        except Exception as error:  # an unreadable cache is the same as no cache
            logger.warning("CRL cache read failed", extra={"crl_url": url, "reason": str(error)})
            return None

    def _remember(self, url: str, crl: x509.CertificateRevocationList | None) -> None:
        if crl is not None and is_newer(crl, self._memory.get(url)):
            self._memory[url] = crl


def crl_source_from_settings(settings: Settings, store: ObjectStore | None = None) -> CachedCrlSource:
    """The production source: the configured addresses, cached in the documents bucket."""
    if store is None:
        from chalicelib.store.objects import ObjectStore

        store = ObjectStore(settings.documents_bucket)
    return CachedCrlSource(settings.crl_urls, store=store, timeout=settings.network_timeout_seconds)


def refresh_revocation_data(
    clock: Clock, *, source: CachedCrlSource | None = None, settings: Settings | None = None
) -> list[CrlRefresh]:
    """Fetch every configured CRL and keep the newer ones in S3 (run by the scheduled function)."""
    if source is None:
        from chalicelib.settings import get_settings

        source = crl_source_from_settings(settings or get_settings())
    results = source.refresh(clock.now())
    for result in results:
        logger.info(
            "CRL refresh",
            extra={"crl_url": result.url, "outcome": result.outcome, "error": result.error},
        )
    return results
