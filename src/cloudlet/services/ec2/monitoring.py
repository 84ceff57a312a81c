"""CloudWatch metrics of running instances: CPUUtilization measured from their processes.

Every minute (AWS time, through the clock) the monitor reads each running instance's CPU seconds
(`Child.cpu_seconds()`: its whole process tree) and, when the instance's period is due — 1 minute
with detailed monitoring, 5 minutes with basic — publishes

    CPUUtilization = (CPU seconds used + seconds spent ready to run but waiting for a CPU)
                     / (real seconds elapsed * the type's vCPUs) * 100, at most 100

for the real time since its previous datapoint, with the dimensions AWS gives EC2 metrics:
`InstanceId`, and as separate aggregates `AutoScalingGroupName` (instances of a group),
`ImageId` and `InstanceType`. CPU use is real (user code is never scaled), only the period is.

Why the waiting time counts: an EC2 instance has vCPUs of its own, while here every instance
shares the host's cores with the others (and with whatever else runs on the machine). A process
that is ready to run but waits for a host core would have been running on its own vCPU, so the
time it waits (the run-queue delay the kernel keeps in `/proc/<pid>/task/<tid>/schedstat`) is
counted as used: a busy instance reads busy even on a loaded host, an idle one still reads idle.

`publish` is the one way out: CloudWatch's in-process API when CloudWatch is served, nothing
otherwise.
"""

from __future__ import annotations

import logging
import os
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
TIMER = "ec2:monitor"
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
    waits: dict[tuple[int, int], int]
    """(pid, tid) → nanoseconds spent waiting on a run queue, for the tree's live threads."""


def run_queue_waits(pid: int) -> dict[tuple[int, int], int]:
    """Run-queue waiting time of every thread of the process tree rooted at `pid`."""
    try:
        import psutil

        pids = [pid] + [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except Exception:
        return {}
    waits: dict[tuple[int, int], int] = {}
    for process in pids:
        try:
            threads = os.listdir(f"/proc/{process}/task")
        except OSError:
            continue
        for tid in threads:
            try:
                with open(f"/proc/{process}/task/{tid}/schedstat") as handle:
                    waits[(process, int(tid))] = int(handle.read().split()[1])
            except (OSError, ValueError, IndexError):
                continue
    return waits


def waited_seconds(before: dict[tuple[int, int], int], after: dict[tuple[int, int], int]) -> float:
    """Seconds the tree's threads waited between two readings (new threads: all their wait)."""
    total = 0
    for key, value in after.items():
        total += value - before.get(key, 0) if key in before else value
    return max(0, total) / 1e9


class Monitor:
    """The periodic CPU measurement of every running instance.

    Ticks are a durable timer chain (`ec2:monitor`) while instances exist, so after a restart the
    pending tick loads EC2 again, which boots the instances that were running.
    """

    def __init__(self, platform: Platform, lifecycle: Lifecycle) -> None:
        self.platform = platform
        self.lifecycle = lifecycle
        self._last: dict[str, _Sample] = {}
        self._last_tick = 0.0
        self._armed = False
        platform.clock.on(TIMER, self._on_timer)

    def ensure_running(self) -> None:
        """Arm the next tick unless this process armed one already."""
        if not self._armed:
            self._armed = True
            self.platform.clock.schedule(TIMER, TICK, {})

    def stop(self) -> None:
        self._armed = False
        self._last.clear()

    def _on_timer(self, payload: dict[str, Any]) -> None:
        now = time.time()
        if now - self._last_tick < self.platform.clock.real_seconds(TICK) * 0.5:
            return  # a chain armed before a restart, running beside this process's own
        self._last_tick = now
        self._armed = False
        try:
            self.tick()
        except Exception:
            log.exception("instance monitoring failed")
        if self.lifecycle.store.every("instance"):
            self.ensure_running()

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
            waits = run_queue_waits(pid)
            last = self._last.get(instance_id)
            if last is None or last.pid != pid:
                self._last[instance_id] = _Sample(cpu, now, pid, waits)
                continue
            period = DETAILED if doc["Monitoring"]["State"] == "enabled" else BASIC
            elapsed = now - last.at
            if elapsed < self.platform.clock.real_seconds(period) * 0.9:
                continue
            kind = instance_type(doc["InstanceType"])
            vcpus = kind.vcpus if kind is not None else 1
            busy = (cpu - last.cpu) + waited_seconds(last.waits, waits)
            utilization = min(100.0, max(0.0, busy / (elapsed * vcpus) * 100))
            self._last[instance_id] = _Sample(cpu, now, pid, waits)
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
