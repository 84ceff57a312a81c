"""Users and user groups (role-based access control), applied to the engines as ACLs.

A user is {UserId, UserName, AccessString, passwords}; AWS's built-in user `default` (no password,
`on ~* +@all`) exists in every account and region. A replication group (or serverless cache)
with user groups gets, in each node's configuration and live with `ACL SETUSER`, one ACL user per
member user:

    user <UserName> reset >password… | nopass <AccessString>

plus cloudlet's own `cloudlet-control` user, which replication and the control plane log in as.
A group must contain a user named `default`; it replaces the engine's default user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache import resp
from cloudlet.services.elasticache.fleet import CONTROL_USER, owner_of
from cloudlet.services.elasticache.models import CacheCluster, ReplicationGroup, arn
from cloudlet.services.elasticache.validation import combination, identifier, invalid

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider

USER = "user"
GROUP = "user-group"
DEFAULT_USER = {
    "UserId": "default",
    "UserName": "default",
    "Engine": "redis",
    "AccessString": "on ~* +@all",
    "passwords": [],
}


class Users:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.store = provider.store
        self.events = provider.events
        provider.fleet.acl = self.acl_directives

    # users

    def user(self, account: str, region: str, user_id: str) -> dict[str, Any]:
        doc = self.store.get(account, region, USER, user_id)
        if doc is None and user_id == "default":
            return dict(DEFAULT_USER)
        if doc is None:
            raise ServiceError(f"User {user_id} not found.", code="UserNotFoundFault")
        return doc

    def users(self, account: str, region: str) -> list[dict[str, Any]]:
        docs = self.store.documents_of(account, region, USER)
        if not any(d["UserId"] == "default" for d in docs):
            docs.insert(0, dict(DEFAULT_USER))
        return sorted(docs, key=lambda d: d["UserId"])

    def _passwords(self, request: dict[str, Any]) -> list[str] | None:
        mode = request.get("AuthenticationMode") or {}
        passwords = request.get("Passwords") or mode.get("Passwords")
        no_password = (
            request.get("NoPasswordRequired") or mode.get("Type") == "no-password-required"
        )
        if mode.get("Type") == "iam":
            raise combination("IAM authentication is not supported by cloudlet.")
        if passwords and no_password:
            raise combination("Passwords cannot be provided when NoPasswordRequired is true.")
        if passwords is None and not no_password:
            return None
        for password in passwords or []:
            if not 16 <= len(password) <= 128:
                raise invalid("Passwords length must be between 16-128 characters.")
        if len(passwords or []) > 2:
            raise invalid("A user can have at most 2 passwords.")
        return list(passwords or [])

    def create(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        user_id = identifier(request["UserId"], "UserId", 40)
        engine = request["Engine"].lower()
        if engine not in ("redis", "valkey"):
            raise invalid(f"Invalid Engine: {request['Engine']}")
        passwords = self._passwords(request)
        if passwords is None:
            raise combination("Either Passwords or NoPasswordRequired must be provided.")
        if any(
            u["UserName"] == request["UserName"] and u["UserId"] != "default"
            for u in self.store.documents_of(account, region, USER)
        ):
            raise ServiceError("User name already exists.", code="DuplicateUserNameFault")
        doc = {
            "UserId": user_id,
            "UserName": request["UserName"],
            "Engine": engine,
            "AccessString": request["AccessString"],
            "passwords": passwords,
        }
        if user_id == "default" or not self.store.insert(account, region, USER, user_id, doc):
            raise ServiceError(f"User {user_id} already exists.", code="UserAlreadyExistsFault")
        self.provider.tags.attach(account, region, arn(region, account, "user", user_id), request)
        return doc

    async def modify(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        doc = self.user(account, region, request["UserId"])
        if doc["UserId"] == "default" and self.store.get(account, region, USER, "default") is None:
            raise invalid("The default user cannot be modified.")
        if request.get("AccessString"):
            doc["AccessString"] = request["AccessString"]
        if request.get("AppendAccessString"):
            doc["AccessString"] += " " + request["AppendAccessString"]
        passwords = self._passwords(request)
        if passwords is not None:
            doc["passwords"] = passwords
        self.store.put(account, region, USER, doc["UserId"], doc)
        await self._push_user(account, region, doc)
        return doc

    def delete(self, account: str, region: str, user_id: str) -> dict[str, Any]:
        doc = self.user(account, region, user_id)
        if user_id == "default":
            raise invalid("The default user cannot be deleted.")
        for group in self.store.documents_of(account, region, GROUP):
            if user_id in group["UserIds"] and group["ReplicationGroups"]:
                raise ServiceError(
                    f"User {user_id} belongs to user group {group['UserGroupId']}, which is in"
                    " use.",
                    code="InvalidUserStateFault",
                )
        for group in self.store.documents_of(account, region, GROUP):
            if user_id in group["UserIds"]:
                group["UserIds"].remove(user_id)
                self.store.put(account, region, GROUP, group["UserGroupId"], group)
        self.store.delete(account, region, USER, user_id)
        return {**doc, "status": "deleting"}

    def describe_user(self, account: str, region: str, doc: dict[str, Any]) -> dict[str, Any]:
        groups = [
            g["UserGroupId"]
            for g in self.store.documents_of(account, region, GROUP)
            if doc["UserId"] in g["UserIds"]
        ]
        return {
            "UserId": doc["UserId"],
            "UserName": doc["UserName"],
            "Status": doc.get("status", "active"),
            "Engine": doc["Engine"],
            "MinimumEngineVersion": "6.0",
            "AccessString": doc["AccessString"],
            "UserGroupIds": groups,
            "Authentication": {
                "Type": "password" if doc["passwords"] else "no-password",
                "PasswordCount": len(doc["passwords"]),
            },
            "ARN": arn(region, account, "user", doc["UserId"]),
        }

    # user groups

    def group(self, account: str, region: str, group_id: str) -> dict[str, Any]:
        doc = self.store.get(account, region, GROUP, group_id)
        if doc is None:
            raise ServiceError(f"User group {group_id} not found.", code="UserGroupNotFoundFault")
        return doc

    def _check_members(self, account: str, region: str, user_ids: list[str]) -> None:
        names = [self.user(account, region, u)["UserName"] for u in user_ids]
        if "default" not in names:
            raise ServiceError(
                "User group needs to contain a user with the user name default.",
                code="DefaultUserRequired",
            )

    def create_group(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        group_id = identifier(request["UserGroupId"], "UserGroupId", 40)
        user_ids = list(dict.fromkeys(request.get("UserIds") or []))
        self._check_members(account, region, user_ids)
        doc = {
            "UserGroupId": group_id,
            "Engine": request["Engine"].lower(),
            "UserIds": user_ids,
            "ReplicationGroups": [],
            "ServerlessCaches": [],
        }
        if not self.store.insert(account, region, GROUP, group_id, doc):
            raise ServiceError(
                f"User group {group_id} already exists.", code="UserGroupAlreadyExistsFault"
            )
        self.provider.tags.attach(
            account, region, arn(region, account, "usergroup", group_id), request
        )
        return doc

    async def modify_group(
        self, account: str, region: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        doc = self.group(account, region, request["UserGroupId"])
        removed = list(request.get("UserIdsToRemove") or [])
        for user_id in list(request.get("UserIdsToAdd") or []) + removed:
            self.user(account, region, user_id)
        users = [u for u in doc["UserIds"] if u not in removed]
        users += [u for u in request.get("UserIdsToAdd") or [] if u not in users]
        self._check_members(account, region, users)
        gone = [self.user(account, region, u)["UserName"] for u in removed]
        doc["UserIds"] = users
        self.store.put(account, region, GROUP, doc["UserGroupId"], doc)
        for cluster in self._clusters_of(account, region, doc["UserGroupId"]):
            await self._push(account, region, cluster, gone)
        return doc

    def delete_group(self, account: str, region: str, group_id: str) -> dict[str, Any]:
        doc = self.group(account, region, group_id)
        if doc["ReplicationGroups"] or doc["ServerlessCaches"]:
            raise ServiceError(
                f"User group {group_id} is in use by a replication group or serverless cache.",
                code="InvalidUserGroupStateFault",
            )
        self.store.delete(account, region, GROUP, group_id)
        return {**doc, "status": "deleting"}

    def describe_group(self, account: str, region: str, doc: dict[str, Any]) -> dict[str, Any]:
        return {
            "UserGroupId": doc["UserGroupId"],
            "Status": doc.get("status", "active"),
            "Engine": doc["Engine"],
            "UserIds": doc["UserIds"],
            "MinimumEngineVersion": "6.0",
            "ReplicationGroups": doc["ReplicationGroups"],
            "ServerlessCaches": doc["ServerlessCaches"],
            "ARN": arn(region, account, "usergroup", doc["UserGroupId"]),
        }

    # wiring into engines

    def check_groups(self, account: str, region: str, group_ids: list[str], engine: str) -> None:
        if len(group_ids) > 1:
            raise combination("Only one user group can be associated with a replication group.")
        for group_id in group_ids:
            self.group(account, region, group_id)

    def attach(
        self, account: str, region: str, group_ids: list[str], owner: str, kind: str
    ) -> None:
        for group_id in group_ids:
            doc = self.group(account, region, group_id)
            if owner not in doc[kind]:
                doc[kind].append(owner)
                self.store.put(account, region, GROUP, group_id, doc)

    def detach(
        self, account: str, region: str, group_ids: list[str], owner: str, kind: str
    ) -> None:
        for group_id in group_ids:
            doc = self.store.get(account, region, GROUP, group_id)
            if doc is not None and owner in doc[kind]:
                doc[kind].remove(owner)
                self.store.put(account, region, GROUP, group_id, doc)

    def _acl_rules(self, user: dict[str, Any]) -> list[str]:
        secrets = [f">{p}" for p in user["passwords"]] or ["nopass"]
        return ["reset", *secrets, *user["AccessString"].split()]

    def _members(self, account: str, region: str, cluster: CacheCluster) -> list[dict[str, Any]]:
        users: dict[str, dict[str, Any]] = {}
        for group_id in cluster.user_group_ids:
            doc = self.store.get(account, region, GROUP, group_id)
            for user_id in doc["UserIds"] if doc else []:
                user = self.user(account, region, user_id)
                users[user["UserName"]] = user
        return list(users.values())

    def acl_directives(
        self, account: str, region: str, cluster: CacheCluster
    ) -> list[tuple[str, str]]:
        directives = [("user", f"{CONTROL_USER} on >{cluster.control_secret} ~* &* +@all")]
        for user in self._members(account, region, cluster):
            directives.append(("user", " ".join([user["UserName"], *self._acl_rules(user)])))
        return directives

    def _clusters_of(self, account: str, region: str, group_id: str) -> list[CacheCluster]:
        return [c for c in self.store.clusters(account, region) if group_id in c.user_group_ids]

    async def _push(
        self, account: str, region: str, cluster: CacheCluster, removed: list[str]
    ) -> None:
        auth = self.provider.fleet.auth(cluster)
        members = self._members(account, region, cluster)
        names = {u["UserName"] for u in members}
        for node in cluster.nodes:
            if not self.provider.fleet.nodes.is_running(
                owner_of(account, region, cluster.id, node.id)
            ):
                continue
            for user in members:
                await resp.command(
                    node.port,
                    "ACL",
                    "SETUSER",
                    user["UserName"],
                    *self._acl_rules(user),
                    auth=auth,
                )
            for name in removed:
                if name not in names:
                    await resp.command(node.port, "ACL", "DELUSER", name, auth=auth)

    async def _push_user(self, account: str, region: str, user: dict[str, Any]) -> None:
        for group in self.store.documents_of(account, region, GROUP):
            if user["UserId"] in group["UserIds"]:
                for cluster in self._clusters_of(account, region, group["UserGroupId"]):
                    await self._push(account, region, cluster, [])

    async def change_group_user_groups(
        self, account: str, region: str, group: ReplicationGroup, request: dict[str, Any]
    ) -> None:
        """ModifyReplicationGroup UserGroupIdsToAdd / UserGroupIdsToRemove."""
        add = list(request.get("UserGroupIdsToAdd") or [])
        remove = list(request.get("UserGroupIdsToRemove") or [])
        wanted = [g for g in group.user_group_ids if g not in remove] + add
        self.check_groups(account, region, add, group.engine)
        if len(set(wanted)) > 1:
            raise combination("Only one user group can be associated with a replication group.")
        if not wanted:
            raise combination(
                "Removing the last user group of a replication group is not supported by cloudlet."
            )
        if not group.user_group_ids:
            raise combination(
                "Adding user groups to a replication group created without one is not"
                " supported by cloudlet (create it with UserGroupIds)."
            )
        self.detach(account, region, remove, group.id, "ReplicationGroups")
        self.attach(account, region, add, group.id, "ReplicationGroups")
        group.user_group_ids = list(dict.fromkeys(wanted))
        self.store.save_group(account, region, group)
        gone = [
            self.user(account, region, u)["UserName"]
            for g in remove
            for u in (self.store.get(account, region, GROUP, g) or {"UserIds": []})["UserIds"]
        ]
        for member_id in group.members():
            member = self.store.cluster(account, region, member_id)
            member.user_group_ids = group.user_group_ids
            self.store.save_cluster(account, region, member)
            await self._push(account, region, member, gone)
