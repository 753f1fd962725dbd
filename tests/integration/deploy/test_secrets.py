"""Secrets come from Secrets Manager at run time, are cached, and survive a rotation."""

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.principal import Principal, Role
from chalicelib.secrets import SecretCache
from chalicelib.services.sessions import SessionTokens

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PARENT = Principal(iin="900101300123", full_name="Айгүл Нұрланқызы", role=Role.PARENT, certificate_serial="1")


class CountingClient:
    """The Secrets Manager client, counting the reads."""

    def __init__(self) -> None:
        self.inner = boto3.client("secretsmanager", region_name="eu-central-1")
        self.exceptions = self.inner.exceptions
        self.reads = 0

    def get_secret_value(self, **kwargs):
        self.reads += 1
        return self.inner.get_secret_value(**kwargs)


@pytest.fixture
def secret():
    with mock_aws():
        client = CountingClient()
        arn = client.inner.create_secret(Name="bq/jwt", SecretString="first-key-" * 4)["ARN"]
        yield client, arn


def test_a_secret_is_read_once_within_the_cache_period(secret):
    client, arn = secret
    cache = SecretCache(ttl_seconds=300, client=lambda: client)
    assert cache.values(arn) == ("first-key-" * 4,)
    reads = client.reads
    assert cache.values(arn) == ("first-key-" * 4,)
    assert client.reads == reads  # the second request costs no call


def test_a_rotated_secret_is_seen_after_the_cache_period_and_old_tokens_stay_valid(secret):
    client, arn = secret
    cache = SecretCache(ttl_seconds=0, client=lambda: client)
    tokens = SessionTokens(lambda: cache.values(arn), timedelta(minutes=60))
    before, _ = tokens.issue(PARENT, NOW)

    client.inner.put_secret_value(SecretId=arn, SecretString="second-key-" * 4)

    assert cache.values(arn) == ("second-key-" * 4, "first-key-" * 4)
    after, _ = tokens.issue(PARENT, NOW)
    # the new token is signed with the new key only; the old one is still accepted
    assert SessionTokens("second-key-" * 4, timedelta(minutes=60)).principal(f"Bearer {after}", NOW).iin == PARENT.iin
    assert tokens.principal(f"Bearer {before}", NOW).iin == PARENT.iin

    client.inner.put_secret_value(SecretId=arn, SecretString="third-key-" * 4)
    # two rotations later the first key is gone, and so are its tokens
    with pytest.raises(Unauthenticated):
        tokens.principal(f"Bearer {before}", NOW)
