"""ELBv2's state: JSON documents per account and region (kinds in `models.py`)."""

from __future__ import annotations

import json
from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.elbv2.models import (
    arn_id,
    lb_not_found,
    listener_not_found,
    rule_not_found,
    tg_not_found,
)


class ElbStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.docs = Documents(store, "elbv2")

    def get(self, account: str, region: str, kind: str, id: str) -> dict[str, Any] | None:
        return self.docs.get(account, region, kind, id)

    def put(self, account: str, region: str, kind: str, id: str, body: dict[str, Any]) -> None:
        self.docs.put(account, region, kind, id, body)

    def delete(self, account: str, region: str, kind: str, id: str) -> bool:
        return self.docs.delete(account, region, kind, id)

    def all(self, account: str, region: str, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        return [body for _, body in self.docs.list(account, region, kind, prefix)]

    def every(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        rows = self.store.query(
            "SELECT account, region, body FROM documents WHERE service = ? AND kind = ?",
            ("elbv2", kind),
        )
        return [(row[0], row[1], json.loads(row[2])) for row in rows]

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
