"""EC2's persistent state: JSON documents per account and region, and address leases.

Kinds: `vpc`, `subnet`, `sg` (security groups), `key` (key pairs), `image`, `lt` (launch
templates), `ltv` (their versions, id `<lt id>/<version, 8 digits>`), `instance`, `token` (the
instance ids a RunInstances ClientToken launched, until they are purged). Documents are
AWS-shaped dicts (the members Describe* answers) with cloudlet's own keys prefixed `_`.
Private IPs come from `addresses.py`.
"""

from __future__ import annotations

from cloudlet.platform.store import Documents, Store
from cloudlet.services.ec2.addresses import Addresses

SERVICE = "ec2"


class Ec2Store(Documents):
    """Documents of one service ("ec2"), and address leases."""

    def __init__(self, store: Store, service: str = SERVICE) -> None:
        super().__init__(store, service)
        self.addresses = Addresses(store)
