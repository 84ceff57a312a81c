"""Fixtures of the ELBv2 tests: clients on the shared cloudlet and on a time-scaled one (where
health check intervals pass quickly), web app instances, load balancers that clean up."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def ec2(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("ec2", account=account)


@pytest.fixture
def elb(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("elbv2", account=account)


@pytest.fixture
def network(ec2: Any) -> dict[str, Any]:
    """The default VPC id and its subnet ids."""
    return {
        "vpc": ec2.describe_vpcs()["Vpcs"][0]["VpcId"],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]],
    }


@pytest.fixture
def stack(scaled: Callable[[str], Any], name: Callable[[str], str]) -> Iterator[Any]:
    """A load balancer with an HTTP listener on 8080 forwarding to a target group (fast health
    checks) on the time-scaled cloudlet, and web app instances to register in it."""
    ec2, elb = scaled("ec2"), scaled("elbv2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]
    web = next(
        i["ImageId"]
        for i in ec2.describe_images(Owners=["amazon"])["Images"]
        if i["Name"] == "cloudlet-web-app"
    )
    lb = elb.create_load_balancer(Name=name("lb"), Subnets=subnets[:2])["LoadBalancers"][0]
    group = elb.create_target_group(
        Name=name("tg"),
        Protocol="HTTP",
        Port=80,
        VpcId=vpc,
        HealthCheckPath="/health",
        HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2,
        UnhealthyThresholdCount=2,
    )["TargetGroups"][0]
    elb.modify_target_group_attributes(
        TargetGroupArn=group["TargetGroupArn"],
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}],
    )
    listener = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=8080,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
    )["Listeners"][0]
    launched: list[str] = []

    def instances(count: int) -> list[dict[str, Any]]:
        found = ec2.run_instances(
            ImageId=web, MinCount=count, MaxCount=count, InstanceType="t2.micro"
        )["Instances"]
        launched.extend(i["InstanceId"] for i in found)
        return list(found)

    class Stack:
        pass

    stack = Stack()
    stack.ec2, stack.elb, stack.vpc, stack.subnets = ec2, elb, vpc, subnets  # type: ignore[attr-defined]
    stack.lb, stack.group, stack.listener = lb, group, listener  # type: ignore[attr-defined]
    stack.instances = instances  # type: ignore[attr-defined]
    stack.scaled = scaled  # type: ignore[attr-defined]
    yield stack
    with contextlib.suppress(ClientError):
        elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    if launched:
        ec2.terminate_instances(InstanceIds=launched)
