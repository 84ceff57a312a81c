"""Alarms evaluated on the clock, end to end, on a server whose minute lasts one second.

Data is published continuously (a datapoint every few hundred milliseconds, stamped now) while
waiting for a state, so the outcome does not depend on when the evaluator's ticks land. Waits
are bounded generously: they only guard liveness on a loaded machine.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cloudlet.testing import CloudletProcess, wait_for

SCALE = 60.0


@pytest.fixture(scope="module")
def fast_server() -> Iterator[CloudletProcess]:
    server = CloudletProcess(time_scale=SCALE)
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def fast(fast_server: CloudletProcess, _boto3_session: Any) -> Any:
    from botocore.config import Config

    return _boto3_session.client(
        "cloudwatch",
        endpoint_url=fast_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=str(random.randrange(10**11, 10**12)),
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


class Publisher:
    """Publishes `value` for a metric every 0.2 s in a thread until stopped or changed."""

    def __init__(self, client: Any, namespace: str, name: str, resolution: int = 60) -> None:
        self.client, self.namespace, self.name = client, namespace, name
        self.resolution = resolution
        self.value: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            value = self.value
            if value is None:
                continue
            datum = {"MetricName": self.name, "Value": value, "StorageResolution": self.resolution}
            self.client.put_metric_data(Namespace=self.namespace, MetricData=[datum])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.fixture
def publisher(fast: Any) -> Iterator[Callable[..., Publisher]]:
    started: list[Publisher] = []

    def start(namespace: str, name: str, resolution: int = 60) -> Publisher:
        started.append(Publisher(fast, namespace, name, resolution))
        return started[-1]

    yield start
    for one in started:
        one.stop()


def _state_is(client: Any, name: str, state: str) -> dict[str, Any] | None:
    found = client.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    for alarm in found["MetricAlarms"] + found["CompositeAlarms"]:
        if alarm["StateValue"] == state:
            return dict(alarm)
    return None


def _alarm(name: str, **overrides: Any) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "Namespace": "Load",
        "MetricName": "Cpu",
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 2,
        "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold",
    } | overrides


def test_breach_then_recovery(fast: Any, publisher: Callable[..., Publisher]) -> None:
    fast.put_metric_alarm(**_alarm("cpu"))
    load = publisher("Load", "Cpu")
    load.value = 95.0
    alarm = wait_for(lambda: _state_is(fast, "cpu", "ALARM"))
    assert alarm["StateReason"].startswith(
        "Threshold Crossed: 2 out of the last 2 datapoints [95.0 ("
    )
    assert alarm["StateReason"].endswith(
        "were greater than the threshold (80.0) (minimum 2 datapoints for INSUFFICIENT_DATA -> "
        "ALARM transition)."
    )
    data = json.loads(alarm["StateReasonData"])
    assert (data["statistic"], data["period"], data["threshold"]) == ("Average", 60, 80.0)
    assert [p["value"] for p in data["evaluatedDatapoints"]] == [95.0, 95.0]
    load.value = 20.0
    recovered = wait_for(lambda: _state_is(fast, "cpu", "OK"))
    assert "(minimum 1 datapoint for ALARM -> OK transition)." in recovered["StateReason"]
    history = fast.describe_alarm_history(
        AlarmName="cpu", HistoryItemType="StateUpdate", ScanBy="TimestampAscending"
    )["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history] == [
        "Alarm updated from INSUFFICIENT_DATA to ALARM",
        "Alarm updated from ALARM to OK",
    ]


@pytest.mark.parametrize(
    ("treat", "state", "kind"),
    [("breaching", "ALARM", "Breaching"), ("notBreaching", "OK", "NonBreaching")],
)
def test_missing_data_treated(fast: Any, treat: str, state: str, kind: str) -> None:
    fast.put_metric_alarm(**_alarm("quiet", EvaluationPeriods=1, TreatMissingData=treat))
    alarm = wait_for(lambda: _state_is(fast, "quiet", state))
    assert alarm["StateReason"] == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
        f"was treated as [{kind}]."
    )


def test_set_state_lasts_until_the_next_evaluation(fast: Any) -> None:
    fast.put_metric_alarm(**_alarm("flip", EvaluationPeriods=1, TreatMissingData="breaching"))
    wait_for(lambda: _state_is(fast, "flip", "ALARM"))
    fast.set_alarm_state(AlarmName="flip", StateValue="OK", StateReason="pretend")
    wait_for(lambda: _state_is(fast, "flip", "ALARM"))
    summaries = [
        h["HistorySummary"]
        for h in fast.describe_alarm_history(
            AlarmName="flip", HistoryItemType="StateUpdate", ScanBy="TimestampAscending"
        )["AlarmHistoryItems"]
    ]
    assert summaries[:3] == [
        "Alarm updated from INSUFFICIENT_DATA to ALARM",
        "Alarm updated from ALARM to OK",
        "Alarm updated from OK to ALARM",
    ]


def test_high_resolution_alarm(fast: Any, publisher: Callable[..., Publisher]) -> None:
    fast.put_metric_alarm(**_alarm("fast-cpu", MetricName="FastCpu", Period=10))
    publisher("Load", "FastCpu", resolution=1).value = 99.0
    alarm = wait_for(lambda: _state_is(fast, "fast-cpu", "ALARM"))
    assert json.loads(alarm["StateReasonData"])["period"] == 10


def test_metric_math_alarm(fast: Any, publisher: Callable[..., Publisher]) -> None:
    def stat(name: str) -> dict[str, Any]:
        metric = {"Namespace": "Api", "MetricName": name}
        return {"Metric": metric, "Period": 60, "Stat": "Average"}

    fast.put_metric_alarm(
        AlarmName="error-rate",
        Metrics=[
            {"Id": "errors", "MetricStat": stat("Errors"), "ReturnData": False},
            {"Id": "requests", "MetricStat": stat("Requests"), "ReturnData": False},
            {"Id": "rate", "Expression": "100 * errors / requests"},
        ],
        EvaluationPeriods=1,
        Threshold=5.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    publisher("Api", "Requests").value = 10.0
    publisher("Api", "Errors").value = 2.0
    alarm = wait_for(lambda: _state_is(fast, "error-rate", "ALARM"))
    assert "[20.0 (" in alarm["StateReason"]
    assert "statistic" not in json.loads(alarm["StateReasonData"])


def test_auto_scaling_actions_fire_every_period(fast: Any) -> None:
    policy = (
        "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1a2b:"
        "autoScalingGroupName/web:policyName/out"
    )
    fast.put_metric_alarm(
        **_alarm("scale", EvaluationPeriods=1, TreatMissingData="breaching", AlarmActions=[policy])
    )

    def actions() -> list[dict[str, Any]] | None:
        items = fast.describe_alarm_history(AlarmName="scale", HistoryItemType="Action")
        found = items["AlarmHistoryItems"]
        return found if len(found) >= 3 else None

    items = wait_for(actions)
    assert all(i["HistorySummary"].startswith(f"Failed to execute action {policy}.") for i in items)
    data = json.loads(items[0]["HistoryData"])
    assert (data["actionState"], data["notificationResource"]) == ("Failed", policy)
    # Each run is a separate period: one StateUpdate, several actions.
    updates = fast.describe_alarm_history(AlarmName="scale", HistoryItemType="StateUpdate")
    assert len(updates["AlarmHistoryItems"]) == 1


def test_disabled_actions_do_not_run(fast: Any) -> None:
    policy = (
        "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1a2b:"
        "autoScalingGroupName/web:policyName/out"
    )
    fast.put_metric_alarm(
        **_alarm(
            "muted", EvaluationPeriods=1, TreatMissingData="breaching", AlarmActions=[policy],
            ActionsEnabled=False,
        )
    )  # fmt: skip
    wait_for(lambda: _state_is(fast, "muted", "ALARM"))
    time.sleep(1.5)  # a period and a half: re-fires would have happened by now
    items = fast.describe_alarm_history(AlarmName="muted", HistoryItemType="Action")
    assert items["AlarmHistoryItems"] == []


def test_evaluation_resumes_after_a_restart(tmp_path: Any, _boto3_session: Any) -> None:
    """A breaching datapoint stamped 6 s ahead is first evaluated by the restarted server, before
    anything calls CloudWatch there: the persisted evaluation timer brought the service back."""
    from botocore.config import Config

    server = CloudletProcess(time_scale=SCALE, data_dir=tmp_path / "data")
    server.start()
    try:
        client = _boto3_session.client(
            "cloudwatch", endpoint_url=server.endpoint, region_name="us-east-1",
            aws_access_key_id="123456789012", aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )  # fmt: skip
        # Period 300 lasts 5 s here; the evaluation range (3 periods) keeps the point for 15 s.
        client.put_metric_alarm(
            **_alarm("survivor", Period=300, EvaluationPeriods=1, TreatMissingData="ignore")
        )
        client.set_alarm_state(AlarmName="survivor", StateValue="OK", StateReason="before")
        ahead = time.time() + 6.0
        client.put_metric_data(
            Namespace="Load", MetricData=[{"MetricName": "Cpu", "Value": 99.0, "Timestamp": ahead}]
        )
        server.stop()
        server.start()
        restarted = time.time()
        time.sleep(max(0.0, ahead + 4.0 - time.time()))
        history = client.describe_alarm_history(
            AlarmName="survivor", HistoryItemType="StateUpdate"
        )["AlarmHistoryItems"]
        assert history[0]["HistorySummary"] == "Alarm updated from OK to ALARM"
        assert history[0]["Timestamp"].timestamp() >= restarted
    finally:
        server.cleanup()
