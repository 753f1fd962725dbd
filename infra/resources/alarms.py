"""CloudWatch alarms, all sent to the alarm topic: what an operator must act on."""

from __future__ import annotations

from typing import Any

from infra.resources.edge import API_STAGE
from infra.resources.platform import ALARM_TOPIC, DEAD_LETTERS
from infra.resources.roles import Function

NAMESPACE = "Balabaqsha"  # chalicelib.observability.NAMESPACE
STALE_CRL_METRIC = "StaleRevocationLists"  # chalicelib.functions.pki.STALE_CRL_METRIC
JOBS_OVERDUE_METRIC = "JobsOverdue"  # published by the job worker's re-drive sweep
API_5XX_RATE = 0.05  # more than 5 % of requests failing for 10 minutes


def _alarm(description: str, **properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "AlarmActions": [{"Ref": ALARM_TOPIC}],
            "OKActions": [{"Ref": ALARM_TOPIC}],
            **properties,
        },
    }


def alarm_resources(functions: list[Function], app_name: str) -> dict[str, Any]:
    alarms: dict[str, Any] = {
        "Api5xxRateAlarm": _alarm(
            f"More than {API_5XX_RATE:.0%} of API requests answered 5xx for 10 minutes",
            Namespace="AWS/ApiGateway",
            MetricName="5XXError",
            Dimensions=[{"Name": "ApiName", "Value": app_name}, {"Name": "Stage", "Value": API_STAGE}],
            Statistic="Average",
            Period=300,
            EvaluationPeriods=2,
            Threshold=API_5XX_RATE,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        ),
        "DeadLettersAlarm": _alarm(
            "Dead letters present: a scheduled or stream function failed every retry (replay: docs/operations.md)",
            Namespace="AWS/SQS",
            MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=[{"Name": "QueueName", "Value": {"Fn::GetAtt": [DEAD_LETTERS, "QueueName"]}}],
            Statistic="Maximum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        ),
        "JobsOverdueAlarm": _alarm(
            "Jobs overdue: consequences of committed changes wait longer than their deadline",
            Namespace=NAMESPACE,
            MetricName=JOBS_OVERDUE_METRIC,
            Dimensions=[{"Name": "service", "Value": "balabaqsha"}],
            Statistic="Maximum",
            Period=300,
            EvaluationPeriods=2,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        ),
        "StaleRevocationListsAlarm": _alarm(
            "A certificate revocation list is missing or older than its next-update: signatures may be refused",
            Namespace=NAMESPACE,
            MetricName=STALE_CRL_METRIC,
            Dimensions=[{"Name": "service", "Value": "balabaqsha"}],
            Statistic="Maximum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        ),
    }
    for function in functions:
        alarms[f"{function.logical_id}ThrottlesAlarm"] = _alarm(
            f"{function.name} is throttled",
            Namespace="AWS/Lambda",
            MetricName="Throttles",
            Dimensions=[{"Name": "FunctionName", "Value": {"Ref": function.logical_id}}],
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        )
        if function.period_minutes:
            window = 2 * function.period_minutes * 60
            alarms[f"{function.logical_id}NotRunAlarm"] = _alarm(
                f"{function.name} has not run within twice its period ({2 * function.period_minutes} minutes)",
                Namespace="AWS/Lambda",
                MetricName="Invocations",
                Dimensions=[{"Name": "FunctionName", "Value": {"Ref": function.logical_id}}],
                Statistic="Sum",
                Period=window,
                EvaluationPeriods=1,
                Threshold=1,
                ComparisonOperator="LessThanThreshold",
                TreatMissingData="breaching",
            )
    return alarms
