"""Amazon EC2, the part Auto Scaling needs: instances that are real process trees.

    operations/network.py    regions, zones, the default VPC and subnets, security groups
    operations/keys.py       key pairs
    operations/images.py     images (app bundles, built-ins)
    operations/templates.py  launch templates and versions
    operations/instances.py  RunInstances, Describe*, state changes, attributes
    operations/tags.py       tags on every resource

Domain modules: `instances.py` (records), `lifecycle.py` (states and processes), `machine.py`
(process trees and app directories), `imds.py` (metadata service), `monitoring.py` (CPU metrics).

Other services (Auto Scaling, ELB) call EC2 through the internal client like any user, and may
follow instance state changes with `lifecycle.listen` on this provider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudlet.services.base import Provider
from cloudlet.services.ec2.images import Images
from cloudlet.services.ec2.lifecycle import Lifecycle
from cloudlet.services.ec2.monitoring import Monitor
from cloudlet.services.ec2.network import Network
from cloudlet.services.ec2.operations.images import ImageOperations
from cloudlet.services.ec2.operations.instances import InstanceOperations
from cloudlet.services.ec2.operations.keys import KeyPairOperations
from cloudlet.services.ec2.operations.network import NetworkOperations
from cloudlet.services.ec2.operations.tags import TagOperations
from cloudlet.services.ec2.operations.templates import TemplateOperations
from cloudlet.services.ec2.store import Ec2Store
from cloudlet.services.ec2.templates import Templates

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform


class Ec2Provider(
    NetworkOperations,
    KeyPairOperations,
    ImageOperations,
    TemplateOperations,
    InstanceOperations,
    TagOperations,
    Provider,
):
    service = "ec2"
    resumes = True

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.store = Ec2Store(platform.store)
        self.network = Network(self.store)
        self.images = Images(self.store, platform.config.data_dir)
        self.templates = Templates(self.store)
        self.lifecycle = Lifecycle(platform, self.store, self.images)
        self.monitor = Monitor(platform, self.lifecycle)

    async def start(self) -> None:
        await self.lifecycle.resume()
        self.lifecycle.listen(lambda *_: self.monitor.ensure_running())
        if self.store.every("instance"):
            self.monitor.ensure_running()

    async def reset(self) -> None:
        self.monitor.stop()
        await self.lifecycle.close()
        self.store.addresses.unlock_all()
        self.network.forget()

    async def shutdown(self) -> None:
        self.monitor.stop()
        await self.lifecycle.close()
