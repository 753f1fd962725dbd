"""The template merged into ``chalice package``'s output: data resources, their access, the Lambda environment."""

from __future__ import annotations

from typing import Any

from pynamodb.models import Model

from chalicelib.settings import Settings
from infra.resources.buckets import BUCKETS, bucket_resources
from infra.resources.tables import logical_id, table_resource

# The role chalice generates for every function of the app (autogen policy does not see pynamodb).
FUNCTION_ROLE = "DefaultRole"

TABLE_ACTIONS = [
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]


def _access_policy(table_ids: list[str], bucket_ids: list[str]) -> dict[str, Any]:
    tables = [{"Fn::GetAtt": [t, "Arn"]} for t in table_ids]
    indexes = [{"Fn::Join": ["", [{"Fn::GetAtt": [t, "Arn"]}, "/index/*"]]} for t in table_ids]
    buckets = [{"Fn::GetAtt": [b, "Arn"]} for b in bucket_ids]
    objects = [{"Fn::Join": ["", [{"Fn::GetAtt": [b, "Arn"]}, "/*"]]} for b in bucket_ids]
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "ServiceDataAccess",
            "Roles": [{"Ref": FUNCTION_ROLE}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "Tables", "Effect": "Allow", "Action": TABLE_ACTIONS, "Resource": tables + indexes},
                    {"Sid": "Objects", "Effect": "Allow", "Action": OBJECT_ACTIONS, "Resource": objects},
                    *(
                        [
                            {
                                "Sid": "JobsStream",
                                "Effect": "Allow",
                                "Action": STREAM_ACTIONS,
                                "Resource": {"Fn::GetAtt": [JOBS_TABLE, "StreamArn"]},
                            }
                        ]
                        if JOBS_TABLE in table_ids
                        else []
                    ),
                    {"Sid": "Buckets", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": buckets},
                    {
                        "Sid": "Email",
                        "Effect": "Allow",
                        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:*"},
                    },
                    {
                        # Powertools Tracer sends segments when tracing is on; X-Ray has no resource ARNs.
                        "Sid": "Tracing",
                        "Effect": "Allow",
                        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                        "Resource": "*",
                    },
                    {
                        # SMS to a phone number has no resource ARN to scope to.
                        "Sid": "Sms",
                        "Effect": "Allow",
                        "Action": ["sns:Publish"],
                        "Resource": "*",
                    },
                ],
            },
        },
    }


# The job worker (chalicelib/functions/jobs.py): chalice names its function and event source so.
JOB_WORKER = "JobWorker"
JOB_WORKER_EVENT = "JobWorkerDynamodbEventSource"
JOBS_TABLE = "JobsTable"
STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]


def _job_worker_stream() -> dict[str, Any]:
    """Point the job worker's event source at the jobs table's stream (chalice wants a literal ARN)."""
    return {
        JOB_WORKER: {
            "Properties": {
                "Events": {
                    JOB_WORKER_EVENT: {
                        "Properties": {
                            "Stream": {"Fn::GetAtt": [JOBS_TABLE, "StreamArn"]},
                            # a failing job is retried by its own policy: the batch is never blocked
                            "MaximumRetryAttempts": 2,
                            "BisectBatchOnFunctionError": True,
                        }
                    }
                }
            }
        }
    }


def merge_template(settings: Settings, models: list[type[Model]]) -> dict[str, Any]:
    """Tables of ``models``, the buckets, the functions' access to them, and the environment pointing there."""
    resources: dict[str, Any] = {}
    table_ids = []
    for model in models:
        table_ids.append(logical_id(model))
        resources[table_ids[-1]] = table_resource(model)
    for bucket in BUCKETS:
        resources.update(bucket_resources(bucket, getattr(settings, bucket.setting), {"Ref": "WebOrigin"}))
    resources["ServiceDataAccessPolicy"] = _access_policy(table_ids, [b.logical_id for b in BUCKETS])
    if JOBS_TABLE in table_ids:
        resources.update(_job_worker_stream())
    documents = next(b for b in BUCKETS if b.setting == "documents_bucket")
    return {
        "Parameters": {
            "WebOrigin": {
                "Type": "String",
                "Default": settings.web_origin,
                "Description": "Origin of the parents' web front end (browser uploads go straight to S3)",
            }
        },
        "Globals": {
            "Function": {
                "Environment": {
                    "Variables": {
                        "BQ_AWS_REGION": {"Ref": "AWS::Region"},
                        "BQ_TABLE_PREFIX": settings.table_prefix,
                        "BQ_DOCUMENTS_BUCKET": {"Ref": documents.logical_id},
                        "BQ_WEB_ORIGIN": {"Ref": "WebOrigin"},
                    }
                }
            }
        },
        "Resources": resources,
    }
