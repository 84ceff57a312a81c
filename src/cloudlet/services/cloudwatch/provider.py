"""Amazon CloudWatch's operations (CBOR, JSON 1.0 and query): validate, call the domain modules.

Metrics: `metrics` (storage, PutMetricData), `statistics` (GetMetricStatistics), `listing`
(ListMetrics), `metric_data` (GetMetricData and metric math). Alarms: `alarms` (the
operations), `alarm_config` (their rules), `scheduler` (evaluation on the clock, transitions),
`evaluation` (M out of N), `composite` (alarm rules), `actions` (what alarms run).
Dashboards: `dashboards` (stored bodies).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.services.base import Provider
from cloudlet.services.cloudwatch import errors, listing, metric_data, statistics
from cloudlet.services.cloudwatch.actions import ActionRunner
from cloudlet.services.cloudwatch.alarm_store import AlarmStore
from cloudlet.services.cloudwatch.alarms import Alarms
from cloudlet.services.cloudwatch.dashboards import Dashboards
from cloudlet.services.cloudwatch.metric_input import parse_metric_data
from cloudlet.services.cloudwatch.metrics import metric_store
from cloudlet.services.cloudwatch.scheduler import AlarmScheduler

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

Request = dict[str, Any]
Response = dict[str, Any]

SWEEP_SECONDS = 3600.0
"""How often expired datapoints are deleted (an internal period, not an AWS one: not scaled)."""


class CloudWatchProvider(Provider):
    service = "cloudwatch"
    resumes = True

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.metrics = metric_store(platform.store)
        alarm_store = AlarmStore(platform.store)
        self.actions = ActionRunner(platform, alarm_store)
        self.scheduler = AlarmScheduler(platform, alarm_store, self.metrics, self.actions)
        self.alarms = Alarms(alarm_store, self.metrics, self.scheduler)
        self.dashboards = Dashboards(platform.store)
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.scheduler.start()
        self._sweeper = asyncio.create_task(self._sweep())

    async def _sweep(self) -> None:
        while True:
            self.metrics.expire()
            await asyncio.sleep(SWEEP_SECONDS)

    async def reset(self) -> None:
        self.scheduler.reset()

    async def shutdown(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.actions.stop()

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

    # alarms

    def put_metric_alarm(self, ctx: RequestContext, request: Request) -> Response:
        self.alarms.put_metric_alarm(ctx.account, ctx.region, request)
        return {}

    def put_composite_alarm(self, ctx: RequestContext, request: Request) -> Response:
        self.alarms.put_composite_alarm(ctx.account, ctx.region, request)
        return {}

    def delete_alarms(self, ctx: RequestContext, request: Request) -> Response:
        self.alarms.delete_alarms(ctx.account, ctx.region, request["AlarmNames"])
        return {}

    def describe_alarms(self, ctx: RequestContext, request: Request) -> Response:
        return self.alarms.describe_alarms(ctx.account, ctx.region, request)

    def describe_alarms_for_metric(self, ctx: RequestContext, request: Request) -> Response:
        return self.alarms.describe_alarms_for_metric(ctx.account, ctx.region, request)

    def describe_alarm_history(self, ctx: RequestContext, request: Request) -> Response:
        return self.alarms.describe_alarm_history(ctx.account, ctx.region, request)

    def enable_alarm_actions(self, ctx: RequestContext, request: Request) -> Response:
        self.alarms.set_actions_enabled(ctx.account, ctx.region, request["AlarmNames"], True)
        return {}

    def disable_alarm_actions(self, ctx: RequestContext, request: Request) -> Response:
        self.alarms.set_actions_enabled(ctx.account, ctx.region, request["AlarmNames"], False)
        return {}

    def set_alarm_state(self, ctx: RequestContext, request: Request) -> Response:
        self.alarms.set_alarm_state(ctx.account, ctx.region, request)
        return {}

    # tags

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        self.alarms.tag_resource(ctx.account, ctx.region, request["ResourceARN"], request["Tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        self.alarms.untag_resource(
            ctx.account, ctx.region, request["ResourceARN"], request["TagKeys"]
        )
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: Request) -> Response:
        return {"Tags": self.alarms.list_tags(ctx.account, ctx.region, request["ResourceARN"])}

    # dashboards

    def put_dashboard(self, ctx: RequestContext, request: Request) -> Response:
        return self.dashboards.put(ctx.account, request["DashboardName"], request["DashboardBody"])

    def get_dashboard(self, ctx: RequestContext, request: Request) -> Response:
        return self.dashboards.get(ctx.account, request["DashboardName"])

    def list_dashboards(self, ctx: RequestContext, request: Request) -> Response:
        return self.dashboards.entries(
            ctx.account, request.get("DashboardNamePrefix") or "", request.get("NextToken")
        )

    def delete_dashboards(self, ctx: RequestContext, request: Request) -> Response:
        self.dashboards.delete(ctx.account, request["DashboardNames"])
        return {}
