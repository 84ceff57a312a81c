"""Amazon EC2 Auto Scaling: groups whose instances really launch and terminate.

    operations/groups.py          groups, their instances, desired capacity, activities
    operations/configurations.py  launch configurations, types, account limits
    operations/policies.py        scaling policies, ExecutePolicy, scheduled actions
    operations/hooks.py           lifecycle hooks and actions
    operations/moves.py           standby, attaching and detaching instances
    operations/tags.py            tags, target groups, suspended processes, metrics collection

Domain modules: `reconcile.py` (the loop that launches and terminates), `termination.py` (which
instance goes), `scaling.py` (adjustments, cooldowns), `scheduled.py` + `cron.py`, `hooks.py`,
`activities.py` (AWS's wording), `fleet.py` (EC2 and ELB calls).

The provider follows EC2's instance state changes (`lifecycle.listen` of the EC2 provider) so a
crashed or stopped instance is replaced at once, not only at the next health sweep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudlet.services.autoscaling.operations.configurations import ConfigurationOperations
from cloudlet.services.autoscaling.operations.groups import GroupOperations
from cloudlet.services.autoscaling.operations.hooks import HookOperations
from cloudlet.services.autoscaling.operations.moves import MoveOperations
from cloudlet.services.autoscaling.operations.policies import PolicyOperations
from cloudlet.services.autoscaling.operations.tags import TagOperations
from cloudlet.services.autoscaling.reconcile import Engine
from cloudlet.services.autoscaling.scaling import Scaler
from cloudlet.services.autoscaling.scheduled import Schedules
from cloudlet.services.autoscaling.store import AsgStore
from cloudlet.services.base import Provider

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform


class AutoScalingProvider(
    GroupOperations,
    ConfigurationOperations,
    PolicyOperations,
    HookOperations,
    MoveOperations,
    TagOperations,
    Provider,
):
    service = "autoscaling"
    resumes = True

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.store = AsgStore(platform.store)
        self.engine = Engine(platform, self.store)
        self.scaler = Scaler(platform, self.store, self.engine)
        self.schedules = Schedules(platform, self.store, self.scaler)

    async def start(self) -> None:
        ec2 = await self.platform.services.provider("ec2")
        ec2.lifecycle.listen(self.engine.instance_changed)  # type: ignore[attr-defined]
        self.engine.start()

    async def reset(self) -> None:
        await self.engine.stop()
        self.engine.start()

    async def shutdown(self) -> None:
        await self.engine.stop()
