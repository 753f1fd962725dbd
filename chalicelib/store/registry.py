"""Every table of the service: the local stack creates them, the template declares them."""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.store.accounts import Account, Challenge
from chalicelib.store.applications import QUEUE_MODELS
from chalicelib.store.contracts import CONTRACT_MODELS
from chalicelib.store.counters import ReportCounter
from chalicelib.store.directions import DIRECTION_MODELS
from chalicelib.store.documents import IssuedDocument
from chalicelib.store.history import HistoryRecord
from chalicelib.store.jobs import Job
from chalicelib.store.local import LocalState, OutboxMessage
from chalicelib.store.notices import Notice
from chalicelib.store.partners import PARTNER_MODELS
from chalicelib.store.reference import REFERENCE_MODELS
from chalicelib.store.report_subscriptions import SubscriptionItem
from chalicelib.store.service_steps import ServiceStep
from chalicelib.store.survey import SurveyAnswer
from chalicelib.store.uploads import Upload
from chalicelib.store.vacancies import SeatItem
from chalicelib.store.webhooks import WEBHOOK_MODELS


def all_models() -> list[type[Model]]:
    return [
        Account,
        Challenge,
        Upload,
        IssuedDocument,
        *REFERENCE_MODELS,
        *QUEUE_MODELS,
        HistoryRecord,
        ServiceStep,
        SeatItem,
        *DIRECTION_MODELS,
        *PARTNER_MODELS,
        *CONTRACT_MODELS,
        Job,
        *WEBHOOK_MODELS,
        ReportCounter,
        SubscriptionItem,
        Notice,
        SurveyAnswer,
    ]


def local_only_models() -> list[type[Model]]:
    """Tables of the local stack only (notification outbox, clock state): never deployed."""
    return [OutboxMessage, LocalState]
