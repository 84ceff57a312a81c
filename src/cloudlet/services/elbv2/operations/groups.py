"""Target groups, their attributes, target registration and target health."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.ec2.ports import host_port
from cloudlet.services.elbv2.models import (
    TG_ATTRIBUTES,
    arn_id,
    check_name,
    new_id,
    public,
    tg_arn,
    validation,
)
from cloudlet.services.elbv2.operations.base import (
    MAX_TARGET_GROUPS,
    MAX_TARGETS,
    ElbBase,
    Request,
    Response,
    paged,
)

_HEALTH = {
    "HealthCheckPort": "traffic-port",
    "HealthCheckEnabled": True,
    "HealthCheckIntervalSeconds": 30,
    "HealthCheckTimeoutSeconds": 5,
    "HealthyThresholdCount": 5,
    "UnhealthyThresholdCount": 2,
    "HealthCheckPath": "/",
    "Matcher": {"HttpCode": "200"},
}
_COMPARED = ("Protocol", "Port", "VpcId", "TargetType", *_HEALTH)


def _check_health_settings(doc: dict[str, Any]) -> None:
    interval, timeout = doc["HealthCheckIntervalSeconds"], doc["HealthCheckTimeoutSeconds"]
    if not 5 <= interval <= 300:
        raise validation("Health check interval must be between 5 and 300 seconds")
    if not 2 <= timeout <= 120:
        raise validation("Health check timeout must be between 2 and 120 seconds")
    if timeout >= interval:
        raise validation("Health check interval must be greater than the timeout.")
    for member in ("HealthyThresholdCount", "UnhealthyThresholdCount"):
        if not 2 <= doc[member] <= 10:
            raise validation(f"{member} must be between 2 and 10")


class GroupOperations(ElbBase):
    async def create_target_group(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        name = request["Name"]
        check_name(name, "Target group")
        kind = request.get("TargetType") or "instance"
        if kind not in ("instance", "ip"):
            raise validation(f"cloudlet does not serve '{kind}' target groups yet")
        if request.get("Protocol") is None:
            raise validation("A protocol must be specified")
        if request["Protocol"] not in ("HTTP", "HTTPS"):
            raise validation(
                f"Target group protocol '{request['Protocol']}' is not supported by application"
                " load balancers"
            )
        if request.get("Port") is None:
            raise validation("A port must be specified")
        if not request.get("VpcId"):
            raise validation("A VPC ID must be specified")
        vpcs = await self._ec2(ctx, "DescribeVpcs", {})
        if request["VpcId"] not in {v["VpcId"] for v in vpcs["Vpcs"]}:
            raise validation(f"The VPC ID '{request['VpcId']}' is not found")
        doc: dict[str, Any] = {
            "TargetGroupName": name,
            "Protocol": request["Protocol"],
            "Port": request["Port"],
            "VpcId": request["VpcId"],
            "HealthCheckProtocol": request.get("HealthCheckProtocol") or request["Protocol"],
            "TargetType": kind,
            "ProtocolVersion": request.get("ProtocolVersion") or "HTTP1",
            "IpAddressType": request.get("IpAddressType") or "ipv4",
            "LoadBalancerArns": [],
        }
        for member, default in _HEALTH.items():
            doc[member] = request[member] if request.get(member) is not None else default
        _check_health_settings(doc)
        existing = self.store.all(account, region, "tg")
        for group in existing:
            if group["TargetGroupName"] == name:
                if all(group.get(k) == doc.get(k) for k in _COMPARED):
                    return {"TargetGroups": [public(group)]}
                raise ServiceError(
                    f"A target group with the same name '{name}' exists, but with different"
                    " settings",
                    code="DuplicateTargetGroupNameException",
                )
        if len(existing) >= MAX_TARGET_GROUPS:
            raise ServiceError(
                "The maximum number of target groups has been reached",
                code="TooManyTargetGroupsException",
            )
        tg_id = new_id()
        doc["TargetGroupArn"] = tg_arn(account, region, name, tg_id)
        doc["_attributes"] = dict(TG_ATTRIBUTES)
        doc["_tags"] = list(request.get("Tags") or [])
        doc["_created"] = time.time()
        self.store.put(account, region, "tg", tg_id, doc)
        described = public(doc)
        described.pop("CreatedTime", None)
        return {"TargetGroups": [described]}

    def describe_target_groups(self, ctx: RequestContext, request: Request) -> Response:
        found = sorted(self.store.all(ctx.account, ctx.region, "tg"), key=lambda g: g["_created"])
        if request.get("LoadBalancerArn"):
            self.store.lb(ctx.account, ctx.region, request["LoadBalancerArn"])
            found = [g for g in found if request["LoadBalancerArn"] in g["LoadBalancerArns"]]
        arns = request.get("TargetGroupArns") or []
        if arns:
            for arn in arns:
                self.store.tg(ctx.account, ctx.region, arn)
            found = [g for g in found if g["TargetGroupArn"] in arns]
        names = request.get("Names") or []
        if names:
            missing = [n for n in names if n not in {g["TargetGroupName"] for g in found}]
            if missing:
                raise ServiceError(
                    f"Target groups '[{', '.join(missing)}]' not found",
                    code="TargetGroupNotFoundException",
                )
            found = [g for g in found if g["TargetGroupName"] in names]
        chosen, marker = paged(found, request)
        out = []
        for group in chosen:
            described = public(group)
            described.pop("CreatedTime", None)
            out.append(described)
        response: Response = {"TargetGroups": out}
        if marker:
            response["NextMarker"] = marker
        return response

    def modify_target_group(self, ctx: RequestContext, request: Request) -> Response:
        group = self.store.tg(ctx.account, ctx.region, request["TargetGroupArn"])
        for member in (*_HEALTH, "HealthCheckProtocol"):
            if request.get(member) is not None:
                group[member] = request[member]
        _check_health_settings(group)
        self.store.put(ctx.account, ctx.region, "tg", arn_id(group["TargetGroupArn"]), group)
        self.runtime.update_group(ctx.account, ctx.region, group)
        described = public(group)
        described.pop("CreatedTime", None)
        return {"TargetGroups": [described]}

    def delete_target_group(self, ctx: RequestContext, request: Request) -> Response:
        try:
            group = self.store.tg(ctx.account, ctx.region, request["TargetGroupArn"])
        except ServiceError:
            return {}
        arn = group["TargetGroupArn"]
        for listener in self.store.all(ctx.account, ctx.region, "listener"):
            for rule in self.runtime.rules_of(ctx.account, ctx.region, listener):
                for action in rule.get("Actions") or []:
                    used = [action.get("TargetGroupArn")] + [
                        t["TargetGroupArn"]
                        for t in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
                    ]
                    if arn in used:
                        raise ServiceError(
                            f"Target group '{arn}' is currently in use by a listener or a rule",
                            code="ResourceInUseException",
                        )
        for registration in self.store.targets(ctx.account, ctx.region, arn_id(arn)):
            self.store.delete(
                ctx.account,
                ctx.region,
                "target",
                f"{arn_id(arn)}/{registration['Id']}/{registration['Port']}",
            )
        self.store.delete(ctx.account, ctx.region, "tg", arn_id(arn))
        self.runtime.drop_group(arn)
        return {}

    def describe_target_group_attributes(self, ctx: RequestContext, request: Request) -> Response:
        group = self.store.tg(ctx.account, ctx.region, request["TargetGroupArn"])
        return {"Attributes": [{"Key": k, "Value": v} for k, v in group["_attributes"].items()]}

    def modify_target_group_attributes(self, ctx: RequestContext, request: Request) -> Response:
        group = self.store.tg(ctx.account, ctx.region, request["TargetGroupArn"])
        for attribute in request["Attributes"]:
            key, value = attribute["Key"], attribute["Value"]
            if key not in TG_ATTRIBUTES:
                raise validation(f"Target group attribute key '{key}' is not recognized")
            if key == "deregistration_delay.timeout_seconds" and not (
                value.isdigit() and 0 <= int(value) <= 3600
            ):
                raise validation(
                    "'deregistration_delay.timeout_seconds' must be a number between 0 and 3600"
                )
            group["_attributes"][key] = value
        self.store.put(ctx.account, ctx.region, "tg", arn_id(group["TargetGroupArn"]), group)
        self.runtime.update_group(ctx.account, ctx.region, group)
        return {"Attributes": [{"Key": k, "Value": v} for k, v in group["_attributes"].items()]}

    # targets

    async def register_targets(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        group = self.store.tg(account, region, request["TargetGroupArn"])
        tg_id = arn_id(group["TargetGroupArn"])
        targets = request["Targets"]
        for target in targets:
            port = target.get("Port", group.get("Port"))
            if port is None:
                raise validation("A port must be specified")
        placed: dict[str, tuple[str, str, bool]] = {}
        if group["TargetType"] == "instance":
            ids = sorted({t["Id"] for t in targets})
            found = await self._ec2(
                ctx, "DescribeInstances", {"Filters": [{"Name": "instance-id", "Values": ids}]}
            )
            instances = {i["InstanceId"]: i for r in found["Reservations"] for i in r["Instances"]}
            invalid = [i for i in ids if i not in instances]
            if invalid:
                raise ServiceError(
                    f"The following targets are not valid instances: '{', '.join(invalid)}'",
                    code="InvalidTargetException",
                )
            idle = [i for i in ids if instances[i]["State"]["Name"] != "running"]
            if idle:
                raise ServiceError(
                    "The following targets are not in a running state and cannot be registered:"
                    f" '{', '.join(idle)}'",
                    code="InvalidTargetException",
                )
            for instance_id, instance in instances.items():
                placed[instance_id] = (
                    instance["PrivateIpAddress"],
                    instance["Placement"]["AvailabilityZone"],
                    True,
                )
        else:
            for target in targets:
                try:
                    ipaddress.ip_address(target["Id"])
                except ValueError as exc:
                    raise ServiceError(
                        f"The IP address '{target['Id']}' is not a valid IPv4 address",
                        code="InvalidTargetException",
                    ) from exc
                placed[target["Id"]] = (target["Id"], target.get("AvailabilityZone", ""), True)
        if len(self.store.targets(account, region, tg_id)) + len(targets) > MAX_TARGETS:
            raise ServiceError(
                "The maximum number of targets has been reached", code="TooManyTargetsException"
            )
        for target in targets:
            port = int(target.get("Port", group.get("Port")))
            host, zone, running = placed[target["Id"]]
            registration = {
                "Id": target["Id"],
                "Port": port,
                "_host": host,
                "_real_port": host_port(port),
                "_zone": zone,
                "_running": running,
                "_registered": time.time(),
            }
            self.store.put(
                account, region, "target", f"{tg_id}/{target['Id']}/{port}", registration
            )
            self.runtime.add_target(account, region, group["TargetGroupArn"], registration)
        return {}

    def deregister_targets(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        group = self.store.tg(account, region, request["TargetGroupArn"])
        tg_id = arn_id(group["TargetGroupArn"])
        delay = float(group["_attributes"]["deregistration_delay.timeout_seconds"])
        for target in request["Targets"]:
            port = int(target.get("Port", group.get("Port")))
            key = f"{tg_id}/{target['Id']}/{port}"
            if self.store.delete(account, region, "target", key):
                self.runtime.drain_target(
                    account, region, group["TargetGroupArn"], target["Id"], port, delay
                )
        return {}

    def describe_target_health(self, ctx: RequestContext, request: Request) -> Response:
        group_doc = self.store.tg(ctx.account, ctx.region, request["TargetGroupArn"])
        group = self.runtime.group(ctx.account, ctx.region, group_doc["TargetGroupArn"])
        assert group is not None
        check_port = group_doc.get("HealthCheckPort") or "traffic-port"
        asked = request.get("Targets")
        if not asked:
            targets = sorted(group.targets.values(), key=lambda t: (t.id, t.port))
            return {"TargetHealthDescriptions": [t.describe(check_port) for t in targets]}
        out = []
        for spec in asked:
            port = int(spec.get("Port", group_doc.get("Port")))
            target = group.targets.get((spec["Id"], port))
            if target is not None:
                out.append(target.describe(check_port))
            else:
                out.append(
                    {
                        "Target": {"Id": spec["Id"], "Port": port},
                        "HealthCheckPort": str(port)
                        if check_port == "traffic-port"
                        else check_port,
                        "TargetHealth": {
                            "State": "unused",
                            "Reason": "Target.NotRegistered",
                            "Description": "Target is not registered to the target group",
                        },
                    }
                )
        return {"TargetHealthDescriptions": out}
