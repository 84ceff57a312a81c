"""Which real port an instance's or a load balancer's port is on this host.

Every instance and load balancer has its own loopback address, so ports never collide between
them; only the privileged range can be out of reach. When this process may bind ports below 1024
(root, or `net.ipv4.ip_unprivileged_port_start` low enough) port N is port N. Otherwise a port
below 1024 is served at N + 10000 (80 → 10080): the instance's app gets that as `$PORT`, and the
load balancer's health checks and forwarding use the same rule, so AWS's port numbers keep working
in every API.
"""

from __future__ import annotations

import os
from functools import cache

OFFSET = 10000


@cache
def _lowest_bindable() -> int:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return 0
    try:
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return 1024


def host_port(port: int) -> int:
    """The port really bound for AWS port `port`."""
    return port + OFFSET if port < _lowest_bindable() else port
