"""Concurrency as AWS counts it: in-flight invocations per account and region, and per function.

    account limit        Service Quotas `L-B99A9384` (default 1,000), per account and region
    reserved (R)         a function with R reserved may have R invocations in flight, no more;
                         R = 0 throttles everything. Reservations must leave >= 100 unreserved.
    unreserved pool      account limit - sum of reservations, shared by functions without one

An invocation takes a `Slot` before it gets an environment and gives it back when the environment
is free again. Throttles are 429 `TooManyRequestsException` with `Reason`
`ReservedFunctionConcurrentInvocationLimitExceeded` (the function's reservation is exhausted) or
`ConcurrentInvocationLimitExceeded` (the unreserved pool is). Provisioned environments count as
in-flight like any other, so provisioned concurrency lives inside these limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cloudlet.services.lambda_.models import throttled

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

QUOTA_CODE = "L-B99A9384"
DEFAULT_ACCOUNT_LIMIT = 1000


def account_limit(platform: Platform, account: str, region: str) -> int:
    """The account's concurrent-executions quota in `region` (Service Quotas, else 1,000)."""
    try:
        from cloudlet.services.servicequotas.quotas import applied_value
    except ImportError:
        return DEFAULT_ACCOUNT_LIMIT
    try:
        value = applied_value(platform, account, region, "lambda", QUOTA_CODE)
    except Exception:
        return DEFAULT_ACCOUNT_LIMIT
    return int(value) if value is not None else DEFAULT_ACCOUNT_LIMIT


@dataclass(frozen=True)
class Slot:
    """One in-flight invocation."""

    account: str
    region: str
    name: str
    reserved: bool


class Concurrency:
    """In-flight counters of one server."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._function: dict[tuple[str, str, str], int] = {}
        self._unreserved: dict[tuple[str, str], int] = {}
        self._account: dict[tuple[str, str], int] = {}

    def acquire(
        self, account: str, region: str, name: str, reserved: int | None, total_reserved: int
    ) -> Slot:
        """Count one more invocation in flight, or raise the 429 AWS would."""
        function_key = (account, region, name)
        scope = (account, region)
        if reserved is not None:
            if self._function.get(function_key, 0) >= reserved:
                raise throttled("ReservedFunctionConcurrentInvocationLimitExceeded")
        else:
            pool = account_limit(self.platform, account, region) - total_reserved
            if self._unreserved.get(scope, 0) >= pool:
                raise throttled("ConcurrentInvocationLimitExceeded")
            self._unreserved[scope] = self._unreserved.get(scope, 0) + 1
        self._function[function_key] = self._function.get(function_key, 0) + 1
        self._account[scope] = self._account.get(scope, 0) + 1
        return Slot(account, region, name, reserved is not None)

    def release(self, slot: Slot) -> None:
        function_key = (slot.account, slot.region, slot.name)
        scope = (slot.account, slot.region)
        self._function[function_key] = max(0, self._function.get(function_key, 0) - 1)
        self._account[scope] = max(0, self._account.get(scope, 0) - 1)
        if not slot.reserved:
            self._unreserved[scope] = max(0, self._unreserved.get(scope, 0) - 1)

    def in_flight(self, account: str, region: str, name: str | None = None) -> int:
        if name is not None:
            return self._function.get((account, region, name), 0)
        return self._account.get((account, region), 0)

    def clear(self) -> None:
        self._function.clear()
        self._unreserved.clear()
        self._account.clear()
