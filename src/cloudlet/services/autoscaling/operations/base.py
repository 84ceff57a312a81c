"""What every operations mixin of `AutoScalingProvider` may use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.services.autoscaling.fleet import Fleet
from cloudlet.services.autoscaling.models import Group, group_not_found

if TYPE_CHECKING:
    from cloudlet.context import RequestContext
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.autoscaling.reconcile import Engine
    from cloudlet.services.autoscaling.scaling import Scaler
    from cloudlet.services.autoscaling.scheduled import Schedules
    from cloudlet.services.autoscaling.store import AsgStore

Request = dict[str, Any]
Response = dict[str, Any]


class AsgBase:
    """State the operations work on (set up by `AutoScalingProvider.__init__`)."""

    platform: Platform
    store: AsgStore
    engine: Engine
    scaler: Scaler
    schedules: Schedules

    def _fleet(self, ctx: RequestContext) -> Fleet:
        return Fleet(self.platform, ctx.account, ctx.region)

    def _group(self, ctx: RequestContext, name: str) -> Group:
        group = self.store.group(ctx.account, ctx.region, name)
        if group is None:
            raise group_not_found(name)
        return group


def paged(
    items: list[Any], request: Request, limit_member: str, default: int
) -> tuple[list[Any], str | None]:
    """A page of `items` per `NextToken` and `MaxRecords` (query APIs' paging)."""
    import base64

    from cloudlet.errors import ServiceError

    token = request.get("NextToken")
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError as exc:
            raise ServiceError("The token is invalid.", code="InvalidNextToken") from exc
    size = request.get(limit_member) or default
    chunk = items[start : start + size]
    end = start + size
    if end < len(items):
        return chunk, base64.urlsafe_b64encode(str(end).encode()).decode()
    return chunk, None
