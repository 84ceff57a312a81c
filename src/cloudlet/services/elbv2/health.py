"""Target group health checks: an HTTP GET of the health check path, every interval (AWS time,
through the clock), from a new connection each time, as ALB sends them.

The time-out (`HealthCheckTimeoutSeconds`) waits for the target's own answer, so it is real time
(user code is never scaled); the interval is AWS time. A probe passes when the status code matches
the group's `Matcher` ("200", "200,202", "200-299").
"""

from __future__ import annotations

import asyncio
from typing import Any

from cloudlet.services.ec2.ports import host_port
from cloudlet.services.elbv2.targets import Group, Target


def matches(matcher: str, status: int) -> bool:
    for part in matcher.split(","):
        part = part.strip()
        if "-" in part:
            low, high = part.split("-", 1)
            if int(low) <= status <= int(high):
                return True
        elif part and int(part) == status:
            return True
    return False


async def probe(doc: dict[str, Any], target: Target) -> tuple[bool, str | None, str | None]:
    """(passed, reason, description) of one health check of one target."""
    port_text = doc.get("HealthCheckPort") or "traffic-port"
    port = target.real_port if port_text == "traffic-port" else host_port(int(port_text))
    path = doc.get("HealthCheckPath") or "/"
    timeout = float(doc.get("HealthCheckTimeoutSeconds") or 5)
    matcher = (doc.get("Matcher") or {}).get("HttpCode") or "200"
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(target.host, port), timeout)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {target.host}:{port}\r\n"
            "User-Agent: ELB-HealthChecker/2.0\r\nAccept-Encoding: gzip, compressed\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        line = await asyncio.wait_for(reader.readline(), timeout)
        parts = line.split()
        status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0
    except TimeoutError:
        return False, "Target.Timeout", "Request timed out"
    except OSError:
        return False, "Target.FailedHealthChecks", "Health checks failed"
    finally:
        if writer is not None:
            writer.close()
    if matches(matcher, status):
        return True, None, None
    return (
        False,
        "Target.ResponseCodeMismatch",
        f"Health checks failed with these codes: [{status}]",
    )


def apply(group: Group, target: Target, result: tuple[bool, str | None, str | None]) -> bool:
    """Update the target's state with one probe result; True when the state changed."""
    passed, reason, description = result
    doc = group.doc
    healthy_after = int(doc.get("HealthyThresholdCount") or 5)
    unhealthy_after = int(doc.get("UnhealthyThresholdCount") or 2)
    before = target.state
    if passed:
        target.successes, target.failures = target.successes + 1, 0
        if target.state != "healthy" and target.successes >= healthy_after:
            target.set("healthy")
        elif target.state == "initial":
            target.set("initial", "Elb.InitialHealthChecking", "Initial health checks in progress")
    else:
        target.failures, target.successes = target.failures + 1, 0
        if target.state == "unhealthy" or target.failures >= unhealthy_after:
            target.set("unhealthy", reason, description)
        elif target.state == "initial":
            target.set("initial", "Elb.InitialHealthChecking", "Initial health checks in progress")
    return target.state != before
