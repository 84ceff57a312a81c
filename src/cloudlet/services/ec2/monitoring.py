"""CloudWatch metrics of running instances: CPUUtilization measured from their processes.

Every minute (AWS time, through the clock) the monitor reads each running instance's CPU seconds
(`Child.cpu_seconds()`: its whole process tree) and, when the instance's period is due — 1 minute
with detailed monitoring, 5 minutes with basic — publishes

    CPUUtilization = CPU seconds used / (real seconds elapsed * the type's vCPUs) * 100

for the real time since its previous datapoint, with the dimensions AWS gives EC2 metrics:
`InstanceId`, and as separate aggregates `AutoScalingGroupName` (instances of a group),
`ImageId` and `InstanceType`. CPU use is real (user code is never scaled), only the period is.

`publish` is the one way out: CloudWatch's in-process API when CloudWatch is served, nothing
otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudlet.services.ec2.instance_types import instance_type

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.ec2.lifecycle import Lifecycle

log = logging.getLogger(__name__)

TICK = 60.0
"""AWS seconds between two looks at the instances."""
BASIC = 300.0
DETAILED = 60.0


def publish(
    platform: Platform, account: str, region: str, namespace: str, data: list[dict[str, Any]]
) -> None:
    """Publish datapoints to CloudWatch in-process (dropped while CloudWatch is not served)."""
    from cloudlet.services.registry import SERVICES

    if "cloudwatch" not in SERVICES or not data:
        return
    try:
        from cloudlet.services.cloudwatch.metrics import put_metric_data
    except ImportError:
        return
    try:
        put_metric_data(platform, account, region, namespace, data)
    except Exception:
        log.exception("publishing %s metrics failed", namespace)


@dataclass
class _Sample:
    cpu: float
    at: float
    pid: int


class Monitor:
    """The periodic CPU measurement of every running instance."""

    def __init__(self, platform: Platform, lifecycle: Lifecycle) -> None:
        self.platform = platform
        self.lifecycle = lifecycle
        self._last: dict[str, _Sample] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._last.clear()

    async def _loop(self) -> None:
        while True:
            await self.platform.clock.sleep(TICK)
            try:
                self.tick()
            except Exception:
                log.exception("instance monitoring failed")

    def tick(self) -> None:
        """Publish every instance whose period is due; start the clock of new ones."""
        now = time.time()
        seen = set()
        batches: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for account, region, doc in self.lifecycle.store.every("instance"):
            instance_id = doc["InstanceId"]
            if doc["State"]["Name"] != "running":
                continue
            measured = self.lifecycle.machines.cpu_seconds(instance_id)
            if measured is None:
                continue
            seen.add(instance_id)
            cpu, pid = measured
            last = self._last.get(instance_id)
            if last is None or last.pid != pid:
                self._last[instance_id] = _Sample(cpu, now, pid)
                continue
            period = DETAILED if doc["Monitoring"]["State"] == "enabled" else BASIC
            elapsed = now - last.at
            if elapsed < self.platform.clock.real_seconds(period) * 0.9:
                continue
            kind = instance_type(doc["InstanceType"])
            vcpus = kind.vcpus if kind is not None else 1
            utilization = min(100.0, max(0.0, (cpu - last.cpu) / (elapsed * vcpus) * 100))
            self._last[instance_id] = _Sample(cpu, now, pid)
            batches.setdefault((account, region), []).extend(datums(doc, utilization, now))
        for gone in set(self._last) - seen:
            del self._last[gone]
        for (account, region), data in batches.items():
            for start in range(0, len(data), 1000):
                publish(self.platform, account, region, "AWS/EC2", data[start : start + 1000])


def datums(doc: dict[str, Any], utilization: float, now: float) -> list[dict[str, Any]]:
    """The CPUUtilization datapoints of one instance, one per dimension AWS publishes."""
    group = next(
        (t["Value"] for t in doc.get("Tags") or [] if t["Key"] == "aws:autoscaling:groupName"),
        None,
    )
    dimension_sets = [
        [{"Name": "InstanceId", "Value": doc["InstanceId"]}],
        [{"Name": "ImageId", "Value": doc["ImageId"]}],
        [{"Name": "InstanceType", "Value": doc["InstanceType"]}],
    ]
    if group:
        dimension_sets.append([{"Name": "AutoScalingGroupName", "Value": group}])
    return [
        {
            "MetricName": "CPUUtilization",
            "Dimensions": dims,
            "Timestamp": now,
            "Value": round(utilization, 4),
            "Unit": "Percent",
        }
        for dims in dimension_sets
    ]
