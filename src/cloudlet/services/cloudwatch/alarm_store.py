"""Alarms and their history in SQLite, and `Alarm`, the domain object both alarm kinds share.

    cw_alarms          (account, region, name) → kind, JSON body: the configuration as the API
                       takes it, the state, timestamps (epoch seconds) and tags
    cw_alarm_history   one row per history item, indexed by alarm and by time; items older than
                       14 days are dropped as AWS drops them

`Alarm.describe()` gives the API's `MetricAlarm` or `CompositeAlarm` shape. Alarm names are
unique across both kinds in one account and region.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cloudlet.platform.store import Migration, Store
from cloudlet.services.cloudwatch.models import timestamp

METRIC = "MetricAlarm"
COMPOSITE = "CompositeAlarm"
HISTORY_SECONDS = 14 * 86400.0
"""AWS keeps alarm history for two weeks."""

INITIAL_REASON = "Unchecked: Initial alarm creation"

MIGRATIONS: list[Migration] = [
    (
        "0002_alarms",
        """
        CREATE TABLE cw_alarms (
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (account, region, name)
        ) WITHOUT ROWID;
        CREATE TABLE cw_alarm_history (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            ts REAL NOT NULL,
            item_type TEXT NOT NULL,
            summary TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX cw_alarm_history_alarm ON cw_alarm_history (account, region, name, ts);
        CREATE INDEX cw_alarm_history_ts ON cw_alarm_history (account, region, ts);
        """,
    )
]


def alarm_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"


@dataclass
class Alarm:
    """A metric or composite alarm: its configuration and its state."""

    account: str
    region: str
    name: str
    kind: str
    config: dict[str, Any]
    """The members of the Put request that shape the alarm (API names and values)."""
    state: str = "INSUFFICIENT_DATA"
    reason: str = INITIAL_REASON
    reason_data: str | None = None
    state_updated: float = field(default_factory=time.time)
    state_transitioned: float | None = None
    config_updated: float = field(default_factory=time.time)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return alarm_arn(self.region, self.account, self.name)

    @property
    def actions_enabled(self) -> bool:
        return bool(self.config.get("ActionsEnabled", True))

    def actions_for(self, state: str) -> list[str]:
        member = {"ALARM": "AlarmActions", "OK": "OKActions"}.get(state, "InsufficientDataActions")
        return list(self.config.get(member) or [])

    def describe(self) -> dict[str, Any]:
        """The API shape (`MetricAlarm` or `CompositeAlarm`)."""
        shape: dict[str, Any] = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmConfigurationUpdatedTimestamp": timestamp(self.config_updated),
            "ActionsEnabled": self.actions_enabled,
            "OKActions": self.actions_for("OK"),
            "AlarmActions": self.actions_for("ALARM"),
            "InsufficientDataActions": self.actions_for("INSUFFICIENT_DATA"),
            "StateValue": self.state,
            "StateReason": self.reason,
            "StateUpdatedTimestamp": timestamp(self.state_updated),
            "StateTransitionedTimestamp": timestamp(self.state_transitioned or self.state_updated),
        }
        if self.reason_data is not None:
            shape["StateReasonData"] = self.reason_data
        if self.config.get("AlarmDescription") is not None:
            shape["AlarmDescription"] = self.config["AlarmDescription"]
        if self.kind == COMPOSITE:
            for member in (
                "AlarmRule",
                "ActionsSuppressor",
                "ActionsSuppressorWaitPeriod",
                "ActionsSuppressorExtensionPeriod",
            ):
                if self.config.get(member) is not None:
                    shape[member] = self.config[member]
            return shape
        shape["Dimensions"] = list(self.config.get("Dimensions") or [])
        for member in (
            "MetricName",
            "Namespace",
            "Statistic",
            "ExtendedStatistic",
            "Period",
            "Unit",
            "EvaluationPeriods",
            "DatapointsToAlarm",
            "Threshold",
            "ComparisonOperator",
            "TreatMissingData",
            "EvaluateLowSampleCountPercentile",
            "Metrics",
            "ThresholdMetricId",
        ):
            if self.config.get(member) is not None:
                shape[member] = self.config[member]
        return shape

    def to_json(self) -> str:
        body = {
            "config": self.config,
            "state": self.state,
            "reason": self.reason,
            "reason_data": self.reason_data,
            "state_updated": self.state_updated,
            "state_transitioned": self.state_transitioned,
            "config_updated": self.config_updated,
            "tags": self.tags,
        }
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def from_row(cls, account: str, region: str, name: str, kind: str, body: str) -> Alarm:
        data = json.loads(body)
        return cls(account=account, region=region, name=name, kind=kind, **data)


@dataclass(frozen=True)
class HistoryItem:
    name: str
    kind: str
    ts: float
    item_type: str
    summary: str
    data: str

    def describe(self) -> dict[str, Any]:
        return {
            "AlarmName": self.name,
            "AlarmType": self.kind,
            "Timestamp": timestamp(self.ts),
            "HistoryItemType": self.item_type,
            "HistorySummary": self.summary,
            "HistoryData": self.data,
        }


class AlarmStore:
    """Alarms and alarm history of one cloudlet."""

    def __init__(self, store: Store) -> None:
        store.migrate("cloudwatch", MIGRATIONS)
        self.store = store

    def get(self, account: str, region: str, name: str) -> Alarm | None:
        row = self.store.query_one(
            "SELECT kind, body FROM cw_alarms WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
        return Alarm.from_row(account, region, name, row[0], row[1]) if row else None

    def save(self, alarm: Alarm) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO cw_alarms VALUES (?, ?, ?, ?, ?)",
            (alarm.account, alarm.region, alarm.name, alarm.kind, alarm.to_json()),
        )

    def delete(self, alarm: Alarm) -> None:
        self.store.execute(
            "DELETE FROM cw_alarms WHERE account = ? AND region = ? AND name = ?",
            (alarm.account, alarm.region, alarm.name),
        )

    def in_region(self, account: str, region: str, prefix: str = "") -> list[Alarm]:
        """Alarms of one account and region in name order (names starting with `prefix`)."""
        rows = self.store.query(
            "SELECT name, kind, body FROM cw_alarms WHERE account = ? AND region = ?"
            " AND substr(name, 1, ?) = ? ORDER BY name",
            (account, region, len(prefix), prefix),
        )
        return [Alarm.from_row(account, region, row[0], row[1], row[2]) for row in rows]

    def everywhere(self) -> Iterator[Alarm]:
        """Every alarm of every account and region (what the evaluator walks)."""
        for row in self.store.query("SELECT account, region, name, kind, body FROM cw_alarms"):
            yield Alarm.from_row(row[0], row[1], row[2], row[3], row[4])

    def count(self) -> int:
        row = self.store.query_one("SELECT count(*) FROM cw_alarms")
        return int(row[0]) if row else 0

    def record(self, alarm: Alarm, item_type: str, summary: str, data: dict[str, Any]) -> None:
        """Append a history item (now)."""
        self.store.execute(
            "INSERT INTO cw_alarm_history (account, region, name, kind, ts, item_type, summary,"
            " data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                alarm.account,
                alarm.region,
                alarm.name,
                alarm.kind,
                time.time(),
                item_type,
                summary,
                json.dumps(data, separators=(",", ":")),
            ),
        )

    def history(
        self,
        account: str,
        region: str,
        *,
        name: str | None,
        kinds: list[str],
        item_type: str | None,
        start: float | None,
        end: float | None,
        descending: bool,
    ) -> list[tuple[int, HistoryItem]]:
        """(row id, item) pairs, newest first unless `descending` is False."""
        self.store.execute(
            "DELETE FROM cw_alarm_history WHERE ts < ?", (time.time() - HISTORY_SECONDS,)
        )
        sql = (
            "SELECT id, name, kind, ts, item_type, summary, data FROM cw_alarm_history"
            " WHERE account = ? AND region = ?"
        )
        params: list[Any] = [account, region]
        if name is not None:
            sql += " AND name = ?"
            params.append(name)
        sql += f" AND kind IN ({','.join('?' * len(kinds))})"
        params.extend(kinds)
        if item_type is not None:
            sql += " AND item_type = ?"
            params.append(item_type)
        if start is not None:
            sql += " AND ts >= ?"
            params.append(start)
        if end is not None:
            sql += " AND ts <= ?"
            params.append(end)
        order = "DESC" if descending else "ASC"
        sql += f" ORDER BY ts {order}, id {order}"
        return [
            (row[0], HistoryItem(row[1], row[2], row[3], row[4], row[5], row[6]))
            for row in self.store.query(sql, params)
        ]
