"""Elastic Load Balancing v2: application load balancers that really balance.

    operations/balancers.py  load balancers, attributes, listeners, rules
    operations/groups.py     target groups, attributes, targets, target health
    operations/tags.py       tags

Domain modules: `runtime.py` (listeners, live target groups, health checks), `proxy.py` (the data
path), `pool.py` (keep-alive connections to targets), `routing.py` (rules), `targets.py` (target
states), `health.py` (health checks), `metrics.py` (CloudWatch).

The provider follows EC2's instance state changes (`lifecycle.listen` of the EC2 provider):
targets whose instance stops become unused until it runs again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudlet.services.base import Provider
from cloudlet.services.elbv2.operations.balancers import BalancerOperations
from cloudlet.services.elbv2.operations.groups import GroupOperations
from cloudlet.services.elbv2.operations.tags import TagOperations
from cloudlet.services.elbv2.runtime import METRICS_TIMER, Runtime
from cloudlet.services.elbv2.store import ElbStore

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform


class Elbv2Provider(BalancerOperations, GroupOperations, TagOperations, Provider):
    service = "elbv2"

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.store = ElbStore(platform.store)
        self.runtime = Runtime(platform, self.store)
        platform.clock.on(METRICS_TIMER, lambda _: self.runtime.metrics_tick())

    async def start(self) -> None:
        ec2 = await self.platform.services.provider("ec2")
        ec2.lifecycle.listen(self.runtime.instance_changed)  # type: ignore[attr-defined]
        await self.runtime.resume()

    async def reset(self) -> None:
        await self.runtime.close()
        self.runtime.addresses.unlock_all()

    async def shutdown(self) -> None:
        await self.runtime.close()
