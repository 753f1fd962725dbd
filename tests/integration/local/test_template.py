"""The data resources of the CloudFormation template come from the models and the bucket list."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.settings import get_settings
from chalicelib.store.base import table_meta
from chalicelib.store.registry import all_models, local_only_models
from infra.resources.tables import logical_id, table_resource
from infra.resources.template import merge_template


class DueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "due"
        projection = IncludeProjection(["status"])

    due_bucket = UnicodeAttribute(hash_key=True)
    due_at = NumberAttribute(range_key=True)


class Timer(Model):
    Meta = table_meta("direction-timers")

    direction_id = UnicodeAttribute(range_key=True)
    region = UnicodeAttribute(hash_key=True)
    due_bucket = UnicodeAttribute(null=True)
    due_at = NumberAttribute(null=True)
    status = UnicodeAttribute()
    expires = TTLAttribute(null=True)
    due = DueIndex()


def test_a_table_gets_its_keys_indexes_ttl_backups_and_encryption():
    # when
    resource = table_resource(Timer)
    properties = resource["Properties"]

    # then
    assert logical_id(Timer) == "DirectionTimersTable"
    assert properties["TableName"] == get_settings().table_name("direction-timers")
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [
        {"AttributeName": "region", "KeyType": "HASH"},
        {"AttributeName": "direction_id", "KeyType": "RANGE"},
    ]
    [index] = properties["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "due"
    assert index["KeySchema"][0] == {"AttributeName": "due_bucket", "KeyType": "HASH"}
    assert index["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status"]}
    assert {"AttributeName": "due_at", "AttributeType": "N"} in properties["AttributeDefinitions"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires", "Enabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert resource["DeletionPolicy"] == "Retain"


def test_the_template_declares_every_table_and_a_private_tls_only_bucket_but_no_local_table():
    # when
    template = merge_template(get_settings(), all_models())
    resources = template["Resources"]

    # then
    tables = {r["Properties"]["TableName"] for r in resources.values() if r.get("Type") == "AWS::DynamoDB::Table"}
    assert tables == {m.Meta.table_name for m in all_models()}
    assert not tables & {m.Meta.table_name for m in local_only_models()}
    bucket = resources["DocumentsBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    [deny] = resources["DocumentsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["BQ_DOCUMENTS_BUCKET"] == {"Ref": "DocumentsBucket"}
    assert variables["BQ_TABLE_PREFIX"] == get_settings().table_prefix


def test_api_gateways_own_refusals_are_the_projects_json_error():
    import json

    resources = merge_template(get_settings(), all_models())["Resources"]
    unknown_route = resources["GatewayMissingAuthenticationToken"]["Properties"]
    body = json.loads(unknown_route["ResponseTemplates"]["application/json"])
    assert unknown_route["StatusCode"] == "404" and unknown_route["RestApiId"] == {"Ref": "RestAPI"}
    assert body["error"]["code"] == "request.unknown_route"
    assert body["error"]["messages"]["kk"] and body["error"]["messages"]["ru"]
    assert resources["GatewayUnsupportedMediaType"]["Properties"]["StatusCode"] == "415"


def test_the_job_worker_reads_the_jobs_tables_stream():
    # given the app's functions as chalice packages them
    from app import app
    from infra.resources.template import JOB_WORKER, JOB_WORKER_EVENT, JOBS_TABLE, app_functions

    # when the template is merged for them
    resources = merge_template(get_settings(), all_models(), app_functions(app))["Resources"]

    # then the worker's event source is the jobs table's stream, and the table has one
    event = resources[JOB_WORKER]["Properties"]["Events"][JOB_WORKER_EVENT]["Properties"]
    assert event["Stream"] == {"Fn::GetAtt": [JOBS_TABLE, "StreamArn"]}
    assert resources[JOBS_TABLE]["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
