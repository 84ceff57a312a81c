"""Listeners really listen: round-robin over healthy targets, ALB's headers, rules, fixed
responses and redirects, 502/503, health checks that notice a dead app, draining, Auto Scaling
registering its instances, metrics to CloudWatch. On a time-scaled cloudlet (fast health checks)."""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from typing import Any

from elb_support import get, health, wait_for, wait_healthy


def _running(stack: Any, count: int) -> list[dict[str, Any]]:
    found = stack.instances(count)
    ids = [i["InstanceId"] for i in found]
    wait_for(
        lambda: all(
            i["State"]["Name"] == "running"
            for r in stack.ec2.describe_instances(InstanceIds=ids)["Reservations"]
            for i in r["Instances"]
        )
    )
    return found


def test_round_robin_over_healthy_targets(stack: Any) -> None:
    first, second = _running(stack, 2)
    arn = stack.group["TargetGroupArn"]
    stack.elb.register_targets(
        TargetGroupArn=arn, Targets=[{"Id": first["InstanceId"]}, {"Id": second["InstanceId"]}]
    )
    assert set(health(stack.elb, arn).values()) <= {"initial", "healthy"}
    wait_healthy(stack.elb, arn, [first["InstanceId"], second["InstanceId"]])
    host = stack.lb["DNSName"]
    bodies = Counter(get(host, 8080, "/")[2].decode() for _ in range(6))
    assert bodies == {
        f"Hello from {first['InstanceId']} ({first['PrivateIpAddress']})\n": 3,
        f"Hello from {second['InstanceId']} ({second['PrivateIpAddress']})\n": 3,
    }


def test_forwarded_headers(stack: Any) -> None:
    (instance,) = _running(stack, 1)
    arn = stack.group["TargetGroupArn"]
    stack.elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": instance["InstanceId"]}])
    wait_healthy(stack.elb, arn, [instance["InstanceId"]])
    status, _, body = get(stack.lb["DNSName"], 8080, "/headers", {"X-Forwarded-For": "10.0.0.7"})
    assert status == 200
    headers = json.loads(body)
    assert headers["x-forwarded-for"] == "10.0.0.7, 127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-port"] == "8080"
    assert headers["x-amzn-trace-id"].startswith("Root=1-")


def test_no_target_is_503_and_a_dead_one_502(stack: Any) -> None:
    host = stack.lb["DNSName"]
    status, headers, body = get(host, 8080, "/")
    assert (status, headers["Server"]) == (503, "awselb/2.0")
    assert b"503 Service Temporarily Unavailable" in body
    (instance,) = _running(stack, 1)
    arn = stack.group["TargetGroupArn"]
    stack.elb.register_targets(
        TargetGroupArn=arn, Targets=[{"Id": instance["InstanceId"], "Port": 81}]
    )
    # nothing listens on port 81 of the instance: health checks fail, ALB fails open, 502
    wait_for(lambda: health(stack.elb, arn) == {instance["InstanceId"]: "unhealthy"})
    found = stack.elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    assert found[0]["TargetHealth"]["Reason"] == "Target.FailedHealthChecks"
    status, _, body = get(host, 8080, "/")
    assert status == 502
    assert b"502 Bad Gateway" in body


def test_rules_fixed_responses_and_redirects(stack: Any) -> None:
    elb, listener = stack.elb, stack.listener
    elb.create_rule(
        ListenerArn=listener["ListenerArn"],
        Priority=5,
        Conditions=[{"Field": "path-pattern", "Values": ["/old/*"]}],
        Actions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Path": "/new/#{path}", "StatusCode": "HTTP_301"},
            }
        ],
    )
    elb.create_rule(
        ListenerArn=listener["ListenerArn"],
        Priority=10,
        Conditions=[
            {"Field": "path-pattern", "Values": ["/api/*"]},
            {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["GET"]}},
        ],
        Actions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {
                    "StatusCode": "418",
                    "ContentType": "application/json",
                    "MessageBody": '{"teapot": true}',
                },
            }
        ],
    )
    host = stack.lb["DNSName"]
    status, headers, body = get(host, 8080, "/api/pot")
    assert (status, headers["Content-Type"], body) == (418, "application/json", b'{"teapot": true}')
    status, headers, _ = get(host, 8080, "/old/page?x=1", {"Host": "example.com:8080"})
    assert status == 301
    assert headers["Location"] == "http://example.com:8080/new/old/page?x=1"
    assert get(host, 8080, "/other")[0] == 503  # the default rule: no targets


