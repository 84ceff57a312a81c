"""Helpers of the ELBv2 tests: bounded waits, plain HTTP through a listener, target health."""

from __future__ import annotations

import http.client
from typing import Any

from cloudlet.testing import wait_for


def get(
    host: str, port: int, path: str = "/", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One GET on a fresh connection: (status, headers, body)."""
    from cloudlet.services.ec2.ports import host_port

    conn = http.client.HTTPConnection(host, host_port(port), timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def health(elb: Any, arn: str) -> dict[str, str]:
    """Target id → state."""
    found = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    return {d["Target"]["Id"]: d["TargetHealth"]["State"] for d in found}


def wait_healthy(elb: Any, arn: str, ids: list[str], timeout: float = 30.0) -> None:
    wait_for(lambda: health(elb, arn) == dict.fromkeys(ids, "healthy"), timeout)
