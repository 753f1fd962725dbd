"""Applications in an in-process moto DynamoDB that behaves like DynamoDB (atomic requests)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest

from bench.moto_tuning import dynamodb_like
from chalicelib.domain.iin import make_iin
from chalicelib.domain.queue import QueueRules
from chalicelib.store.applications import Address, ApplicantSnapshot, Application, ApplicationRepository
from chalicelib.store.queue_index import QueueIndex

NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
PARENT_IIN = make_iin(date(1990, 1, 1), "female", 1234)

_serials = itertools.count(1)


def child_iin(birth: date) -> str:
    """A valid IIN of a boy born on ``birth``, different on every call."""
    while True:
        try:
            return make_iin(birth, "male", next(_serials) % 9999 + 1)
        except ValueError:
            continue


@pytest.fixture
def dynamodb(aws: None) -> Iterator[None]:
    """Every table of the service; one request at a time, transactions rolled back per item."""
    with dynamodb_like():
        yield


@pytest.fixture
def repo(dynamodb: None) -> ApplicationRepository:
    """The repository with the default rules and small chunks, so that queues span many chunks."""
    return ApplicationRepository(QueueRules(), QueueIndex(chunk_size=4))


def new_application(
    *,
    birth: date = date(2023, 5, 4),
    region: str = "astana",
    district: str = "esil",
    child: str | None = None,
    parent_iin: str = PARENT_IIN,
    benefit: str | None = None,
    benefit_status: str | None = None,
) -> Application:
    """An application as the submit use case fills it from the signed form (``child``: the child's IIN)."""
    app = Application(
        child_iin=child or child_iin(birth),
        child_surname="Сапаров",
        child_given_name="Алихан",
        child_patronymic="Ерланұлы",
        birth_date=birth,
        sex="male",
        region=region,
        district=district,
        language="kk",
        preferences=["kg-1", "kg-2"],
        benefit_category=benefit,
        applicant_iin=parent_iin,
        applicant=ApplicantSnapshot(
            iin=parent_iin,
            surname="Сапарова",
            given_name="Әйгерім",
            patronymic="Қайратқызы",
            birth_date=date(1990, 1, 1),
            address=Address(city="Астана", district="Есіл", street="Мәңгілік Ел", house="10", flat="5"),
            email="parent@mail.kz",
            phone="+77011234567",
        ),
        signed_xml_key="applications/signed/abc.xml",
    )
    if benefit_status is not None:
        app.benefit_status = benefit_status
    return app


@pytest.fixture
def submit(repo: ApplicationRepository) -> Callable[..., Application]:
    """Register an application now (keyword arguments as for :func:`new_application`)."""

    def submit_one(*, at: datetime = NOW, **fields) -> Application:
        return repo.create(new_application(**fields), who=f"parent:{PARENT_IIN}", now=at)

    return submit_one
