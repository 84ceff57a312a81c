"""The cache parameters AWS defines per parameter group family, with their defaults and rules.

Only parameters the engines here really honour are listed (plus the few AWS-only ones that
change what cloudlet does: `reserved-memory-percent` and `cluster-enabled`). Each parameter says
how it reaches the engine: `engine` parameters are written into the node's configuration at start
and sent with `CONFIG SET` to running nodes when `change_type` is `immediate`; memcached's become
command-line options (`engines.memcached_argv`), applied at the next reboot as on AWS.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudlet.errors import ServiceError

EVICTION_POLICIES = (
    "volatile-lru",
    "allkeys-lru",
    "volatile-lfu",
    "allkeys-lfu",
    "volatile-random",
    "allkeys-random",
    "volatile-ttl",
    "noeviction",
)


@dataclass(frozen=True)
class ParameterDef:
    """One parameter of a family."""

    name: str
    default: str
    data_type: str = "integer"
    """`integer` or `string`, as `DescribeCacheParameters` writes it."""
    allowed: str = ""
    """AWS's `AllowedValues`: `0-`, `1-100`, `yes,no`, or a comma-separated list."""
    modifiable: bool = True
    change_type: str = "immediate"
    """`immediate` or `requires-reboot`."""
    description: str = ""
    engine: bool = True
    """Whether the engine itself knows the parameter (else it is AWS's own)."""
    minimum_engine_version: str = "2.6.13"

    def check(self, value: str) -> None:
        """AWS's InvalidParameterValue for a value outside `allowed`."""
        if not self.modifiable:
            raise _invalid(f"The parameter {self.name} cannot be modified.")
        if self.data_type == "integer":
            try:
                number = int(value)
            except ValueError:
                raise _invalid(
                    f"Value for parameter {self.name} must be an integer: {value}"
                ) from None
            low, _, high = self.allowed.partition("-")
            if (low and number < int(low)) or (high and number > int(high)):
                raise _invalid(
                    f"Value for parameter {self.name} is out of range ({self.allowed}): {value}"
                )
        elif self.allowed and value not in self.allowed.split(","):
            raise _invalid(
                f"Invalid value for parameter {self.name}: {value}. Allowed values: {self.allowed}"
            )


