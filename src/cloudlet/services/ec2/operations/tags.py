"""CreateTags, DeleteTags, DescribeTags over every taggable resource, found by its id's prefix."""

from __future__ import annotations

from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.ec2.filters import (
    check_filters,
    matches,
    merge_tags,
    paged_response,
    remove_tags,
)
from cloudlet.services.ec2.operations.base import Ec2Base, Request, Response, dry_run

KINDS: dict[str, tuple[str, str, str]] = {
    "i": ("instance", "instance", "InvalidInstanceID.NotFound"),
    "ami": ("image", "image", "InvalidAMIID.NotFound"),
    "sg": ("sg", "security-group", "InvalidGroup.NotFound"),
    "vpc": ("vpc", "vpc", "InvalidVpcID.NotFound"),
    "subnet": ("subnet", "subnet", "InvalidSubnetID.NotFound"),
    "lt": ("lt", "launch-template", "InvalidLaunchTemplateId.NotFound"),
    "key": ("key", "key-pair", "InvalidKeyPair.NotFound"),
}
"""id prefix → (document kind, resource type, not-found code)."""

_MAX_TAGS = 50


class TagOperations(Ec2Base):
    def _resource(self, ctx: RequestContext, resource_id: str) -> tuple[str, str, dict[str, Any]]:
        """(document kind, document id, document) of a resource id."""
        prefix = resource_id.split("-", 1)[0]
        if prefix not in KINDS or "-" not in resource_id:
            raise ServiceError(f'Invalid id: "{resource_id}"', code="InvalidID")
        kind, _, code = KINDS[prefix]
        self.network.ensure(ctx.account, ctx.region)
        if kind == "key":
            for key in self.store.all(ctx.account, ctx.region, "key"):
                if key["KeyPairId"] == resource_id:
                    return kind, key["KeyName"], key
        else:
            doc = self.store.get(ctx.account, ctx.region, kind, resource_id)
            if doc is not None:
                return kind, resource_id, doc
        raise ServiceError(f"The ID '{resource_id}' does not exist", code=code)

    def create_tags(self, ctx: RequestContext, request: Request) -> Response:
        found = [self._resource(ctx, r) for r in request["Resources"]]
        dry_run(request)
        for kind, doc_id, doc in found:
            tags = merge_tags(doc.get("Tags") or [], request["Tags"])
            if len(tags) > _MAX_TAGS:
                raise ServiceError(
                    f"the TagSet: {len(tags)} exceeds the maximum allowed {_MAX_TAGS} tags",
                    code="TagLimitExceeded",
                )
            doc["Tags"] = tags
            self.store.put(ctx.account, ctx.region, kind, doc_id, doc)
        return {}

    def delete_tags(self, ctx: RequestContext, request: Request) -> Response:
        found = [self._resource(ctx, r) for r in request["Resources"]]
        dry_run(request)
        for kind, doc_id, doc in found:
            gone = request.get("Tags")
            doc["Tags"] = [] if gone is None else remove_tags(doc.get("Tags") or [], gone)
            self.store.put(ctx.account, ctx.region, kind, doc_id, doc)
        return {}

    def describe_tags(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        check_filters(request.get("Filters"), ("key", "resource-id", "resource-type", "value"))
        self.network.ensure(ctx.account, ctx.region)
        rows = []
        for prefix, (kind, resource_type, _) in KINDS.items():
            del prefix
            for doc in self.store.all(ctx.account, ctx.region, kind):
                resource_id = doc.get("KeyPairId") if kind == "key" else _id_of(kind, doc)
                for tag in doc.get("Tags") or []:
                    row = {
                        "ResourceId": resource_id,
                        "ResourceType": resource_type,
                        "Key": tag["Key"],
                        "Value": tag.get("Value", ""),
                    }
                    values = {
                        "key": [row["Key"]],
                        "value": [row["Value"]],
                        "resource-id": [row["ResourceId"]],
                        "resource-type": [resource_type],
                    }
                    if matches(request.get("Filters"), values.get):
                        rows.append(row)
        rows.sort(key=lambda r: (r["ResourceId"], r["Key"]))
        return paged_response("Tags", rows, request)


def _id_of(kind: str, doc: dict[str, Any]) -> str:
    field = {
        "instance": "InstanceId",
        "image": "ImageId",
        "sg": "GroupId",
        "vpc": "VpcId",
        "subnet": "SubnetId",
        "lt": "LaunchTemplateId",
    }[kind]
    return str(doc[field])
