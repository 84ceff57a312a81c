"""`Platform`: the shared pieces one running cloudlet hands to every service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cloudlet.config import Config
from cloudlet.platform.clock import Clock
from cloudlet.platform.credentials import Credentials
from cloudlet.platform.store import Store

if TYPE_CHECKING:
    from cloudlet.platform.supervisor import Supervisor
    from cloudlet.services.manager import ServiceManager


@dataclass
class Platform:
    """Everything a provider may use besides its own code."""

    config: Config
    store: Store
    clock: Clock
    credentials: Credentials
    supervisor: Supervisor
    services: ServiceManager
