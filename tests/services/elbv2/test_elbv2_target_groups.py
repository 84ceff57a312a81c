"""Target groups: defaults, AWS's checks, attributes, registering targets, target health."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


def test_defaults_and_idempotent_create(
    elb: Any, network: dict[str, Any], account: str, name: Callable[[str], str]
) -> None:
    tg_name = name("tg")
    created = elb.create_target_group(Name=tg_name, Protocol="HTTP", Port=80, VpcId=network["vpc"])[
        "TargetGroups"
    ][0]
    assert created["TargetGroupArn"].startswith(
        f"arn:aws:elasticloadbalancing:us-east-1:{account}:targetgroup/{tg_name}/"
    )
    expected = {
        "TargetGroupName": tg_name,
        "Protocol": "HTTP",
        "Port": 80,
        "VpcId": network["vpc"],
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 30,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 5,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": "/",
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [],
        "TargetType": "instance",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    assert {k: created[k] for k in expected} == expected
    again = elb.create_target_group(Name=tg_name, Protocol="HTTP", Port=80, VpcId=network["vpc"])
    assert again["TargetGroups"][0]["TargetGroupArn"] == created["TargetGroupArn"]
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_target_group_attributes(TargetGroupArn=created["TargetGroupArn"])[
            "Attributes"
        ]
    }
    assert attributes["deregistration_delay.timeout_seconds"] == "300"
    assert attributes["load_balancing.algorithm.type"] == "round_robin"
    modified = elb.modify_target_group(
        TargetGroupArn=created["TargetGroupArn"],
        HealthCheckPath="/health",
        Matcher={"HttpCode": "200-299"},
    )["TargetGroups"][0]
    assert modified["HealthCheckPath"] == "/health"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Port": 81},
            "A target group with the same name '{name}' exists, but with different settings",
        ),
        ({"VpcId": None}, "A VPC ID must be specified"),
        ({"Port": None}, "A port must be specified"),
        ({"VpcId": "vpc-0123456789abcdef0"}, "The VPC ID 'vpc-0123456789abcdef0' is not found"),
        (
            {"HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 6},
            "Health check interval must be greater than the timeout.",
        ),
    ],
)
def test_bad_target_groups(
    elb: Any,
    network: dict[str, Any],
    name: Callable[[str], str],
    params: dict[str, Any],
    message: str,
    aws_error: Error,
) -> None:
    tg_name = name("tg")
    elb.create_target_group(Name=tg_name, Protocol="HTTP", Port=80, VpcId=network["vpc"])
    request = {"Name": tg_name, "Protocol": "HTTP", "Port": 80, "VpcId": network["vpc"], **params}
    request = {k: v for k, v in request.items() if v is not None}
    with pytest.raises(ClientError) as raised:
        elb.create_target_group(**request)
    code, got, status = aws_error(raised.value)
    assert got == message.format(name=tg_name)
    assert status == 400
    assert code in ("ValidationError", "DuplicateTargetGroupName")


def test_targets_must_be_running_instances(
    elb: Any, ec2: Any, network: dict[str, Any], name: Callable[[str], str], aws_error: Error
) -> None:
    arn = elb.create_target_group(Name=name("tg"), Protocol="HTTP", Port=80, VpcId=network["vpc"])[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    with pytest.raises(ClientError) as raised:
        elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "i-0123456789abcdef0"}])
    assert aws_error(raised.value) == (
        "InvalidTarget",
        "The following targets are not valid instances: 'i-0123456789abcdef0'",
        400,
    )


def test_health_of_a_group_no_listener_uses(
    elb: Any, ec2: Any, network: dict[str, Any], name: Callable[[str], str]
) -> None:
    base = next(
        i["ImageId"]
        for i in ec2.describe_images(Owners=["amazon"])["Images"]
        if i["Name"] == "cloudlet-base"
    )
    instance_id = ec2.run_instances(ImageId=base, MinCount=1, MaxCount=1)["Instances"][0][
        "InstanceId"
    ]
    try:
        from elb_support import wait_for

        wait_for(
            lambda: (
                ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][
                    0
                ]["State"]["Name"]
                == "running"
            )
        )
        arn = elb.create_target_group(
            Name=name("tg"), Protocol="HTTP", Port=80, VpcId=network["vpc"]
        )["TargetGroups"][0]["TargetGroupArn"]
        elb.register_targets(
            TargetGroupArn=arn, Targets=[{"Id": instance_id}, {"Id": instance_id, "Port": 8080}]
        )
        found = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        assert [(d["Target"]["Port"], d["TargetHealth"]) for d in found] == [
            (
                port,
                {
                    "State": "unused",
                    "Reason": "Target.NotInUse",
                    "Description": "Target group is not configured to receive traffic from the"
                    " load balancer",
                },
            )
            for port in (80, 8080)
        ]
        asked = elb.describe_target_health(
            TargetGroupArn=arn, Targets=[{"Id": "i-0123456789abcdef0"}]
        )["TargetHealthDescriptions"]
        assert asked[0]["TargetHealth"]["Reason"] == "Target.NotRegistered"
        elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": instance_id, "Port": 8080}])
        ports = [
            d["Target"]["Port"]
            for d in elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        ]
        assert ports == [80]
    finally:
        ec2.terminate_instances(InstanceIds=[instance_id])
