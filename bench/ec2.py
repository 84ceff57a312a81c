"""EC2 figures, cloudlet beside moto: RunInstances until the instance is running with its app
listening, the API's own latency, and stopping everything.

    .venv/bin/python bench/run.py --only ec2                 # cloudlet and moto
    .venv/bin/python bench/run.py --only ec2 --peers none --quick

`run(targets, options)` has the suite signature (`suite.py`), so `suites/__init__.py` can list it.
For each target, in one launch:

1. RunInstances (one instance of the web app image, t2.micro) until DescribeInstances says
   `running` and, on cloudlet, until the app accepts a TCP connection on its private address
   (moto runs nothing: its row is API-only, noted); median over N launches. Target ≤ 300 ms.
2. RunInstances, DescribeInstances (with 20 instances) and TerminateInstances through boto3:
   median call latency.
3. cloudlet only: TerminateInstances of 10 running instances until their processes are gone.

Only 127.0.0.1 is contacted (instances listen on 127.x.y.z loopback addresses); every loop is
bounded in count and time.
"""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
import peers
import psutil
from botocore.config import Config
from measure import median
from peers import Target, free_port
from report import Metric
from suite import Options, log

NAME = "ec2"
LIMIT_S = 30.0
"""Longest wait for one instance to run (a liveness bound, not a figure)."""


def _client(port: int) -> Any:
    return boto3.client(
        "ec2",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
    )


def _image(client: Any, cloudlet: bool, name: str = "cloudlet-web-app") -> str:
    if cloudlet:
        images = client.describe_images(Owners=["amazon"])["Images"]
        return str(next(i["ImageId"] for i in images if i["Name"] == name))
    images = client.describe_images()["Images"]  # moto's canned AMIs
    return str(images[0]["ImageId"])


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def _launch(client: Any, image: str, cloudlet: bool) -> tuple[float, str]:
    """Seconds from RunInstances to running (and, on cloudlet, the app listening)."""
    from cloudlet.services.ec2.ports import host_port

    started = time.perf_counter()
    instance = client.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t2.micro")[
        "Instances"
    ][0]
    instance_id = instance["InstanceId"]
    deadline = time.monotonic() + LIMIT_S
    running = instance["State"]["Name"] == "running"
    while not running and time.monotonic() < deadline:
        described = client.describe_instances(InstanceIds=[instance_id])["Reservations"]
        running = described[0]["Instances"][0]["State"]["Name"] == "running"
        if not running:
            time.sleep(0.002)
    if cloudlet:
        while not _listening(instance["PrivateIpAddress"], host_port(80)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{instance_id} never listened")
            time.sleep(0.002)
    return time.perf_counter() - started, instance_id


def _timed(call: Any, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def _measure(target: Target, options: Options, metrics: dict[str, Metric]) -> None:
    cloudlet = target.name == "cloudlet"
    with target.start(free_port()) as server:
        server.wait_ready()
        client = _client(server.port)
        image = _image(client, cloudlet)
        _launch(client, image, cloudlet)  # loads the service and writes the image out
        runs = []
        ids = []
        for _ in range(options.scaled(options.repeat * 2, 3)):
            seconds, instance_id = _launch(client, image, cloudlet)
            runs.append(seconds * 1000)
            ids.append(instance_id)
            if options.verbose:
                log(f"{target.name}: running in {seconds * 1000:.1f} ms")
        metrics["run"].values[target.name] = median(runs)
        metrics["run"].samples[target.name] = runs
        if not cloudlet:
            metrics["run"].notes[target.name] = "nothing runs: RunInstances to state running"
        base = _image(client, cloudlet, "cloudlet-base")  # idles: no app start-up in the way
        metrics["api_run"].values[target.name] = median(
            _timed(
                lambda: ids.append(
                    client.run_instances(ImageId=base, MinCount=1, MaxCount=1)["Instances"][0][
                        "InstanceId"
                    ]
                ),
                options.scaled(20, 5),
            )
        )
        more = client.run_instances(ImageId=base, MinCount=20, MaxCount=20)["Instances"]
        ids += [i["InstanceId"] for i in more]
        time.sleep(1)
        metrics["api_describe"].values[target.name] = median(
            _timed(lambda: client.describe_instances(), options.scaled(50, 10))
        )
        if cloudlet:
            metrics["terminate"].values[target.name] = _terminate(server, client, ids)
        else:
            client.terminate_instances(InstanceIds=ids)


def _alive(server: Any) -> int:
    """Live (non-zombie) processes of the server's tree."""
    count = 0
    for process in server.processes():
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                count += 1
        except psutil.Error:
            continue
    return count


def _terminate(server: Any, client: Any, ids: list[str]) -> float:
    """Milliseconds from TerminateInstances (10 instances) until their processes are gone."""
    last = ids[-10:]
    client.terminate_instances(InstanceIds=ids[:-10])
    deadline = time.monotonic() + LIMIT_S
    while _alive(server) > 1 + 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    before = _alive(server)
    began = time.perf_counter()
    client.terminate_instances(InstanceIds=last)
    while _alive(server) > before - 10 and time.monotonic() < deadline:
        time.sleep(0.002)
    return (time.perf_counter() - began) * 1000


def run(targets: list[Target], options: Options) -> list[Metric]:
    metrics = {
        "run": Metric(
            NAME,
            "run_to_listening",
            "RunInstances → running + app listening (ms)",
            "lower",
            300.0,
            1,
        ),
        "api_run": Metric(
            NAME, "run_instances", "RunInstances call, boto3 (ms)", "lower", digits=2
        ),
        "api_describe": Metric(
            NAME,
            "describe_instances",
            "DescribeInstances (~45 instances), boto3 (ms)",
            "lower",
            digits=2,
        ),
        "terminate": Metric(
            NAME, "terminate", "TerminateInstances x10 → processes gone (ms)", "lower", digits=1
        ),
    }
    for target in targets:
        if target.name == peers.FLOOR:
            continue
        log(f"{NAME}: {target.name}")
        try:
            _measure(target, options, metrics)
        except (peers.Unavailable, TimeoutError, OSError) as exc:
            for metric in metrics.values():
                metric.notes[target.name] = str(exc)
    return list(metrics.values())
