"""One IAM role per function family, each allowed only what its functions use.

A family is one entry of :data:`FAMILIES`: the Chalice functions it runs (by their Chalice
name: ``api_handler`` for the routes, the ``name=`` of a ``@schedule`` or stream handler),
the tables it reads or writes, the prefixes of the documents bucket it reads or writes,
the secrets it reads, the streams it consumes and whether it sends e-mail or SMS. Every
function of the app must belong to exactly one family: the build stops otherwise, naming
the function, so a new function cannot silently run with someone else's rights.

Adding a family is one entry. The job worker (fed by the ``jobs`` table's stream) would be::

    Family(
        "worker", "JobWorkerRole", functions=("job-worker",),
        tables={"jobs": WRITE, "applications": READ, ...}, streams=("jobs",),
        objects={"documents/": WRITE}, email=True, sms=True,
    )

and the operators' scheduled reports::

    Family(
        "reports", "ReportsRole", functions=("daily-reports", "monthly-reports"),
        tables={"report-counters": READ, "operators": READ, "jobs": WRITE}, objects={"reports/": WRITE},
    )

What a role may contain is checked by :mod:`infra.resources.policy_check` (no wildcard).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Access = Literal["read", "write"]
READ: Access = "read"
WRITE: Access = "write"
ALL = "*all*"  # every deployed table (the API family serves every route)

TABLE_READ = [
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
]
TABLE_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
STREAM_READ = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
OBJECT_READ = ["s3:GetObject"]
OBJECT_WRITE = ["s3:PutObject", "s3:DeleteObject"]

# Actions AWS gives no resource type to scope to (Service Authorization Reference): the only
# ones a role may allow on "*". X-Ray takes segments from anyone; an SMS goes to a phone number.
UNSCOPABLE_ACTIONS = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords", "sns:Publish"})


SKIPS = [
    {
        "id": "CKV_AWS_111",
        "comment": "sns:Publish on '*' is the only way to allow an SMS to a phone number; "
        "statement NoTopics denies every topic.",
    }
]


@dataclass(frozen=True)
class Family:
    name: str
    role: str  # the role's logical id
    functions: tuple[str, ...]
    tables: Mapping[str, Access] = field(default_factory=dict)  # short table name (or ALL) -> access
    objects: Mapping[str, Access] = field(default_factory=dict)  # documents-bucket prefix -> access
    secrets: tuple[str, ...] = ()  # logical ids of AWS::SecretsManager::Secret
    streams: tuple[str, ...] = ()  # short names of the tables whose stream it consumes
    email: bool = False
    sms: bool = False


FAMILIES: list[Family] = [
    Family(
        "api",
        "ApiRole",
        functions=("api_handler",),
        tables={ALL: WRITE},
        objects={
            "uploads/": WRITE,  # parents' scans, posted straight to S3 with a presigned form
            "signed/": WRITE,  # signed XML as received (the legal record)
            "documents/": WRITE,  # generated PDFs
            "revocation/crl/": WRITE,  # CRL cache, filled on a miss
            "allocations/": WRITE,  # runs started by an operator or a published vacancy, and their protocols
            "reports/": WRITE,  # reports run on demand, listed and downloaded by operators
        },
        secrets=("JwtSecret",),
        email=True,
        sms=True,
    ),
    Family(
        "sweeps",
        "SweepsRole",
        functions=(
            "direction-expiry",
            "allocate-vacancies",
            "application-timers",
            "refresh_revocation_data",
        ),
        tables={
            **{
                name: WRITE
                for name in (
                    "accounts",
                    "documents",
                    "regions",
                    "districts",
                    "kindergartens",
                    "kindergarten-groups",
                    "benefit-categories",
                    "applications",
                    "child-locks",
                    "application-parents",
                    "queue-heads",
                    "queue-chunks",
                    "counters",
                    "report-counters",  # every change adds to the reports' counters in its transaction
                    "jobs",  # and writes its consequences as jobs
                    "history",
                    "service-steps",  # a claim still pending when the child leaves ends its step
                    "seats",
                    "directions",
                    "contracts",
                )
            },
            "uploads": READ,
            "operators": READ,
            "contract-templates": READ,
            "contract-settings": READ,
        },
        objects={"documents/": WRITE, "allocations/": WRITE, "revocation/crl/": WRITE, "signed/": READ},
        email=True,
        sms=True,
    ),
    Family(
        "jobs",
        "JobWorkerRole",
        functions=("job_worker", "job-sweep"),
        # a job renders any document, sends any message, delivers any kindergarten's events: it reads
        # what the change it follows wrote, so every table (named one by one, never a wildcard)
        tables={ALL: WRITE},
        # uploads/: an upload nothing uses is removed by its expiry job
        objects={"documents/": WRITE, "signed/": READ, "uploads/": WRITE},
        streams=("jobs",),
        email=True,
        sms=True,
    ),
    Family(
        "reports",
        "ReportsRole",
        functions=("scheduled-reports",),
        tables={
            "report-counters": READ,
            "report-subscriptions": READ,
            "regions": READ,
            "districts": READ,
            "kindergartens": READ,
            "kindergarten-groups": READ,
            "benefit-categories": READ,
            "operators": READ,
            "jobs": WRITE,  # each subscriber's e-mail is a job (the job worker sends it)
        },
        objects={"reports/": WRITE},
    ),
]


@dataclass(frozen=True)
class Function:
    """A Lambda function of the packaged app."""

    name: str  # Chalice's name
    logical_id: str  # in the template
    period_minutes: int | None = None  # scheduled functions: how often they run


def family_of(function: Function, families: list[Family] = FAMILIES) -> Family:
    owners = [f for f in families if function.name in f.functions]
    if len(owners) != 1:
        where = "no family" if not owners else f"{len(owners)} families"
        raise SystemExit(
            f"function {function.name!r} belongs to {where}: give it exactly one in infra/resources/roles.py"
        )
    return owners[0]


def function_name(app_name: str, stage: str, function: Function) -> str:
    return f"{app_name}-{stage}-{function.name}"


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def _table_statements(family: Family, tables: Mapping[str, tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """``tables``: short name -> (logical id, index names)."""
    wanted: dict[str, Access] = {}
    for name, access in family.tables.items():
        names = list(tables) if name == ALL else [name]
        for each in names:
            if each not in tables:
                raise SystemExit(f"family {family.name!r} names table {each!r}, which the app does not have")
            wanted[each] = WRITE if WRITE in (access, wanted.get(each)) else READ
    statements = []
    for access, actions in ((READ, TABLE_READ), (WRITE, TABLE_READ + TABLE_WRITE)):
        resources: list[Any] = []
        for name in sorted(n for n, a in wanted.items() if a == access):
            logical, indexes = tables[name]
            resources.append({"Fn::GetAtt": [logical, "Arn"]})
            resources += [_sub(f"${{{logical}.Arn}}/index/{index}") for index in indexes]
        if resources:
            sid = "ReadTables" if access == READ else "ReadWriteTables"
            statements.append({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources})
    for name in family.streams:
        logical, _ = tables[name]
        statements.append(
            {
                "Sid": f"Stream{logical}",
                "Effect": "Allow",
                "Action": STREAM_READ,
                "Resource": {"Fn::GetAtt": [logical, "StreamArn"]},
            }
        )
    return statements


def _object_statements(family: Family, bucket: str) -> list[dict[str, Any]]:
    statements = []
    for access, actions in ((READ, OBJECT_READ), (WRITE, OBJECT_READ + OBJECT_WRITE)):
        prefixes = sorted(p for p, a in family.objects.items() if a == access)
        if prefixes:
            statements.append(
                {
                    "Sid": "ReadObjects" if access == READ else "ReadWriteObjects",
                    "Effect": "Allow",
                    "Action": actions,
                    "Resource": [_sub(f"${{{bucket}.Arn}}/{prefix}*") for prefix in prefixes],
                }
            )
    if family.objects:
        statements.append(
            {
                # Without it S3 answers 403 for a missing key instead of 404; listing stays within the prefixes.
                "Sid": "ListOwnPrefixes",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": {"Fn::GetAtt": [bucket, "Arn"]},
                "Condition": {"StringLike": {"s3:prefix": [f"{p}*" for p in sorted(family.objects)]}},
            }
        )
    return statements


def role_resource(
    family: Family,
    *,
    functions: list[Function],
    names: Mapping[str, str],
    tables: Mapping[str, tuple[str, list[str]]],
    bucket: str,
    key: str,
    dead_letters: str | None,
    tracing: bool,
) -> dict[str, Any]:
    """The ``AWS::IAM::Role`` of ``family`` (``names``: Chalice name -> Lambda function name)."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "OwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                _sub(
                    f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{names[f.name]}:*"
                )
                for f in functions
            ],
        },
        *_table_statements(family, tables),
        *_object_statements(family, bucket),
        {
            # Tables, objects, secrets and the dead-letter queue are encrypted with the service's key.
            "Sid": "DataKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": {"Fn::GetAtt": [key, "Arn"]},
        },
    ]
    if family.secrets:
        statements.append(
            {
                "Sid": "Secrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [{"Ref": secret} for secret in family.secrets],
            }
        )
    if dead_letters:
        statements.append(
            {
                "Sid": "DeadLetters",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": {"Fn::GetAtt": [dead_letters, "Arn"]},
            }
        )
    if family.email:
        statements.append(
            {
                "Sid": "Email",
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": _sub(
                    "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${EmailIdentity}"
                ),
            }
        )
    if family.sms:
        statements.append({"Sid": "SmsToPhoneNumbers", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"})
        # ... but to no topic: the allowance above is for phone numbers only.
        statements.append(
            {
                "Sid": "NoTopics",
                "Effect": "Deny",
                "Action": ["sns:Publish"],
                "Resource": _sub("arn:${AWS::Partition}:sns:*:*:*"),
            }
        )
    if tracing:
        statements.append(
            {
                "Sid": "Tracing",
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": "*",
            }
        )
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": f"Balabaqsha {family.name} functions: {', '.join(sorted(f.name for f in functions))}",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": f"{family.name}-least-privilege",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
            "Tags": [{"Key": "service", "Value": "balabaqsha"}, {"Key": "family", "Value": family.name}],
        },
        "Metadata": {"checkov": {"skip": SKIPS}} if family.sms else {},
    }
