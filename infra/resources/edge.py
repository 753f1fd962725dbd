"""The edge: API Gateway throttling and payload limit, the web front end on S3 + CloudFront.

The payload limit mirrors ``Settings.max_body_bytes`` at the edge: a WAF rule refuses, with
413, a request whose ``Content-Length`` is larger (the application checks the body again,
for requests without the header). WAF cannot compare numbers, so the rule is a regular
expression that matches exactly the decimal numbers greater than the limit
(:func:`greater_than_pattern`).
"""

from __future__ import annotations

from typing import Any

from infra.resources.platform import SERVICE_TAG

API = "RestAPI"  # chalice package's logical id of the REST API
API_STAGE = "api"
THROTTLE_RATE = 100  # requests per second, steady, for the whole stage
THROTTLE_BURST = 200
RATE_LIMIT_PER_IP = 1000  # requests per 5 minutes from one address
NCALAYER = "wss://127.0.0.1:13579"  # the parent's NCALayer, on their own machine

WEB_BUCKET = "WebBucket"
WEB_DISTRIBUTION = "WebDistribution"
HEADERS_POLICY = "WebSecurityHeaders"


def greater_than_pattern(limit: int) -> str:
    """A regular expression matching the decimal numbers (no sign, no leading zero) greater than ``limit``."""
    digits = str(limit)
    width = len(digits)
    alternatives = [rf"[1-9]\d{{{width},}}"]  # more digits
    for position, digit in enumerate(digits):
        if digit == "9":
            continue
        rest = width - position - 1
        higher = f"[{int(digit) + 1}-9]" if digit != "8" else "9"
        alternatives.append(digits[:position] + higher + (rf"\d{{{rest}}}" if rest else ""))
    return "^(" + "|".join(alternatives) + ")$"


def api_properties(stage_variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merged into chalice's ``AWS::Serverless::Api``: stage throttling, tracing, no caching."""
    del stage_variables
    return {
        "TracingEnabled": True,
        "MethodSettings": [
            {
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "ThrottlingRateLimit": THROTTLE_RATE,
                "ThrottlingBurstLimit": THROTTLE_BURST,
                "MetricsEnabled": True,
                "DataTraceEnabled": False,  # request bodies carry personal data
                "CachingEnabled": False,
            }
        ],
    }


def waf_resources(max_body_bytes: int) -> dict[str, Any]:
    rules = [
        {
            "Name": "body-too-large",
            "Priority": 0,
            "Action": {"Block": {"CustomResponse": {"ResponseCode": 413}}},
            "Statement": {
                "RegexMatchStatement": {
                    "RegexString": greater_than_pattern(max_body_bytes),
                    "FieldToMatch": {"SingleHeader": {"Name": "content-length"}},
                    "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                }
            },
            "VisibilityConfig": _visibility("body-too-large"),
        },
        {
            "Name": "rate-per-address",
            "Priority": 1,
            "Action": {"Block": {}},
            "Statement": {"RateBasedStatement": {"Limit": RATE_LIMIT_PER_IP, "AggregateKeyType": "IP"}},
            "VisibilityConfig": _visibility("rate-per-address"),
        },
        {
            # Known exploit payloads, e.g. Log4Shell (checkov CKV_AWS_192).
            "Name": "known-bad-inputs",
            "Priority": 2,
            "OverrideAction": {"None": {}},
            "Statement": {
                "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesKnownBadInputsRuleSet"}
            },
            "VisibilityConfig": _visibility("known-bad-inputs"),
        },
    ]
    return {
        "ApiFirewall": {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {
                "Name": {"Fn::Sub": "balabaqsha-${Stage}-api"},
                "Scope": "REGIONAL",
                "DefaultAction": {"Allow": {}},
                "Rules": rules,
                "VisibilityConfig": _visibility("api"),
                "Tags": SERVICE_TAG,
            },
        },
        "ApiFirewallAssociation": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "DependsOn": f"{API}{API_STAGE}Stage",
            "Properties": {
                "ResourceArn": {
                    "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::"
                    + f"/restapis/${{{API}}}/stages/{API_STAGE}"
                },
                "WebACLArn": {"Fn::GetAtt": ["ApiFirewall", "Arn"]},
            },
        },
    }


