"""The alarm operations: Put/Describe/Delete, actions on and off, SetAlarmState, history, tags.

`Alarms` binds the alarm store, the metric store and the scheduler (which owns transitions).
A new alarm starts in INSUFFICIENT_DATA ("Unchecked: Initial alarm creation") and is evaluated
at the next tick; updating an alarm keeps its state and ignores Tags (as AWS does: tags change
through TagResource). DescribeAlarms and DescribeAlarmHistory return metric alarms only unless
AlarmTypes asks for composite alarms, as AWS does. DeleteAlarms ignores unknown names and
refuses to delete an alarm a composite alarm (not deleted with it) depends on.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from cloudlet.services.cloudwatch import composite, errors
from cloudlet.services.cloudwatch.alarm_config import (
    check_tags,
    composite_alarm_config,
    metric_alarm_config,
)
from cloudlet.services.cloudwatch.alarm_store import COMPOSITE, METRIC, Alarm, AlarmStore
from cloudlet.services.cloudwatch.evaluation import alarm_period
from cloudlet.services.cloudwatch.metrics import MetricStore
from cloudlet.services.cloudwatch.models import (
    decode_token,
    dims_of,
    encode_token,
    epoch,
)
from cloudlet.services.cloudwatch.scheduler import AlarmScheduler

Request = dict[str, Any]
Response = dict[str, Any]


def _camel(shape: dict[str, Any]) -> dict[str, Any]:
    """An alarm shape as history data writes it (lowerCamel names, ISO timestamps)."""
    out: dict[str, Any] = {}
    for key, value in shape.items():
        name = key[0].lower() + key[1:]
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


class Alarms:
    def __init__(self, alarms: AlarmStore, metrics: MetricStore, scheduler: AlarmScheduler) -> None:
        self.store = alarms
        self.metrics = metrics
        self.scheduler = scheduler

    # writing

    def put_metric_alarm(self, account: str, region: str, request: Request) -> None:
        config = metric_alarm_config(request, self.metrics)
        self._put(account, region, request, METRIC, config)

    def put_composite_alarm(self, account: str, region: str, request: Request) -> None:
        config = composite_alarm_config(request)
        name = request["AlarmName"]
        rule = composite.parse_rule(request["AlarmRule"])
        references = [composite.name_of(r) for r in composite.named(rule)]
        missing = [r for r in references if self.store.get(account, region, r) is None]
        if missing:
            raise errors.validation(
                f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the "
                "alarm rule do not exist"
            )
        if name in references or self._depends_on(account, region, references, name):
            raise errors.validation(
                "Could not save the composite alarm as its alarm rule would create a cycle."
            )
        suppressor = request.get("ActionsSuppressor")
        if suppressor and self.store.get(account, region, composite.name_of(suppressor)) is None:
            raise errors.validation(f"The alarm {suppressor} does not exist.")
        self._put(account, region, request, COMPOSITE, config)

    def _depends_on(self, account: str, region: str, names: list[str], target: str) -> bool:
        """Whether any of `names` (transitively, through composite rules) names `target`."""
        seen: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            alarm = self.store.get(account, region, name)
            if alarm is None or alarm.kind != COMPOSITE:
                continue
            children = [
                composite.name_of(r)
                for r in composite.named(composite.parse_rule(alarm.config["AlarmRule"]))
            ]
            if target in children:
                return True
            pending.extend(children)
        return False

    def _put(
        self, account: str, region: str, request: Request, kind: str, config: dict[str, Any]
    ) -> None:
        name = request["AlarmName"]
        existing = self.store.get(account, region, name)
        if existing is not None and existing.kind != kind:
            other = "metric" if existing.kind == METRIC else "composite"
            raise errors.validation(f"An alarm named {name} already exists as a {other} alarm.")
        if existing is None:
            tags = check_tags(request.get("Tags"))
            now = time.time()
            alarm = Alarm(
                account,
                region,
                name,
                kind,
                config,
                state_updated=now,
                config_updated=now,
                tags=tags,
            )
            self.store.save(alarm)
            self.store.record(
                alarm,
                "ConfigurationUpdate",
                f'Alarm "{name}" created',
                {"version": "1.0", "type": "Create", "createdAlarm": _camel(alarm.describe())},
            )
        else:
            original = _camel(existing.describe())
            existing.config = config
            existing.config_updated = time.time()
            self.store.save(existing)
            self.store.record(
                existing,
                "ConfigurationUpdate",
                f'Alarm "{name}" updated',
                {
                    "version": "1.0",
                    "type": "Update",
                    "originalAlarm": original,
                    "updatedAlarm": _camel(existing.describe()),
                },
            )
        if kind == COMPOSITE:
            # Composite alarms are evaluated at once, and again whenever a child changes.
            saved = self.store.get(account, region, name)
            if saved is not None:
                self.scheduler.evaluate_composite(saved)
        high_resolution = kind == METRIC and alarm_period(config) < 60
        self.scheduler.ensure_running(high_resolution=high_resolution)

    def delete_alarms(self, account: str, region: str, names: list[str]) -> None:
        doomed = {n: a for n in names if (a := self.store.get(account, region, n)) is not None}
        blocked: list[str] = []
        for parent in self.store.in_region(account, region):
            if parent.kind != COMPOSITE or parent.name in doomed:
                continue
            rule = composite.parse_rule(parent.config["AlarmRule"])
            children = {composite.name_of(r) for r in composite.named(rule)}
            blocked.extend(n for n in doomed if n in children and n not in blocked)
        if blocked:
            pronoun = "it" if len(blocked) == 1 else "them"
            raise errors.validation(
                f"Cannot delete {','.join(blocked)} as there are composite alarm(s) depending on "
                f"{pronoun}."
            )
        for alarm in doomed.values():
            self.store.delete(alarm)
            self.store.record(
                alarm,
                "ConfigurationUpdate",
                f'Alarm "{alarm.name}" deleted',
                {"version": "1.0", "type": "Delete", "deletedAlarm": _camel(alarm.describe())},
            )

    def set_actions_enabled(self, account: str, region: str, names: list[str], on: bool) -> None:
        for name in names:
            alarm = self.store.get(account, region, name)
            if alarm is not None:
                alarm.config["ActionsEnabled"] = on
                self.store.save(alarm)

    def set_alarm_state(self, account: str, region: str, request: Request) -> None:
        name = request["AlarmName"]
        alarm = self.store.get(account, region, name)
        if alarm is None:
            raise errors.alarm_not_found(f"Alarm {name} not found")
        data = request.get("StateReasonData")
        if data is not None:
            try:
                json.loads(data)
            except ValueError as exc:
                raise errors.invalid_format(
                    "Unable to parse StateReasonData: the value is not valid JSON."
                ) from exc
        state, reason = request["StateValue"], request["StateReason"]
        if state == alarm.state:
            alarm.reason, alarm.reason_data, alarm.state_updated = reason, data, time.time()
            self.store.save(alarm)
            return
        self.scheduler.transition(alarm, state, reason, data)

    # reading

    def describe_alarms(self, account: str, region: str, request: Request) -> Response:
        names, prefix = request.get("AlarmNames"), request.get("AlarmNamePrefix")
        children_of, parents_of = (
            request.get("ChildrenOfAlarmName"),
            request.get("ParentsOfAlarmName"),
        )
        if names and prefix:
            raise errors.invalid_combination(
                "The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you "
                "have specified both."
            )
        relation = children_of or parents_of
        others = [
            m
            for m in ("AlarmNames", "AlarmNamePrefix", "StateValue", "ActionPrefix")
            if request.get(m)
        ]
        if (children_of and parents_of) or (relation and others):
            raise errors.invalid_combination(
                "ChildrenOfAlarmName and ParentsOfAlarmName cannot be combined with other filters."
            )
        kinds = request.get("AlarmTypes") or [METRIC]
        alarms = self.store.in_region(account, region, prefix or "")
        if children_of:
            parent = self.store.get(account, region, children_of)
            wanted: set[str] = set()
            if parent is not None and parent.kind == COMPOSITE:
                rule = composite.parse_rule(parent.config["AlarmRule"])
                wanted = {composite.name_of(r) for r in composite.named(rule)}
            alarms = [a for a in alarms if a.name in wanted]
        elif parents_of:
            alarms = [
                a
                for a in alarms
                if a.kind == COMPOSITE
                and parents_of
                in {
                    composite.name_of(r)
                    for r in composite.named(composite.parse_rule(a.config["AlarmRule"]))
                }
            ]
        else:
            alarms = [a for a in alarms if a.kind in kinds]
        if names:
            alarms = [a for a in alarms if a.name in set(names)]
        if request.get("StateValue"):
            alarms = [a for a in alarms if a.state == request["StateValue"]]
        if request.get("ActionPrefix"):
            action_prefix = request["ActionPrefix"]
            alarms = [
                a
                for a in alarms
                if any(
                    arn.startswith(action_prefix)
                    for state in ("OK", "ALARM", "INSUFFICIENT_DATA")
                    for arn in a.actions_for(state)
                )
            ]
        if request.get("NextToken"):
            after = decode_token(request["NextToken"])
            if not isinstance(after, str):
                raise errors.invalid_next_token()
            alarms = [a for a in alarms if a.name > after]
        limit = request.get("MaxRecords") or 50
        page = alarms[:limit]
        response: Response = {
            "MetricAlarms": [a.describe() for a in page if a.kind == METRIC],
            "CompositeAlarms": [a.describe() for a in page if a.kind == COMPOSITE],
        }
        if len(alarms) > limit:
            response["NextToken"] = encode_token(page[-1].name)
        return response

    def describe_alarms_for_metric(self, account: str, region: str, request: Request) -> Response:
        dims = dims_of(request.get("Dimensions"))
        matches = []
        for alarm in self.store.in_region(account, region):
            if alarm.kind != METRIC:
                continue
            for stat in _metric_stats(alarm.config):
                if (
                    stat["Namespace"] == request["Namespace"]
                    and stat["MetricName"] == request["MetricName"]
                    and dims_of(stat.get("Dimensions")) == dims
                    and all(
                        request.get(member) is None or stat.get(member) == request[member]
                        for member in ("Statistic", "ExtendedStatistic", "Period", "Unit")
                    )
                ):
                    matches.append(alarm.describe())
                    break
        return {"MetricAlarms": matches}

    def describe_alarm_history(self, account: str, region: str, request: Request) -> Response:
        offset = 0
        if request.get("NextToken"):
            token = decode_token(request["NextToken"])
            if not isinstance(token, int) or token < 0:
                raise errors.invalid_next_token()
            offset = token
        items = self.store.history(
            account,
            region,
            name=request.get("AlarmName"),
            kinds=request.get("AlarmTypes") or [METRIC],
            item_type=request.get("HistoryItemType"),
            start=epoch(request["StartDate"]) if request.get("StartDate") else None,
            end=epoch(request["EndDate"]) if request.get("EndDate") else None,
            descending=request.get("ScanBy", "TimestampDescending") != "TimestampAscending",
        )
        limit = request.get("MaxRecords") or 100
        page = items[offset : offset + limit]
        response: Response = {"AlarmHistoryItems": [item.describe() for _, item in page]}
        if offset + limit < len(items):
            response["NextToken"] = encode_token(offset + limit)
        return response

    # tags

    def _by_arn(self, account: str, region: str, arn: str) -> Alarm:
        parts = arn.split(":", 6)
        if len(parts) != 7 or parts[:3] != ["arn", "aws", "cloudwatch"] or parts[5] != "alarm":
            raise errors.invalid_value(f"The value {arn} for parameter ResourceARN is invalid.")
        alarm = None
        if parts[3] == region and parts[4] == account:
            alarm = self.store.get(account, region, parts[6])
        if alarm is None:
            raise errors.resource_not_found(f"The resource {arn} does not exist.")
        return alarm

    def tag_resource(self, account: str, region: str, arn: str, tags: list[dict[str, str]]) -> None:
        alarm = self._by_arn(account, region, arn)
        merged = {**alarm.tags, **check_tags(tags)}
        check_tags([{"Key": k, "Value": v} for k, v in merged.items()])
        alarm.tags = merged
        self.store.save(alarm)

    def untag_resource(self, account: str, region: str, arn: str, keys: list[str]) -> None:
        alarm = self._by_arn(account, region, arn)
        alarm.tags = {k: v for k, v in alarm.tags.items() if k not in set(keys)}
        self.store.save(alarm)

    def list_tags(self, account: str, region: str, arn: str) -> list[dict[str, str]]:
        alarm = self._by_arn(account, region, arn)
        return [{"Key": k, "Value": v} for k, v in alarm.tags.items()]


def _metric_stats(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm watches, as flat dicts (Namespace, MetricName, Dimensions, ...)."""
    if not config.get("Metrics"):
        return [config]
    stats = []
    for query in config["Metrics"]:
        raw = query.get("MetricStat")
        if raw:
            stat = raw["Stat"]
            flat = dict(raw["Metric"]) | {"Period": raw["Period"], "Unit": raw.get("Unit")}
            flat[
                "Statistic"
                if stat in ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
                else "ExtendedStatistic"
            ] = stat
            stats.append(flat)
    return stats
