"""AWS's cache node types and the memory each one gives the engine.

`MAXMEMORY` is the `maxmemory` column of AWS's "node-type specific parameters" table (bytes), the
memory the engine may use before `reserved-memory-percent` (25 % by default) is set aside for
replication and snapshots: a `cache.t3.micro` node shows `maxmemory:402653184` (0.375 GiB) in
`INFO memory` with the default parameter group, as on AWS. Graviton generations share the sizes of
the Intel generation they replace (m7g/m6g ≈ m5, r7g/r6g ≈ r5, t4g ≈ t3), as AWS's table does.
Memcached nodes get the same memory, in megabytes (`-m`).
"""

from __future__ import annotations

from cloudlet.errors import ServiceError

_M5 = {
    "large": 6854542746,
    "xlarge": 13891921715,
    "2xlarge": 27966669210,
    "4xlarge": 56116178125,
    "8xlarge": 111325552312,
    "12xlarge": 168715971994,
    "16xlarge": 225000375228,
    "24xlarge": 337500562842,
}
_R5 = {
    "large": 14037181030,
    "xlarge": 28261849702,
    "2xlarge": 56711183565,
    "4xlarge": 113609865216,
    "8xlarge": 225000375228,
    "12xlarge": 341206346547,
    "16xlarge": 450000750456,
    "24xlarge": 682485973811,
}
_T3 = {"micro": 536870912, "small": 1471026299, "medium": 3317862236}

MAXMEMORY: dict[str, int] = {
    "cache.t1.micro": 142606336,
    "cache.t2.micro": 581959680,
    "cache.t2.small": 1665138688,
    "cache.t2.medium": 3461349376,
    "cache.m1.small": 943718400,
    "cache.m1.medium": 3093299200,
    "cache.m1.large": 7025459200,
    "cache.m1.xlarge": 14889779200,
    "cache.m2.xlarge": 17091788800,
    "cache.m2.2xlarge": 35022438400,
    "cache.m2.4xlarge": 70883737600,
    "cache.m3.medium": 2988441600,
    "cache.m3.large": 6501171200,
    "cache.m3.xlarge": 14260633600,
    "cache.m3.2xlarge": 29989273600,
    "cache.c1.xlarge": 6501171200,
    "cache.m4.large": 6892593152,
    "cache.m4.xlarge": 15328501760,
    "cache.m4.2xlarge": 31889126359,
    "cache.m4.4xlarge": 65257290629,
    "cache.m4.10xlarge": 166047614239,
    "cache.r3.large": 14470348800,
    "cache.r3.xlarge": 30513561600,
    "cache.r3.2xlarge": 62495129600,
    "cache.r3.4xlarge": 126458265600,
    "cache.r3.8xlarge": 254384537600,
    "cache.r4.large": 13201781556,
    "cache.r4.xlarge": 26898228839,
    "cache.r4.2xlarge": 54197537997,
    "cache.r4.4xlarge": 108858546586,
    "cache.r4.8xlarge": 218255432090,
    "cache.r4.16xlarge": 437021573120,
    **{f"cache.{family}.{size}": value for family in ("t3", "t4g") for size, value in _T3.items()},
    **{
        f"cache.{family}.{size}": value
        for family in ("m5", "m6g", "m7g")
        for size, value in _M5.items()
        if not (family == "m5" and size in ("8xlarge", "16xlarge"))
    },
    **{
        f"cache.{family}.{size}": value
        for family in ("r5", "r6g", "r7g")
        for size, value in _R5.items()
        if not (family == "r5" and size in ("8xlarge", "16xlarge"))
    },
}
"""Node type → maxmemory in bytes, before the reserved-memory percentage is taken off."""

DEFAULT_RESERVED_MEMORY_PERCENT = 25


def maxmemory(node_type: str, reserved_percent: float = DEFAULT_RESERVED_MEMORY_PERCENT) -> int:
    """Bytes the engine may use on `node_type` once `reserved_percent` is set aside."""
    return int(MAXMEMORY[node_type] * (100 - reserved_percent) / 100)


def memcached_megabytes(node_type: str) -> int:
    """Memcached's `-m` for `node_type` (memcached has no reserved memory)."""
    return max(1, MAXMEMORY[node_type] // (1024 * 1024))


def validate(node_type: str) -> None:
    """AWS's answer to a node type it does not offer."""
    if node_type not in MAXMEMORY:
        raise ServiceError(
            f"Invalid CacheNodeType: {node_type}", code="InvalidParameterValueException"
        )
