"""Which instance goes on scale-in, exactly in AWS's order.

1. Availability Zone balance first, always: the zone with the most instances that has at least
   one instance not protected from scale-in (several zones tied: all of them).
2. Within it, the group's `TerminationPolicies` in order, each keeping only the instances it
   prefers; as soon as one instance is left it goes. `Default` is applied last when the list does
   not end with it:
   - OldestInstance / NewestInstance: by launch time;
   - OldestLaunchConfiguration: instances not on the group's current launch configuration, the
     oldest configuration first;
   - OldestLaunchTemplate: instances not on the current launch template first, then the oldest
     version of the current one;
   - ClosestToNextInstanceHour: the least time left until the next full hour since launch;
   - AllocationStrategy: only meaningful with mixed instances policies (not served): no choice;
   - Default: launch-configuration instances before launch-template ones, then instances not on
     the current configuration/template (oldest first), then closest to the next instance hour,
     then at random.

Scale-in protection only takes instances out of the candidates; the caller decides what may be
terminated at all (AWS never picks protected instances for scale-in).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence

from cloudlet.services.autoscaling.models import Group, Member

POLICIES = (
    "OldestInstance",
    "NewestInstance",
    "OldestLaunchConfiguration",
    "OldestLaunchTemplate",
    "ClosestToNextInstanceHour",
    "AllocationStrategy",
    "Default",
)

Narrow = Callable[[list[Member]], list[Member]]


def _keep_min(members: list[Member], key: Callable[[Member], object]) -> list[Member]:
    best = min(key(m) for m in members)  # type: ignore[type-var]  # keys are comparable
    return [m for m in members if key(m) == best]


def _on_current(group: Group, member: Member) -> bool:
    if group.launch_configuration:
        return member.launch_configuration == group.launch_configuration
    if group.launch_template and member.launch_template:
        return _template_id(member) == group.launch_template.get(
            "LaunchTemplateId"
        ) or member.launch_template.get("LaunchTemplateName") == group.launch_template.get(
            "LaunchTemplateName"
        )
    return False


def _template_id(member: Member) -> str | None:
    return (member.launch_template or {}).get("LaunchTemplateId")


def _version(member: Member) -> int:
    try:
        return int((member.launch_template or {}).get("Version", "0"))
    except ValueError:
        return 0


def to_next_hour(member: Member, now: float) -> float:
    """Seconds until the next full hour of the instance's running time."""
    return 3600 - (now - member.launched) % 3600


def _narrowers(group: Group, now: float) -> dict[str, Narrow]:
    def oldest_lc(ms: list[Member]) -> list[Member]:
        old = [m for m in ms if not _on_current(group, m) or not m.launch_configuration]
        return _keep_min(old, lambda m: m.template_created) if old else ms

    def oldest_lt(ms: list[Member]) -> list[Member]:
        old = [m for m in ms if not _on_current(group, m)]
        if old:
            return old
        return _keep_min(ms, _version)

    def default(ms: list[Member]) -> list[Member]:
        ms = _keep_min(
            ms,
            lambda m: (
                0 if (m.launch_configuration and group.launch_template) else 1,
                1 if _on_current(group, m) else 0,
                m.template_created if not _on_current(group, m) else 0.0,
                _version(m) if _on_current(group, m) else 0,
            ),
        )
        return _keep_min(ms, lambda m: to_next_hour(m, now))

    return {
        "OldestInstance": lambda ms: _keep_min(ms, lambda m: m.launched),
        "NewestInstance": lambda ms: _keep_min(ms, lambda m: -m.launched),
        "OldestLaunchConfiguration": oldest_lc,
        "OldestLaunchTemplate": oldest_lt,
        "ClosestToNextInstanceHour": lambda ms: _keep_min(ms, lambda m: to_next_hour(m, now)),
        "AllocationStrategy": lambda ms: ms,
        "Default": default,
    }


def balanced_zone_candidates(counted: Sequence[Member], candidates: list[Member]) -> list[Member]:
    """The candidates in the zone(s) with the most instances that hold a candidate."""
    per_zone = Counter(m.zone for m in counted)
    zones = {m.zone for m in candidates}
    most = max(per_zone[z] for z in zones)
    return [m for m in candidates if per_zone[m.zone] == most]


def choose(
    group: Group,
    counted: Sequence[Member],
    candidates: list[Member],
    now: float,
    rng: random.Random | None = None,
) -> Member | None:
    """The one instance AWS terminates next among `candidates` (unprotected, counted)."""
    if not candidates:
        return None
    pool = balanced_zone_candidates(counted, candidates)
    narrowers = _narrowers(group, now)
    policies = [p for p in group.termination_policies if p in narrowers]
    if not policies or policies[-1] != "Default":
        policies.append("Default")
    for policy in policies:
        if len(pool) == 1:
            break
        pool = narrowers[policy](pool)
    if len(pool) == 1:
        return pool[0]
    return (rng or random).choice(sorted(pool, key=lambda m: m.instance_id))


def choose_many(
    group: Group, counted: list[Member], candidates: list[Member], count: int, now: float
) -> list[Member]:
    """`count` instances, one at a time (zone balance is recomputed after each choice)."""
    chosen: list[Member] = []
    counted, candidates = list(counted), list(candidates)
    for _ in range(count):
        member = choose(group, counted, candidates, now)
        if member is None:
            break
        chosen.append(member)
        counted.remove(member)
        candidates.remove(member)
    return chosen
