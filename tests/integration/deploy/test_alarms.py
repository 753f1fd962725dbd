"""The alarms watch metrics that something really publishes, and every schedule's not-run window is right."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from chalice.app import Cron

from app import app
from chalicelib.clock import FixedClock
from chalicelib.functions import jobs as job_functions
from chalicelib.settings import get_settings
from chalicelib.store.jobs import JobStore, new_job
from chalicelib.store.registry import all_models
from infra.resources.alarms import not_run_window
from infra.resources.template import app_functions, cron_period_minutes, merge_template
from tests.pki import PKI_NOW


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return merge_template(get_settings(), all_models(), app_functions(app))


def _emf_metrics(printed: str) -> dict[tuple[str, str, tuple[tuple[str, str], ...]], float]:
    """Every metric of the EMF lines printed: (namespace, name, dimensions) -> value."""
    found = {}
    for line in printed.splitlines():
        if '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            dimensions = tuple(sorted((name, record[name]) for group in directive["Dimensions"] for name in group))
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                found[(directive["Namespace"], metric["Name"], dimensions)] = (
                    value[0] if isinstance(value, list) else value
                )
    return found


def _alarmed(alarm: dict[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    props = alarm["Properties"]
    return props["Namespace"], props["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in props["Dimensions"]))


def test_the_job_sweep_publishes_exactly_the_metrics_the_alarms_watch(aws, template, monkeypatch, capsys):
    clock = FixedClock(PKI_NOW)
    monkeypatch.setattr("chalicelib.wiring.clock", lambda: clock)
    store = JobStore()
    # given two jobs overdue (due 10 and 6 minutes ago), one due just now, one due later, one dead letter
    for name, due in (("a", -10), ("b", -6), ("c", -1), ("d", 30)):
        job = new_job(
            f"unknown.kind:{name}", "unknown.kind", {}, now=clock.now(), due=clock.now() + timedelta(minutes=due)
        )
        job.save()
    dead = new_job("unknown.kind:dead", "unknown.kind", {}, now=clock.now() - timedelta(hours=1))
    dead.save()
    store.park(dead, clock.now(), "failed")
    monkeypatch.setattr(job_functions.wiring, "job_worker", lambda: _Idle(clock, store))
    capsys.readouterr()
    # when the sweep runs
    result = job_functions.job_sweep.func({})  # the handler itself, as Lambda calls it
    # then it reports and publishes two overdue jobs and one dead letter
    assert (result["overdue"], result["dead_letters"]) == (2, 1)
    published = _emf_metrics(capsys.readouterr().out)
    resources = template["Resources"]
    assert published[_alarmed(resources["JobsOverdueAlarm"])] == 2
    assert published[_alarmed(resources["JobDeadLettersAlarm"])] == 1
    # and each alarm fires above zero of it
    for name in ("JobsOverdueAlarm", "JobDeadLettersAlarm"):
        props = resources[name]["Properties"]
        assert (props["Threshold"], props["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_an_alarm_on_another_metric_would_not_match_what_the_sweep_publishes(template):
    # a planted difference in the dimension is caught by the comparison above
    spoiled = json.loads(json.dumps(template["Resources"]["JobsOverdueAlarm"]))
    spoiled["Properties"]["Dimensions"] = [{"Name": "service", "Value": "other"}]
    assert _alarmed(spoiled) != _alarmed(template["Resources"]["JobsOverdueAlarm"])


class _Idle:
    """The worker with nothing run: the sweep's counts are the store's alone."""

    def __init__(self, clock: FixedClock, store: JobStore) -> None:
        self.clock, self.store = clock, store

    def run_due(self, limit: int = 200) -> Any:
        from chalicelib.jobs.worker import Outcome

        return Outcome()


def test_every_scheduled_function_has_a_not_run_alarm_over_twice_its_period(template):
    resources = template["Resources"]
    scheduled = [f for f in app_functions(app) if f.name not in ("api_handler", "job_worker")]
    assert {f.name for f in scheduled} >= {"scheduled-reports", "job-sweep", "direction-expiry"}
    for function in scheduled:
        assert function.period_minutes, function.name
        props = resources[f"{function.logical_id}NotRunAlarm"]["Properties"]
        assert props["Period"] * props["EvaluationPeriods"] == 2 * function.period_minutes * 60
        assert props["DatapointsToAlarm"] == props["EvaluationPeriods"]
        # CloudWatch: a period of at most a day, a multiple of 60 s; at most 7 days evaluated
        assert props["Period"] <= 86_400 and props["Period"] % 60 == 0
        assert props["Period"] * props["EvaluationPeriods"] <= 7 * 86_400
        assert (props["MetricName"], props["Threshold"], props["TreatMissingData"]) == ("Invocations", 1, "breaching")


def test_the_scheduled_reports_run_daily_so_two_days_without_a_run_alarm():
    reports = next(f for f in app_functions(app) if f.name == "scheduled-reports")
    assert reports.period_minutes == 1440
    assert not_run_window(1440) == (86_400, 2)
    assert not_run_window(60) == (7200, 1)


@pytest.mark.parametrize(
    ("cron", "minutes"),
    [
        (Cron("*", "*", "*", "*", "?", "*"), 1),
        (Cron(5, "*", "*", "*", "?", "*"), 60),
        (Cron(30, 19, "*", "*", "?", "*"), 1440),
        (Cron(0, 3, "?", "*", "MON", "*"), 7 * 1440),
        (Cron(0, 3, "?", "*", 2, "*"), 7 * 1440),
        (Cron(0, 3, 1, "*", "?", "*"), 31 * 1440),
    ],
)
def test_a_cron_period_is_the_longest_gap_between_runs(cron, minutes):
    assert cron_period_minutes(cron) == minutes


@pytest.mark.parametrize(
    "cron",
    [Cron(0, 3, 1, "1", "?", "*"), Cron("0/5", "*", "*", "*", "?", "*"), Cron(0, "8-17", "*", "*", "?", "*")],
)
def test_a_cron_without_a_watchable_period_stops_the_build(cron):
    with pytest.raises(SystemExit):
        cron_period_minutes(cron)

