"""The composition root: builds each collaborator once per process, lazily (cold start stays cheap).

Handlers call these through the module (``wiring.auth_service()``), so tests can replace any
collaborator with ``monkeypatch.setattr(wiring, "clock", ...)``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from chalicelib.settings import get_settings  # module attribute: tests replace it

if TYPE_CHECKING:  # each collaborator loads its modules on first use: a cold start imports only what its route uses
    from chalicelib.clock import Clock
    from chalicelib.gateways.egov import EgovStatusChannel
    from chalicelib.gateways.population import PopulationRegistry
    from chalicelib.jobs.worker import Worker
    from chalicelib.services.applications import ApplicationService
    from chalicelib.services.auth import AuthService, OperatorDirectory, Verifier
    from chalicelib.services.benefit_checks import BenefitCheckService
    from chalicelib.services.contracts import ContractService
    from chalicelib.services.corrections import CorrectionService
    from chalicelib.services.directions import DirectionService
    from chalicelib.services.documents import DocumentService
    from chalicelib.services.families import FamilyService
    from chalicelib.services.private_choice import PrivateChoiceService
    from chalicelib.services.queue_position import PositionService
    from chalicelib.services.refusals import RefusalService
    from chalicelib.services.reports import ReportService
    from chalicelib.services.service_centre import ServiceCentreFiling
    from chalicelib.services.service_times import ServiceTimeService
    from chalicelib.services.sessions import SessionTokens
    from chalicelib.services.survey import SatisfactionSurvey
    from chalicelib.services.uploads import UploadService
    from chalicelib.services.vacancies import VacancyService
    from chalicelib.services.webhooks import WebhookService
    from chalicelib.store.applications import ApplicationRepository
    from chalicelib.store.jobs import JobStore
    from chalicelib.store.objects import ObjectStore
    from chalicelib.store.partners import IdempotentRequests, PartnerKeys
    from chalicelib.store.reference import ReferenceRepository


def clock() -> Clock:
    from chalicelib.runtime import service_clock

    return service_clock()


@lru_cache(maxsize=1)
def session_tokens() -> SessionTokens:
    from chalicelib.secrets import jwt_signing_keys
    from chalicelib.services.sessions import SessionTokens

    return SessionTokens(jwt_signing_keys, timedelta(minutes=get_settings().session_ttl_minutes))


@lru_cache(maxsize=1)
def reference() -> ReferenceRepository:
    from chalicelib.store.reference import ReferenceRepository

    return ReferenceRepository()


@lru_cache(maxsize=1)
def operator_directory() -> OperatorDirectory:
    from chalicelib.store.reference import ReferenceOperatorDirectory

    return ReferenceOperatorDirectory(reference())


@lru_cache(maxsize=1)
def verifier() -> Verifier:
    from chalicelib.eds.verify import default_verifier

    return default_verifier(clock())


@lru_cache(maxsize=1)
def auth_service() -> AuthService:
    from chalicelib.services.auth import AuthService
    from chalicelib.store.accounts import AccountRepository, ChallengeRepository

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
    from chalicelib.store.objects import ObjectStore

    return ObjectStore()


@lru_cache(maxsize=1)
def document_service() -> DocumentService:
    from chalicelib.services.documents import DocumentService
    from chalicelib.store.documents import DocumentRepository

    return DocumentService(DocumentRepository(), objects())


@lru_cache(maxsize=1)
def upload_service() -> UploadService:
    from chalicelib.services.uploads import UploadService
    from chalicelib.store.uploads import UploadRepository

    settings = get_settings()
    return UploadService(
        clock(), UploadRepository(), objects(), settings.upload_max_bytes, settings.upload_unattached_days
    )


@lru_cache(maxsize=1)
def applications() -> ApplicationRepository:
    from chalicelib.store.applications import ApplicationRepository

    return ApplicationRepository()


@lru_cache(maxsize=1)
def population() -> PopulationRegistry:
    from chalicelib.gateways.population import population_registry

    return population_registry(get_settings())


@lru_cache(maxsize=1)
def application_service() -> ApplicationService:
    from chalicelib.notify import default_notifier
    from chalicelib.services.applications import ApplicationService
    from chalicelib.store.accounts import AccountRepository

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
        directions_of=lambda app: direction_service().numbers_of(app),
    )


@lru_cache(maxsize=1)
def service_centre() -> ServiceCentreFiling:
    from chalicelib.services.service_centre import ServiceCentreFiling

    return ServiceCentreFiling(applications=application_service())


@lru_cache(maxsize=1)
def refusal_service() -> RefusalService:
    from chalicelib.services.refusals import RefusalService

    return RefusalService(
        clock=clock(),
        verifier=verifier(),
        reference=reference(),
        applications=applications(),
        objects=objects(),
    )


@lru_cache(maxsize=1)
def correction_service() -> CorrectionService:
    from chalicelib.services.corrections import CorrectionService

    return CorrectionService(clock=clock(), applications=applications(), refusals=refusal_service())


@lru_cache(maxsize=1)
def benefit_checks() -> BenefitCheckService:
    from chalicelib.notify import default_notifier
    from chalicelib.services.benefit_checks import BenefitCheckService

    return BenefitCheckService(
        clock(),
        applications(),
        reference(),
        objects(),
        default_notifier(),
        verifier(),
    )


@lru_cache(maxsize=1)
def service_times() -> ServiceTimeService:
    from chalicelib.services.service_times import ServiceTimeService
    from chalicelib.store.service_steps import ServiceStepRepository

    return ServiceTimeService(clock(), reference(), ServiceStepRepository(), applications())


@lru_cache(maxsize=1)
def private_choice_service() -> PrivateChoiceService:
    from chalicelib.domain.calendar import WorkingCalendar
    from chalicelib.notify import default_notifier
    from chalicelib.services.private_choice import PrivateChoiceService
    from chalicelib.services.vacancies import PublishedStateOrderSeats
    from chalicelib.store.vacancies import SeatRepository

    settings = get_settings()
    return PrivateChoiceService(
        clock=clock(),
        verifier=verifier(),
        reference=reference(),
        applications=applications(),
        seats=PublishedStateOrderSeats(reference(), SeatRepository()),
        documents=document_service(),
        objects=objects(),
        notifier=default_notifier(),
        calendar=WorkingCalendar(
            extra_days_off=settings.calendar_extra_days_off, extra_working_days=settings.calendar_extra_working_days
        ),
        min_age_years=settings.private_min_age_years,
        valid_working_days=settings.direction_valid_working_days,
    )


@lru_cache(maxsize=1)
def partner_keys() -> PartnerKeys:
    from chalicelib.store.partners import PartnerKeys

    return PartnerKeys(reference())


@lru_cache(maxsize=1)
def idempotent_requests() -> IdempotentRequests:
    from chalicelib.store.partners import IdempotentRequests

    return IdempotentRequests()


@lru_cache(maxsize=1)
def direction_service() -> DirectionService:
    from chalicelib.domain.allocation import RegionRules
    from chalicelib.domain.calendar import WorkingCalendar
    from chalicelib.domain.directions import DirectionRules
    from chalicelib.notify import default_notifier
    from chalicelib.services.directions import AllocationOptions, DirectionService
    from chalicelib.store.directions import DirectionRepository
    from chalicelib.store.vacancies import SeatRepository

    settings = get_settings()
    return DirectionService(
        clock=clock(),
        applications=applications(),
        directions=DirectionRepository(),
        seats=SeatRepository(),
        reference=reference(),
        documents=document_service(),
        objects=objects(),
        notifier=default_notifier(),
        calendar=WorkingCalendar(
            extra_days_off=settings.calendar_extra_days_off, extra_working_days=settings.calendar_extra_working_days
        ),
        rules=DirectionRules(
            valid_working_days=settings.direction_valid_working_days,
            stop_list_working_days=settings.stop_list_working_days,
            missed_before_removal=settings.missed_directions_before_removal,
            extension_max_days=settings.direction_extension_max_days,
            revocation_hours=settings.direction_revocation_hours,
        ),
        options=AllocationOptions(
            ratio=(settings.priority_ratio_priority, settings.priority_ratio_general),
            whole_district=settings.allocation_whole_district,
            regions={
                code: RegionRules(config.mode, tuple(config.priorities))
                for code, config in settings.allocation_regions.items()
            },
        ),
    )


@lru_cache(maxsize=1)
def contract_service() -> ContractService:
    from chalicelib.notify import default_notifier
    from chalicelib.services.contracts import ContractService
    from chalicelib.store.contracts import ContractRepository
    from chalicelib.store.directions import DirectionRepository

    return ContractService(
        clock=clock(),
        verifier=verifier(),
        contracts=ContractRepository(),
        directions=DirectionRepository(),
        applications=applications(),
        direction_service=direction_service(),
        reference=reference(),
        uploads=upload_service(),
        documents=document_service(),
        objects=objects(),
        notifier=default_notifier(),
        draft_check_after=timedelta(days=get_settings().contract_draft_check_days),
    )


@lru_cache(maxsize=1)
def vacancy_service() -> VacancyService:
    from chalicelib.services.vacancies import VacancyService
    from chalicelib.store.vacancies import SeatRepository

    return VacancyService(clock(), reference(), SeatRepository(), direction_service())


@lru_cache(maxsize=1)
def report_service() -> ReportService:
    from chalicelib.services.reports import MailAnnouncer, ReportService
    from chalicelib.settings import get_settings
    from chalicelib.store.counters import CounterStore
    from chalicelib.store.report_subscriptions import ReportSubscriptions

    settings = get_settings()
    return ReportService(
        clock=clock(),
        counters=CounterStore(),
        reference=reference(),
        objects=objects(),
        subscriptions=ReportSubscriptions(),
        announcer=MailAnnouncer(
            settings.web_origin if settings.web_origin != "*" else settings.public_base_url, clock().now
        ),
        since_year=settings.reports_since_year,
    )


@lru_cache(maxsize=1)
def egov_channel() -> EgovStatusChannel:
    """The e-government status channel's adapter: the SNS topic in production, the local stand-in elsewhere."""
    from chalicelib.gateways.egov import RecordingEgovChannel, SnsEgovChannel
    from chalicelib.settings import get_settings

    settings = get_settings()
    if settings.stage == "prod":
        return SnsEgovChannel(settings.egov_status_topic_arn, settings.aws_region)
    return RecordingEgovChannel(objects())


