"""ELBv2's state: JSON documents per account and region (kinds in `models.py`)."""

from __future__ import annotations

from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.elbv2.models import (
    arn_id,
    lb_not_found,
    listener_not_found,
    rule_not_found,
    tg_not_found,
)


class ElbStore(Documents):
    """ELBv2 documents, with the lookups that answer AWS's not-found errors."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, "elbv2")

    def lb(self, account: str, region: str, arn: str) -> dict[str, Any]:
        doc = self.get(account, region, "lb", arn_id(arn))
        if doc is None or doc["LoadBalancerArn"] != arn:
            raise lb_not_found()
        return doc

    def tg(self, account: str, region: str, arn: str) -> dict[str, Any]:
        doc = self.get(account, region, "tg", arn_id(arn))
        if doc is None or doc["TargetGroupArn"] != arn:
            raise tg_not_found()
        return doc

    def listener(self, account: str, region: str, arn: str) -> dict[str, Any]:
        doc = self.get(account, region, "listener", arn_id(arn))
        if doc is None or doc["ListenerArn"] != arn:
            raise listener_not_found()
        return doc

    def rule(self, account: str, region: str, arn: str) -> dict[str, Any]:
        doc = self.get(account, region, "rule", arn_id(arn))
        if doc is None or doc["RuleArn"] != arn:
            raise rule_not_found()
        return doc

    def targets(self, account: str, region: str, tg_id: str) -> list[dict[str, Any]]:
        return self.all(account, region, "target", tg_id + "/")
