"""EC2's persistent state: JSON documents per account and region, and address leases.

Kinds: `vpc`, `subnet`, `sg` (security groups), `key` (key pairs), `image`, `lt` (launch
templates), `ltv` (their versions, id `<lt id>/<version, 8 digits>`), `instance`. Documents are
AWS-shaped dicts (the members Describe* answers) with cloudlet's own keys prefixed `_`.
Private IPs come from `addresses.py`.
"""

from __future__ import annotations

from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.ec2.addresses import Addresses

SERVICE = "ec2"


class Ec2Store:
    """Documents of one service ("ec2"), and address leases."""

    def __init__(self, store: Store, service: str = SERVICE) -> None:
        self.store = store
        self.docs = Documents(store, service)
        self.addresses = Addresses(store)

    def get(self, account: str, region: str, kind: str, id: str) -> dict[str, Any] | None:
        return self.docs.get(account, region, kind, id)

    def put(self, account: str, region: str, kind: str, id: str, body: dict[str, Any]) -> None:
        self.docs.put(account, region, kind, id, body)

    def delete(self, account: str, region: str, kind: str, id: str) -> bool:
        return self.docs.delete(account, region, kind, id)

    def all(self, account: str, region: str, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        return [body for _, body in self.docs.list(account, region, kind, prefix)]

    def every(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(account, region, body) of every document of `kind`, all accounts and regions."""
        import json

        rows = self.store.query(
            "SELECT account, region, body FROM documents WHERE service = ? AND kind = ?",
            (self.docs.service, kind),
        )
        return [(row[0], row[1], json.loads(row[2])) for row in rows]
