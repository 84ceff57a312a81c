"""Images: DescribeImages (built-ins and your own), RegisterImage, CreateImage, DeregisterImage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.ec2.filters import invalid, matches, paged_response, tags_of
from cloudlet.services.ec2.images import AMAZON, check_id, image_values
from cloudlet.services.ec2.operations.base import Ec2Base, Request, Response, dry_run


def _public(image: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in image.items() if not k.startswith("_")}


class ImageOperations(Ec2Base):
    def describe_images(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        images = self.images.all(ctx.account, ctx.region)
        ids = request.get("ImageIds") or []
        for image_id in ids:
            check_id(image_id)
        if ids:
            known = {i["ImageId"] for i in images}
            missing = [i for i in ids if i not in known]
            if missing:
                raise ServiceError(
                    f"The image id '[{', '.join(missing)}]' does not exist",
                    code="InvalidAMIID.NotFound",
                )
            images = [i for i in images if i["ImageId"] in ids]
        owners = request.get("Owners") or []
        if owners:
            wanted = set()
            for owner in owners:
                wanted.add({"self": ctx.account, "amazon": AMAZON}.get(owner, owner))
            images = [i for i in images if i["OwnerId"] in wanted]
        images = [i for i in images if matches(request.get("Filters"), image_values(i))]
        images.sort(key=lambda i: i["CreationDate"])
        return paged_response("Images", images, request, _public)

    def register_image(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        location = request.get("ImageLocation")
        source = None
        if location:
            source = Path(location).expanduser()
            if not source.is_dir():
                raise invalid(
                    f"Invalid value '{location}' for ImageLocation: cloudlet registers an image"
                    " from a local directory holding its app bundle."
                )
        image = self.images.register(
            ctx.account,
            ctx.region,
            request["Name"],
            request.get("Description") or "",
            source,
            location or f"{ctx.account}/{request['Name']}",
            tags_of(request, "image"),
        )
        return {"ImageId": image["ImageId"]}

    async def create_image(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        (instance,) = self.lifecycle.require(ctx.account, ctx.region, [request["InstanceId"]])
        if instance["State"]["Name"] not in ("running", "stopped", "stopping", "pending"):
            raise ServiceError(
                f"Instance '{instance['InstanceId']}' is not in a valid state for this operation.",
                code="IncorrectInstanceState",
            )
        app = self.lifecycle.machines.directory(instance["InstanceId"]) / "app"
        image = self.images.register(
            ctx.account,
            ctx.region,
            request["Name"],
            request.get("Description") or "",
            app if app.is_dir() else None,
            f"{ctx.account}/{request['Name']}",
            tags_of(request, "image"),
            source_instance=instance["InstanceId"],
        )
        if not request.get("NoReboot") and instance["State"]["Name"] == "running":
            self.lifecycle.reboot(ctx.account, ctx.region, [instance["InstanceId"]])
        return {"ImageId": image["ImageId"]}

    def deregister_image(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        self.images.deregister(ctx.account, ctx.region, request["ImageId"])
        return {"Return": True}
