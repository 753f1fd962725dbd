"""The local stack's pieces against moto in-process: tables, bucket, settings of local mode."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from chalicelib.settings import get_settings


@pytest.fixture
def local_mode(monkeypatch) -> Iterator[None]:
    """Settings of the local stack (movable clock on), dummy AWS credentials."""
    for name, value in {
        "BQ_STAGE": "local",
        "BQ_LOCAL_CLOCK": "true",
        "BQ_LOCAL_CLOCK_CACHE_SECONDS": "0",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def aws(local_mode) -> Iterator[None]:
    """moto with the local-only tables and the documents bucket."""
    from chalicelib.store.registry import local_only_models

    with mock_aws():
        for model in local_only_models():
            model.create_table(wait=True)
        settings = get_settings()
        boto3.client("s3", region_name=settings.aws_region).create_bucket(
            Bucket=settings.documents_bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.aws_region},
        )
        yield
