"""The S3 buckets of the service: private, encrypted, versioned, TLS only.

One definition serves both places: :func:`bucket_resources` for the
CloudFormation template, :func:`create_local_bucket` for the moto server of
the local stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bucket:
    logical_id: str
    setting: str  # the Settings field that holds its name
    purpose: str


BUCKETS: list[Bucket] = [
    Bucket(
        "DocumentsBucket",
        "documents_bucket",
        "uploaded scans, signed XML as received (the legal record), generated PDFs, cached revocation lists",
    ),
]

UPLOAD_CORS_RULE: dict[str, Any] = {
    "AllowedMethods": ["GET", "POST", "PUT"],
    "AllowedHeaders": ["*"],
    "MaxAge": 3000,
}


# Lifecycle of the documents bucket. The signed XML under ``signed/`` is the legal record and
# never expires; issued PDFs are kept with their history. What is only a cache or a trace goes.
LIFECYCLE_RULES: list[dict[str, Any]] = [
    {
        "Id": "abort-incomplete-uploads",
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    },
    {
        # Replaced copies of regenerated documents and refreshed CRLs.
        "Id": "old-versions",
        "Status": "Enabled",
        "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
    },
    {
        "Id": "revocation-cache",
        "Status": "Enabled",
        "Prefix": "revocation/crl/",
        "NoncurrentVersionExpiration": {"NoncurrentDays": 7},
    },
    {
        # Files a parent announced and never completed (the record's TTL is two days as well,
        # chalicelib/store/uploads.py); checked files nothing uses are removed by their expiry job.
        "Id": "abandoned-uploads",
        "Status": "Enabled",
        "Prefix": "uploads/incoming/",
        "ExpirationInDays": 2,
    },
    {
        # A removed upload is personal data: its replaced or deleted versions go after a day, not 90.
        "Id": "uploads-old-versions",
        "Status": "Enabled",
        "Prefix": "uploads/",
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
        "ExpiredObjectDeleteMarker": True,
    },
    {"Id": "allocation-traces", "Status": "Enabled", "Prefix": "allocations/", "ExpirationInDays": 400},
    {
        # Operators' reports: kept five years (statistical reporting period), then removed.
        "Id": "reports",
        "Status": "Enabled",
        "Prefix": "reports/",
        "ExpirationInDays": 1827,
    },
]


def tls_only_policy(logical_id: str) -> list[dict[str, Any]]:
    """Deny every request to the bucket that is not over TLS."""
    arn = {"Fn::GetAtt": [logical_id, "Arn"]}
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, {"Fn::Join": ["", [arn, "/*"]]}],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def private_bucket_properties(logs_bucket: str | None, log_prefix: str) -> dict[str, Any]:
    """Public access blocked, owner-enforced, versioned, access-logged (to ``logs_bucket``)."""
    properties: dict[str, Any] = {
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
        "VersioningConfiguration": {"Status": "Enabled"},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "Tags": [{"Key": "service", "Value": "balabaqsha"}],
    }
    if logs_bucket:
        properties["LoggingConfiguration"] = {
            "DestinationBucketName": {"Ref": logs_bucket},
            "LogFilePrefix": log_prefix,
        }
    return properties


def bucket_resources(
    bucket: Bucket, name: str, web_origin: Any, *, key: str = "DataKey", logs_bucket: str = "LogsBucket"
) -> dict[str, dict[str, Any]]:
    """The bucket (encrypted with the service's key, lifecycle rules) and its TLS-only policy."""
    return {
        bucket.logical_id: {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                **private_bucket_properties(logs_bucket, f"{bucket.setting}/"),
                "BucketName": name,
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": {"Fn::GetAtt": [key, "Arn"]},
                            },
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
                "LifecycleConfiguration": {"Rules": LIFECYCLE_RULES},
                "CorsConfiguration": {"CorsRules": [{**UPLOAD_CORS_RULE, "AllowedOrigins": [web_origin]}]},
            },
        },
        f"{bucket.logical_id}Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": bucket.logical_id},
                "PolicyDocument": {"Version": "2012-10-17", "Statement": tls_only_policy(bucket.logical_id)},
            },
        },
    }


def logs_bucket_resources(logical_id: str = "LogsBucket") -> dict[str, dict[str, Any]]:
    """Where S3 writes the access logs of the other buckets (kept one year)."""
    return {
        logical_id: {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Metadata": {
                "checkov": {
                    "skip": [
                        {"id": "CKV_AWS_18", "comment": "The access-log bucket itself: logging it would log the logs."}
                    ]
                }
            },
            "Properties": {
                **private_bucket_properties(None, ""),
                "BucketName": {"Fn::Sub": "balabaqsha-${Stage}-access-logs-${AWS::AccountId}"},
                # S3 server access logging delivers only to SSE-S3 buckets.
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "keep-a-year",
                            "Status": "Enabled",
                            "ExpirationInDays": 365,
                            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                        }
                    ]
                },
            },
        },
        f"{logical_id}Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": logical_id},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        *tls_only_policy(logical_id),
                        {
                            "Sid": "S3ServerAccessLogs",
                            "Effect": "Allow",
                            "Principal": {"Service": "logging.s3.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": {"Fn::Sub": f"${{{logical_id}.Arn}}/*"},
                            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                        },
                    ],
                },
            },
        },
    }


def create_local_bucket(s3: Any, name: str, region: str, web_origin: str) -> None:
    """The same bucket on the local moto server (idempotent)."""
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if name not in existing:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    rule = {
        "AllowedMethods": UPLOAD_CORS_RULE["AllowedMethods"],
        "AllowedHeaders": UPLOAD_CORS_RULE["AllowedHeaders"],
        "MaxAgeSeconds": UPLOAD_CORS_RULE["MaxAge"],
        "AllowedOrigins": [web_origin],
    }
    s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [rule]})
