"""Applied quota values, and the in-process API every service reads its limits through.

A quota's applied value is AWS's default until an increase is approved; approved values are JSON
documents (`Documents`, service "servicequotas", kind "applied", id "<service>/<quota code>") per
account and region, region "" for global quotas (one value for the whole account).

Other services read the value that applies, instead of hard-coding AWS's default, so raising the
quota raises the limit they enforce:

    from cloudlet.services.servicequotas.quotas import applied_value

    limit = applied_value(platform, account, region, "lambda", "L-B99A9384")   # 1000.0

`applied_value` is cheap: values are memoised per store and the memo is updated by every change
(`set_applied_value`) and cleared when cloudlet resets (the Service Quotas provider's `reset`).
While that provider is not loaded, nothing in this process can change a value except a reset that
would not reach the memo, so reads then go to SQLite (a point lookup) instead of the memo.
Asking for a quota the catalogue does not have raises `KeyError`: a programming error, not AWS's.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.servicequotas import catalog

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

SERVICE = "servicequotas"
"""The `Documents` service name of Service Quotas' state."""
PROVIDER = "service-quotas"
"""botocore's name of the service, as the service manager knows it."""

_Key = tuple[str, str, str, str]
"""(account, region or "" for global quotas, service code, quota code)."""

_MEMOS: weakref.WeakKeyDictionary[Store, dict[_Key, float]] = weakref.WeakKeyDictionary()


def scope_region(quota: catalog.Quota, region: str) -> str:
    """The region a quota's values are kept under: "" for a global quota."""
    return "" if quota.global_quota else region


def known_quota(service_code: str, quota_code: str) -> catalog.Quota:
    quota = catalog.quota(service_code, quota_code)
    if quota is None:
        raise KeyError(f"no quota {service_code}/{quota_code} in the Service Quotas catalogue")
    return quota


class AppliedQuotas:
    """The approved (non-default) quota values of one cloudlet."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.documents = Documents(store, SERVICE)

    def get(self, account: str, region: str, quota: catalog.Quota, service_code: str) -> float:
        """The value that applies: the approved one, else AWS's default."""
        body = self.documents.get(
            account, scope_region(quota, region), "applied", f"{service_code}/{quota.code}"
        )
        return float(body["value"]) if body else quota.default

    def set(
        self, account: str, region: str, quota: catalog.Quota, service_code: str, value: float
    ) -> None:
        scope = scope_region(quota, region)
        self.documents.put(
            account, scope, "applied", f"{service_code}/{quota.code}", {"value": value}
        )
        memo = _MEMOS.get(self.store)
        if memo is not None:
            memo[(account, scope, service_code, quota.code)] = value

    def forget_memo(self) -> None:
        """Drop memoised values (the store was wiped)."""
        _MEMOS.pop(self.store, None)


def applied_value(
    platform: Platform, account: str, region: str, service_code: str, quota_code: str
) -> float:
    """The value of quota `service_code`/`quota_code` that applies to `account` in `region`.

    AWS's default until an increase is approved; for a global quota the region does not matter.
    Raises `KeyError` for a quota the catalogue does not list.
    """
    quota = known_quota(service_code, quota_code)
    key = (account, scope_region(quota, region), service_code, quota_code)
    memo = _memo(platform)
    if memo is not None:
        value = memo.get(key)
        if value is not None:
            return value
    value = AppliedQuotas(platform.store).get(account, region, quota, service_code)
    if memo is not None:
        memo[key] = value
    return value


def set_applied_value(
    platform: Platform,
    account: str,
    region: str,
    service_code: str,
    quota_code: str,
    value: float,
) -> None:
    """Make `value` the applied value (what an approved increase does), effective at once."""
    quota = known_quota(service_code, quota_code)
    AppliedQuotas(platform.store).set(account, region, quota, service_code, float(value))


def _memo(platform: Platform | Any) -> dict[_Key, float] | None:
    services = getattr(platform, "services", None)
    if services is not None and PROVIDER not in services.loaded():
        return None
    memo = _MEMOS.get(platform.store)
    if memo is None:
        memo = _MEMOS[platform.store] = {}
    return memo
