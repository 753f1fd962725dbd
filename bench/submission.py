"""Submission benchmark: server time to accept one signed queue application, in-process on moto.

Each submission is what ``POST /applications`` does after parsing: signature verification
(chain, CRL, key purpose, owner), the rules against reference data and the population
registry, the signed XML kept in S3, and the DynamoDB transaction that registers the
application together with its six jobs. Drafting (the document to sign) and the client's
signing are outside the timed part, as they are outside the server's request.

``documents ready p99``: from the answer to all four documents issued (and the e-mail with
them and the SMS sent), the worker starting at once as the jobs table's stream would start it
(in-process: the time of the work, without the stream's own latency or the local poller's
half-second tick).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
from moto import mock_aws

from chalicelib.clock import FixedClock
from chalicelib.domain.application_form import Address
from chalicelib.domain.iin import make_iin
from chalicelib.domain.principal import Principal, Role
from chalicelib.gateways.population import FixturePopulationRegistry
from chalicelib.jobs.worker import Worker
from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.services.applications import ApplicationService, DraftInput
from chalicelib.services.documents import DocumentService
from chalicelib.services.uploads import UploadService
from chalicelib.settings import get_settings
from chalicelib.store.accounts import AccountRepository
from chalicelib.store.applications import ApplicationRepository
from chalicelib.store.documents import DocumentRepository
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.registry import all_models, local_only_models
from chalicelib.store.uploads import UploadRepository
from infra.local.seed import seed_reference
from infra.local.signing import sign_xml
from infra.local.testca import TestCA
from tests.pki import make_verifier

Row = tuple[str, int, float, str]

SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "60"))  # fewer for a quick look
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PARENT_IIN = "900512401234"


def _children(count: int) -> list[str]:
    found: list[str] = []
    serial = 0
    day = date(2022, 1, 1)
    while len(found) < count:
        serial += 1
        try:
            found.append(make_iin(day + timedelta(days=serial % 700), "female", 1000 + serial))
        except ValueError:
            continue
    return found


def _registry(folder: Path, children: list[str]) -> FixturePopulationRegistry:
    address = {"city": "Астана", "district": "Есіл ауданы", "street": "Сығанақ", "house": "1", "flat": "2"}
    people = [{"iin": PARENT_IIN, "surname": "Ахметова", "given_name": "Айгүл", "address": address, "parents": []}]
    people += [
        {"iin": iin, "surname": "Ахметова", "given_name": f"Бала {n}", "address": address, "parents": [PARENT_IIN]}
        for n, iin in enumerate(children)
    ]
    path = folder / "population.json"
    path.write_text(json.dumps({"people": people}, ensure_ascii=False), encoding="utf-8")
    return FixturePopulationRegistry(path)


def run() -> list[Row]:
    settings = get_settings()
    clock = FixedClock(NOW)
    ca = TestCA(now=NOW)
    credentials = ca.issue_demo_people()["parent"]
    principal = Principal(iin=PARENT_IIN, full_name="АХМЕТОВА АЙГҮЛ", role=Role.PARENT, certificate_serial="")
    children = _children(SUBMISSIONS)
    timings: list[float] = []
    ready: list[float] = []
    with mock_aws(), tempfile.TemporaryDirectory() as folder:
        for model in [*all_models(), *local_only_models()]:
            model.create_table(wait=False)
        boto3.client("s3", region_name=settings.aws_region).create_bucket(
            Bucket=settings.documents_bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.aws_region},
        )
        seed_reference()
        objects = ObjectStore()
        service = ApplicationService(
            clock=clock,
            verifier=make_verifier(ca, clock),
            registry=_registry(Path(folder), children),
            reference=ReferenceRepository(),
            applications=ApplicationRepository(),
            uploads=UploadService(clock, UploadRepository(), objects, settings.upload_max_bytes),
            documents=DocumentService(DocumentRepository(), objects),
            objects=objects,
            notifier=OutboxNotifier(clock),
            accounts=AccountRepository(),
            school_age_years=settings.school_age_years,
        )
        worker = Worker(clock)
        for child in children:
            xml = service.draft(
                principal,
                DraftInput(
                    address=Address("Астана", "Есіл ауданы", "Сығанақ", "1", "2"),
                    email="aigul@mail.kz",
                    phone="+77011234567",
                    extra_email=None,
                    extra_phone=None,
                    child_iin=child,
                    child_surname="",
                    child_given_name="",
                    child_patronymic=None,
                    region="astana",
                    district="esil",
                    kindergartens=("ast-esil-012",),
                    language="kk",
                    benefit=None,
                ),
            )
            signed = sign_xml(xml, credentials.sign).decode()
            started = time.perf_counter()
            submitted = service.submit(principal, signed)
            answered = time.perf_counter()
            timings.append((answered - started) * 1000)
            worker.drain(lookahead=timedelta(minutes=1))
            issued = DocumentRepository().for_subject(f"application#{submitted.view.application.id}")
            if len(issued) != 4:
                raise RuntimeError(f"{len(issued)} of 4 documents issued")
            ready.append(time.perf_counter() - answered)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    ready.sort()
    ready_p99 = ready[min(len(ready) - 1, round(0.99 * (len(ready) - 1)))]
    return [
        ("submission p50", SUBMISSIONS, round(p50, 1), "ms"),
        ("submission p99", SUBMISSIONS, round(p99, 1), "ms"),
        ("documents ready p99", SUBMISSIONS, round(ready_p99, 2), "s"),
    ]
