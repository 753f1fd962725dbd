"""CloudWatch alarms, all sent to the alarm topic: what an operator must act on."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import JOB_DEAD_LETTERS_METRIC, JOBS_OVERDUE_METRIC, NAMESPACE, SERVICE
from infra.resources.edge import API_STAGE
from infra.resources.platform import ALARM_TOPIC, DEAD_LETTERS
from infra.resources.roles import Function

STALE_CRL_METRIC = "StaleRevocationLists"  # chalicelib.functions.pki.STALE_CRL_METRIC
# Powertools' Metrics adds the service as the one default dimension of every metric it publishes.
SERVICE_DIMENSIONS = [{"Name": "service", "Value": SERVICE}]
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
            Dimensions=SERVICE_DIMENSIONS,
            Statistic="Maximum",
            Period=300,
            EvaluationPeriods=2,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        ),
        "JobDeadLettersAlarm": _alarm(
            "Jobs parked as dead letters: a consequence used up its attempts (replay: docs/operations.md)",
            Namespace=NAMESPACE,
            MetricName=JOB_DEAD_LETTERS_METRIC,
            Dimensions=SERVICE_DIMENSIONS,
            Statistic="Maximum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        ),
        "StaleRevocationListsAlarm": _alarm(
            "A certificate revocation list is missing or older than its next-update: signatures may be refused",
            Namespace=NAMESPACE,
            MetricName=STALE_CRL_METRIC,
            Dimensions=SERVICE_DIMENSIONS,
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
            period, evaluations = not_run_window(function.period_minutes)
            alarms[f"{function.logical_id}NotRunAlarm"] = _alarm(
                f"{function.name} has not run within twice its period ({2 * function.period_minutes} minutes)",
                Namespace="AWS/Lambda",
                MetricName="Invocations",
                Dimensions=[{"Name": "FunctionName", "Value": {"Ref": function.logical_id}}],
                Statistic="Sum",
                Period=period,
                EvaluationPeriods=evaluations,
                DatapointsToAlarm=evaluations,
                Threshold=1,
                ComparisonOperator="LessThanThreshold",
                TreatMissingData="breaching",
            )
    return alarms


DAY_SECONDS = 86_400


def not_run_window(period_minutes: int) -> tuple[int, int]:
    """CloudWatch period (s) and evaluation periods that together span twice a schedule's period.

    CloudWatch takes periods up to a day; a longer window (a daily schedule: two days) is that many
    whole days, every one of them without an invocation before the alarm fires.
    """
    window = 2 * period_minutes * 60
    if window <= DAY_SECONDS:
        return window, 1
    if window % DAY_SECONDS:
        raise SystemExit(f"a period of {period_minutes} minutes is not a whole number of days")
    return DAY_SECONDS, window // DAY_SECONDS
