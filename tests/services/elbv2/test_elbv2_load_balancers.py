"""Load balancers: create (subnets in two zones), describe, attributes, tags, delete; listeners
and rules through the API."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


@pytest.fixture
def group(elb: Any, network: dict[str, Any], name: Callable[[str], str]) -> dict[str, Any]:
    found: dict[str, Any] = elb.create_target_group(
        Name=name("tg"), Protocol="HTTP", Port=80, VpcId=network["vpc"]
    )["TargetGroups"][0]
    return found


def test_create_and_describe(
    elb: Any, network: dict[str, Any], account: str, name: Callable[[str], str]
) -> None:
    lb_name = name("lb")
    created = elb.create_load_balancer(
        Name=lb_name, Subnets=network["subnets"][:2], Tags=[{"Key": "team", "Value": "web"}]
    )["LoadBalancers"][0]
    assert created["State"] == {"Code": "provisioning"}
    arn = created["LoadBalancerArn"]
    assert arn.startswith(
        f"arn:aws:elasticloadbalancing:us-east-1:{account}:loadbalancer/app/{lb_name}/"
    )
    assert ipaddress.ip_address(created["DNSName"]).is_loopback
    assert created["Scheme"] == "internet-facing"
    assert created["Type"] == "application"
    assert created["VpcId"] == network["vpc"]
    assert [z["ZoneName"] for z in created["AvailabilityZones"]] == ["us-east-1a", "us-east-1b"]
    (described,) = elb.describe_load_balancers(Names=[lb_name])["LoadBalancers"]
    assert described["State"] == {"Code": "active"}
    assert described["DNSName"] == created["DNSName"]
    tags = elb.describe_tags(ResourceArns=[arn])["TagDescriptions"]
    assert tags == [{"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "web"}]}]
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    }
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )
    with pytest.raises(ClientError) as raised:
        elb.delete_load_balancer(LoadBalancerArn=arn)
    assert raised.value.response["Error"]["Code"] == "OperationNotPermitted"
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    elb.delete_load_balancer(LoadBalancerArn=arn)
    assert elb.describe_load_balancers()["LoadBalancers"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"subnets": 1},
            (
                "ValidationError",
                "At least two subnets in two different Availability Zones must be specified",
            ),
        ),
        (
            {"Subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]},
            ("SubnetNotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist"),
        ),
        (
            {"SecurityGroups": ["sg-0123456789abcdef0"]},
            ("InvalidSecurityGroup", "One or more security groups are invalid"),
        ),
        (
            {"Name": "-bad-"},
            (
                "ValidationError",
                "Load balancer name '-bad-' cannot be longer than '32' characters, can only"
                " contain alphanumeric characters and hyphens, and cannot begin or end with a"
                " hyphen",
            ),
        ),
    ],
)
def test_bad_load_balancers(
    elb: Any,
    network: dict[str, Any],
    name: Callable[[str], str],
    params: dict[str, Any],
    expected: tuple[str, str],
    aws_error: Error,
) -> None:
    count = params.pop("subnets", 2)
    request = {"Name": name("lb"), "Subnets": network["subnets"][:count], **params}
    with pytest.raises(ClientError) as raised:
        elb.create_load_balancer(**request)
    assert aws_error(raised.value) == (*expected, 400)


def test_duplicate_and_unknown(
    elb: Any, network: dict[str, Any], name: Callable[[str], str], aws_error: Error
) -> None:
    lb_name = name("lb")
    elb.create_load_balancer(Name=lb_name, Subnets=network["subnets"][:2])
    with pytest.raises(ClientError) as raised:
        elb.create_load_balancer(Name=lb_name, Subnets=network["subnets"][:2])
    assert aws_error(raised.value) == (
        "DuplicateLoadBalancerName",
        f"A load balancer with the same name '{lb_name}' exists",
        400,
    )
    with pytest.raises(ClientError) as raised:
        elb.describe_load_balancers(Names=["nope"])
    assert aws_error(raised.value) == (
        "LoadBalancerNotFound",
        "Load balancers '[nope]' not found",
        400,
    )


def test_listeners_and_rules(
    elb: Any,
    network: dict[str, Any],
    name: Callable[[str], str],
    group: dict[str, Any],
    aws_error: Error,
) -> None:
    lb = elb.create_load_balancer(Name=name("lb"), Subnets=network["subnets"][:2])["LoadBalancers"][
        0
    ]
    forward = [{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}]
    listener = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=8081, DefaultActions=forward
    )["Listeners"][0]
    assert listener["ListenerArn"].startswith(
        lb["LoadBalancerArn"].replace(":loadbalancer/", ":listener/")
    )
    assert listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"] == [
        {"TargetGroupArn": group["TargetGroupArn"], "Weight": 1}
    ]
    (described,) = elb.describe_target_groups(TargetGroupArns=[group["TargetGroupArn"]])[
        "TargetGroups"
    ]
    assert described["LoadBalancerArns"] == [lb["LoadBalancerArn"]]
    with pytest.raises(ClientError) as raised:
        elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=8081,
            DefaultActions=forward,
        )
    assert aws_error(raised.value) == (
        "DuplicateListener",
        f"A listener already exists on this port for this load balancer '{lb['LoadBalancerArn']}'",
        400,
    )
    rule = elb.create_rule(
        ListenerArn=listener["ListenerArn"],
        Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
        Actions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {"StatusCode": "418", "MessageBody": "teapot"},
            }
        ],
    )["Rules"][0]
    rules = elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    assert [(r["Priority"], r["IsDefault"]) for r in rules] == [("10", False), ("default", True)]
    assert rules[0]["Conditions"][0]["PathPatternConfig"] == {"Values": ["/api/*"]}
    with pytest.raises(ClientError) as raised:
        elb.create_rule(
            ListenerArn=listener["ListenerArn"],
            Priority=10,
            Conditions=[{"Field": "path-pattern", "Values": ["/x"]}],
            Actions=forward,
        )
    assert aws_error(raised.value) == ("PriorityInUse", "Priority '10' is currently in use", 400)
    elb.set_rule_priorities(RulePriorities=[{"RuleArn": rule["RuleArn"], "Priority": 20}])
    elb.delete_rule(RuleArn=rule["RuleArn"])
    assert len(elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]) == 1
    with pytest.raises(ClientError) as raised:
        elb.delete_target_group(TargetGroupArn=group["TargetGroupArn"])
    assert aws_error(raised.value) == (
        "ResourceInUse",
        f"Target group '{group['TargetGroupArn']}' is currently in use by a listener or a rule",
        400,
    )
    elb.delete_listener(ListenerArn=listener["ListenerArn"])
    elb.delete_target_group(TargetGroupArn=group["TargetGroupArn"])
    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])


def test_https_listeners_are_refused(
    elb: Any, network: dict[str, Any], name: Callable[[str], str], group: dict[str, Any]
) -> None:
    lb = elb.create_load_balancer(Name=name("lb"), Subnets=network["subnets"][:2])["LoadBalancers"][
        0
    ]
    with pytest.raises(ClientError) as raised:
        elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTPS",
            Port=8443,
            Certificates=[{"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"}],
            DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
        )
    assert raised.value.response["Error"]["Code"] == "UnsupportedProtocol"
    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
