"""The seed's scenario (examples/autoscaling/) end to end on a time-scaled cloudlet: real CPU load
grows the group to 4 through a CloudWatch alarm, quiet shrinks it one instance at a time removing
the instance the termination policy picks, a custom metric adds one."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "autoscaling" / "scenario.py"


def _scenario_module() -> Any:
    spec = importlib.util.spec_from_file_location("autoscaling_scenario", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expected_victims(report: dict[str, Any], policy: str) -> list[str]:
    """What AWS removes on 4 → 3 → 2: zone balance first, then the policy within the zone."""
    order: list[str] = report["launch_order"]
    zones: dict[str, str] = report["zones"]
    left = list(order)
    victims = []
    for _ in range(2):
        per_zone = {z: [i for i in left if zones[i] == z] for z in set(zones[i] for i in left)}
        most = max(len(v) for v in per_zone.values())
        candidates = [i for i in left if len(per_zone[zones[i]]) == most]
        victim = candidates[-1] if policy == "NewestInstance" else candidates[0]
        victims.append(victim)
        left.remove(victim)
    return victims


@pytest.mark.parametrize("policy", ["NewestInstance", "OldestInstance"])
def test_seed_scenario(scaled_server: Any, account: str, policy: str) -> None:
    module = _scenario_module()
    scenario = module.Scenario(scaled_server.endpoint, policy, say=lambda _: None, account=account)
    report = scenario.run()
    assert len(report["grown"]) == 4
    assert set(report["first"]) <= set(report["grown"])
    assert report["victims"] == _expected_victims(report, policy)
    causes = report["causes"]
    alarm = re.compile(
        r"At \S+Z a monitor alarm seed-web-\w+-(cpu-high|cpu-low|users-high) in state ALARM"
        r" triggered policy (add-two|remove-one|add-one) changing the desired capacity from"
        r" (\d) to (\d)\.  "
    )
    changes = [m.groups() for c in causes if (m := alarm.match(c))]
    assert ("cpu-high", "add-two", "2", "4") in changes
    assert ("cpu-low", "remove-one", "4", "3") in changes
    assert ("cpu-low", "remove-one", "3", "2") in changes
    assert ("users-high", "add-one", "2", "3") in changes
    assert report["seconds"] < 110  # the bound: well under two minutes of wall time
