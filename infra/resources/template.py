"""The template merged into ``chalice package``'s output.

Data (tables, buckets, the key), one role per function family, secrets, the dead-letter
queue, log groups, the API's limits and firewall, the web front end on CloudFront, alarms,
and each function's settings (its role, name, concurrency, dead letters, environment).
The functions come from the Chalice app itself (:func:`app_functions`).
"""

from __future__ import annotations

from typing import Any

from pynamodb.models import Model

from chalicelib.settings import Settings
from infra.resources.alarms import alarm_resources
from infra.resources.buckets import BUCKETS, bucket_resources, logs_bucket_resources
from infra.resources.edge import API, api_properties, waf_resources, web_resources
from infra.resources.platform import (
    DEAD_LETTERS,
    JWT_SECRET,
    KEY,
    key_resources,
    log_group,
    queue_and_topic_resources,
    secret_resources,
)
from infra.resources.roles import FAMILIES, Family, Function, family_of, function_name, role_resource
from infra.resources.tables import logical_id, short_name, table_resource

APP_NAME = "balabaqsha"
API_FUNCTION = "api_handler"
API_CONCURRENCY = 100  # reserved: a flood of requests cannot starve the sweeps
SCHEDULED_CONCURRENCY = 2
FUNCTION_SKIPS = [
    {"id": "CKV_AWS_117", "comment": "No VPC: the functions reach only AWS APIs and the CA's CRL/OCSP over HTTPS."},
    {
        "id": "CKV_AWS_272",
        "comment": "Code signing is not used: the package is built and deployed by the same pipeline.",
    },
]


_ANY = {"*", "?"}


def cron_period_minutes(cron: Any) -> int:
    """The longest gap, in minutes, between two runs of a Chalice ``Cron`` (its period, for the not-run alarm).

    Every minute, hourly, daily, weekly (one weekday) and monthly (one day: up to 31 days apart);
    a schedule restricted to some months or years has no period this alarm could watch: refused.
    """

    def fixed(field: Any) -> bool:
        return str(field).isdigit()

    minutes, hours, day, month, weekday, year = (
        str(cron.minutes),
        str(cron.hours),
        str(cron.day_of_month),
        str(cron.month),
        str(cron.day_of_week),
        str(cron.year),
    )
    if month not in _ANY or year not in _ANY:
        raise SystemExit(f"schedule {cron.to_string()}: only every month of every year has a period to alarm on")
    if minutes in _ANY:
        return 1
    if not fixed(minutes):
        raise SystemExit(f"schedule {cron.to_string()}: minutes must be one value or *")
    if hours in _ANY:
        return 60
    if not fixed(hours):
        raise SystemExit(f"schedule {cron.to_string()}: hours must be one value or *")
    if day in _ANY and weekday in _ANY:
        return 1440
    if day in _ANY and (fixed(weekday) or weekday.isalpha()):
        return 7 * 1440
    if fixed(day) and weekday in _ANY:
        return 31 * 1440
    raise SystemExit(f"schedule {cron.to_string()}: days must be every day, one weekday or one day of the month")


def app_functions(app: Any) -> list[Function]:
    """Every Lambda function ``chalice package`` makes of ``app``: the API handler and each event handler."""
    from chalice.app import Cron, Rate, ScheduledEventConfig
    from chalice.utils import to_cfn_resource_name

    functions = [Function(API_FUNCTION, "APIHandler")] if app.routes else []
    for source in app.event_sources:
        period = None
        if isinstance(source, ScheduledEventConfig) and isinstance(source.schedule_expression, Rate):
            rate = source.schedule_expression
            period = rate.value * {"MINUTES": 1, "HOURS": 60, "DAYS": 1440}[rate.unit.upper()]
        elif isinstance(source, ScheduledEventConfig) and isinstance(source.schedule_expression, Cron):
            period = cron_period_minutes(source.schedule_expression)
        functions.append(Function(source.name, to_cfn_resource_name(source.name), period))
    functions += [Function(name, to_cfn_resource_name(name)) for name in app.pure_lambda_functions]
    return functions