def reset() -> None:
    """Forget every collaborator built so far (tests swap the clock or the verifier)."""
    for value in list(globals().values()):
        cache_clear = getattr(value, "cache_clear", None)
        if callable(cache_clear) and getattr(value, "__module__", None) == __name__:
            cache_clear()


@lru_cache(maxsize=1)
def family_service() -> FamilyService:
    from chalicelib.services.families import FamilyService

    return FamilyService(clock=clock(), applications=applications())


@lru_cache(maxsize=1)
def job_store() -> JobStore:
    from chalicelib.store.jobs import JobStore

    return JobStore()


def job_worker() -> Worker:
    """The worker of jobs on this process's clock (built per call: cheap, and follows a swapped clock)."""
    from chalicelib.jobs.worker import Worker

    return Worker(clock(), job_store())


@lru_cache(maxsize=1)
def webhook_service() -> WebhookService:
    from chalicelib.services.webhooks import WebhookService
    from chalicelib.store.webhooks import WebhookStore

    return WebhookService(
        clock=clock(),
        store=WebhookStore(),
        jobs=job_store(),
        reference=reference(),
        overlap=timedelta(hours=get_settings().webhook_secret_overlap_hours),
    )


@lru_cache(maxsize=1)
def position_service() -> PositionService:
    from chalicelib.services.queue_position import PositionService
    from chalicelib.store.counters import CounterStore

    return PositionService(clock=clock(), applications=applications(), reference=reference(), counters=CounterStore())


@lru_cache(maxsize=1)
def satisfaction_survey() -> SatisfactionSurvey:
    from chalicelib.services.survey import SatisfactionSurvey
    from chalicelib.store.directions import DirectionRepository
    from chalicelib.store.survey import SurveyStore

    return SatisfactionSurvey(
        clock=clock(),
        applications=application_service(),
        directions=DirectionRepository(),
        store=SurveyStore(),
    )
