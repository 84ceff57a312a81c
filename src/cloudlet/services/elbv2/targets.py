"""The live side of target groups: each target's health state, its connection pool, and the
round-robin choice of the next target.

Target health, as `DescribeTargetHealth` reports it:

    unused       the target group serves no listener (Target.NotInUse), or the instance is not
                 running (Target.InvalidState)
    initial      registered, health checks under way (Elb.RegistrationInProgress,
                 Elb.InitialHealthChecking); HealthyThresholdCount passes make it healthy,
                 UnhealthyThresholdCount failures unhealthy
    healthy      receives traffic
    unhealthy    Target.ResponseCodeMismatch, Target.Timeout or Target.FailedHealthChecks
    draining     deregistered, within the deregistration delay (Target.DeregistrationInProgress)
    unavailable  health checks are disabled (Target.HealthCheckDisabled): receives traffic

Routing takes the healthy targets in turn; when none is healthy the load balancer fails open to
every registered target that is not draining or unused, as ALB does; with none at all it answers
503.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloudlet.services.elbv2.pool import Pool


@dataclass
class Target:
    """One registered target."""

    id: str
    port: int
    host: str
    """The address connected to (the instance's private address, or the IP target itself)."""
    real_port: int
    """The port connected to (see `ec2/ports.py`)."""
    zone: str = ""
    state: str = "initial"
    reason: str | None = "Elb.RegistrationInProgress"
    description: str | None = "Target registration is in progress"
    successes: int = 0
    failures: int = 0
    pool: Pool | None = None
    instance_running: bool = True
    draining_until: float = 0.0

    def set(self, state: str, reason: str | None = None, description: str | None = None) -> None:
        self.state, self.reason, self.description = state, reason, description

    def describe(self, health_check_port: str) -> dict[str, Any]:
        health: dict[str, Any] = {"State": self.state}
        if self.reason:
            health["Reason"] = self.reason
        if self.description:
            health["Description"] = self.description
        target: dict[str, Any] = {"Id": self.id, "Port": self.port}
        if self.zone:
            target["AvailabilityZone"] = self.zone
        port = str(self.port) if health_check_port == "traffic-port" else health_check_port
        return {"Target": target, "HealthCheckPort": port, "TargetHealth": health}


@dataclass
class Counters:
    """What the load balancer saw for one target group since the last metrics publication."""

    requests: int = 0
    response_time_sum: float = 0.0
    response_time_min: float = float("inf")
    response_time_max: float = 0.0
    responses: int = 0
    target_codes: dict[str, int] = field(default_factory=dict)
    """`2XX` ... `5XX` → count of the targets' answers."""
    connection_errors: int = 0

    def observe(self, seconds: float, status: int) -> None:
        self.responses += 1
        self.response_time_sum += seconds
        self.response_time_min = min(self.response_time_min, seconds)
        self.response_time_max = max(self.response_time_max, seconds)
        kind = f"{status // 100}XX"
        self.target_codes[kind] = self.target_codes.get(kind, 0) + 1


class Group:
    """The live state of one target group."""

    def __init__(self, account: str, region: str, doc: dict[str, Any]) -> None:
        self.account = account
        self.region = region
        self.doc = doc
        self.targets: dict[tuple[str, int], Target] = {}
        self.in_use = False
        self.counters = Counters()
        self._turn = 0
        self._routable: list[Target] = []
        self._fallback: list[Target] = []

    @property
    def arn(self) -> str:
        return str(self.doc["TargetGroupArn"])

    def changed(self) -> None:
        """Recompute which targets receive traffic (after any state change)."""
        live = [t for t in self.targets.values() if t.state not in ("draining", "unused")]
        self._routable = [t for t in live if t.state in ("healthy", "unavailable")]
        self._fallback = live

    def pick(self) -> Target | None:
        """The next target in turn (healthy ones; all live ones when none is healthy)."""
        choices = self._routable or self._fallback
        if not choices:
            return None
        self._turn = (self._turn + 1) % len(choices)
        return choices[self._turn]

    def healthy_count(self) -> int:
        return sum(1 for t in self.targets.values() if t.state in ("healthy", "unavailable"))

    def unhealthy_count(self) -> int:
        return sum(1 for t in self.targets.values() if t.state == "unhealthy")

    def close(self) -> None:
        for target in self.targets.values():
            if target.pool is not None:
                target.pool.close()