def _tables(models: list[type[Model]]) -> dict[str, tuple[str, list[str]]]:
    tables = {}
    for model in models:
        schema = model._get_schema()
        indexes = [i["index_name"] for i in schema["global_secondary_indexes"] + schema["local_secondary_indexes"]]
        tables[short_name(model)] = (logical_id(model), indexes)
    return tables


def _function_properties(function: Function, family: Family, name: str, stage: str) -> dict[str, Any]:
    asynchronous = function.name != API_FUNCTION
    properties: dict[str, Any] = {
        "FunctionName": name,
        "Role": {"Fn::GetAtt": [family.role, "Arn"]},
        "ReservedConcurrentExecutions": SCHEDULED_CONCURRENCY if asynchronous else API_CONCURRENCY,
        "KmsKeyArn": {"Fn::GetAtt": [KEY, "Arn"]},
        "MemorySize": 512,
        "Architectures": ["arm64"],
    }
    if asynchronous:
        properties["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [DEAD_LETTERS, "Arn"]}}
    skips = list(FUNCTION_SKIPS)
    if not asynchronous:
        skips.append(
            {"id": "CKV_AWS_116", "comment": "Invoked synchronously by API Gateway: the caller gets the error."}
        )
    del stage
    return {
        "Properties": properties,
        "DependsOn": [f"{function.logical_id}Logs"],
        "Metadata": {"checkov": {"skip": skips}},
    }


# API Gateway's own refusals (made before a function runs) in the project's JSON error, kk and ru.
GATEWAY_RESPONSES = {
    "MISSING_AUTHENTICATION_TOKEN": 404,  # API Gateway's answer to an unknown route
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "REQUEST_TOO_LARGE": 413,
    "THROTTLED": 429,
    "DEFAULT_4XX": 400,
    "DEFAULT_5XX": 500,
}


def _gateway_responses() -> dict[str, Any]:
    import json

    from chalicelib.api.responses import gateway_refusal

    resources: dict[str, Any] = {}
    for response_type, status in GATEWAY_RESPONSES.items():
        name = "".join(part.capitalize() for part in response_type.split("_"))
        properties: dict[str, Any] = {
            "RestApiId": {"Ref": "RestAPI"},
            "ResponseType": response_type,
            "ResponseTemplates": {"application/json": json.dumps(gateway_refusal(status), ensure_ascii=False)},
            "ResponseParameters": {"gatewayresponse.header.Content-Type": "'application/json; charset=utf-8'"},
        }
        if not response_type.startswith("DEFAULT_"):
            properties["StatusCode"] = str(status)
        resources[f"Gateway{name}"] = {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": properties}
    return resources


# The job worker (chalicelib/functions/jobs.py): chalice names its function and event source so.
JOB_WORKER = "JobWorker"
JOB_WORKER_EVENT = "JobWorkerDynamodbEventSource"
JOBS_TABLE = "JobsTable"


def _job_worker_stream(resources: dict[str, Any]) -> None:
    """Point the job worker's event source at the jobs table's stream (chalice wants a literal ARN)."""
    events = resources.setdefault(JOB_WORKER, {}).setdefault("Properties", {}).setdefault("Events", {})
    events.setdefault(JOB_WORKER_EVENT, {}).setdefault("Properties", {}).update(
        {
            "Stream": {"Fn::GetAtt": [JOBS_TABLE, "StreamArn"]},
            # a failing job is retried by its own policy: the batch is never blocked
            "MaximumRetryAttempts": 2,
            "BisectBatchOnFunctionError": True,
        }
    )


def merge_template(
    settings: Settings,
    models: list[type[Model]],
    functions: list[Function] | None = None,
    *,
    stage: str = "prod",
    tracing: bool = True,
    families: list[Family] = FAMILIES,
) -> dict[str, Any]:
    """Everything ``chalice package`` does not generate, for ``stage``."""
    functions = functions or []
    resources: dict[str, Any] = {}
    for model in models:
        resources[logical_id(model)] = table_resource(model, key=KEY)
    resources.update(key_resources())
    resources.update(logs_bucket_resources())
    for bucket in BUCKETS:
        resources.update(bucket_resources(bucket, getattr(settings, bucket.setting), {"Ref": "WebOrigin"}))
    resources.update(_gateway_responses())
    documents = next(b for b in BUCKETS if b.setting == "documents_bucket")
    resources.update(secret_resources())
    resources.update(queue_and_topic_resources())

    names = {f.name: function_name(APP_NAME, stage, f) for f in functions}
    members: dict[str, list[Function]] = {}
    for function in functions:
        family = family_of(function, families)
        members.setdefault(family.role, []).append(function)
        resources.update(log_group(f"{function.logical_id}Logs", f"/aws/lambda/{names[function.name]}"))
        resources[function.logical_id] = _function_properties(function, family, names[function.name], stage)
    tables = _tables(models)
    for family in families:
        if family.role in members:
            resources[family.role] = role_resource(
                family,
                functions=members[family.role],
                names=names,
                tables=tables,
                bucket=documents.logical_id,
                key=KEY,
                dead_letters=DEAD_LETTERS if any(f.name != API_FUNCTION for f in members[family.role]) else None,
                tracing=tracing,
            )
    if any(f.name == API_FUNCTION for f in functions):
        resources[API] = {
            "Properties": api_properties(),
            "Metadata": {
                "checkov": {
                    "skip": [
                        {
                            "id": "CKV_AWS_120",
                            "comment": "Answers are personal (a parent's own applications): a cache would serve "
                            "one person's data to another.",
                        },
                        {
                            "id": "CKV_AWS_76",
                            "comment": "Access logs need the account-wide API Gateway CloudWatch role, which this "
                            "stack does not own; requests are counted by API Gateway and WAF metrics, errors "
                            "logged by the function (runbook: enabling access logs).",
                        },
                    ]
                }
            },
        }
        resources.update(waf_resources(settings.max_body_bytes))
    resources.update(web_resources(documents.logical_id, "LogsBucket"))
    resources.update(alarm_resources(functions, APP_NAME))
    if JOBS_TABLE in resources and any(f.logical_id == JOB_WORKER for f in functions):
        _job_worker_stream(resources)

    return {
        "Parameters": {
            "Stage": {"Type": "String", "Default": stage, "Description": "Name of the deployed stage"},
            "WebOrigin": {
                "Type": "String",
                "Default": settings.web_origin,
                "Description": "Origin of the parents' web front end (browser uploads go straight to S3)",
            },
            "EmailIdentity": {
                "Type": "String",
                "Default": settings.email_from.rsplit("@", 1)[-1].rstrip(">"),
                "Description": "The SES identity (domain) e-mail is sent from",
            },
            "AlarmEmail": {"Type": "String", "Default": "", "Description": "Who receives alarms (empty: none)"},
            "WebDomain": {"Type": "String", "Default": "", "Description": "The web front end's domain name"},
            "WebCertificateArn": {
                "Type": "String",
                "Default": "",
                "Description": "ACM certificate (us-east-1) for WebDomain; empty: CloudFront's own domain",
            },
        },
        "Conditions": {
            "HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]},
            "HasWebCertificate": {"Fn::Not": [{"Fn::Equals": [{"Ref": "WebCertificateArn"}, ""]}]},
        },
        "Globals": {
            "Function": {
                "Environment": {
                    "Variables": {
                        "BQ_AWS_REGION": {"Ref": "AWS::Region"},
                        "BQ_TABLE_PREFIX": settings.table_prefix,
                        "BQ_DOCUMENTS_BUCKET": {"Ref": documents.logical_id},
                        "BQ_WEB_ORIGIN": {"Ref": "WebOrigin"},
                        "BQ_JWT_SECRET_ID": {"Ref": JWT_SECRET},  # the ARN; the value is read at run time
                        "POWERTOOLS_TRACE_DISABLED": "false" if tracing else "true",
                    }
                }
            }
        },
        "Resources": resources,
        "Outputs": {
            "WebUrl": {"Value": {"Fn::Sub": "https://${WebDistribution.DomainName}"}},
            "WebBucketName": {"Value": {"Ref": "WebBucket"}},
            "DocumentsBucketName": {"Value": {"Ref": documents.logical_id}},
            "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
            "DeadLetterQueueUrl": {"Value": {"Ref": DEAD_LETTERS}},
            "JwtSecretArn": {"Value": {"Ref": JWT_SECRET}},
        },
    }
