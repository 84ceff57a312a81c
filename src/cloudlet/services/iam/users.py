"""Users and their access keys.

An access key is registered in `platform.credentials` when created, so requests signed with it act
as the user (`GetCallerIdentity` shows `arn:aws:iam::<account>:user/<name>`), and forgotten when
deleted. Deactivating a key keeps it registered: cloudlet accepts any credentials and does not
authorize requests. Renaming a user (UpdateUser) re-registers its keys under the new ARN.
"""

from __future__ import annotations

from typing import Any

from cloudlet.platform.credentials import Credentials, Principal
from cloudlet.services.iam import validation
from cloudlet.services.iam.entities import Entities
from cloudlet.services.iam.exceptions import (
    already_exists,
    delete_conflict,
    limit_exceeded,
    no_such_entity,
)
from cloudlet.services.iam.identity import (
    iam_arn,
    new_access_key_id,
    new_id,
    new_secret_access_key,
    now_seconds,
)
from cloudlet.services.iam.models import AccessKey, User
from cloudlet.services.iam.policies import Policies
from cloudlet.services.iam.store import IamStore

MAX_ACCESS_KEYS = 2


class Users(Entities[User]):
    cls = User

    def __init__(self, store: IamStore, policies: Policies, credentials: Credentials) -> None:
        super().__init__(store, policies)
        self.credentials = credentials

    def create(self, account: str, request: dict[str, Any]) -> User:
        name = request["UserName"]
        validation.check_name(name, "userName")
        path = validation.check_path(request.get("Path"))
        boundary = request.get("PermissionsBoundary")
        if boundary:
            self.policies.attachable(account, boundary)
        user = User(
            name=name,
            id=new_id("AIDA"),
            path=path,
            arn=iam_arn(account, "user", path, name),
            create_date=now_seconds(),
            permissions_boundary=boundary,
            tags=list(request.get("Tags") or []),
        )
        if not self.store.insert(account, user):
            raise already_exists(f"User with name {name} already exists.")
        return user

    def delete(self, account: str, name: str) -> None:
        user = self.get(account, name)
        if self.keys(account, user.name):
            raise delete_conflict("Cannot delete entity, must delete access keys first.")
        if user.inline_policies:
            raise delete_conflict("Cannot delete entity, must delete policies first.")
        if user.attached:
            raise delete_conflict("Cannot delete entity, must detach all policies first.")
        self.store.delete(account, user)

    def update(self, account: str, name: str, new_name: str | None, new_path: str | None) -> None:
        user = self.get(account, name)
        keys = self.keys(account, user.name)
        renamed = User(**{**user.__dict__})
        if new_path is not None:
            renamed.path = validation.check_path(new_path)
        if new_name is not None:
            validation.check_name(new_name, "newUserName")
            renamed.name = new_name
        renamed.arn = iam_arn(account, "user", renamed.path, renamed.name)
        with self.store.store.atomic():
            if renamed.key != user.key:
                if not self.store.insert(account, renamed):
                    raise already_exists(f"User with name {new_name} already exists.")
                self.store.delete(account, user)
            else:
                self.store.put(account, renamed)
            for key in keys:
                key.user_name = renamed.name
                self.store.put(account, key)
                self._register(account, key.id, renamed)

    # access keys

    def keys(self, account: str, user_name: str) -> list[AccessKey]:
        """The user's access keys, oldest first."""
        owned = [k for k in self.store.all(account, AccessKey) if k.user_name == user_name]
        return sorted(owned, key=lambda k: (k.create_date, k.id))

    def create_key(self, account: str, user_name: str) -> tuple[AccessKey, str]:
        """A new active key and its secret (which is not stored anywhere)."""
        user = self.get(account, user_name)
        if len(self.keys(account, user.name)) >= MAX_ACCESS_KEYS:
            raise limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}")
        key = AccessKey(new_access_key_id("AKIA"), user.name, "Active", now_seconds())
        self.store.put(account, key)
        self._register(account, key.id, user)
        return key, new_secret_access_key()

    def key(self, account: str, user_name: str | None, key_id: str) -> AccessKey:
        if user_name is not None:
            self.get(account, user_name)
        key = self.store.get(account, AccessKey, key_id)
        if key is None or (user_name is not None and key.user_name.lower() != user_name.lower()):
            raise no_such_entity(f"The Access Key with id {key_id} cannot be found.")
        return key

    def delete_key(self, account: str, user_name: str | None, key_id: str) -> None:
        key = self.key(account, user_name, key_id)
        self.store.delete(account, key)
        self.credentials.forget(key.id)

    def update_key(self, account: str, user_name: str | None, key_id: str, status: str) -> None:
        key = self.key(account, user_name, key_id)
        key.status = status
        self.store.put(account, key)

    def _register(self, account: str, key_id: str, user: User) -> None:
        self.credentials.register(key_id, Principal(account, user.arn, user.id), None)
