"""Launch templates: create, versions, describe, default version, delete."""

from __future__ import annotations

from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.ec2.filters import invalid, matches, paged_response, tags_of
from cloudlet.services.ec2.operations.base import Ec2Base, Request, Response, dry_run
from cloudlet.services.ec2.templates import (
    describe_template,
    describe_version,
    not_found_id,
    template_values,
)


class TemplateOperations(Ec2Base):
    def create_launch_template(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        template, _ = self.templates.create(
            ctx.account,
            ctx.region,
            request["LaunchTemplateName"],
            request["LaunchTemplateData"],
            request.get("VersionDescription"),
            tags_of(request, "launch-template"),
        )
        return {"LaunchTemplate": describe_template(template)}

    def create_launch_template_version(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        template = self._named_template(ctx, request)
        version = self.templates.add_version(
            ctx.account,
            ctx.region,
            template,
            request["LaunchTemplateData"],
            request.get("VersionDescription"),
            request.get("SourceVersion"),
        )
        return {"LaunchTemplateVersion": describe_version(template, version)}

    def describe_launch_templates(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        templates = self.templates.all(ctx.account, ctx.region)
        ids = request.get("LaunchTemplateIds") or []
        names = request.get("LaunchTemplateNames") or []
        for template_id in ids:
            if template_id not in {t["LaunchTemplateId"] for t in templates}:
                raise not_found_id(template_id)
        for name in names:
            if name not in {t["LaunchTemplateName"] for t in templates}:
                raise ServiceError(
                    "At least one of the launch templates specified in the request does not exist.",
                    code="InvalidLaunchTemplateName.NotFoundException",
                )
        if ids or names:
            templates = [
                t
                for t in templates
                if t["LaunchTemplateId"] in ids or t["LaunchTemplateName"] in names
            ]
        templates = [t for t in templates if matches(request.get("Filters"), template_values(t))]
        return paged_response("LaunchTemplates", templates, request, describe_template, minimum=1)

    def describe_launch_template_versions(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        template = self._named_template(ctx, request)
        wanted = request.get("Versions") or []
        if wanted:
            versions = [
                self.templates.version(ctx.account, ctx.region, template, w) for w in wanted
            ]
        else:
            versions = self.templates.versions(ctx.account, ctx.region, template)
        low, high = request.get("MinVersion"), request.get("MaxVersion")
        if low:
            versions = [v for v in versions if v["VersionNumber"] >= int(low)]
        if high:
            versions = [v for v in versions if v["VersionNumber"] <= int(high)]

        def values(version: dict[str, Any]) -> Any:
            data = version["LaunchTemplateData"]
            return {
                "image-id": [data.get("ImageId", "")],
                "instance-type": [data.get("InstanceType", "")],
                "is-default-version": [
                    "true"
                    if version["VersionNumber"] == template["DefaultVersionNumber"]
                    else "false"
                ],
                "key-name": [data.get("KeyName", "")],
                "version-number": [str(version["VersionNumber"])],
            }.get

        versions = [v for v in versions if matches(request.get("Filters"), values(v))]
        versions.sort(key=lambda v: -v["VersionNumber"])
        return paged_response(
            "LaunchTemplateVersions",
            versions,
            request,
            lambda v: describe_version(template, v),
            minimum=1,
        )

    def modify_launch_template(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        template = self._named_template(ctx, request)
        if request.get("DefaultVersion"):
            template = self.templates.set_default(
                ctx.account, ctx.region, template, request["DefaultVersion"]
            )
        return {"LaunchTemplate": describe_template(template)}

    def delete_launch_template(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        template = self._named_template(ctx, request)
        self.templates.delete(ctx.account, ctx.region, template)
        return {"LaunchTemplate": describe_template(template)}

    def delete_launch_template_versions(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        template = self._named_template(ctx, request)
        done, failed = [], []
        for text in request["Versions"]:
            item = {
                "LaunchTemplateId": template["LaunchTemplateId"],
                "LaunchTemplateName": template["LaunchTemplateName"],
            }
            try:
                number = int(text)
            except ValueError:
                failed.append(
                    {
                        **item,
                        "ResponseError": {
                            "Code": "launchTemplateVersionDoesNotExist",
                            "Message": "Launch template version does not exist",
                        },
                    }
                )
                continue
            try:
                self.templates.delete_version(ctx.account, ctx.region, template, number)
            except ServiceError as exc:
                failed.append(
                    {
                        **item,
                        "VersionNumber": number,
                        "ResponseError": {"Code": exc.code, "Message": exc.message},
                    }
                )
            else:
                done.append({**item, "VersionNumber": number})
        return {
            "SuccessfullyDeletedLaunchTemplateVersions": done,
            "UnsuccessfullyDeletedLaunchTemplateVersions": failed,
        }

    def get_launch_template_data(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        (instance,) = self.lifecycle.require(ctx.account, ctx.region, [request["InstanceId"]])
        data: dict[str, Any] = {
            "ImageId": instance["ImageId"],
            "InstanceType": instance["InstanceType"],
            "Monitoring": {"Enabled": instance["Monitoring"]["State"] == "enabled"},
            "Placement": {
                "AvailabilityZone": instance["Placement"]["AvailabilityZone"],
                "Tenancy": "default",
            },
            "SecurityGroupIds": [g["GroupId"] for g in instance["SecurityGroups"]],
            "DisableApiTermination": bool(instance.get("_no_terminate")),
            "InstanceInitiatedShutdownBehavior": instance.get("_shutdown", "stop"),
        }
        if instance.get("KeyName"):
            data["KeyName"] = instance["KeyName"]
        if instance.get("_user_data"):
            data["UserData"] = instance["_user_data"]
        if instance.get("IamInstanceProfile"):
            data["IamInstanceProfile"] = {"Arn": instance["IamInstanceProfile"]["Arn"]}
        if not data["ImageId"]:
            raise invalid("The instance has no image")
        return {"LaunchTemplateData": data}

    def _named_template(self, ctx: RequestContext, request: Request) -> dict[str, Any]:
        """The template a request names by LaunchTemplateId or LaunchTemplateName."""
        return self.templates.find(
            ctx.account,
            ctx.region,
            request.get("LaunchTemplateId"),
            request.get("LaunchTemplateName"),
        )
