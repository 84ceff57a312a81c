"""The running side of ELBv2: listener sockets, live target groups, health checks, metrics.

    Runtime.servers   listener ARN → ListenerServer (its router compiled from the rules)
    Runtime.groups    target group ARN → Group (targets, health, pools, counters)

Everything is rebuilt from the store: at start (and after a restart, when the durable
`elbv2:metrics` timer loads the service again), every load balancer takes its address back and
every listener listens again. API operations call `reroute` (rules changed), `refresh_usage`
(which groups serve a listener), `add_target` / `drain_target` (registrations). Health checks
run per group in use, every `HealthCheckIntervalSeconds` of AWS time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.ec2.addresses import Addresses
from cloudlet.services.elbv2 import health
from cloudlet.services.elbv2.models import arn_id
from cloudlet.services.elbv2.pool import Pool
from cloudlet.services.elbv2.proxy import ListenerServer, Router
from cloudlet.services.elbv2.routing import compile_rules
from cloudlet.services.elbv2.targets import Group, Target

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.elbv2.store import ElbStore

log = logging.getLogger(__name__)

METRICS_TIMER = "elbv2:metrics"
PERIOD = 60.0


class Runtime:
    """Listeners, target groups and health checks of one cloudlet."""

    def __init__(self, platform: Platform, store: ElbStore) -> None:
        self.platform = platform
        self.store = store
        self.addresses = Addresses(platform.store)
        self.servers: dict[str, ListenerServer] = {}
        self.groups: dict[str, Group] = {}
        self._checkers: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_tick = 0.0

    # start and stop

    async def resume(self) -> None:
        """Listen again on every stored listener (after a restart)."""
        for _, _, lb in self.store.every("lb"):
            self.addresses.reclaim(lb["_address"])
        scopes = set()
        for account, region, listener in self.store.every("listener"):
            owner = self.store.get(account, region, "lb", listener["_lb"])
            if owner is None:
                continue
            lb = owner
            try:
                await self.open_listener(account, region, lb, listener)
            except ServiceError as exc:
                log.warning("listener %s could not listen again: %s", listener["ListenerArn"], exc)
            scopes.add((account, region))
        for account, region in scopes:
            self.refresh_usage(account, region)
        if self.store.every("lb"):
            self.arm_metrics()

    async def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()
        for task in list(self._checkers.values()) + list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._checkers.values(), *self._tasks, return_exceptions=True)
        self._checkers.clear()
        self._tasks.clear()
        for group in self.groups.values():
            group.close()
        self.groups.clear()

    # listeners

    async def open_listener(
        self, account: str, region: str, lb: dict[str, Any], listener: dict[str, Any]
    ) -> None:
        from cloudlet.services.ec2.ports import host_port

        server = ListenerServer(Router(lambda request, peer: None, listener["Port"]))
        try:
            await server.start(lb["_address"], host_port(listener["Port"]))
        except OSError as exc:
            raise ServiceError(
                f"cloudlet could not listen on {lb['_address']}:{host_port(listener['Port'])}:"
                f" {exc.strerror}",
                code="InvalidConfigurationRequestException",
            ) from exc
        self.servers[listener["ListenerArn"]] = server
        self.reroute(account, region, listener)

    def close_listener(self, listener_arn: str) -> None:
        server = self.servers.pop(listener_arn, None)
        if server is not None:
            server.close()

    def rules_of(self, account: str, region: str, listener: dict[str, Any]) -> list[dict[str, Any]]:
        """The listener's rules, its default rule last (as DescribeRules lists them)."""
        listener_id = arn_id(listener["ListenerArn"])
        rules = [
            r for r in self.store.all(account, region, "rule") if r["_listener"] == listener_id
        ]
        rules.sort(key=lambda r: int(r["Priority"]))
        default = {
            "RuleArn": listener["ListenerArn"].replace(":listener/", ":listener-rule/")
            + "/"
            + listener["_default_rule"],
            "Priority": "default",
            "Conditions": [],
            "Actions": listener["DefaultActions"],
            "IsDefault": True,
        }
        return [*rules, default]

    def reroute(self, account: str, region: str, listener: dict[str, Any]) -> None:
        server = self.servers.get(listener["ListenerArn"])
        if server is None:
            return
        route = compile_rules(
            self.rules_of(account, region, listener),
            lambda arn: self.group(account, region, arn),
            listener["Port"],
        )
        server.router = Router(route, listener["Port"])

    # target groups

    def group(self, account: str, region: str, arn: str) -> Group | None:
        group = self.groups.get(arn)
        if group is not None:
            return group
        doc = self.store.get(account, region, "tg", arn_id(arn))
        if doc is None or doc["TargetGroupArn"] != arn:
            return None
        group = self.groups[arn] = Group(account, region, doc)
        for registration in self.store.targets(account, region, arn_id(arn)):
            self._load_target(group, registration)
        group.changed()
        return group

    def _load_target(self, group: Group, registration: dict[str, Any]) -> Target:
        target = Target(
            registration["Id"],
            registration["Port"],
            registration["_host"],
            registration["_real_port"],
            registration.get("_zone", ""),
        )
        target.pool = Pool(target.host, target.real_port, self._idle_timeout(group))
        target.instance_running = registration.get("_running", True)
        group.targets[(target.id, target.port)] = target
        self._initial_state(group, target)
        return target

    def _idle_timeout(self, group: Group) -> float:
        return 60.0

    def _initial_state(self, group: Group, target: Target) -> None:
        if not target.instance_running:
            target.set("unused", "Target.InvalidState", "Target is in the stopped state")
        elif not group.in_use:
            target.set(
                "unused",
                "Target.NotInUse",
                "Target group is not configured to receive traffic from the load balancer",
            )
        elif group.doc.get("HealthCheckEnabled") is False:
            target.set(
                "unavailable",
                "Target.HealthCheckDisabled",
                "Health checks are disabled for the target group",
            )
        else:
            target.set(
                "initial", "Elb.RegistrationInProgress", "Target registration is in progress"
            )
        target.successes = target.failures = 0

    def update_group(self, account: str, region: str, doc: dict[str, Any]) -> None:
        group = self.group(account, region, doc["TargetGroupArn"])
        if group is not None:
            group.doc = doc
            self.refresh_usage(account, region)

    def drop_group(self, arn: str) -> None:
        group = self.groups.pop(arn, None)
        checker = self._checkers.pop(arn, None)
        if checker is not None:
            checker.cancel()
        if group is not None:
            group.close()

    def add_target(self, account: str, region: str, arn: str, registration: dict[str, Any]) -> None:
        group = self.group(account, region, arn)
        if group is None:
            return
        key = (registration["Id"], registration["Port"])
        old = group.targets.pop(key, None)
        if old is not None and old.pool is not None:
            old.pool.close()
        self._load_target(group, registration)
        group.changed()

    def drain_target(
        self, account: str, region: str, arn: str, target_id: str, port: int, delay: float
    ) -> None:
        group = self.group(account, region, arn)
        if group is None:
            return
        target = group.targets.get((target_id, port))
        if target is None:
            return
        if not group.in_use or delay <= 0:
            self._remove(group, target)
            return
        target.set(
            "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"
        )
        target.draining_until = time.time() + self.platform.clock.real_seconds(delay)
        group.changed()

        async def later() -> None:
            await self.platform.clock.sleep(delay)
            if group.targets.get((target_id, port)) is target and target.state == "draining":
                self._remove(group, target)

        self._track(later())

    def _remove(self, group: Group, target: Target) -> None:
        group.targets.pop((target.id, target.port), None)
        if target.pool is not None:
            target.pool.close()
        group.changed()

    def refresh_usage(self, account: str, region: str) -> None:
        """Which groups serve a listener; health checks run for those only."""
        used: set[str] = set()
        for listener in self.store.all(account, region, "listener"):
            for rule in self.rules_of(account, region, listener):
                for action in rule.get("Actions") or []:
                    if action.get("TargetGroupArn"):
                        used.add(action["TargetGroupArn"])
                    for weighted in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
                        used.add(weighted["TargetGroupArn"])
        for doc in self.store.all(account, region, "tg"):
            group = self.group(account, region, doc["TargetGroupArn"])
            if group is None:
                continue
            group.doc = doc
            was = group.in_use
            group.in_use = doc["TargetGroupArn"] in used
            if was != group.in_use:
                for target in group.targets.values():
                    if target.state != "draining":
                        self._initial_state(group, target)
                group.changed()
            checking = doc["TargetGroupArn"] in self._checkers
            if group.in_use and not checking and doc.get("HealthCheckEnabled", True):
                self._checkers[doc["TargetGroupArn"]] = asyncio.ensure_future(self._check(group))
            elif checking and (not group.in_use or not doc.get("HealthCheckEnabled", True)):
                self._checkers.pop(doc["TargetGroupArn"]).cancel()

    async def _check(self, group: Group) -> None:
        while True:
            targets = [
                t
                for t in group.targets.values()
                if t.state not in ("draining", "unused") and t.instance_running
            ]
            results = await asyncio.gather(*(health.probe(group.doc, t) for t in targets))
            changed = False
            for target, result in zip(targets, results, strict=True):
                changed = health.apply(group, target, result) or changed
            if changed:
                group.changed()
            await self.platform.clock.sleep(
                float(group.doc.get("HealthCheckIntervalSeconds") or 30)
            )

    def instance_changed(
        self, account: str, region: str, instance: dict[str, Any], previous: str
    ) -> None:
        """EC2 listener: targets of an instance that stopped or started again."""
        running = instance["State"]["Name"] == "running"
        for group in self.groups.values():
            if (group.account, group.region) != (account, region):
                continue
            touched = False
            for target in group.targets.values():
                if target.id != instance["InstanceId"] or target.state == "draining":
                    continue
                if target.instance_running != running:
                    target.instance_running = running
                    if running:
                        self._initial_state(group, target)
                    else:
                        target.set(
                            "unused",
                            "Target.InvalidState",
                            f"Target is in the {instance['State']['Name']} state",
                        )
                    touched = True
            if touched:
                group.changed()

    # metrics

    def arm_metrics(self) -> None:
        self.platform.clock.schedule(METRICS_TIMER, PERIOD, {})

    def _track(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def metrics_tick(self) -> None:
        """Publish a minute of ELB metrics; keep the timer going while load balancers exist."""
        from cloudlet.services.elbv2.metrics import publish_all

        now = time.time()
        if now - self._last_tick < self.platform.clock.real_seconds(PERIOD) * 0.5:
            return  # another timer chain is already running (a restart armed a second one)
        self._last_tick = now
        with contextlib.suppress(Exception):
            publish_all(self)
        if self.store.every("lb"):
            self.arm_metrics()
