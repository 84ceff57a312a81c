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

from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.autoscaling.models import Activity, Group, Member


class AsgStore:
    """Auto Scaling documents."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.docs = Documents(store, "autoscaling")

    # plain documents

    def get(self, account: str, region: str, kind: str, id: str) -> dict[str, Any] | None:
        return self.docs.get(account, region, kind, id)

    def put(self, account: str, region: str, kind: str, id: str, body: dict[str, Any]) -> None:
        self.docs.put(account, region, kind, id, body)

    def delete(self, account: str, region: str, kind: str, id: str) -> bool:
        return self.docs.delete(account, region, kind, id)

    def all(self, account: str, region: str, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        return [body for _, body in self.docs.list(account, region, kind, prefix)]

    def every(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(account, region, body) of every document of `kind`, in every account and region."""
        import json

        rows = self.store.query(
            "SELECT account, region, body FROM documents WHERE service = ? AND kind = ?",
            ("autoscaling", kind),
        )
        return [(row[0], row[1], json.loads(row[2])) for row in rows]

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
