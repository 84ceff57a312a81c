"""ListMetrics: namespace, metric name and dimension filters, RecentlyActive, 500 per page.

A dimension filter with a value matches metrics having that dimension with that value; one
without a value matches metrics having that dimension at all; a metric may have more dimensions
than the filters name. Only metrics published in the past two weeks are listed, as in AWS.
AWS lists metrics in no promised order; cloudlet lists them by namespace,
metric name and dimensions, and the NextToken is the position after the page's last metric.
"""

from __future__ import annotations

import time
from typing import Any

from cloudlet.services.cloudwatch import errors
from cloudlet.services.cloudwatch.metrics import MetricStore
from cloudlet.services.cloudwatch.models import (
    MetricKey,
    check_namespace,
    decode_token,
    encode_token,
)

PAGE_SIZE = 500
RECENTLY_ACTIVE_SECONDS = 3 * 3600.0
"""`PT3H`: published in the past three hours."""
LISTED_SECONDS = 14 * 86400.0
"""ListMetrics lists metrics published in the past two weeks."""


def _matches(key: MetricKey, filters: list[dict[str, str]]) -> bool:
    dims = dict(key.dims)
    for dimension_filter in filters:
        name = dimension_filter["Name"]
        if name not in dims:
            return False
        value = dimension_filter.get("Value")
        if value is not None and dims[name] != value:
            return False
    return True


def list_metrics(
    metrics: MetricStore, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    namespace = request.get("Namespace")
    if namespace is not None:
        check_namespace(namespace)
    active = request.get("RecentlyActive")
    if active is not None and active != "PT3H":
        raise errors.invalid_value(f"The value {active} for parameter RecentlyActive is invalid.")
    after = None
    if request.get("NextToken"):
        position = decode_token(request["NextToken"])
        if not (isinstance(position, list) and len(position) == 3):
            raise errors.invalid_next_token()
        after = (str(position[0]), str(position[1]), str(position[2]))
    filters = request.get("Dimensions") or []
    page: list[dict[str, Any]] = []
    last: tuple[str, str, str] | None = None
    more = False
    for key, position in metrics.metrics(
        account,
        region,
        namespace=namespace,
        name=request.get("MetricName"),
        active_since=time.time() - (RECENTLY_ACTIVE_SECONDS if active else LISTED_SECONDS),
        after=after,
    ):
        if not _matches(key, filters):
            continue
        if len(page) == PAGE_SIZE:
            more = True
            break
        page.append(key.describe())
        last = position
    response: dict[str, Any] = {"Metrics": page}
    if more and last is not None:
        response["NextToken"] = encode_token(list(last))
    if request.get("IncludeLinkedAccounts"):
        response["OwningAccounts"] = [account] * len(page)
    return response
