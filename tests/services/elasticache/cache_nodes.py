"""Reading cache node facts out of ElastiCache API responses in tests."""

from __future__ import annotations

from typing import Any


def node_port(cluster: dict[str, Any], index: int = 0) -> int:
    """The port of a cluster's node, from DescribeCacheClusters(ShowCacheNodeInfo=True)."""
    port: int = cluster["CacheNodes"][index]["Endpoint"]["Port"]
    return port
