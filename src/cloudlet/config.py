"""Runtime configuration: command-line options with `CLOUDLET_*` environment fallbacks.

Every option of `cloudlet start` has an environment variable; the command line wins over the
environment, which wins over the defaults below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


def default_data_dir() -> Path:
    """The per-user data directory (`$XDG_DATA_HOME/cloudlet`, else `~/.local/share/cloudlet`)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cloudlet"


@dataclass(frozen=True)
class Config:
    """Settings of one running cloudlet."""

    host: str = DEFAULT_HOST
    """Address the gateway binds to; loopback unless asked otherwise."""
    port: int = DEFAULT_PORT
    """The one port every service is served on."""
    data_dir: Path = Path(".")
    """Where SQLite, function code and engine data live."""
    time_scale: float = 1.0
    """AWS-defined waiting periods are divided by this (user code still runs in real time)."""
    default_account: str = DEFAULT_ACCOUNT
    """Account used when the access key id is not a 12-digit account id."""
    default_region: str = DEFAULT_REGION
    """Region used when a request carries no SigV4 credential scope."""

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"


def env_value(name: str, default: str | None = None) -> str | None:
    """The value of `CLOUDLET_<NAME>`, or `default`."""
    return os.environ.get(f"CLOUDLET_{name}", default)
