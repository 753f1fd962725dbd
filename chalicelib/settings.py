"""Typed configuration, read once from the environment (prefix ``BQ_``).

Nothing else in the code base reads ``os.environ``: every component receives
what it needs from :func:`get_settings`.
"""

from __future__ import annotations

import json
import os
import typing
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_JWT_SECRET = "local-development-secret-change-me-in-prod"  # the local stack's; every other stage sets its own


class RegionAllocation(BaseModel):
    """How one region allocates seats: ``serial`` (the default) or ``stable``, and its kindergarten priorities."""

    mode: Literal["serial", "stable"] = "serial"
    priorities: list[Literal["sibling", "staff", "catchment"]] = Field(default_factory=list)  # earlier first

    @model_validator(mode="after")
    def _priorities_need_stable(self) -> RegionAllocation:
        if self.priorities and self.mode != "stable":
            raise ValueError("kindergarten priorities need the stable mode")
        if len(set(self.priorities)) != len(self.priorities):
            raise ValueError("a kindergarten priority is listed twice")
        return self


ENV_PREFIX = "BQ_"


def _is_complex(annotation: Any) -> bool:
    """Lists, dicts and models are given as JSON in the environment (``BQ_CRL_URLS='["http://…"]'``)."""
    origin = typing.get_origin(annotation)
    if origin in (list, dict, tuple, set):
        return True
    if origin is not None:  # a union such as ``X | None``
        return any(_is_complex(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _from_environment(fields: dict[str, Any]) -> dict[str, Any]:
    """The ``BQ_`` variables of the environment, by field name (names are case-insensitive)."""
    found: dict[str, Any] = {}
    for name, value in os.environ.items():
        if not name.upper().startswith(ENV_PREFIX):
            continue
        field = name[len(ENV_PREFIX) :].lower()
        if field not in fields:
            continue
        if _is_complex(fields[field].annotation):
            try:
                found[field] = json.loads(value)
            except ValueError as error:
                raise ValueError(f"{name} must be JSON: {error}") from None
        else:
            found[field] = value
    return found


class Settings(BaseModel):
    """Every tunable of the service, with the defaults of the rules.

    Read from the environment (prefix ``BQ_``; lists and mappings as JSON) when built; values
    given to the constructor win. A plain pydantic model with a small reader rather than
    pydantic-settings, whose import alone costs a cold start about 0.2 s of CPU.
    """

    model_config = ConfigDict(extra="ignore")

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_from_environment(type(self).model_fields), **values})

    stage: Literal["local", "test", "prod"] = "local"
    aws_region: str = "eu-central-1"
    table_prefix: str = "balabaqsha-local"
    documents_bucket: str = "balabaqsha-local-documents"

    # sessions and sign-in
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_secret_id: str | None = None  # in AWS: the Secrets Manager ARN of the signing key (see chalicelib.secrets)
    secret_cache_seconds: float = 300.0
    session_ttl_minutes: int = 60
    challenge_ttl_seconds: int = 300
    max_body_bytes: int = 1_000_000

    # EDS: trusted roots (PEM files), revocation sources, behaviour without revocation data
    trusted_roots: list[str] = Field(default_factory=list)
    intermediates: list[str] = Field(default_factory=list)
    crl_urls: list[str] = Field(default_factory=list)
    ocsp_url: str | None = None
    revocation_fail_mode: Literal["refuse", "warn"] = "refuse"
    crl_refresh_minutes: int = 60
    network_timeout_seconds: float = 5.0

    # local stack only
    local_clock: bool = False
    local_clock_cache_seconds: float = 1.0
    web_origin: str = "*"
    public_base_url: str = "http://127.0.0.1:8000"

    # notifications (SES e-mail, SNS SMS in AWS; the local outbox elsewhere)
    email_from: str = "Balabaqsha <noreply@balabaqsha.kz>"
    ses_configuration_set: str | None = None
    sms_sender_id: str = "Balabaqsha"
    egov_status_topic_arn: str | None = None  # SNS topic of the e-government status channel (AWS)

    # expiry of what a parent left unfinished (docs/operations.md, "Expiry")
    upload_unattached_days: int = 7  # a checked upload no application or contract uses is removed then
    contract_draft_check_days: int = 7  # a contract never sent is looked at this long after its start, then daily

    # jobs and webhooks (docs/jobs.md, docs/partners.md)
    job_poll_seconds: float = 0.5  # the local stack's worker polls the due jobs this often
    webhook_timeout_seconds: float = 10.0
    webhook_secret_overlap_hours: int = 24  # after a rotation the old secret also signs this long

    # population registry (state register of individuals): the JSON fixture served locally and in tests
    population_fixture: str | None = None

    # working-day calendar: Government transfers published after a release (ISO dates, JSON lists)
    calendar_extra_days_off: list[date] = Field(default_factory=list)
    calendar_extra_working_days: list[date] = Field(default_factory=list)

    # rules (defaults from the source documents; every one is configuration)
    school_age_years: int = 7
    interest_period_months: int = 12
    interest_reminder_days: list[int] = Field(default_factory=lambda: [30, 7, 1])
    direction_valid_working_days: int = 5
    stop_list_working_days: int = 10
    missed_directions_before_removal: int = 2
    direction_extension_max_days: int = 30
    direction_revocation_hours: int = 24
    private_min_age_years: int = 3
    priority_ratio_priority: int = 1
    priority_ratio_general: int = 3
    allocation_whole_district: bool = False  # offer any matching seat of the district, preferred ones first
    # per region (JSON): {"astana": {"mode": "stable", "priorities": ["sibling", "staff", "catchment"]}};
    # a region not listed allocates in serial mode without kindergarten priorities
    allocation_regions: dict[str, RegionAllocation] = Field(default_factory=dict)
    partner_idempotency_hours: int = 24  # how long a partner's Idempotency-Key keeps its answer
    upload_max_bytes: int = 2 * 1024 * 1024
    reports_since_year: int = 2025  # the first year the report counters were kept (state sums start there)

    @model_validator(mode="after")
    def _production_is_explicit(self) -> Settings:
        default_secret = self.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET
        if self.stage != "local" and not self.jwt_secret_id and default_secret:
            raise ValueError(f"BQ_JWT_SECRET must be set on the {self.stage} stage: only local may use the default")
        if self.stage == "prod":
            if not self.jwt_secret_id and self.jwt_secret.get_secret_value().startswith("local-"):
                raise ValueError("BQ_JWT_SECRET_ID (or BQ_JWT_SECRET) must be set in production")
            if self.local_clock:
                raise ValueError("the movable clock exists in local mode only")
            if not self.trusted_roots:
                raise ValueError("BQ_TRUSTED_ROOTS must name the national CA roots in production")
        return self

    def table_name(self, name: str) -> str:
        return f"{self.table_prefix}-{name}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()


def aws_endpoint_url() -> str | None:
    """Where AWS clients go: the embedded moto server locally, AWS itself otherwise."""
    return os.environ.get("AWS_ENDPOINT_URL")


_TRUE = {"1", "true", "yes", "on"}


def lambda_function_name() -> str | None:
    """The function's name inside AWS Lambda (set by Lambda itself); None anywhere else."""
    return os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or None


def tracing_enabled() -> bool:
    """True inside Lambda unless ``POWERTOOLS_TRACE_DISABLED`` says otherwise (Powertools' own switch).

    Both variables belong to the platform and Powertools, not to ``BQ_`` settings; they are read here so
    that nothing else reads the environment.
    """
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in _TRUE
    return not disabled and lambda_function_name() is not None