def test_dead_app_becomes_unhealthy_and_traffic_moves(stack: Any) -> None:
    first, second = _running(stack, 2)
    arn = stack.group["TargetGroupArn"]
    ids = [first["InstanceId"], second["InstanceId"]]
    stack.elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": i} for i in ids])
    wait_healthy(stack.elb, arn, ids)
    stack.ec2.stop_instances(InstanceIds=[first["InstanceId"]])
    wait_for(lambda: health(stack.elb, arn)[first["InstanceId"]] == "unused")
    found = stack.elb.describe_target_health(
        TargetGroupArn=arn, Targets=[{"Id": first["InstanceId"]}]
    )["TargetHealthDescriptions"][0]["TargetHealth"]
    assert found["Reason"] == "Target.InvalidState"
    bodies = {get(stack.lb["DNSName"], 8080, "/")[2].decode() for _ in range(4)}
    assert bodies == {f"Hello from {second['InstanceId']} ({second['PrivateIpAddress']})\n"}


def test_draining(stack: Any) -> None:
    (instance,) = _running(stack, 1)
    arn = stack.group["TargetGroupArn"]
    stack.elb.modify_target_group_attributes(
        TargetGroupArn=arn,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "120"}],
    )
    stack.elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": instance["InstanceId"]}])
    wait_healthy(stack.elb, arn, [instance["InstanceId"]])
    stack.elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": instance["InstanceId"]}])
    (described,) = stack.elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    assert described["TargetHealth"] == {
        "State": "draining",
        "Reason": "Target.DeregistrationInProgress",
        "Description": "Target deregistration is in progress",
    }
    # 120 AWS seconds are two seconds here
    wait_for(lambda: health(stack.elb, arn) == {}, timeout=20)


def test_auto_scaling_registers_its_instances(stack: Any, name: Any) -> None:
    asg, ec2 = stack.scaled("autoscaling"), stack.ec2
    web = next(
        i["ImageId"]
        for i in ec2.describe_images(Owners=["amazon"])["Images"]
        if i["Name"] == "cloudlet-web-app"
    )
    template = name("lt")
    ec2.create_launch_template(
        LaunchTemplateName=template, LaunchTemplateData={"ImageId": web, "InstanceType": "t2.micro"}
    )
    group = name("asg")
    arn = stack.group["TargetGroupArn"]
    asg.create_auto_scaling_group(
        AutoScalingGroupName=group,
        LaunchTemplate={"LaunchTemplateName": template},
        MinSize=2,
        MaxSize=3,
        AvailabilityZones=["us-east-1a", "us-east-1b"],
        TargetGroupARNs=[arn],
        HealthCheckType="ELB",
        HealthCheckGracePeriod=120,  # two seconds here: apps start well within it
    )
    try:

        def two_healthy() -> list[str] | None:
            states = health(stack.elb, arn)
            if len(states) == 2 and set(states.values()) == {"healthy"}:
                return list(states)
            return None

        ids = wait_for(two_healthy)
        described = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group])
        members = {i["InstanceId"] for i in described["AutoScalingGroups"][0]["Instances"]}
        assert members == set(ids)
        bodies = {get(stack.lb["DNSName"], 8080, "/")[2].decode().split()[2] for _ in range(4)}
        assert bodies == members
        # an app that stops answering fails the ELB health check and is replaced
        victim = ids[0]
        ip = next(
            i["PrivateIpAddress"]
            for r in ec2.describe_instances(InstanceIds=[victim])["Reservations"]
            for i in r["Instances"]
        )
        with contextlib.suppress(OSError):  # the app exits before it answers
            get(ip, 80, "/crash")
        wait_for(
            lambda: victim not in health(stack.elb, arn) and len(health(stack.elb, arn)) == 2,
            timeout=30,
        )
    finally:
        asg.delete_auto_scaling_group(AutoScalingGroupName=group, ForceDelete=True)
    wait_for(lambda: health(stack.elb, arn) == {})


def test_metrics_reach_cloudwatch(stack: Any) -> None:
    (instance,) = _running(stack, 1)
    arn = stack.group["TargetGroupArn"]
    stack.elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": instance["InstanceId"]}])
    wait_healthy(stack.elb, arn, [instance["InstanceId"]])
    for _ in range(5):
        get(stack.lb["DNSName"], 8080, "/")
    cloudwatch = stack.scaled("cloudwatch")
    dimension = stack.lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    started = time.time() - 600

    def counted() -> float:
        points = cloudwatch.get_metric_statistics(
            Namespace="AWS/ApplicationELB",
            MetricName="RequestCount",
            Dimensions=[{"Name": "LoadBalancer", "Value": dimension}],
            StartTime=started,
            EndTime=time.time() + 60,
            Period=60,
            Statistics=["Sum"],
        )["Datapoints"]
        return sum(p["Sum"] for p in points)

    wait_for(lambda: counted() >= 5, timeout=20)
    assert counted() == 5
