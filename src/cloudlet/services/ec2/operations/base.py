"""What every operations mixin of `Ec2Provider` may use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.ec2.images import Images
    from cloudlet.services.ec2.lifecycle import Lifecycle
    from cloudlet.services.ec2.network import Network
    from cloudlet.services.ec2.store import Ec2Store
    from cloudlet.services.ec2.templates import Templates

Request = dict[str, Any]
Response = dict[str, Any]


class Ec2Base:
    """The state the operations work on (set up by `Ec2Provider.__init__`)."""

    platform: Platform
    store: Ec2Store
    network: Network
    images: Images
    templates: Templates
    lifecycle: Lifecycle


def dry_run(request: Request) -> None:
    """AWS's answer to `DryRun=True` for an operation that would have succeeded."""
    if request.get("DryRun"):
        raise ServiceError(
            "Request would have succeeded, but DryRun flag is set.",
            code="DryRunOperation",
            status_code=412,
        )
