"""Quota increase requests and quota tags, per account and region (JSON `Documents`).

    kind "request"  id = request id; the record `models.requested_change` shows, plus "Order"
                    (nanoseconds at creation: listing order). Kept in the region the request
                    was made in (us-east-1 for global quotas).
    kind "tags"     id = "<service>/<quota code>"; {"tags": {key: value}} of an applied quota.

Applied values live next to them (kind "applied") but are owned by `quotas.AppliedQuotas`.
"""

from __future__ import annotations

from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.servicequotas.quotas import SERVICE


class QuotaRecords:
    """Increase requests and tags of one cloudlet."""

    def __init__(self, store: Store) -> None:
        self.documents = Documents(store, SERVICE)

    def add_request(self, account: str, region: str, record: dict[str, Any]) -> None:
        self.documents.put(account, region, "request", record["Id"], record)

    def request(self, account: str, region: str, request_id: str) -> dict[str, Any] | None:
        return self.documents.get(account, region, "request", request_id)

    def requests(self, account: str, region: str) -> list[dict[str, Any]]:
        """Every request of the account in the region, oldest first."""
        records = [body for _, body in self.documents.list(account, region, "request")]
        return sorted(records, key=lambda record: (record["Order"], record["Id"]))

    def tags(self, account: str, region: str, service_code: str, quota_code: str) -> dict[str, str]:
        body = self.documents.get(account, region, "tags", f"{service_code}/{quota_code}")
        return dict(body["tags"]) if body else {}

    def set_tags(
        self, account: str, region: str, service_code: str, quota_code: str, tags: dict[str, str]
    ) -> None:
        quota_id = f"{service_code}/{quota_code}"
        if tags:
            self.documents.put(account, region, "tags", quota_id, {"tags": tags})
        else:
            self.documents.delete(account, region, "tags", quota_id)
