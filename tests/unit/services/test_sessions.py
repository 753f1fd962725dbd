"""Session tokens: bound to the certificate's IIN and name; tampering and expiry refused."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.principal import Principal, Role
from chalicelib.services.sessions import SessionTokens

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PARENT = Principal(iin="900101300123", full_name="САПАРОВА АЙГҮЛ", role=Role.PARENT, certificate_serial="AB")


def test_a_token_carries_the_principal():
    tokens = SessionTokens("s" * 32, timedelta(minutes=60))
    token, expires = tokens.issue(PARENT, NOW)
    assert expires == NOW + timedelta(minutes=60)
    assert tokens.principal(f"Bearer {token}", NOW + timedelta(minutes=59)) == PARENT


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "auth.missing_token"),
        ("Basic abc", "auth.missing_token"),
        ("Bearer not.a.token", "auth.invalid_token"),
    ],
)
def test_missing_or_malformed_token_is_refused(header, code):
    with pytest.raises(Unauthenticated) as refused:
        SessionTokens("s" * 32, timedelta(minutes=60)).principal(header, NOW)
    assert refused.value.code == code


def test_tampered_token_is_refused():
    # given a token whose payload was edited to another IIN
    tokens = SessionTokens("s" * 32, timedelta(minutes=60))
    token, _ = tokens.issue(PARENT, NOW)
    forged, _ = SessionTokens("another-secret-" * 3, timedelta(minutes=60)).issue(PARENT, NOW)
    header, _payload, signature = token.split(".")
    other_payload = forged.split(".")[1]
    # when / then
    for bad in (f"{header}.{other_payload}.{signature}", forged):
        with pytest.raises(Unauthenticated) as refused:
            tokens.principal(f"Bearer {bad}", NOW)
        assert refused.value.code == "auth.invalid_token"


def test_expired_token_is_refused_by_the_service_clock():
    tokens = SessionTokens("s" * 32, timedelta(minutes=60))
    token, _ = tokens.issue(PARENT, NOW)
    with pytest.raises(Unauthenticated) as refused:
        tokens.principal(f"Bearer {token}", NOW + timedelta(minutes=61))
    assert refused.value.code == "auth.expired_token"


@pytest.mark.parametrize(
    "changed",
    [
        {"role": "superuser"},
        {"role": 1},
        {"exp": "tomorrow"},
        {"exp": True},
        {"exp": None},
        {"sub": 900101300123},
        {"name": ["x"]},
        {"region": {"a": 1}},
    ],
)
def test_a_token_with_claims_of_unexpected_type_is_refused_as_invalid(changed):
    # given a token signed with the right secret whose claims we never issue (a leaked secret, an old format)
    import jwt

    from chalicelib.services.sessions import ALGORITHM, AUDIENCE, ISSUER

    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "900101300123",
        "name": "САПАРОВА АЙГҮЛ",
        "role": "parent",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 600,
        **changed,
    }
    token = jwt.encode(claims, "s" * 32, algorithm=ALGORITHM)
    # then it is a 401 refusal, never a crash
    with pytest.raises(Unauthenticated) as refused:
        SessionTokens("s" * 32, timedelta(minutes=60)).principal(f"Bearer {token}", NOW)
    assert refused.value.code == "auth.invalid_token"
