"""The composition root: builds each collaborator once per process, lazily (cold start stays cheap).

Handlers call these through the module (``wiring.auth_service()``), so tests can replace any
collaborator with ``monkeypatch.setattr(wiring, "clock", ...)``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from chalicelib.clock import Clock
from chalicelib.gateways.population import PopulationRegistry, population_registry
from chalicelib.notify import default_notifier
from chalicelib.runtime import service_clock
from chalicelib.services.applications import ApplicationService
from chalicelib.services.auth import AuthService, OperatorDirectory, Verifier
from chalicelib.services.benefit_checks import BenefitCheckService
from chalicelib.services.documents import DocumentService
from chalicelib.services.sessions import SessionTokens
from chalicelib.services.uploads import UploadService
from chalicelib.settings import get_settings
from chalicelib.store.accounts import AccountRepository, ChallengeRepository
from chalicelib.store.applications import ApplicationRepository
from chalicelib.store.documents import DocumentRepository
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceOperatorDirectory, ReferenceRepository
from chalicelib.store.uploads import UploadRepository


def clock() -> Clock:
    return service_clock()


@lru_cache(maxsize=1)
def session_tokens() -> SessionTokens:
    settings = get_settings()
    return SessionTokens(settings.jwt_secret.get_secret_value(), timedelta(minutes=settings.session_ttl_minutes))


@lru_cache(maxsize=1)
def reference() -> ReferenceRepository:
    return ReferenceRepository()


@lru_cache(maxsize=1)
def operator_directory() -> OperatorDirectory:
    return ReferenceOperatorDirectory(reference())


@lru_cache(maxsize=1)
def verifier() -> Verifier:
    from chalicelib.eds.verify import default_verifier

    return default_verifier(clock())


@lru_cache(maxsize=1)
def auth_service() -> AuthService:
    settings = get_settings()
    return AuthService(
        clock=clock(),
        verifier=verifier(),
        challenges=ChallengeRepository(),
        accounts=AccountRepository(),
        operators=operator_directory(),
        tokens=session_tokens(),
        challenge_ttl=timedelta(seconds=settings.challenge_ttl_seconds),
    )


@lru_cache(maxsize=1)
def objects() -> ObjectStore:
    return ObjectStore()


@lru_cache(maxsize=1)
def document_service() -> DocumentService:
    return DocumentService(DocumentRepository(), objects())


@lru_cache(maxsize=1)
def upload_service() -> UploadService:
    return UploadService(clock(), UploadRepository(), objects(), get_settings().upload_max_bytes)


@lru_cache(maxsize=1)
def applications() -> ApplicationRepository:
    return ApplicationRepository()


@lru_cache(maxsize=1)
def population() -> PopulationRegistry:
    return population_registry(get_settings())


@lru_cache(maxsize=1)
def application_service() -> ApplicationService:
    return ApplicationService(
        clock=clock(),
        verifier=verifier(),
        registry=population(),
        reference=reference(),
        applications=applications(),
        uploads=upload_service(),
        documents=document_service(),
        objects=objects(),
        notifier=default_notifier(),
        accounts=AccountRepository(),
        school_age_years=get_settings().school_age_years,
    )


@lru_cache(maxsize=1)
def benefit_checks() -> BenefitCheckService:
    return BenefitCheckService(clock(), applications(), reference(), objects(), default_notifier())


def reset() -> None:
    """Forget every collaborator built so far (tests swap the clock or the verifier)."""
    for value in list(globals().values()):
        cache_clear = getattr(value, "cache_clear", None)
        if callable(cache_clear) and getattr(value, "__module__", None) == __name__:
            cache_clear()
