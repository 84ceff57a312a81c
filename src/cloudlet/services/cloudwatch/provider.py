"""Amazon CloudWatch's operations (CBOR, JSON 1.0 and query): validate, call the domain modules.

Metrics: `metrics` (storage, PutMetricData), `statistics` (GetMetricStatistics), `listing`
(ListMetrics), `metric_data` (GetMetricData and metric math).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.services.base import Provider
from cloudlet.services.cloudwatch import errors, listing, metric_data, statistics
from cloudlet.services.cloudwatch.metrics import metric_store, parse_metric_data

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

Request = dict[str, Any]
Response = dict[str, Any]


class CloudWatchProvider(Provider):
    service = "cloudwatch"

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.metrics = metric_store(platform.store)

    # metrics

    def put_metric_data(self, ctx: RequestContext, request: Request) -> Response:
        data = list(request.get("MetricData") or [])
        for entity in request.get("EntityMetricData") or []:
            data.extend(entity.get("MetricData") or [])
        if not data:
            raise errors.missing_parameter("The parameter MetricData is required.")
        self.metrics.put(ctx.account, ctx.region, parse_metric_data(request["Namespace"], data))
        return {}

    def get_metric_statistics(self, ctx: RequestContext, request: Request) -> Response:
        return statistics.get_metric_statistics(
            self.metrics, ctx.account, ctx.region, request, time.time()
        )

    def list_metrics(self, ctx: RequestContext, request: Request) -> Response:
        return listing.list_metrics(self.metrics, ctx.account, ctx.region, request)

    def get_metric_data(self, ctx: RequestContext, request: Request) -> Response:
        return metric_data.get_metric_data(
            self.metrics, ctx.account, ctx.region, request, time.time()
        )
