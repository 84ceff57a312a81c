"""Service Quotas' wire shapes: `ServiceQuota`, `RequestedServiceQuotaChange`, ARNs and pages.

    quota_arn        arn:aws:servicequotas:<region>:<account>:<service>/<quota code>
                     (AWS's default quotas have no account: `...:<region>::<service>/<code>`)
    service_quota    a catalogue quota with the value to show, as `ServiceQuota`
    requested_change a stored increase request, as `RequestedServiceQuotaChange`
    page             one page of a list and its `NextToken` (base64 of the next offset)

Stored request records keep what the request fixed (id, codes, desired value, status, times,
requester); names, units and ARNs are filled in from the catalogue when shown.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from cloudlet.services.servicequotas import catalog
from cloudlet.services.servicequotas.exceptions import illegal_argument, invalid_token

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
"""Items per page when `MaxResults` is not given (also the model's maximum)."""

APPLIED_LEVEL = "ACCOUNT"
"""Every catalogued quota applies to the account (none has resource-level values)."""

_ID_TAIL = string.ascii_letters + string.digits


def quota_arn(region: str, account: str, service_code: str, quota_code: str) -> str:
    return f"arn:aws:servicequotas:{region}:{account}:{service_code}/{quota_code}"


def parse_quota_arn(arn: str) -> tuple[str, str, str, str] | None:
    """(region, account, service code, quota code) of an applied quota's ARN, else None."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "servicequotas"]:
        return None
    service_code, slash, quota_code = parts[5].partition("/")
    if not slash or not service_code or not quota_code:
        return None
    return parts[3], parts[4], service_code, quota_code


def service_quota(
    service: catalog.Service,
    quota: catalog.Quota,
    value: float,
    region: str,
    account: str,
    *,
    applied: bool,
) -> dict[str, Any]:
    """`ServiceQuota`: an applied value (`applied`) or AWS's default (no account in the ARN)."""
    shape: dict[str, Any] = {
        "ServiceCode": service.code,
        "ServiceName": service.name,
        "QuotaArn": quota_arn(region, account if applied else "", service.code, quota.code),
        "QuotaCode": quota.code,
        "QuotaName": quota.name,
        "Value": float(value),
        "Unit": quota.unit,
        "Adjustable": quota.adjustable,
        "GlobalQuota": quota.global_quota,
    }
    if quota.usage_metric is not None:
        metric = quota.usage_metric
        shape["UsageMetric"] = {
            "MetricNamespace": metric.namespace,
            "MetricName": metric.name,
            "MetricDimensions": dict(metric.dimensions),
            "MetricStatisticRecommendation": metric.statistic,
        }
    if quota.period is not None:
        shape["Period"] = {"PeriodValue": quota.period[0], "PeriodUnit": quota.period[1]}
    if applied:
        shape["QuotaAppliedAtLevel"] = APPLIED_LEVEL
    return shape


def new_request_id() -> str:
    """AWS's form: 32 hex digits and 8 letters or digits (`d187537d…7624u7W49tPO`)."""
    return uuid.uuid4().hex + "".join(secrets.choice(_ID_TAIL) for _ in range(8))


def requester(account: str, caller_arn: str) -> str:
    """The `Requester` field: a JSON string naming the account and the calling principal."""
    return json.dumps({"accountId": account, "callerArn": caller_arn}, separators=(",", ":"))


def requested_change(record: dict[str, Any], region: str, account: str) -> dict[str, Any]:
    """A stored request record as `RequestedServiceQuotaChange`."""
    service = catalog.SERVICES[record["ServiceCode"]]
    quota = catalog.quota(service.code, record["QuotaCode"])
    assert quota is not None, record
    shape: dict[str, Any] = {
        "Id": record["Id"],
        "ServiceCode": service.code,
        "ServiceName": service.name,
        "QuotaCode": quota.code,
        "QuotaName": quota.name,
        "DesiredValue": float(record["DesiredValue"]),
        "Status": record["Status"],
        "Created": record["Created"],
        "LastUpdated": record["LastUpdated"],
        "Requester": record["Requester"],
        "QuotaArn": quota_arn(region, account, service.code, quota.code),
        "GlobalQuota": quota.global_quota,
        "Unit": quota.unit,
        "QuotaRequestedAtLevel": record.get("QuotaRequestedAtLevel", APPLIED_LEVEL),
    }
    if "QuotaContext" in record:
        shape["QuotaContext"] = record["QuotaContext"]
    return shape


def page(
    items: Sequence[T], request: dict[str, Any], default_size: int = DEFAULT_PAGE_SIZE
) -> tuple[list[T], str | None]:
    """The page of `items` that `NextToken` and `MaxResults` ask for, and the next token."""
    size = request.get("MaxResults")
    if size is None:
        size = default_size
    elif not 1 <= size <= DEFAULT_PAGE_SIZE:
        raise illegal_argument(
            f"Invalid MaxResults value {size}: it must be between 1 and {DEFAULT_PAGE_SIZE}."
        )
    start = _decode_token(request["NextToken"]) if request.get("NextToken") else 0
    if start > len(items):
        raise invalid_token()
    end = start + size
    return list(items[start:end]), _encode_token(end) if end < len(items) else None


def _encode_token(offset: int) -> str:
    return base64.b64encode(f"sq1:{offset}".encode()).decode()


def _decode_token(token: str) -> int:
    try:
        text = base64.b64decode(token, validate=True).decode()
    except ValueError as exc:  # not base64 (binascii.Error), not ASCII, not UTF-8
        raise invalid_token() from exc
    prefix, _, offset = text.partition(":")
    if prefix != "sq1" or not offset.isdigit():
        raise invalid_token()
    return int(offset)