def _visibility(name: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def content_security_policy(documents_bucket: str) -> dict[str, Any]:
    """CSP of the web front end: no inline script or style, no framing, talks only to its API, S3 and NCALayer.

    ``blob:`` images and frames are the operators' page showing a claim's scans, fetched with the
    session (``GET /operator/benefit-checks/{id}/documents/{n}``) and shown from memory."""
    return {
        "Fn::Join": [
            "",
            [
                "default-src 'none'; script-src 'self'; style-src 'self'; ",
                "img-src 'self' data: blob:; font-src 'self'; frame-src blob:; ",
                "connect-src 'self' https://",
                {"Ref": API},
                ".execute-api.",
                {"Ref": "AWS::Region"},
                ".",
                {"Ref": "AWS::URLSuffix"},
                " https://",
                {"Fn::GetAtt": [documents_bucket, "RegionalDomainName"]},
                f" {NCALAYER}; ",
                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
            ],
        ]
    }


def web_resources(documents_bucket: str, logs_bucket: str) -> dict[str, Any]:
    """The parents' web front end: a private bucket served only through CloudFront, with security headers."""
    from infra.resources.buckets import private_bucket_properties, tls_only_policy

    return {
        WEB_BUCKET: {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                **private_bucket_properties(logs_bucket, "web/"),
                "BucketName": {"Fn::Sub": "balabaqsha-${Stage}-web-${AWS::AccountId}"},
                # CloudFront reads it with origin access control; SSE-S3 keeps that simple.
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            },
        },
        f"{WEB_BUCKET}Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": WEB_BUCKET},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        *tls_only_policy(WEB_BUCKET),
                        {
                            "Sid": "CloudFrontReads",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Sub": f"${{{WEB_BUCKET}.Arn}}/*"},
                            "Condition": {
                                "StringEquals": {
                                    "AWS:SourceArn": {
                                        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:"
                                        + f"distribution/${{{WEB_DISTRIBUTION}}}"
                                    }
                                }
                            },
                        },
                    ],
                },
            },
        },
        "WebOriginAccess": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {
                "OriginAccessControlConfig": {
                    "Name": {"Fn::Sub": "balabaqsha-${Stage}-web"},
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }
            },
        },
        HEADERS_POLICY: {
            "Type": "AWS::CloudFront::ResponseHeadersPolicy",
            "Properties": {
                "ResponseHeadersPolicyConfig": {
                    "Name": {"Fn::Sub": "balabaqsha-${Stage}-web-security"},
                    "SecurityHeadersConfig": {
                        "ContentSecurityPolicy": {
                            "ContentSecurityPolicy": content_security_policy(documents_bucket),
                            "Override": True,
                        },
                        "StrictTransportSecurity": {
                            "AccessControlMaxAgeSec": 63072000,
                            "IncludeSubdomains": True,
                            "Preload": True,
                            "Override": True,
                        },
                        "FrameOptions": {"FrameOption": "DENY", "Override": True},
                        "ContentTypeOptions": {"Override": True},
                        "ReferrerPolicy": {"ReferrerPolicy": "strict-origin-when-cross-origin", "Override": True},
                    },
                }
            },
        },
        WEB_DISTRIBUTION: {
            "Type": "AWS::CloudFront::Distribution",
            "Metadata": {
                "checkov": {
                    "skip": [
                        {
                            "id": "CKV_AWS_68",
                            "comment": "A CloudFront web ACL must live in us-east-1; this stack is regional. "
                            "The site is static files; the API behind it has its own web ACL.",
                        },
                        {
                            "id": "CKV_AWS_174",
                            "comment": "TLS 1.2 is set with the service's own certificate (WebCertificateArn); "
                            "without one CloudFront's default certificate allows only what it allows.",
                        },
                        {
                            "id": "CKV_AWS_310",
                            "comment": "One origin: the files are in one bucket; failover adds nothing here.",
                        },
                        {
                            "id": "CKV_AWS_86",
                            "comment": "Viewer requests are for static files and carry no personal data; "
                            "CloudFront's standard logs would need ACLs on a bucket, which every bucket here refuses.",
                        },
                        {
                            "id": "CKV_AWS_374",
                            "comment": "Parents anywhere (abroad too) must reach the service: no geo restriction.",
                        },
                    ]
                }
            },
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Comment": {"Fn::Sub": "balabaqsha-${Stage} parents' web front end"},
                    "DefaultRootObject": "index.html",
                    "HttpVersion": "http2and3",
                    "PriceClass": "PriceClass_100",
                    "Origins": [
                        {
                            "Id": "web",
                            "DomainName": {"Fn::GetAtt": [WEB_BUCKET, "RegionalDomainName"]},
                            "OriginAccessControlId": {"Fn::GetAtt": ["WebOriginAccess", "Id"]},
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "web",
                        "ViewerProtocolPolicy": "redirect-to-https",
                        "AllowedMethods": ["GET", "HEAD"],
                        "Compress": True,
                        # Managed policy "CachingOptimized".
                        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                        "ResponseHeadersPolicyId": {"Ref": HEADERS_POLICY},
                    },
                    "ViewerCertificate": {
                        "Fn::If": [
                            "HasWebCertificate",
                            {
                                "AcmCertificateArn": {"Ref": "WebCertificateArn"},
                                "SslSupportMethod": "sni-only",
                                "MinimumProtocolVersion": "TLSv1.2_2021",
                            },
                            {"CloudFrontDefaultCertificate": True},
                        ]
                    },
                    "Aliases": {"Fn::If": ["HasWebCertificate", [{"Ref": "WebDomain"}], {"Ref": "AWS::NoValue"}]},
                }
            },
        },
    }
