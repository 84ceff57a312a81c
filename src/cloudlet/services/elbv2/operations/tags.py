"""Tags on load balancers, target groups, listeners and rules (found by their ARN)."""

from __future__ import annotations

from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.elbv2.models import arn_id
from cloudlet.services.elbv2.operations.base import ElbBase, Request, Response

MAX_TAGS = 50


class TagOperations(ElbBase):
    def _resource(self, ctx: RequestContext, arn: str) -> tuple[str, dict[str, Any]]:
        if ":loadbalancer/" in arn:
            return "lb", self.store.lb(ctx.account, ctx.region, arn)
        if ":targetgroup/" in arn:
            return "tg", self.store.tg(ctx.account, ctx.region, arn)
        if ":listener-rule/" in arn:
            return "rule", self.store.rule(ctx.account, ctx.region, arn)
        if ":listener/" in arn:
            return "listener", self.store.listener(ctx.account, ctx.region, arn)
        raise ServiceError(
            f"'{arn}' is not a valid load balancer resource ARN", code="ValidationError"
        )

    def add_tags(self, ctx: RequestContext, request: Request) -> Response:
        found = [(*self._resource(ctx, arn), arn) for arn in request["ResourceArns"]]
        keys = [t["Key"] for t in request["Tags"]]
        if len(keys) != len(set(keys)):
            raise ServiceError("Tag keys must be unique", code="DuplicateTagKeysException")
        for kind, doc, arn in found:
            tags = {t["Key"]: t.get("Value", "") for t in doc.get("_tags") or []}
            tags.update({t["Key"]: t.get("Value", "") for t in request["Tags"]})
            if len(tags) > MAX_TAGS:
                raise ServiceError(
                    f"The maximum number of tags ({MAX_TAGS}) has been reached",
                    code="TooManyTagsException",
                )
            doc["_tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
            self.store.put(ctx.account, ctx.region, kind, arn_id(arn), doc)
        return {}

    def remove_tags(self, ctx: RequestContext, request: Request) -> Response:
        for arn in request["ResourceArns"]:
            kind, doc = self._resource(ctx, arn)
            doc["_tags"] = [t for t in doc.get("_tags") or [] if t["Key"] not in request["TagKeys"]]
            self.store.put(ctx.account, ctx.region, kind, arn_id(arn), doc)
        return {}

    def describe_tags(self, ctx: RequestContext, request: Request) -> Response:
        out = []
        for arn in request["ResourceArns"]:
            _, doc = self._resource(ctx, arn)
            out.append({"ResourceArn": arn, "Tags": list(doc.get("_tags") or [])})
        return {"TagDescriptions": out}
