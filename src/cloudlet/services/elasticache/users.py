"""Users and user groups (RBAC): placeholder until ACLs land."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.services.elasticache.models import ReplicationGroup
from cloudlet.services.elasticache.validation import combination

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider


class Users:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider

    def check_groups(self, account: str, region: str, group_ids: list[str], engine: str) -> None:
        raise combination("User groups are not supported yet.")

    async def change_group_user_groups(
        self, account: str, region: str, group: ReplicationGroup, request: dict[str, Any]
    ) -> None:
        raise combination("User groups are not supported yet.")
