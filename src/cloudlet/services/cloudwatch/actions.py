"""Alarm actions: what runs when an alarm changes state, through the internal client.

    arn:aws:autoscaling:…:scalingPolicy:…   autoscaling.ExecutePolicy (MetricValue, BreachThreshold)
    arn:aws:lambda:…:function:name[:qual]   lambda.Invoke, InvocationType Event, AWS's alarm event
    arn:aws:sns:…:topic                      sns.Publish with AWS's alarm notification message
    arn:aws:automate:region:ec2:stop|…       ec2.Stop/Terminate/RebootInstances on the InstanceId

Each attempt is an `Action` history item: "Successfully executed action <arn>", or "Failed to
execute action <arn>. Received error: "<message>"" when the target service is not served (yet),
the target does not exist, or the call fails — as AWS records a missing target. Actions run as
tasks, so an evaluation never waits for them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.cloudwatch.alarm_store import COMPOSITE, Alarm, AlarmStore

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

log = logging.getLogger(__name__)

REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-central-1": "EU (Frankfurt)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}
_EC2_ACTIONS = {
    "stop": "StopInstances",
    "terminate": "TerminateInstances",
    "reboot": "RebootInstances",
}


def is_autoscaling(arn: str) -> bool:
    return arn.startswith("arn:aws:autoscaling:")


def _iso(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}+0000"


class ActionRunner:
    """Runs alarm actions and records their outcome in the alarm's history."""

    def __init__(self, platform: Platform, alarms: AlarmStore) -> None:
        self.platform = platform
        self.alarms = alarms
        self._tasks: set[asyncio.Task[None]] = set()

    def fire(
        self,
        alarm: Alarm,
        arns: list[str],
        previous: dict[str, Any],
        value: float | None,
    ) -> None:
        """Start the actions `arns` for `alarm`'s current state (`previous`: the state before)."""
        if not arns:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        snapshot = Alarm(**{**alarm.__dict__, "config": dict(alarm.config)})
        for arn in arns:
            task = loop.create_task(self._run(snapshot, arn, previous, value))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(
        self, alarm: Alarm, arn: str, previous: dict[str, Any], value: float | None
    ) -> None:
        try:
            message = await self._call(alarm, arn, previous, value)
        except ServiceError as exc:
            self._record(alarm, arn, error=exc.message or exc.code)
        except Exception as exc:  # the target failed in a way it does not report as AWS's
            log.exception("alarm action %s of %s failed", arn, alarm.name)
            self._record(alarm, arn, error=str(exc) or type(exc).__name__)
        else:
            self._record(alarm, arn, message=message)

    async def _call(
        self, alarm: Alarm, arn: str, previous: dict[str, Any], value: float | None
    ) -> str | None:
        services = getattr(self.platform, "services", None)
        if services is None:
            raise ServiceError("No internal client in this cloudlet.")
        account, region = alarm.account, alarm.region
        parts = arn.split(":")
        if is_autoscaling(arn):
            group = next(
                (p.split("/", 1)[1] for p in parts if p.startswith("autoScalingGroupName/")), ""
            )
            params: dict[str, Any] = {
                "AutoScalingGroupName": group,
                "PolicyName": arn,
                "HonorCooldown": True,
            }
            if value is not None and alarm.config.get("Threshold") is not None:
                params["MetricValue"] = value
                params["BreachThreshold"] = float(alarm.config["Threshold"])
            await services.call(
                "autoscaling", "ExecutePolicy", params, account=account, region=region
            )
            return None
        if arn.startswith("arn:aws:lambda:"):
            payload = json.dumps(lambda_event(alarm, previous))
            await services.call(
                "lambda",
                "Invoke",
                {"FunctionName": arn, "InvocationType": "Event", "Payload": payload.encode()},
                account=account,
                region=region,
            )
            return payload
        if arn.startswith("arn:aws:sns:"):
            message = json.dumps(sns_message(alarm, previous))
            state = alarm.state
            subject = f'{state}: "{alarm.name}" in {REGION_NAMES.get(region, region)}'
            await services.call(
                "sns",
                "Publish",
                {"TopicArn": arn, "Subject": subject[:100], "Message": message},
                account=account,
                region=region,
            )
            return message
        if arn.startswith("arn:aws:automate:") and parts[-1] in _EC2_ACTIONS:
            instance = dict((d["Name"], d["Value"]) for d in alarm.config.get("Dimensions") or ())
            if "InstanceId" not in instance:
                raise ServiceError("The alarm's metric has no InstanceId dimension.")
            await services.call(
                "ec2",
                _EC2_ACTIONS[parts[-1]],
                {"InstanceIds": [instance["InstanceId"]]},
                account=account,
                region=region,
            )
            return None
        raise ServiceError(f"Unsupported action {arn}.")

    def _record(
        self, alarm: Alarm, arn: str, *, message: str | None = None, error: str | None = None
    ) -> None:
        data: dict[str, Any] = {
            "actionState": "Failed" if error is not None else "Succeeded",
            "stateUpdateTimestamp": int(alarm.state_updated * 1000),
            "notificationResource": arn,
        }
        if error is not None:
            data["error"] = error
            summary = f'Failed to execute action {arn}. Received error: "{error}"'
        else:
            if message is not None:
                data["publishedMessage"] = message
            summary = f"Successfully executed action {arn}"
        try:
            self.alarms.record(alarm, "Action", summary[:255], data)
        except Exception:  # the store was closed under a late action (shutdown)
            log.debug("could not record action history of %s", alarm.name, exc_info=True)


