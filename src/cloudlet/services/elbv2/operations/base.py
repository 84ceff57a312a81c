"""What every operations mixin of `Elbv2Provider` may use."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError

if TYPE_CHECKING:
    from cloudlet.context import RequestContext
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.elbv2.runtime import Runtime
    from cloudlet.services.elbv2.store import ElbStore

Request = dict[str, Any]
Response = dict[str, Any]

MAX_LOAD_BALANCERS = 50
"""Application Load Balancers per Region (Service Quotas L-53DA6B97; not in cloudlet's Service
Quotas catalogue yet, so AWS's default is enforced)."""
MAX_TARGET_GROUPS = 3000
"""Target Groups per Region (L-B22855CB)."""
MAX_LISTENERS = 50
MAX_RULES = 100
MAX_TARGETS = 1000


class ElbBase:
    platform: Platform
    store: ElbStore
    runtime: Runtime

    async def _ec2(self, ctx: RequestContext, operation: str, params: Request) -> Response:
        return await self.platform.services.call(
            "ec2", operation, params, account=ctx.account, region=ctx.region
        )


def paged(items: list[Any], request: Request) -> tuple[list[Any], str | None]:
    """A page per `Marker` and `PageSize` (ELBv2's paging)."""
    marker = request.get("Marker")
    start = 0
    if marker:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except ValueError as exc:
            raise ServiceError("Invalid marker", code="ValidationError") from exc
    size = request.get("PageSize") or 400
    end = start + size
    following = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], following
