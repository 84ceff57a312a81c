"""CPUUtilization measured from the instances' processes and published to CloudWatch every
minute (detailed) or five (basic) of AWS time, on a time-scaled cloudlet."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from typing import Any

from ec2_support import wait_for, wait_state

from cloudlet.services.ec2.ports import host_port


def _burn(ip: str, stop: threading.Event) -> None:
    while not stop.is_set():
        conn = http.client.HTTPConnection(ip, host_port(80), timeout=10)
        try:
            while not stop.is_set():
                conn.request("GET", "/burn?ms=50")
                conn.getresponse().read()
        except OSError:
            time.sleep(0.05)
        finally:
            conn.close()


def test_cpu_utilization_is_measured_and_published(scaled: Callable[[str], Any]) -> None:
    ec2 = scaled("ec2")
    cloudwatch = scaled("cloudwatch")
    image = next(
        i["ImageId"]
        for i in ec2.describe_images(Owners=["amazon"])["Images"]
        if i["Name"] == "cloudlet-web-app"
    )
    busy, idle = ec2.run_instances(
        ImageId=image,
        MinCount=2,
        MaxCount=2,
        InstanceType="t2.micro",
        Monitoring={"Enabled": True},
    )["Instances"]
    basic = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t2.micro")[
        "Instances"
    ][0]
    ids = [busy["InstanceId"], idle["InstanceId"], basic["InstanceId"]]
    stop = threading.Event()
    try:
        for instance_id in ids:
            wait_state(ec2, instance_id, "running")
        wait_for(lambda: _answers(busy["PrivateIpAddress"]))
        burner = threading.Thread(target=_burn, args=(busy["PrivateIpAddress"], stop))
        burner.start()
        began = time.time()

        def statistics(instance_id: str) -> dict[str, float] | None:
            points = cloudwatch.get_metric_statistics(
                Namespace="AWS/EC2",
                MetricName="CPUUtilization",
                Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
                StartTime=began - 120,
                EndTime=time.time() + 60,
                Period=60,
                Statistics=["Maximum", "SampleCount"],
            )["Datapoints"]
            if not points:
                return None
            return {
                "Maximum": max(p["Maximum"] for p in points),
                "SampleCount": sum(p["SampleCount"] for p in points),
            }

        # detailed monitoring: a datapoint every minute of AWS time (a second here)
        wait_for(
            lambda: (s := statistics(busy["InstanceId"])) and s["SampleCount"] >= 5, timeout=30
        )
        stop.set()
        burner.join()
        busy_stats = statistics(busy["InstanceId"])
        idle_stats = statistics(idle["InstanceId"])
        basic_stats = statistics(basic["InstanceId"]) or {"SampleCount": 0.0}
        assert busy_stats is not None and idle_stats is not None
        assert busy_stats["Maximum"] > 80
        assert idle_stats["Maximum"] < 30
        # basic monitoring: one datapoint per five minutes of AWS time
        assert basic_stats["SampleCount"] < busy_stats["SampleCount"]
        metrics = cloudwatch.list_metrics(Namespace="AWS/EC2", MetricName="CPUUtilization")
        names = {d["Name"] for m in metrics["Metrics"] for d in m["Dimensions"]}
        assert names == {"InstanceId", "ImageId", "InstanceType"}
        unit = cloudwatch.get_metric_statistics(
            Namespace="AWS/EC2",
            MetricName="CPUUtilization",
            Dimensions=[{"Name": "InstanceType", "Value": "t2.micro"}],
            StartTime=began - 120,
            EndTime=time.time() + 60,
            Period=60,
            Statistics=["Average"],
        )["Datapoints"]
        assert unit and unit[0]["Unit"] == "Percent"
    finally:
        stop.set()
        ec2.terminate_instances(InstanceIds=ids)


def _answers(ip: str) -> bool:
    conn = http.client.HTTPConnection(ip, host_port(80), timeout=2)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()
