"""ELBv2 figures: what a load balancer's listener adds to a request, and how many it carries.

    .venv/bin/python bench/run.py --only elbv2                 # cloudlet and moto
    .venv/bin/python bench/run.py --only elbv2 --peers none --quick

`run(targets, options)` has the suite signature (`suite.py`), so `suites/__init__.py` can list it.
On cloudlet: two web app instances (the built-in image) registered in a target group behind a
listener; then

1. latency, one keep-alive connection, `GET /health`: straight to an instance and through the
   listener; the difference of the medians is what the load balancer adds (target ≤ 1 ms p50);
2. throughput through the listener: 32 keep-alive connections from one asyncio client for a fixed
   time, requests answered per second (target ≥ 3,000/s), beside the same load straight to the two
   instances (what the apps alone can do on this machine);
3. DescribeTargetHealth through boto3, beside moto (which has the API but no data path: its
   data-path rows are noted, not measured).

Only 127.0.0.1 and cloudlet's 127.x.y.z loopback addresses are contacted; every loop is bounded
in count and time.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
import peers
from botocore.config import Config
from measure import median, percentile
from peers import Target, free_port
from report import Metric
from suite import Options, log

NAME = "elbv2"
LISTENER_PORT = 8080
CONNECTIONS = 32
LIMIT_S = 30.0


def _clients(port: int) -> tuple[Any, Any]:
    options = {
        "endpoint_url": f"http://127.0.0.1:{port}",
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "config": Config(retries={"max_attempts": 2, "mode": "standard"}),
    }
    return boto3.client("ec2", **options), boto3.client("elbv2", **options)


def _setup(ec2: Any, elb: Any, cloudlet: bool) -> dict[str, Any]:
    """Two instances in a target group behind a listener; returns addresses and the group."""
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]
    if cloudlet:
        images = ec2.describe_images(Owners=["amazon"])["Images"]
        image = next(i["ImageId"] for i in images if i["Name"] == "cloudlet-web-app")
    else:
        image = ec2.describe_images()["Images"][0]["ImageId"]
    instances = ec2.run_instances(ImageId=image, MinCount=2, MaxCount=2, InstanceType="t3.micro")
    ids = [i["InstanceId"] for i in instances["Instances"]]
    addresses = [i.get("PrivateIpAddress", "") for i in instances["Instances"]]
    deadline = time.monotonic() + LIMIT_S
    while time.monotonic() < deadline:
        states = [
            i["State"]["Name"]
            for r in ec2.describe_instances(InstanceIds=ids)["Reservations"]
            for i in r["Instances"]
        ]
        if states == ["running", "running"]:
            break
        time.sleep(0.05)
    lb = elb.create_load_balancer(Name="bench", Subnets=subnets[:2])["LoadBalancers"][0]
    group = elb.create_target_group(
        Name="bench",
        Protocol="HTTP",
        Port=80,
        VpcId=vpc,
        HealthCheckPath="/health",
        HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2,
    )["TargetGroups"][0]
    elb.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": i} for i in ids])
    elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=LISTENER_PORT,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
    )
    return {"lb": lb["DNSName"], "addresses": addresses, "group": group["TargetGroupArn"]}


def _wait_healthy(elb: Any, group: str) -> None:
    deadline = time.monotonic() + LIMIT_S
    while time.monotonic() < deadline:
        found = elb.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
        if [d["TargetHealth"]["State"] for d in found] == ["healthy", "healthy"]:
            return
        time.sleep(0.1)
    raise TimeoutError("targets never became healthy")


def _latencies(host: str, port: int, count: int) -> list[float]:
    """Microseconds per GET /health on one keep-alive connection (after a warm-up)."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.connect()
    assert conn.sock is not None
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    samples = []
    try:
        for index in range(count + 200):
            began = time.perf_counter()
            conn.request("GET", "/health")
            conn.getresponse().read()
            if index >= 200:
                samples.append((time.perf_counter() - began) * 1e6)
    finally:
        conn.close()
    return samples


async def _load(endpoints: list[tuple[str, int]], seconds: float) -> float:
    """Requests per second answered over CONNECTIONS keep-alive connections (spread over the
    endpoints) during `seconds`."""
    request = b"GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"
    done = 0
    stop = time.monotonic() + seconds

    async def connection(host: str, port: int) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, port)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while time.monotonic() < stop:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                done += 1
        finally:
            writer.close()

    began = time.monotonic()
    await asyncio.gather(*(connection(*endpoints[i % len(endpoints)]) for i in range(CONNECTIONS)))
    return done / (time.monotonic() - began)


def _throughput(endpoints: list[tuple[str, int]], seconds: float) -> float:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_load(endpoints, seconds))
    return float(uvloop.run(_load(endpoints, seconds)))


def run(targets: list[Target], options: Options) -> list[Metric]:
    from cloudlet.services.ec2.ports import host_port

    m = {
        "direct": Metric(
            NAME, "direct_p50", "GET straight to an instance, p50 (µs)", "lower", digits=0
        ),
        "through": Metric(
            NAME, "listener_p50", "GET through the listener, p50 (µs)", "lower", digits=0
        ),
        "added": Metric(NAME, "added_p50", "added by the load balancer, p50 (ms)", "lower", 1.0),
        "added_p99": Metric(NAME, "added_p99", "through the listener, p99 (µs)", "lower", digits=0),
        "rps_direct": Metric(
            NAME,
            "direct_rps",
            f"straight to 2 instances, {CONNECTIONS} conns (req/s)",
            "higher",
            digits=0,
        ),
        "rps": Metric(
            NAME,
            "listener_rps",
            f"through one listener, {CONNECTIONS} conns (req/s)",
            "higher",
            3000.0,
            digits=0,
        ),
        "health_api": Metric(
            NAME, "describe_target_health", "DescribeTargetHealth, boto3 (ms)", "lower", digits=2
        ),
    }
    seconds = options.scaled(5.0, 2.0)
    count = options.scaled(3000, 500)
    for target in targets:
        if target.name == peers.FLOOR:
            continue
        cloudlet = target.name == "cloudlet"
        log(f"{NAME}: {target.name}")
        try:
            with target.start(free_port()) as server:
                server.wait_ready()
                ec2, elb = _clients(server.port)
                setup = _setup(ec2, elb, cloudlet)
                if cloudlet:
                    _wait_healthy(elb, setup["group"])
                samples = []
                for _ in range(options.scaled(30, 10)):
                    began = time.perf_counter()
                    elb.describe_target_health(TargetGroupArn=setup["group"])
                    samples.append((time.perf_counter() - began) * 1000)
                m["health_api"].values[target.name] = median(samples)
                if not cloudlet:
                    for key in ("direct", "through", "added", "added_p99", "rps_direct", "rps"):
                        m[key].notes[target.name] = "no data path: the listener does not listen"
                    continue
                app_port = host_port(80)
                direct = _latencies(setup["addresses"][0], app_port, count)
                through = _latencies(setup["lb"], host_port(LISTENER_PORT), count)
                m["direct"].values[target.name] = median(direct)
                m["through"].values[target.name] = median(through)
                m["added"].values[target.name] = (median(through) - median(direct)) / 1000
                m["added_p99"].values[target.name] = percentile(through, 99)
                m["rps_direct"].values[target.name] = _throughput(
                    [(a, app_port) for a in setup["addresses"]], seconds
                )
                m["rps"].values[target.name] = _throughput(
                    [(setup["lb"], host_port(LISTENER_PORT))], seconds
                )
        except (peers.Unavailable, TimeoutError, OSError) as exc:
            for metric in m.values():
                metric.notes[target.name] = str(exc)
    return list(m.values())
