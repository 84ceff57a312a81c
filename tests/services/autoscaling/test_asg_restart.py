"""After a restart (clean stop, or kill -9) a group's instances run again and its load balancer
listens again: durable timers bring Auto Scaling, EC2 and ELB back without any API call."""

from __future__ import annotations

import http.client
import os
import signal
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from asg_support import wait_for

from cloudlet.services.ec2.ports import host_port
from cloudlet.testing import CloudletProcess


def _clients(server: CloudletProcess) -> dict[str, Any]:
    session = boto3.session.Session()
    return {
        name: session.client(
            name,
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="123456789012",
            aws_secret_access_key="test",
        )
        for name in ("ec2", "autoscaling", "elbv2")
    }


def _answers(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _build(clients: dict[str, Any]) -> tuple[str, str]:
    ec2, elb, asg = clients["ec2"], clients["elbv2"], clients["autoscaling"]
    image = next(
        i["ImageId"]
        for i in ec2.describe_images(Owners=["amazon"])["Images"]
        if i["Name"] == "cloudlet-web-app"
    )
    ec2.create_launch_template(
        LaunchTemplateName="web", LaunchTemplateData={"ImageId": image, "InstanceType": "t2.micro"}
    )
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]
    group_arn = elb.create_target_group(
        Name="web",
        Protocol="HTTP",
        Port=80,
        VpcId=vpc,
        HealthCheckPath="/health",
        HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]
    lb = elb.create_load_balancer(Name="web", Subnets=subnets[:2])["LoadBalancers"][0]
    elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=8080,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group_arn}],
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchTemplate={"LaunchTemplateName": "web"},
        MinSize=1,
        MaxSize=2,
        AvailabilityZones=["us-east-1a"],
        TargetGroupARNs=[group_arn],
    )
    return lb["DNSName"], group_arn


def _serving(clients: dict[str, Any], host: str) -> str:
    """The group's instance id once it is in service and answers through the listener."""
    asg = clients["autoscaling"]

    def ready() -> str | None:
        found = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])
        members = found["AutoScalingGroups"][0]["Instances"]
        in_service = len(members) == 1 and members[0]["LifecycleState"] == "InService"
        if in_service and _answers(host, host_port(8080)):
            return str(members[0]["InstanceId"])
        return None

    found: str = wait_for(ready, timeout=60, every=0.1)
    return found


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_group_and_load_balancer_come_back(tmp_path: Path, how: str) -> None:
    server = CloudletProcess(time_scale=60, data_dir=tmp_path / "data").start()
    try:
        clients = _clients(server)
        host, _ = _build(clients)
        before = _serving(clients, host)
        if how == "stop":
            server.stop()
        else:
            assert server.process is not None
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(10)
        time.sleep(0.5)
        assert not _answers(host, host_port(8080))
        server.start()
        # no API call: the durable timers load the services, which start everything again
        after = _serving(_clients(server), host)
        assert after == before  # the same instance, booted again
    finally:
        server.cleanup()
