"""Service Quotas' operations (JSON 1.1): look quotas up, raise them, list the requests, tag them.

An increase request is decided at once, as if AWS approved it automatically: the record is created
`APPROVED` and the new value applies immediately, to `GetServiceQuota` and to every service that
reads its limit through `quotas.applied_value` (Lambda's concurrency limit, ...). What AWS refuses
is refused the same way: unknown codes (`NoSuchResourceException`), a quota that cannot be raised
or a value not above the applied one (`IllegalArgumentException`). A `ContextId` names a resource,
and no catalogued quota has resource-level values, so such a request ends `INVALID_REQUEST`.

Template, automatic-management, utilization-report and support-case operations answer 501.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.services.base import Provider
from cloudlet.services.iam.identity import caller
from cloudlet.services.servicequotas import catalog, models
from cloudlet.services.servicequotas.exceptions import (
    no_such_context,
    no_such_quota,
    no_such_request,
    no_such_resource,
    no_such_service,
    not_adjustable,
    not_an_increase,
    too_many_tags,
)
from cloudlet.services.servicequotas.quotas import AppliedQuotas
from cloudlet.services.servicequotas.store import QuotaRecords

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

Request = dict[str, Any]
Response = dict[str, Any]

MAX_TAGS = 50
"""Tags one applied quota may carry [?]."""


class ServiceQuotasProvider(Provider):
    service = "service-quotas"

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.applied = AppliedQuotas(platform.store)
        self.records = QuotaRecords(platform.store)

    async def reset(self) -> None:
        self.applied.forget_memo()

    # lookups

    def _service(self, ctx: RequestContext, code: str) -> catalog.Service:
        service = catalog.service(code)
        if service is None or not service.available_in(ctx.region):
            raise no_such_service()
        return service

    def _quota(
        self, ctx: RequestContext, request: Request
    ) -> tuple[catalog.Service, catalog.Quota]:
        service = self._service(ctx, request["ServiceCode"])
        quota = service.quota(request["QuotaCode"])
        if quota is None:
            raise no_such_quota(service.code, request["QuotaCode"])
        return service, quota

    def _applied(
        self, ctx: RequestContext, service: catalog.Service, quota: catalog.Quota
    ) -> dict[str, Any]:
        value = self.applied.get(ctx.account, ctx.region, quota, service.code)
        return models.service_quota(service, quota, value, ctx.region, ctx.account, applied=True)

    # services and quotas

    def list_services(self, ctx: RequestContext, request: Request) -> Response:
        services = [s for s in catalog.SERVICES.values() if s.available_in(ctx.region)]
        items, token = models.page(services, request)
        response: Response = {
            "Services": [{"ServiceCode": s.code, "ServiceName": s.name} for s in items]
        }
        if token:
            response["NextToken"] = token
        return response

    def list_service_quotas(self, ctx: RequestContext, request: Request) -> Response:
        service = self._service(ctx, request["ServiceCode"])
        quotas = catalog.quotas(service.code)
        if request.get("QuotaCode"):
            quotas = [quota for quota in quotas if quota.code == request["QuotaCode"]]
        if request.get("QuotaAppliedAtLevel") == "RESOURCE":
            quotas = []
        items, token = models.page(quotas, request)
        response: Response = {"Quotas": [self._applied(ctx, service, quota) for quota in items]}
        if token:
            response["NextToken"] = token
        return response

    def get_service_quota(self, ctx: RequestContext, request: Request) -> Response:
        service, quota = self._quota(ctx, request)
        if request.get("ContextId"):
            raise no_such_context()
        return {"Quota": self._applied(ctx, service, quota)}

    def list_aws_default_service_quotas(self, ctx: RequestContext, request: Request) -> Response:
        service = self._service(ctx, request["ServiceCode"])
        items, token = models.page(catalog.quotas(service.code), request)
        response: Response = {
            "Quotas": [
                models.service_quota(service, q, q.default, ctx.region, ctx.account, applied=False)
                for q in items
            ]
        }
        if token:
            response["NextToken"] = token
        return response

    def get_aws_default_service_quota(self, ctx: RequestContext, request: Request) -> Response:
        service, quota = self._quota(ctx, request)
        return {
            "Quota": models.service_quota(
                service, quota, quota.default, ctx.region, ctx.account, applied=False
            )
        }

    # increase requests

    def request_service_quota_increase(self, ctx: RequestContext, request: Request) -> Response:
        service, quota = self._quota(ctx, request)
        if not quota.adjustable:
            raise not_adjustable()
        desired = float(request["DesiredValue"])
        now = round(time.time(), 3)
        record: dict[str, Any] = {
            "Order": time.time_ns(),
            "Id": models.new_request_id(),
            "ServiceCode": service.code,
            "QuotaCode": quota.code,
            "DesiredValue": desired,
            "Created": now,
            "LastUpdated": now,
            "Requester": models.requester(ctx.account, caller(self.platform, ctx).arn),
            "QuotaRequestedAtLevel": models.APPLIED_LEVEL,
        }
        if request.get("ContextId"):
            record["Status"] = "INVALID_REQUEST"
            record["QuotaRequestedAtLevel"] = "RESOURCE"
            record["QuotaContext"] = {"ContextScope": "RESOURCE", "ContextId": request["ContextId"]}
        else:
            if desired <= self.applied.get(ctx.account, ctx.region, quota, service.code):
                raise not_an_increase()
            record["Status"] = "APPROVED"
            self.applied.set(ctx.account, ctx.region, quota, service.code, desired)
        self.records.add_request(ctx.account, ctx.region, record)
        return {"RequestedQuota": models.requested_change(record, ctx.region, ctx.account)}

    def get_requested_service_quota_change(self, ctx: RequestContext, request: Request) -> Response:
        record = self.records.request(ctx.account, ctx.region, request["RequestId"])
        if record is None:
            raise no_such_request()
        return {"RequestedQuota": models.requested_change(record, ctx.region, ctx.account)}

    def list_requested_service_quota_change_history(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        records = self.records.requests(ctx.account, ctx.region)
        if request.get("ServiceCode"):
            service = self._service(ctx, request["ServiceCode"])
            records = [r for r in records if r["ServiceCode"] == service.code]
        return self._history(ctx, records, request)

    def list_requested_service_quota_change_history_by_quota(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        service, quota = self._quota(ctx, request)
        records = [
            r
            for r in self.records.requests(ctx.account, ctx.region)
            if (r["ServiceCode"], r["QuotaCode"]) == (service.code, quota.code)
        ]
        return self._history(ctx, records, request)

    def _history(
        self, ctx: RequestContext, records: list[dict[str, Any]], request: Request
    ) -> Response:
        if request.get("Status"):
            records = [r for r in records if r["Status"] == request["Status"]]
        level = request.get("QuotaRequestedAtLevel")
        if level and level != "ALL":
            records = [r for r in records if r.get("QuotaRequestedAtLevel") == level]
        items, token = models.page(records, request)
        response: Response = {
            "RequestedQuotas": [models.requested_change(r, ctx.region, ctx.account) for r in items]
        }
        if token:
            response["NextToken"] = token
        return response

    # tags

    def _tagged_quota(self, ctx: RequestContext, arn: str) -> tuple[str, str]:
        parsed = models.parse_quota_arn(arn)
        if parsed is None or parsed[:2] != (ctx.region, ctx.account):
            raise no_such_resource()
        service = catalog.service(parsed[2])
        if service is None or not service.available_in(ctx.region):
            raise no_such_resource()
        if service.quota(parsed[3]) is None:
            raise no_such_resource()
        return parsed[2], parsed[3]

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        service_code, quota_code = self._tagged_quota(ctx, request["ResourceARN"])
        tags = self.records.tags(ctx.account, ctx.region, service_code, quota_code)
        tags.update({tag["Key"]: tag["Value"] for tag in request["Tags"]})
        if len(tags) > MAX_TAGS:
            raise too_many_tags(MAX_TAGS)
        self.records.set_tags(ctx.account, ctx.region, service_code, quota_code, tags)
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        service_code, quota_code = self._tagged_quota(ctx, request["ResourceARN"])
        tags = self.records.tags(ctx.account, ctx.region, service_code, quota_code)
        for key in request["TagKeys"]:
            tags.pop(key, None)
        self.records.set_tags(ctx.account, ctx.region, service_code, quota_code, tags)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: Request) -> Response:
        service_code, quota_code = self._tagged_quota(ctx, request["ResourceARN"])
        tags = self.records.tags(ctx.account, ctx.region, service_code, quota_code)
        return {"Tags": [{"Key": key, "Value": value} for key, value in sorted(tags.items())]}
