"""Settings refuse what must never run outside the developer's machine."""

import pytest
from pydantic import ValidationError

from chalicelib.settings import DEFAULT_JWT_SECRET, Settings


@pytest.mark.parametrize("stage", ["test", "prod"])
def test_only_the_local_stage_may_keep_the_default_jwt_secret(monkeypatch, stage):
    monkeypatch.setenv("BQ_TRUSTED_ROOTS", '["root.pem"]')
    with pytest.raises(ValidationError, match="BQ_JWT_SECRET"):
        Settings(stage=stage, jwt_secret=DEFAULT_JWT_SECRET)


def test_the_local_stage_keeps_the_default_and_others_take_their_own(monkeypatch):
    monkeypatch.setenv("BQ_TRUSTED_ROOTS", '["root.pem"]')
    assert Settings(stage="local", jwt_secret=DEFAULT_JWT_SECRET).stage == "local"
    assert Settings(stage="test", jwt_secret="a-secret-of-the-test-stage-0123456789").stage == "test"


def test_tracing_is_on_only_inside_lambda_and_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.settings import tracing_enabled

    # given no Lambda function name: tracing is off whatever Powertools' switch says
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    assert tracing_enabled() is False
    # inside Lambda it follows the switch
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "balabaqsha-prod")
    assert tracing_enabled() is True
    for disabled in ("true", "1", " TRUE ", "on"):
        monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", disabled)
        assert tracing_enabled() is False
