"""ELBv2's resources as stored (AWS's shapes plus `_` keys), their ARNs, names and defaults.

    lb         <lb id>            LoadBalancer (+ `_address`: its loopback address, `_created`)
    listener   <listener id>      Listener (+ `_lb`: the load balancer id)
    rule       <rule id>          Rule (+ `_listener`)
    tg         <tg id>            TargetGroup (+ `_attributes`, `_created`)
    target     <tg id>/<id>/<port> a registration (+ `_registered`)

Ids are the 16 hex digits ending each ARN. A load balancer's DNSName is its own loopback address
(127.x.y.z): an address clients can connect to as they would to the name AWS gives, with the
listener's port (see `ec2/ports.py` for ports below 1024 when cloudlet may not bind them).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from cloudlet.errors import ServiceError

TG_ATTRIBUTES = {
    "deregistration_delay.timeout_seconds": "300",
    "stickiness.enabled": "false",
    "stickiness.type": "lb_cookie",
    "stickiness.lb_cookie.duration_seconds": "86400",
    "stickiness.app_cookie.cookie_name": "",
    "stickiness.app_cookie.duration_seconds": "86400",
    "load_balancing.algorithm.type": "round_robin",
    "load_balancing.algorithm.anomaly_mitigation": "off",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "slow_start.duration_seconds": "0",
    "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
}
LB_ATTRIBUTES = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
    "client_keep_alive.seconds": "3600",
}

_NAME = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$")


def new_id() -> str:
    return secrets.token_hex(8)


def arn_id(arn: str) -> str:
    """The id (16 hex digits) that ends an ELBv2 ARN."""
    return arn.rsplit("/", 1)[-1]


def when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def check_name(name: str, what: str) -> None:
    if not _NAME.match(name) or name.startswith("internal-"):
        raise ServiceError(
            f"{what} name '{name}' cannot be longer than '32' characters, can only contain"
            " alphanumeric characters and hyphens, and cannot begin or end with a hyphen",
            code="ValidationError",
        )


def lb_arn(account: str, region: str, name: str, lb_id: str) -> str:
    return f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{lb_id}"


def tg_arn(account: str, region: str, name: str, tg_id: str) -> str:
    return f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{tg_id}"


def listener_arn(lb: dict[str, Any], listener_id: str) -> str:
    return lb["LoadBalancerArn"].replace(":loadbalancer/", ":listener/") + f"/{listener_id}"


def rule_arn(listener: dict[str, Any], rule_id: str) -> str:
    return listener["ListenerArn"].replace(":listener/", ":listener-rule/") + f"/{rule_id}"


def lb_dimension(lb: dict[str, Any]) -> str:
    """CloudWatch's LoadBalancer dimension: `app/<name>/<id>`."""
    return lb["LoadBalancerArn"].split(":loadbalancer/", 1)[1]


def tg_dimension(tg: dict[str, Any]) -> str:
    """CloudWatch's TargetGroup dimension: `targetgroup/<name>/<id>`."""
    return "targetgroup/" + tg["TargetGroupArn"].split(":targetgroup/", 1)[1]


def public(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    if "_created" in doc:
        out["CreatedTime"] = when(doc["_created"])
    return out


def lb_not_found() -> ServiceError:
    return ServiceError(
        "One or more load balancers not found", code="LoadBalancerNotFoundException"
    )


def tg_not_found() -> ServiceError:
    return ServiceError("One or more target groups not found", code="TargetGroupNotFoundException")


def listener_not_found() -> ServiceError:
    return ServiceError("One or more listeners not found", code="ListenerNotFoundException")


def rule_not_found() -> ServiceError:
    return ServiceError("One or more rules not found", code="RuleNotFoundException")


def validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationError")
