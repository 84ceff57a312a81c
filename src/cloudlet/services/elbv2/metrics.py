"""ELB metrics to CloudWatch (`AWS/ApplicationELB`), one datapoint per minute of AWS time.

Per load balancer (`LoadBalancer` dimension): RequestCount, HTTPCode_ELB_5XX_Count,
HTTPCode_ELB_4XX_Count. Per target group and load balancer (`TargetGroup`, `LoadBalancer`):
RequestCount, TargetResponseTime (a statistic set: average, min, max stay exact),
HTTPCode_Target_<n>XX_Count, HealthyHostCount, UnHealthyHostCount; RequestCountPerTarget per
target group. Counts are sums over the minute; host counts are what the health checks say now.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from cloudlet.services.ec2.monitoring import publish
from cloudlet.services.elbv2.models import arn_id, lb_dimension, tg_dimension
from cloudlet.services.elbv2.targets import Counters

if TYPE_CHECKING:
    from cloudlet.services.elbv2.runtime import Runtime

NAMESPACE = "AWS/ApplicationELB"


def _datum(name: str, dims: list[dict[str, str]], value: float, unit: str, now: float) -> Any:
    return {"MetricName": name, "Dimensions": dims, "Value": value, "Unit": unit, "Timestamp": now}


def publish_all(runtime: Runtime) -> None:
    now = time.time()
    by_scope: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for account, region, lb in runtime.store.every("lb"):
        data = by_scope.setdefault((account, region), [])
        lb_dims = [{"Name": "LoadBalancer", "Value": lb_dimension(lb)}]
        requests = 0
        elb_errors: dict[int, int] = {}
        groups = set()
        for listener in runtime.store.all(account, region, "listener"):
            if listener["_lb"] != arn_id(lb["LoadBalancerArn"]):
                continue
            server = runtime.servers.get(listener["ListenerArn"])
            if server is not None:
                requests += server.requests
                server.requests = 0
                for kind, count in server.elb_errors.items():
                    elb_errors[kind] = elb_errors.get(kind, 0) + count
                server.elb_errors.clear()
            for rule in runtime.rules_of(account, region, listener):
                for action in rule.get("Actions") or []:
                    if action.get("TargetGroupArn"):
                        groups.add(action["TargetGroupArn"])
                    for weighted in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
                        groups.add(weighted["TargetGroupArn"])
        data.append(_datum("RequestCount", lb_dims, requests, "Count", now))
        for kind in (4, 5):
            data.append(
                _datum(
                    f"HTTPCode_ELB_{kind}XX_Count", lb_dims, elb_errors.get(kind, 0), "Count", now
                )
            )
        for arn in sorted(groups):
            group = runtime.group(account, region, arn)
            if group is None:
                continue
            counters, group.counters = group.counters, Counters()
            tg_dims = [{"Name": "TargetGroup", "Value": tg_dimension(group.doc)}]
            both = tg_dims + lb_dims
            healthy = group.healthy_count()
            data.append(_datum("RequestCount", both, counters.requests, "Count", now))
            data.append(_datum("HealthyHostCount", both, healthy, "Count", now))
            data.append(_datum("UnHealthyHostCount", both, group.unhealthy_count(), "Count", now))
            per_target = counters.requests / healthy if healthy else float(counters.requests)
            data.append(_datum("RequestCountPerTarget", tg_dims, per_target, "Count", now))
            for code, count in sorted(counters.target_codes.items()):
                data.append(_datum(f"HTTPCode_Target_{code}_Count", both, count, "Count", now))
            if counters.responses:
                data.append(
                    {
                        "MetricName": "TargetResponseTime",
                        "Dimensions": both,
                        "StatisticValues": {
                            "SampleCount": counters.responses,
                            "Sum": counters.response_time_sum,
                            "Minimum": counters.response_time_min,
                            "Maximum": counters.response_time_max,
                        },
                        "Unit": "Seconds",
                        "Timestamp": now,
                    }
                )
    for (account, region), data in by_scope.items():
        for start in range(0, len(data), 1000):
            publish(runtime.platform, account, region, NAMESPACE, data[start : start + 1000])
