"""Auto Scaling's state: JSON documents per account and region.

Kinds and ids:

    lc         <launch configuration name>          AWS's LaunchConfiguration shape (+ `_created`)
    group      <group name>                         `Group`
    member     <group name>/<instance id>           `Member`
    activity   <group name>/<start, 20 chars>/<id>  `Activity` (id order = start order)
    policy     <group name>/<policy name>           AWS's ScalingPolicy shape
    scheduled  <group name>/<action name>           AWS's ScheduledUpdateGroupAction (+ cursor)
    hook       <group name>/<hook name>             AWS's LifecycleHook shape
"""

from __future__ import annotations

from cloudlet.platform.store import Documents, Store
from cloudlet.services.autoscaling.models import Activity, Group, Member


class AsgStore(Documents):
    """Auto Scaling documents."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, "autoscaling")

    # groups and members

    def group(self, account: str, region: str, name: str) -> Group | None:
        doc = self.get(account, region, "group", name)
        return Group.load(doc) if doc is not None else None

    def save_group(self, account: str, region: str, group: Group) -> None:
        self.put(account, region, "group", group.name, group.dump())

    def groups(self, account: str, region: str) -> list[Group]:
        return [Group.load(d) for d in self.all(account, region, "group")]

    def members(self, account: str, region: str, group: str) -> list[Member]:
        members = [Member.load(d) for d in self.all(account, region, "member", group + "/")]
        return sorted(members, key=lambda m: m.launched)

    def member(self, account: str, region: str, group: str, instance_id: str) -> Member | None:
        doc = self.get(account, region, "member", f"{group}/{instance_id}")
        return Member.load(doc) if doc is not None else None

    def save_member(self, account: str, region: str, member: Member) -> None:
        self.put(account, region, "member", f"{member.group}/{member.instance_id}", member.dump())

    def drop_member(self, account: str, region: str, member: Member) -> None:
        self.delete(account, region, "member", f"{member.group}/{member.instance_id}")

    def find_member(self, account: str, region: str, instance_id: str) -> Member | None:
        """The member with this instance id, whatever its group."""
        for doc in self.all(account, region, "member"):
            if doc["instance_id"] == instance_id:
                return Member.load(doc)
        return None

    # activities

    def save_activity(self, account: str, region: str, activity: Activity) -> str:
        """Store an activity; returns its key (ids sort by start time)."""
        key = f"{activity.group}/{activity.start:020.6f}/{activity.id}"
        self.put(account, region, "activity", key, activity.dump())
        return key

    def activity_at(self, account: str, region: str, key: str) -> Activity | None:
        doc = self.get(account, region, "activity", key)
        return Activity.load(doc) if doc is not None else None

    def activities(self, account: str, region: str, group: str | None) -> list[Activity]:
        prefix = f"{group}/" if group else ""
        found = [Activity.load(d) for d in self.all(account, region, "activity", prefix)]
        return sorted(found, key=lambda a: a.start, reverse=True)
