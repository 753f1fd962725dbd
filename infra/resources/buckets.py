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


def bucket_resources(bucket: Bucket, name: str, web_origin: Any) -> dict[str, dict[str, Any]]:
    """The bucket and its policy (deny every request that is not over TLS)."""
    arn = {"Fn::GetAtt": [bucket.logical_id, "Arn"]}
    return {
        bucket.logical_id: {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BucketName": name,
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
                "VersioningConfiguration": {"Status": "Enabled"},
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "abort-incomplete-uploads",
                            "Status": "Enabled",
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                        }
                    ]
                },
                "CorsConfiguration": {"CorsRules": [{**UPLOAD_CORS_RULE, "AllowedOrigins": [web_origin]}]},
                "Tags": [{"Key": "service", "Value": "balabaqsha"}],
            },
        },
        f"{bucket.logical_id}Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": bucket.logical_id},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [arn, {"Fn::Join": ["", [arn, "/*"]]}],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
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