def _state(alarm: Alarm) -> dict[str, Any]:
    state: dict[str, Any] = {"value": alarm.state, "reason": alarm.reason}
    if alarm.reason_data is not None:
        state["reasonData"] = alarm.reason_data
    state["timestamp"] = _iso(alarm.state_updated)
    return state


def _metrics(config: dict[str, Any]) -> list[dict[str, Any]]:
    if not config.get("Metrics"):
        metric = {
            "namespace": config.get("Namespace"),
            "name": config.get("MetricName"),
            "dimensions": {d["Name"]: d["Value"] for d in config.get("Dimensions") or ()},
        }
        stat = {"metric": metric, "period": config.get("Period")}
        stat["stat"] = config.get("Statistic") or config.get("ExtendedStatistic")
        if config.get("Unit"):
            stat["unit"] = config["Unit"]
        return [{"id": "m1", "metricStat": stat, "returnData": True}]
    converted = []
    for query in config["Metrics"]:
        item: dict[str, Any] = {"id": query["Id"]}
        if query.get("MetricStat"):
            raw = query["MetricStat"]
            metric = {
                "namespace": raw["Metric"].get("Namespace"),
                "name": raw["Metric"].get("MetricName"),
                "dimensions": {
                    d["Name"]: d["Value"] for d in raw["Metric"].get("Dimensions") or ()
                },
            }
            item["metricStat"] = {"metric": metric, "period": raw["Period"], "stat": raw["Stat"]}
        else:
            item["expression"] = query.get("Expression")
        if query.get("Label") is not None:
            item["label"] = query["Label"]
        item["returnData"] = query.get("ReturnData", True)
        converted.append(item)
    return converted


def lambda_event(alarm: Alarm, previous: dict[str, Any]) -> dict[str, Any]:
    """The event AWS sends a Lambda function an alarm invokes."""
    config = alarm.config
    configuration: dict[str, Any] = {}
    if config.get("AlarmDescription") is not None:
        configuration["description"] = config["AlarmDescription"]
    if alarm.kind == COMPOSITE:
        configuration["alarmRule"] = config.get("AlarmRule")
        for member, key in (
            ("ActionsSuppressor", "actionsSuppressor"),
            ("ActionsSuppressorWaitPeriod", "actionsSuppressorWaitPeriod"),
            ("ActionsSuppressorExtensionPeriod", "actionsSuppressorExtensionPeriod"),
        ):
            if config.get(member) is not None:
                configuration[key] = config[member]
    else:
        configuration["metrics"] = _metrics(config)
    return {
        "source": "aws.cloudwatch",
        "alarmArn": alarm.arn,
        "accountId": alarm.account,
        "time": _iso(alarm.state_updated),
        "region": alarm.region,
        "alarmData": {
            "alarmName": alarm.name,
            "state": _state(alarm),
            "previousState": previous,
            "configuration": configuration,
        },
    }


def previous_state(alarm: Alarm) -> dict[str, Any]:
    """`previousState` of the Lambda event, taken before the alarm changes."""
    return _state(alarm)


def sns_message(alarm: Alarm, previous: dict[str, Any]) -> dict[str, Any]:
    """The JSON message AWS publishes to an SNS topic an alarm notifies."""
    config = alarm.config
    message: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmDescription": config.get("AlarmDescription"),
        "AWSAccountId": alarm.account,
        "AlarmConfigurationUpdatedTimestamp": _iso(alarm.config_updated),
        "NewStateValue": alarm.state,
        "NewStateReason": alarm.reason,
        "StateChangeTime": _iso(alarm.state_updated),
        "Region": REGION_NAMES.get(alarm.region, alarm.region),
        "AlarmArn": alarm.arn,
        "OldStateValue": previous.get("value"),
        "OKActions": alarm.actions_for("OK"),
        "AlarmActions": alarm.actions_for("ALARM"),
        "InsufficientDataActions": alarm.actions_for("INSUFFICIENT_DATA"),
    }
    if alarm.kind != COMPOSITE:
        trigger: dict[str, Any] = {
            "Period": config.get("Period"),
            "EvaluationPeriods": config.get("EvaluationPeriods"),
            "ComparisonOperator": config.get("ComparisonOperator"),
            "Threshold": config.get("Threshold"),
            "TreatMissingData": config.get("TreatMissingData") or "missing",
            "EvaluateLowSampleCountPercentile": config.get("EvaluateLowSampleCountPercentile", ""),
        }
        if config.get("Metrics"):
            trigger["Metrics"] = _metrics(config)
        else:
            trigger |= {
                "MetricName": config.get("MetricName"),
                "Namespace": config.get("Namespace"),
                "StatisticType": "Statistic" if config.get("Statistic") else "ExtendedStatistic",
                "Statistic": (
                    config.get("Statistic") or config.get("ExtendedStatistic") or ""
                ).upper(),
                "Unit": config.get("Unit"),
                "Dimensions": [
                    {"value": d["Value"], "name": d["Name"]} for d in config.get("Dimensions") or ()
                ],
            }
        message["Trigger"] = trigger
    else:
        message["AlarmRule"] = config.get("AlarmRule")
    return message
