"""The seed's Auto Scaling scenario, for real: CPU load grows a group, quiet shrinks it.

    a load balancer ──▶ a group of 2 web instances (t2.micro: 1 vCPU each)
    alarm  average CPUUtilization > 80 % for 2 minutes  ──▶ policy "add-two"     (+2)
    alarm  average CPUUtilization < 40 % for 3 minutes  ──▶ policy "remove-one"  (-1)
    alarm  LoggedInUsers (custom metric) > 100          ──▶ policy "add-one"     (+1)

A load generator hits the load balancer's `/burn` endpoint, which spends real CPU in the
instances; their measured CPUUtilization (1-minute detailed monitoring) crosses 80 %, the alarm
runs `add-two`, the group grows to 4. The load stops, CPU falls, `remove-one` runs once per
cooldown and the group shrinks one instance at a time back to 2, each time removing the instance
the termination policy picks (`NewestInstance` here; `OldestInstance` or
`ClosestToNextInstanceHour` with --policy). Finally a custom metric, `LoggedInUsers` at 150,
adds one more instance.

Run it against a cloudlet started with a time scale, so AWS's minutes are seconds:

    cloudlet start --time-scale 60 &
    python examples/autoscaling/scenario.py --endpoint http://127.0.0.1:4566

or let it start its own (`python examples/autoscaling/scenario.py`). It needs boto3.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

GROUP_ZONES = ["us-east-1a", "us-east-1b"]
LISTENER_PORT = 8080
BURN_MS = 25
LOAD_THREADS = 6
WAIT_LIMIT = 90.0
"""Real seconds any one step may take before the scenario gives up (liveness, not timing)."""


class Scenario:
    """One run of the scenario against a cloudlet endpoint."""

    def __init__(
        self,
        endpoint: str,
        policy: str,
        say: Callable[[str], None] = print,
        account: str = "123456789012",
    ) -> None:
        self.endpoint = endpoint
        self.policy = policy
        self.say = say
        self.suffix = uuid.uuid4().hex[:8]
        self.name = f"seed-web-{self.suffix}"
        session = boto3.session.Session()
        options = {
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "aws_access_key_id": account,
            "aws_secret_access_key": "test",
            "config": Config(retries={"max_attempts": 2, "mode": "standard"}),
        }
        self.ec2 = session.client("ec2", **options)
        self.elb = session.client("elbv2", **options)
        self.asg = session.client("autoscaling", **options)
        self.cloudwatch = session.client("cloudwatch", **options)
        self.report: dict[str, Any] = {"policy": policy}
        self._load = threading.Event()
        self._threads: list[threading.Thread] = []

    # the steps

    def build(self) -> None:
        ec2, elb, asg = self.ec2, self.elb, self.asg
        image = next(
            i["ImageId"]
            for i in ec2.describe_images(Owners=["amazon"])["Images"]
            if i["Name"] == "cloudlet-web-app"
        )
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]
        ec2.create_launch_template(
            LaunchTemplateName=self.name,
            LaunchTemplateData={
                "ImageId": image,
                "InstanceType": "t2.micro",
                "Monitoring": {"Enabled": True},
            },
        )
        self.group_arn = elb.create_target_group(
            Name=self.name,
            Protocol="HTTP",
            Port=80,
            VpcId=vpc,
            HealthCheckPath="/health",
            HealthCheckIntervalSeconds=10,
            HealthyThresholdCount=2,
        )["TargetGroups"][0]["TargetGroupArn"]
        elb.modify_target_group_attributes(
            TargetGroupArn=self.group_arn,
            Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
        )
        lb = elb.create_load_balancer(Name=self.name, Subnets=subnets[:2])["LoadBalancers"][0]
        self.lb_arn, self.lb_host = lb["LoadBalancerArn"], lb["DNSName"]
        elb.create_listener(
            LoadBalancerArn=self.lb_arn,
            Protocol="HTTP",
            Port=LISTENER_PORT,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": self.group_arn}],
        )
        asg.create_auto_scaling_group(
            AutoScalingGroupName=self.name,
            LaunchTemplate={"LaunchTemplateName": self.name},
            MinSize=2,
            MaxSize=4,
            DesiredCapacity=2,
            AvailabilityZones=GROUP_ZONES,
            TargetGroupARNs=[self.group_arn],
            HealthCheckGracePeriod=120,
            TerminationPolicies=[self.policy],
        )
        self.say(f"group {self.name}: 2 instances behind {self.lb_host}:{LISTENER_PORT}")
        add_two = self._policy("add-two", 2, cooldown=120)
        remove_one = self._policy("remove-one", -1, cooldown=60)
        add_one = self._policy("add-one", 1, cooldown=60)
        cpu = {
            "Namespace": "AWS/EC2",
            "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "AutoScalingGroupName", "Value": self.name}],
            "Statistic": "Average",
            "Period": 60,
        }
        self.cloudwatch.put_metric_alarm(
            AlarmName=f"{self.name}-cpu-high",
            EvaluationPeriods=2,
            Threshold=80.0,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[add_two],
            **cpu,
        )
        self.cloudwatch.put_metric_alarm(
            AlarmName=f"{self.name}-cpu-low",
            EvaluationPeriods=3,
            Threshold=40.0,
            ComparisonOperator="LessThanThreshold",
            AlarmActions=[remove_one],
            **cpu,
        )
        self.cloudwatch.put_metric_alarm(
            AlarmName=f"{self.name}-users-high",
            Namespace="Seed/App",
            MetricName="LoggedInUsers",
            Dimensions=[{"Name": "App", "Value": self.name}],
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=100.0,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[add_one],
        )

    def _policy(self, name: str, adjustment: int, cooldown: int) -> str:
        arn: str = self.asg.put_scaling_policy(
            AutoScalingGroupName=self.name,
            PolicyName=name,
            AdjustmentType="ChangeInCapacity",
            ScalingAdjustment=adjustment,
            Cooldown=cooldown,
        )["PolicyARN"]
        return arn

    def grow_under_load(self) -> None:
        first = self._wait_in_service(2)
        self._wait_healthy(2)
        self.report["first"] = first
        self.say(f"in service: {', '.join(first)}; starting the load")
        started = time.monotonic()
        self._start_load()
        try:
            grown = self._wait_in_service(4)
        finally:
            self._stop_load()
        self.report["grow_seconds"] = round(time.monotonic() - started, 1)
        self.report["grown"] = grown
        self.say(f"grown to 4 in {self.report['grow_seconds']} s: {', '.join(grown)}; load stops")

    def shrink_when_quiet(self) -> None:
        details = self._details()
        self.report["launch_order"] = sorted(details, key=lambda i: details[i]["launched"])
        self.report["zones"] = {i: d["zone"] for i, d in details.items()}
        started = time.monotonic()
        victims: list[str] = []
        while len(victims) < 2:
            victims = self._terminated()
            if time.monotonic() - started > WAIT_LIMIT:
                raise TimeoutError(f"the group did not shrink (terminated so far: {victims})")
            time.sleep(0.2)
        self._wait_in_service(2)
        self.report["shrink_seconds"] = round(time.monotonic() - started, 1)
        self.report["victims"] = victims
        self.say(f"shrunk to 2 in {self.report['shrink_seconds']} s, removing {victims}")

    def custom_metric(self) -> None:
        self.cloudwatch.disable_alarm_actions(AlarmNames=[f"{self.name}-cpu-low"])
        started = time.monotonic()
        while self._desired() < 3:
            self.cloudwatch.put_metric_data(
                Namespace="Seed/App",
                MetricData=[
                    {
                        "MetricName": "LoggedInUsers",
                        "Dimensions": [{"Name": "App", "Value": self.name}],
                        "Value": 150.0,
                        "Unit": "Count",
                    }
                ],
            )
            if time.monotonic() - started > WAIT_LIMIT:
                raise TimeoutError("LoggedInUsers > 100 did not add an instance")
            time.sleep(0.25)
        self._wait_in_service(3)
        self.report["users_seconds"] = round(time.monotonic() - started, 1)
        self.say(f"150 logged-in users: the group grew to 3 in {self.report['users_seconds']} s")

    def finish(self) -> None:
        activities = self.asg.describe_scaling_activities(AutoScalingGroupName=self.name)
        self.report["causes"] = [a["Cause"] for a in activities["Activities"]]
        self.asg.delete_auto_scaling_group(AutoScalingGroupName=self.name, ForceDelete=True)
        for suffix in ("cpu-high", "cpu-low", "users-high"):
            self.cloudwatch.delete_alarms(AlarmNames=[f"{self.name}-{suffix}"])
        self.elb.delete_load_balancer(LoadBalancerArn=self.lb_arn)

    def run(self) -> dict[str, Any]:
        began = time.monotonic()
        self.build()
        try:
            self.grow_under_load()
            self.shrink_when_quiet()
            self.custom_metric()
        finally:
            self._stop_load()
            self.finish()
        self.report["seconds"] = round(time.monotonic() - began, 1)
        return self.report

    # load

    def _start_load(self) -> None:
        self._load.set()
        for _ in range(LOAD_THREADS):
            thread = threading.Thread(target=self._hammer, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _stop_load(self) -> None:
        self._load.clear()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def _hammer(self) -> None:
        while self._load.is_set():
            conn = http.client.HTTPConnection(self.lb_host, LISTENER_PORT, timeout=10)
            try:
                while self._load.is_set():
                    conn.request("GET", f"/burn?ms={BURN_MS}")
                    conn.getresponse().read()
            except OSError:
                time.sleep(0.05)
            finally:
                conn.close()

    # looking at the group

    def _instances(self) -> list[dict[str, Any]]:
        groups = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[self.name])
        found: list[dict[str, Any]] = groups["AutoScalingGroups"][0]["Instances"]
        return found

    def _desired(self) -> int:
        groups = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[self.name])
        return int(groups["AutoScalingGroups"][0]["DesiredCapacity"])

    def _wait_in_service(self, count: int) -> list[str]:
        deadline = time.monotonic() + WAIT_LIMIT
        while time.monotonic() < deadline:
            found = self._instances()
            if len(found) == count and all(i["LifecycleState"] == "InService" for i in found):
                return sorted(i["InstanceId"] for i in found)
            time.sleep(0.2)
        raise TimeoutError(f"the group did not reach {count} instances in service")

    def _wait_healthy(self, count: int) -> None:
        deadline = time.monotonic() + WAIT_LIMIT
        while time.monotonic() < deadline:
            found = self.elb.describe_target_health(TargetGroupArn=self.group_arn)
            states = [d["TargetHealth"]["State"] for d in found["TargetHealthDescriptions"]]
            if states.count("healthy") >= count:
                return
            time.sleep(0.2)
        raise TimeoutError("the targets did not become healthy")

    def _details(self) -> dict[str, dict[str, Any]]:
        ids = [i["InstanceId"] for i in self._instances()]
        reservations = self.ec2.describe_instances(InstanceIds=ids)["Reservations"]
        return {
            i["InstanceId"]: {
                "launched": i["LaunchTime"].timestamp(),
                "zone": i["Placement"]["AvailabilityZone"],
            }
            for r in reservations
            for i in r["Instances"]
        }

    def _terminated(self) -> list[str]:
        """Instances the group took out on scale-in, in order."""
        activities = self.asg.describe_scaling_activities(AutoScalingGroupName=self.name)
        out = []
        for activity in reversed(activities["Activities"]):
            if activity["Description"].startswith("Terminating EC2 instance: "):
                out.append(activity["Description"].removeprefix("Terminating EC2 instance: "))
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", help="a running cloudlet (start one with --time-scale 60)")
    parser.add_argument(
        "--policy",
        default="NewestInstance",
        choices=["NewestInstance", "OldestInstance", "ClosestToNextInstanceHour", "Default"],
    )
    args = parser.parse_args(argv)
    server = None
    endpoint = args.endpoint
    if endpoint is None:
        from cloudlet.testing import CloudletProcess

        server = CloudletProcess(time_scale=60).start()
        endpoint = server.endpoint
    try:
        report = Scenario(endpoint, args.policy).run()
    finally:
        if server is not None:
            server.cleanup()
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