def _invalid(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterValueException")


_REDIS: tuple[ParameterDef, ...] = (
    ParameterDef(
        "maxmemory-policy",
        "volatile-lru",
        "string",
        ",".join(EVICTION_POLICIES),
        description="Max memory policy.",
    ),
    ParameterDef("maxmemory-samples", "3", allowed="1-", description="Max memory samples."),
    ParameterDef(
        "reserved-memory-percent",
        "25",
        allowed="0-100",
        description="The percent of memory reserved for non-cache memory usage. You may want to"
        " increase this parameter for nodes with read replicas, AOF enabled, etc, to reduce"
        " swap usage.",
        engine=False,
        minimum_engine_version="3.2.4",
    ),
    ParameterDef(
        "timeout",
        "0",
        allowed="0-",
        description="Close connection if client is idle"
        " for a given number of seconds, or never if 0.",
    ),
    ParameterDef(
        "tcp-keepalive",
        "300",
        allowed="0-",
        description="If non-zero, send ACKs every given number of seconds.",
    ),
    ParameterDef(
        "notify-keyspace-events",
        "",
        "string",
        description="The keyspace events for"
        " Redis to notify Pub/Sub subscribers about. By default all notifications are"
        " disabled",
    ),
    ParameterDef(
        "lfu-log-factor",
        "10",
        allowed="1-",
        description="The log factor for incrementing key counter for LFU eviction policy",
        minimum_engine_version="4.0.10",
    ),
    ParameterDef(
        "lfu-decay-time",
        "1",
        allowed="0-",
        description="The amount of time in minutes"
        " to decrement the key counter for LFU eviction policy",
        minimum_engine_version="4.0.10",
    ),
    ParameterDef(
        "slowlog-log-slower-than",
        "10000",
        allowed="-",
        description="The execution"
        " time, in microseconds, to exceed in order for the command to get logged.",
    ),
    ParameterDef(
        "slowlog-max-len",
        "128",
        allowed="0-",
        description="The length of the slow"
        " log. There is no limit to this length. Just be aware that it will consume"
        " memory.",
    ),
    ParameterDef(
        "databases",
        "16",
        allowed="1-1200000",
        change_type="requires-reboot",
        description="Set the number of databases.",
    ),
    ParameterDef(
        "lazyfree-lazy-eviction",
        "no",
        "string",
        "yes,no",
        description="Perform an asynchronous delete on evictions",
        minimum_engine_version="4.0.10",
    ),
    ParameterDef(
        "lazyfree-lazy-expire",
        "no",
        "string",
        "yes,no",
        description="Perform an asynchronous delete on expired keys",
        minimum_engine_version="4.0.10",
    ),
    ParameterDef(
        "activedefrag",
        "no",
        "string",
        "yes,no",
        description="Enabled active memory defragmentation",
        minimum_engine_version="4.0.9",
    ),
    ParameterDef(
        "repl-backlog-size",
        "1048576",
        allowed="16384-",
        description="The size of the replication backlog buffer.",
    ),
    ParameterDef(
        "cluster-enabled",
        "no",
        "string",
        "yes,no",
        modifiable=False,
        change_type="requires-reboot",
        description="Enable cluster mode",
        engine=False,
        minimum_engine_version="3.2.4",
    ),
    ParameterDef(
        "cluster-require-full-coverage",
        "no",
        "string",
        "yes,no",
        description="Whether cluster becomes unavailable if one or more slots are not covered",
        minimum_engine_version="3.2.4",
    ),
    ParameterDef(
        "cluster-node-timeout",
        "15000",
        allowed="15000-15000",
        modifiable=False,
        change_type="requires-reboot",
        description="Cluster node timeout",
        minimum_engine_version="3.2.4",
    ),
    ParameterDef(
        "latency-tracking",
        "yes",
        "string",
        "yes,no",
        description="Enables the extended latency monitoring",
        minimum_engine_version="7.0.5",
    ),
)

_MEMCACHED: tuple[ParameterDef, ...] = (
    ParameterDef(
        "max_item_size",
        "1048576",
        allowed="1048576-134217728",
        change_type="requires-reboot",
        description="The size of the largest item storable in the cache, in bytes.",
        minimum_engine_version="1.4.5",
    ),
    ParameterDef(
        "chunk_size",
        "48",
        allowed="1-",
        change_type="requires-reboot",
        description="The minimum amount, in bytes, of space to allocate for the"
        " smallest item's key, value, and flags.",
        minimum_engine_version="1.4.5",
    ),
    ParameterDef(
        "chunk_size_growth_factor",
        "1.25",
        "string",
        change_type="requires-reboot",
        description="The growth factor that controls the size of each successive memcached chunk.",
        minimum_engine_version="1.4.5",
    ),
    ParameterDef(
        "cas_disabled",
        "0",
        allowed="0-1",
        change_type="requires-reboot",
        description="If 1 (true), check and set (CAS) operations will be disabled.",
        minimum_engine_version="1.4.5",
    ),
    ParameterDef(
        "error_on_memory_exhausted",
        "0",
        allowed="0-1",
        change_type="requires-reboot",
        description="If 1 (true), when there is no"
        " more memory to store items, memcached will return an error rather than"
        " evicting items.",
        minimum_engine_version="1.4.5",
    ),
    ParameterDef(
        "max_simultaneous_connections",
        "65000",
        allowed="3-65000",
        modifiable=False,
        change_type="requires-reboot",
        description="The maximum number of simultaneous connections.",
        minimum_engine_version="1.4.5",
    ),
    ParameterDef(
        "backlog_queue_limit",
        "1024",
        allowed="1-10000",
        modifiable=False,
        change_type="requires-reboot",
        description="The backlog queue limit.",
        minimum_engine_version="1.4.5",
    ),
)

FAMILIES: dict[str, str] = {
    "memcached1.4": "memcached",
    "memcached1.5": "memcached",
    "memcached1.6": "memcached",
    "redis2.6": "redis",
    "redis2.8": "redis",
    "redis3.2": "redis",
    "redis4.0": "redis",
    "redis5.0": "redis",
    "redis6.x": "redis",
    "redis7": "redis",
    "valkey7": "valkey",
    "valkey8": "valkey",
}
"""Parameter group family → engine."""


def definitions(family: str) -> tuple[ParameterDef, ...]:
    return _MEMCACHED if FAMILIES[family] == "memcached" else _REDIS


def definition(family: str, name: str) -> ParameterDef:
    for parameter in definitions(family):
        if parameter.name == name:
            return parameter
    raise _invalid(f"Unknown parameter: {name} for family {family}")


def defaults(family: str, cluster_on: bool = False) -> dict[str, str]:
    values = {p.name: p.default for p in definitions(family)}
    if cluster_on and "cluster-enabled" in values:
        values["cluster-enabled"] = "yes"
    return values


def default_group_names() -> list[tuple[str, str, bool]]:
    """(name, family, cluster on) of every default parameter group AWS provides."""
    names = []
    for family, engine in FAMILIES.items():
        names.append((f"default.{family}", family, False))
        if engine != "memcached" and family not in ("redis2.6", "redis2.8"):
            names.append((f"default.{family}.cluster.on", family, True))
    return sorted(names)


def check_family(family: str) -> None:
    if family not in FAMILIES:
        raise _invalid(f"Invalid Cache Parameter Group Family: {family}")
