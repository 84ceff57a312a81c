"""Load balancers, their attributes, listeners and rules."""

from __future__ import annotations

import time
from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.elbv2.models import (
    LB_ATTRIBUTES,
    arn_id,
    check_name,
    lb_arn,
    listener_arn,
    new_id,
    public,
    rule_arn,
    validation,
)
from cloudlet.services.elbv2.operations.base import (
    MAX_LISTENERS,
    MAX_LOAD_BALANCERS,
    MAX_RULES,
    ElbBase,
    Request,
    Response,
    paged,
)


class BalancerOperations(ElbBase):
    async def create_load_balancer(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        name = request["Name"]
        check_name(name, "Load balancer")
        kind = request.get("Type") or "application"
        if kind != "application":
            raise validation(f"cloudlet serves application load balancers only (not '{kind}') yet.")
        existing = self.store.all(account, region, "lb")
        if any(lb["LoadBalancerName"] == name for lb in existing):
            raise ServiceError(
                f"A load balancer with the same name '{name}' exists",
                code="DuplicateLoadBalancerNameException",
            )
        if len(existing) >= MAX_LOAD_BALANCERS:
            raise ServiceError(
                "The maximum number of load balancers has been reached",
                code="TooManyLoadBalancersException",
            )
        subnet_ids = list(request.get("Subnets") or []) + [
            m["SubnetId"] for m in request.get("SubnetMappings") or []
        ]
        try:
            subnets = (
                (await self._ec2(ctx, "DescribeSubnets", {"SubnetIds": subnet_ids}))["Subnets"]
                if subnet_ids
                else []
            )
        except ServiceError as exc:
            raise ServiceError(exc.message, code="SubnetNotFoundException") from exc
        zones = {s["AvailabilityZone"] for s in subnets}
        if len(zones) < 2:
            raise validation(
                "At least two subnets in two different Availability Zones must be specified"
            )
        groups = list(request.get("SecurityGroups") or [])
        try:
            if groups:
                await self._ec2(ctx, "DescribeSecurityGroups", {"GroupIds": groups})
            else:
                default = await self._ec2(
                    ctx, "DescribeSecurityGroups", {"GroupNames": ["default"]}
                )
                groups = [default["SecurityGroups"][0]["GroupId"]]
        except ServiceError as exc:
            raise ServiceError(
                "One or more security groups are invalid", code="InvalidSecurityGroupException"
            ) from exc
        lb_id = new_id()
        address = self.runtime.addresses.lease(lb_id)
        scheme = request.get("Scheme") or "internet-facing"
        lb: dict[str, Any] = {
            "LoadBalancerArn": lb_arn(account, region, name, lb_id),
            "DNSName": address,
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "LoadBalancerName": name,
            "Scheme": scheme,
            "VpcId": subnets[0]["VpcId"],
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {
                    "ZoneName": s["AvailabilityZone"],
                    "SubnetId": s["SubnetId"],
                    "LoadBalancerAddresses": [],
                }
                for s in sorted(subnets, key=lambda s: s["AvailabilityZone"])
            ],
            "SecurityGroups": groups,
            "IpAddressType": request.get("IpAddressType") or "ipv4",
            "_address": address,
            "_created": time.time(),
            "_tags": list(request.get("Tags") or []),
            "_attributes": dict(LB_ATTRIBUTES),
        }
        self.store.put(account, region, "lb", lb_id, lb)
        self.runtime.arm_metrics()
        created = public(lb)
        created["State"] = {"Code": "provisioning"}
        return {"LoadBalancers": [created]}

    def describe_load_balancers(self, ctx: RequestContext, request: Request) -> Response:
        found = sorted(self.store.all(ctx.account, ctx.region, "lb"), key=lambda lb: lb["_created"])
        arns = request.get("LoadBalancerArns") or []
        names = request.get("Names") or []
        if arns:
            known = {lb["LoadBalancerArn"] for lb in found}
            if any(a not in known for a in arns):
                raise ServiceError(
                    "One or more load balancers not found", code="LoadBalancerNotFoundException"
                )
            found = [lb for lb in found if lb["LoadBalancerArn"] in arns]
        if names:
            known = {lb["LoadBalancerName"] for lb in found}
            missing = [n for n in names if n not in known]
            if missing:
                raise ServiceError(
                    f"Load balancers '[{', '.join(missing)}]' not found",
                    code="LoadBalancerNotFoundException",
                )
            found = [lb for lb in found if lb["LoadBalancerName"] in names]
        chosen, marker = paged(found, request)
        response: Response = {"LoadBalancers": [public(lb) for lb in chosen]}
        if marker:
            response["NextMarker"] = marker
        return response

    def delete_load_balancer(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        try:
            lb = self.store.lb(account, region, request["LoadBalancerArn"])
        except ServiceError:
            return {}  # AWS answers success for a load balancer already gone
        if lb["_attributes"].get("deletion_protection.enabled") == "true":
            raise ServiceError(
                f"Load balancer '{lb['LoadBalancerArn']}' cannot be deleted because deletion"
                " protection is enabled",
                code="OperationNotPermittedException",
            )
        lb_id = arn_id(lb["LoadBalancerArn"])
        for listener in self.store.all(account, region, "listener"):
            if listener["_lb"] == lb_id:
                self._drop_listener(ctx, listener)
        self.store.delete(account, region, "lb", lb_id)
        self.runtime.addresses.release(lb["_address"])
        self._unlink_groups(ctx, lb["LoadBalancerArn"])
        self.runtime.refresh_usage(account, region)
        return {}

    def _unlink_groups(self, ctx: RequestContext, arn: str) -> None:
        for group in self.store.all(ctx.account, ctx.region, "tg"):
            if arn in group["LoadBalancerArns"]:
                group["LoadBalancerArns"] = [a for a in group["LoadBalancerArns"] if a != arn]
                self.store.put(
                    ctx.account, ctx.region, "tg", arn_id(group["TargetGroupArn"]), group
                )

    def describe_load_balancer_attributes(self, ctx: RequestContext, request: Request) -> Response:
        lb = self.store.lb(ctx.account, ctx.region, request["LoadBalancerArn"])
        return {"Attributes": [{"Key": k, "Value": v} for k, v in lb["_attributes"].items()]}

    def modify_load_balancer_attributes(self, ctx: RequestContext, request: Request) -> Response:
        lb = self.store.lb(ctx.account, ctx.region, request["LoadBalancerArn"])
        for attribute in request["Attributes"]:
            if attribute["Key"] not in LB_ATTRIBUTES:
                raise validation(
                    f"Load balancer attribute key '{attribute['Key']}' is not recognized"
                )
            lb["_attributes"][attribute["Key"]] = attribute["Value"]
        self.store.put(ctx.account, ctx.region, "lb", arn_id(lb["LoadBalancerArn"]), lb)
        return {"Attributes": [{"Key": k, "Value": v} for k, v in lb["_attributes"].items()]}

    def set_security_groups(self, ctx: RequestContext, request: Request) -> Response:
        lb = self.store.lb(ctx.account, ctx.region, request["LoadBalancerArn"])
        lb["SecurityGroups"] = list(request["SecurityGroups"])
        self.store.put(ctx.account, ctx.region, "lb", arn_id(lb["LoadBalancerArn"]), lb)
        return {"SecurityGroupIds": lb["SecurityGroups"]}

    def describe_account_limits(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.elbv2.operations.base import MAX_TARGET_GROUPS, MAX_TARGETS

        limits = {
            "application-load-balancers": MAX_LOAD_BALANCERS,
            "target-groups": MAX_TARGET_GROUPS,
            "targets-per-application-load-balancer": MAX_TARGETS,
            "listeners-per-application-load-balancer": MAX_LISTENERS,
            "rules-per-application-load-balancer": MAX_RULES,
        }
        return {"Limits": [{"Name": k, "Max": str(v)} for k, v in limits.items()]}

    # listeners

    async def create_listener(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        lb = self.store.lb(account, region, request["LoadBalancerArn"])
        protocol = request.get("Protocol")
        if protocol is None:
            raise validation("A protocol must be specified")
        if protocol not in ("HTTP", "HTTPS"):
            raise validation(f"Listener protocol '{protocol}' must be one of 'HTTPS, HTTP'")
        if protocol == "HTTPS":
            raise ServiceError(
                "cloudlet's load balancers do not terminate TLS yet: use an HTTP listener",
                code="UnsupportedProtocolException",
            )
        port = request.get("Port")
        if port is None:
            raise validation("A port must be specified")
        lb_id = arn_id(lb["LoadBalancerArn"])
        listeners = [li for li in self.store.all(account, region, "listener") if li["_lb"] == lb_id]
        if any(li["Port"] == port for li in listeners):
            raise ServiceError(
                "A listener already exists on this port for this load balancer"
                f" '{lb['LoadBalancerArn']}'",
                code="DuplicateListenerException",
            )
        if len(listeners) >= MAX_LISTENERS:
            raise ServiceError(
                "The maximum number of listeners has been reached", code="TooManyListenersException"
            )
        actions = self._check_actions(ctx, request["DefaultActions"], lb)
        listener_id = new_id()
        listener: dict[str, Any] = {
            "ListenerArn": listener_arn(lb, listener_id),
            "LoadBalancerArn": lb["LoadBalancerArn"],
            "Port": port,
            "Protocol": protocol,
            "DefaultActions": actions,
            "_lb": lb_id,
            "_default_rule": new_id(),
            "_tags": list(request.get("Tags") or []),
        }
        await self.runtime.open_listener(account, region, lb, listener)
        self.store.put(account, region, "listener", listener_id, listener)
        self._link_groups(ctx, lb, actions)
        self.runtime.reroute(account, region, listener)
        self.runtime.refresh_usage(account, region)
        return {"Listeners": [public(listener)]}

    def _check_actions(
        self, ctx: RequestContext, actions: list[dict[str, Any]], lb: dict[str, Any]
    ) -> list[dict[str, Any]]:
        out = []
        for order, action in enumerate(actions, 1):
            kind = action["Type"]
            if kind not in ("forward", "fixed-response", "redirect"):
                raise ServiceError(
                    f"cloudlet does not serve '{kind}' actions yet",
                    code="InvalidLoadBalancerActionException",
                )
            action = dict(action)
            arns = [action["TargetGroupArn"]] if action.get("TargetGroupArn") else []
            arns += [
                t["TargetGroupArn"]
                for t in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            ]
            if kind == "forward":
                if not arns:
                    raise validation("A target group ARN must be specified")
                for arn in arns:
                    group = self.store.tg(ctx.account, ctx.region, arn)
                    others = [a for a in group["LoadBalancerArns"] if a != lb["LoadBalancerArn"]]
                    if others:
                        raise ServiceError(
                            "The following target groups cannot be associated with more than one"
                            f" load balancer: {arn}",
                            code="TargetGroupAssociationLimitException",
                        )
                if action.get("TargetGroupArn") and not action.get("ForwardConfig"):
                    action["ForwardConfig"] = {
                        "TargetGroups": [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}],
                        "TargetGroupStickinessConfig": {"Enabled": False},
                    }
                elif action.get("ForwardConfig") and len(arns) == 1:
                    action["TargetGroupArn"] = arns[0]
            if kind == "fixed-response" and not action.get("FixedResponseConfig"):
                raise validation("A fixed response config must be specified")
            if kind == "redirect" and not action.get("RedirectConfig"):
                raise validation("A redirect config must be specified")
            action.setdefault("Order", order)
            out.append(action)
        return out

    def _link_groups(self, ctx: RequestContext, lb: dict[str, Any], actions: list[Any]) -> None:
        for action in actions:
            arns = [
                t["TargetGroupArn"]
                for t in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            ]
            for arn in arns:
                group = self.store.tg(ctx.account, ctx.region, arn)
                if lb["LoadBalancerArn"] not in group["LoadBalancerArns"]:
                    group["LoadBalancerArns"].append(lb["LoadBalancerArn"])
                    self.store.put(ctx.account, ctx.region, "tg", arn_id(arn), group)

    def describe_listeners(self, ctx: RequestContext, request: Request) -> Response:
        found = self.store.all(ctx.account, ctx.region, "listener")
        if request.get("LoadBalancerArn"):
            lb = self.store.lb(ctx.account, ctx.region, request["LoadBalancerArn"])
            found = [li for li in found if li["_lb"] == arn_id(lb["LoadBalancerArn"])]
        arns = request.get("ListenerArns") or []
        if arns:
            for arn in arns:
                self.store.listener(ctx.account, ctx.region, arn)
            found = [li for li in found if li["ListenerArn"] in arns]
        found.sort(key=lambda li: li["Port"])
        chosen, marker = paged(found, request)
        response: Response = {"Listeners": [public(li) for li in chosen]}
        if marker:
            response["NextMarker"] = marker
        return response

    async def modify_listener(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        listener = self.store.listener(account, region, request["ListenerArn"])
        lb = self.store.get(account, region, "lb", listener["_lb"])
        assert lb is not None
        if request.get("Protocol") not in (None, "HTTP"):
            raise ServiceError(
                "cloudlet's load balancers do not terminate TLS yet: use an HTTP listener",
                code="UnsupportedProtocolException",
            )
        if request.get("DefaultActions"):
            listener["DefaultActions"] = self._check_actions(ctx, request["DefaultActions"], lb)
            self._link_groups(ctx, lb, listener["DefaultActions"])
        new_port = request.get("Port")
        if new_port is not None and new_port != listener["Port"]:
            others = [
                li
                for li in self.store.all(account, region, "listener")
                if li["_lb"] == listener["_lb"] and li["ListenerArn"] != listener["ListenerArn"]
            ]
            if any(li["Port"] == new_port for li in others):
                raise ServiceError(
                    "A listener already exists on this port for this load balancer"
                    f" '{lb['LoadBalancerArn']}'",
                    code="DuplicateListenerException",
                )
            self.runtime.close_listener(listener["ListenerArn"])
            listener["Port"] = new_port
            await self.runtime.open_listener(account, region, lb, listener)
        self.store.put(account, region, "listener", arn_id(listener["ListenerArn"]), listener)
        self.runtime.reroute(account, region, listener)
        self.runtime.refresh_usage(account, region)
        return {"Listeners": [public(listener)]}

    def delete_listener(self, ctx: RequestContext, request: Request) -> Response:
        listener = self.store.listener(ctx.account, ctx.region, request["ListenerArn"])
        self._drop_listener(ctx, listener)
        self.runtime.refresh_usage(ctx.account, ctx.region)
        return {}

    def _drop_listener(self, ctx: RequestContext, listener: dict[str, Any]) -> None:
        self.runtime.close_listener(listener["ListenerArn"])
        listener_id = arn_id(listener["ListenerArn"])
        for rule in self.store.all(ctx.account, ctx.region, "rule"):
            if rule["_listener"] == listener_id:
                self.store.delete(ctx.account, ctx.region, "rule", arn_id(rule["RuleArn"]))
        self.store.delete(ctx.account, ctx.region, "listener", listener_id)

    # rules

    def create_rule(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        listener = self.store.listener(account, region, request["ListenerArn"])
        lb = self.store.get(account, region, "lb", listener["_lb"])
        assert lb is not None
        priority = request["Priority"]
        if not 1 <= priority <= 50000:
            raise validation("Priority must be between 1 and 50000")
        rules = [
            r
            for r in self.store.all(account, region, "rule")
            if r["_listener"] == arn_id(listener["ListenerArn"])
        ]
        if any(int(r["Priority"]) == priority for r in rules):
            raise ServiceError(
                f"Priority '{priority}' is currently in use", code="PriorityInUseException"
            )
        if len(rules) >= MAX_RULES:
            raise ServiceError(
                "The maximum number of rules has been reached", code="TooManyRulesException"
            )
        conditions = _check_conditions(request["Conditions"])
        actions = self._check_actions(ctx, request["Actions"], lb)
        rule_id = new_id()
        rule = {
            "RuleArn": rule_arn(listener, rule_id),
            "Priority": str(priority),
            "Conditions": conditions,
            "Actions": actions,
            "IsDefault": False,
            "_listener": arn_id(listener["ListenerArn"]),
            "_tags": list(request.get("Tags") or []),
        }
        self.store.put(account, region, "rule", rule_id, rule)
        self._link_groups(ctx, lb, actions)
        self.runtime.reroute(account, region, listener)
        self.runtime.refresh_usage(account, region)
        return {"Rules": [public(rule)]}

    def describe_rules(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        if request.get("ListenerArn"):
            listener = self.store.listener(account, region, request["ListenerArn"])
            rules = self.runtime.rules_of(account, region, listener)
        else:
            arns = request.get("RuleArns") or []
            rules = []
            for listener in self.store.all(account, region, "listener"):
                rules += [
                    r
                    for r in self.runtime.rules_of(account, region, listener)
                    if r["RuleArn"] in arns
                ]
            if len(rules) != len(set(arns)):
                raise ServiceError("One or more rules not found", code="RuleNotFoundException")
        chosen, marker = paged(rules, request)
        response: Response = {"Rules": [public(r) for r in chosen]}
        if marker:
            response["NextMarker"] = marker
        return response

    def modify_rule(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        rule = self.store.rule(account, region, request["RuleArn"])
        listener = self.store.get(account, region, "listener", rule["_listener"])
        assert listener is not None
        lb = self.store.get(account, region, "lb", listener["_lb"])
        assert lb is not None
        if request.get("Conditions"):
            rule["Conditions"] = _check_conditions(request["Conditions"])
        if request.get("Actions"):
            rule["Actions"] = self._check_actions(ctx, request["Actions"], lb)
            self._link_groups(ctx, lb, rule["Actions"])
        self.store.put(account, region, "rule", arn_id(rule["RuleArn"]), rule)
        self.runtime.reroute(account, region, listener)
        self.runtime.refresh_usage(account, region)
        return {"Rules": [public(rule)]}

    def delete_rule(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        rule = self.store.rule(account, region, request["RuleArn"])
        self.store.delete(account, region, "rule", arn_id(rule["RuleArn"]))
        listener = self.store.get(account, region, "listener", rule["_listener"])
        if listener is not None:
            self.runtime.reroute(account, region, listener)
        self.runtime.refresh_usage(account, region)
        return {}

    def set_rule_priorities(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        changed = []
        for item in request["RulePriorities"]:
            rule = self.store.rule(account, region, item["RuleArn"])
            rule["Priority"] = str(item["Priority"])
            self.store.put(account, region, "rule", arn_id(rule["RuleArn"]), rule)
            changed.append(rule)
        for listener_id in {r["_listener"] for r in changed}:
            listener = self.store.get(account, region, "listener", listener_id)
            if listener is not None:
                self.runtime.reroute(account, region, listener)
        return {"Rules": [public(r) for r in changed]}


_FIELDS = (
    "path-pattern",
    "host-header",
    "http-request-method",
    "http-header",
    "query-string",
    "source-ip",
)


def _check_conditions(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for condition in conditions:
        field = condition.get("Field")
        if field not in _FIELDS:
            raise validation(f"Condition field '{field}' must be one of '{', '.join(_FIELDS)}'")
        condition = dict(condition)
        values = condition.get("Values")
        config = {
            "path-pattern": "PathPatternConfig",
            "host-header": "HostHeaderConfig",
        }.get(field)
        if config and values and not condition.get(config):
            condition[config] = {"Values": list(values)}
        out.append(condition)
    return out
