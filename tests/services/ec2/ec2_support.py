"""Helpers of the EC2 tests: bounded waits, plain HTTP, instance lookups, templates."""

from __future__ import annotations

import base64
import http.client
from pathlib import Path
from typing import Any

from cloudlet.testing import wait_for

TEMPLATES = Path(__file__).parent / "templates"


def template(name: str) -> str:
    return (TEMPLATES / name).read_text()


def http_get(host: str, port: int, path: str = "/", timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    found: dict[str, Any] = reservations[0]["Instances"][0]
    return found


def wait_state(ec2: Any, instance_id: str, state: str, timeout: float = 30.0) -> dict[str, Any]:
    found: dict[str, Any] = wait_for(
        lambda: (i := instance(ec2, instance_id))["State"]["Name"] == state and i, timeout=timeout
    )
    return found


def console(ec2: Any, instance_id: str) -> str:
    return str(ec2.get_console_output(InstanceId=instance_id).get("Output") or "")


def user_data(name: str) -> str:
    return template(name)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
