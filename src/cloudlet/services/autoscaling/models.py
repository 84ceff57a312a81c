"""Auto Scaling's domain objects: groups, their member instances, scaling activities.

Documents in the store are these dataclasses' dicts (`asdict`); the wire shapes are built by
`describe()` methods. Times are epoch seconds (real time: AWS timestamps are never scaled).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudlet.errors import ServiceError

IN_FLIGHT_LAUNCH = ("Pending", "Pending:Wait", "Pending:Proceed")
IN_FLIGHT_TERMINATE = ("Terminating", "Terminating:Wait", "Terminating:Proceed")
COUNTED = (*IN_FLIGHT_LAUNCH, "InService")
"""Lifecycle states that count toward the group's capacity."""


def validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationError")


def group_not_found(name: str) -> ServiceError:
    return validation(f"AutoScalingGroup name not found - AutoScalingGroup {name} not found")


def stamp(epoch: float) -> str:
    """AWS's timestamps in causes: `2020-02-11T18:34:10Z`."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass
class Group:
    """One Auto Scaling group's configuration and bookkeeping."""

    name: str
    arn: str
    min_size: int
    max_size: int
    desired: int
    zones: list[str]
    subnets: list[str]
    """Subnet ids in VPCZoneIdentifier order ([] when the group names zones only)."""
    placements: list[list[str]] = field(default_factory=list)
    """[zone, subnet] where instances launch: the VPCZoneIdentifier subnets, or the default
    subnet of each zone."""
    launch_configuration: str | None = None
    launch_template: dict[str, str] | None = None
    """{"LaunchTemplateId", "LaunchTemplateName", "Version"} as given (Version may be $Latest)."""
    default_cooldown: int = 300
    health_check_type: str = "EC2"
    grace_period: int = 0
    target_groups: list[str] = field(default_factory=list)
    termination_policies: list[str] = field(default_factory=lambda: ["Default"])
    protect_new: bool = False
    tags: list[dict[str, Any]] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    suspended: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    """Enabled group metrics (EnableMetricsCollection)."""
    warmup: int | None = None
    """DefaultInstanceWarmup."""
    max_lifetime: int | None = None
    capacity_rebalance: bool = False
    deleting: bool = False
    change: str = ""
    """The cause of the latest desired-capacity change, until activities use it."""
    cooldown_pending: int | None = None
    """A simple policy ran: the cooldown (AWS seconds) starts once its activities finish."""
    cooldown_until: float = 0.0
    """Real time when the current cooldown ends."""
    stepped_at: float = 0.0
    """When a step policy last scaled out: instances launched since then warm up."""
    failures: int = 0
    """Launches in a row that failed or whose instance died young (launch back-off)."""
    retry_at: float = 0.0
    """No launch before this real time (back-off)."""

    @classmethod
    def load(cls, doc: dict[str, Any]) -> Group:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})

    def dump(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def describe(self, members: list[Member]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AutoScalingGroupName": self.name,
            "AutoScalingGroupARN": self.arn,
            "MinSize": self.min_size,
            "MaxSize": self.max_size,
            "DesiredCapacity": self.desired,
            "DefaultCooldown": self.default_cooldown,
            "AvailabilityZones": self.zones,
            "LoadBalancerNames": [],
            "TargetGroupARNs": self.target_groups,
            "HealthCheckType": self.health_check_type,
            "HealthCheckGracePeriod": self.grace_period,
            "Instances": [m.describe() for m in members if m.state != "Terminated"],
            "CreatedTime": when(self.created),
            "SuspendedProcesses": [
                {"ProcessName": p, "SuspensionReason": "User suspended at " + stamp(self.created)}
                for p in self.suspended
            ],
            "VPCZoneIdentifier": ",".join(self.subnets),
            "EnabledMetrics": [{"Metric": m, "Granularity": "1Minute"} for m in self.metrics],
            "Tags": [
                {**t, "ResourceId": self.name, "ResourceType": "auto-scaling-group"}
                for t in self.tags
            ],
            "TerminationPolicies": self.termination_policies,
            "NewInstancesProtectedFromScaleIn": self.protect_new,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{self.arn.split(':')[4]}:role/aws-service-role"
            "/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": self.capacity_rebalance,
            "TrafficSources": [{"Identifier": arn, "Type": "elbv2"} for arn in self.target_groups],
        }
        if self.launch_configuration:
            out["LaunchConfigurationName"] = self.launch_configuration
        if self.launch_template:
            out["LaunchTemplate"] = self.launch_template
        if self.deleting:
            out["Status"] = "Delete in progress"
        if self.warmup is not None:
            out["DefaultInstanceWarmup"] = self.warmup
        if self.max_lifetime is not None:
            out["MaxInstanceLifetime"] = self.max_lifetime
        return out


@dataclass
class Member:
    """One instance of a group, in Auto Scaling's view."""

    instance_id: str
    group: str
    zone: str
    subnet: str
    instance_type: str
    image_id: str
    state: str = "Pending"
    """LifecycleState."""
    healthy: bool = True
    protected: bool = False
    launch_configuration: str | None = None
    launch_template: dict[str, str] | None = None
    """{"LaunchTemplateId", "LaunchTemplateName", "Version"} with the version number launched."""
    template_created: float = 0.0
    """When its launch configuration, or its launch template version, was created."""
    launched: float = field(default_factory=time.time)
    in_service_at: float = 0.0
    activity: str = ""
    """The store key of the activity launching or terminating it."""
    health_cause: str = ""
    """Why it is being replaced (the cause of its termination activity)."""
    decrement: bool = False
    """Its termination lowers the desired capacity (TerminateInstanceInAutoScalingGroup)."""
    deregistered_at: float = 0.0
    hook_name: str = ""
    """The lifecycle hook the instance waits on (Pending:Wait, Terminating:Wait)."""
    hook_token: str = ""
    hook_deadline: float = 0.0
    """Real time when the hook's heartbeat times out."""
    hook_limit: float = 0.0
    """Real time of the hook's global time-out (min(48 h, 100 x heartbeat))."""
    hook_result: str = ""
    """CONTINUE or ABANDON once the current lifecycle action completed."""
    hooks_done: list[str] = field(default_factory=list)
    terminate_sent: bool = False

    @classmethod
    def load(cls, doc: dict[str, Any]) -> Member:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})

    def dump(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def describe(self, with_group: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "InstanceId": self.instance_id,
            "InstanceType": self.instance_type,
            "AvailabilityZone": self.zone,
            "LifecycleState": self.state,
            "HealthStatus": "Healthy" if self.healthy else "Unhealthy",
            "ProtectedFromScaleIn": self.protected,
        }
        if with_group:
            out["AutoScalingGroupName"] = self.group
        if self.launch_configuration:
            out["LaunchConfigurationName"] = self.launch_configuration
        if self.launch_template:
            out["LaunchTemplate"] = self.launch_template
        return out


@dataclass
class Activity:
    """One scaling activity (DescribeScalingActivities)."""

    id: str
    group: str
    group_arn: str
    description: str
    cause: str
    start: float
    status: str = "InProgress"
    progress: int = 0
    end: float | None = None
    message: str | None = None
    details: str = "{}"

    @classmethod
    def load(cls, doc: dict[str, Any]) -> Activity:
        return cls(**doc)

    def dump(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ActivityId": self.id,
            "AutoScalingGroupName": self.group,
            "AutoScalingGroupARN": self.group_arn,
            "Description": self.description,
            "Cause": self.cause,
            "StartTime": when(self.start),
            "StatusCode": self.status,
            "Progress": self.progress,
            "Details": self.details,
        }
        if self.end is not None:
            out["EndTime"] = when(self.end)
        if self.message:
            out["StatusMessage"] = self.message
        return out
