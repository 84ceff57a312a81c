"""IAM's persistence: one JSON document per role, user, policy, access key and instance profile.

IAM is global, so every document lives under the region "" of its account in the platform's
`Documents` table, keyed by the lower-cased name (IAM names are case-insensitive; the document
keeps the spelling it was created with) or, for access keys, by the key id. Listing reads a kind
whole and filters in Python: IAM quotas keep an account to a few thousand entities.

`page` is IAM's Marker/MaxItems pagination over any sorted list: the marker is opaque to
clients and names the first item of the next page.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cloudlet.platform.store import Documents, Store
from cloudlet.services.iam.exceptions import validation_error
from cloudlet.services.iam.models import (
    AccessKey,
    InstanceProfile,
    ManagedPolicy,
    Role,
    User,
)

GLOBAL = ""
"""The region IAM's state lives under."""

DEFAULT_MAX_ITEMS = 100


T = TypeVar("T", Role, User, ManagedPolicy, AccessKey, InstanceProfile)


def _load(cls: type[T], body: dict[str, Any]) -> T:
    if cls is ManagedPolicy:
        return ManagedPolicy.from_doc(body)  # type: ignore[return-value]  # T is ManagedPolicy
    return cls(**body)


class IamStore:
    """Typed access to IAM's documents."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.docs = Documents(store, "iam")

    def get(self, account: str, cls: type[T], key: str) -> T | None:
        body = self.docs.get(account, GLOBAL, cls.KIND, key if cls is AccessKey else key.lower())
        return _load(cls, body) if body is not None else None

    def put(self, account: str, obj: T) -> None:
        self.docs.put(account, GLOBAL, obj.KIND, obj.key, dataclasses.asdict(obj))

    def insert(self, account: str, obj: T) -> bool:
        """Store a new object; False if one with the same key exists."""
        return self.docs.insert(account, GLOBAL, obj.KIND, obj.key, dataclasses.asdict(obj))

    def delete(self, account: str, obj: T) -> None:
        self.docs.delete(account, GLOBAL, obj.KIND, obj.key)

    def all(self, account: str, cls: type[T]) -> list[T]:
        """Every object of one kind in the account, in key order."""
        return [_load(cls, body) for _, body in self.docs.list(account, GLOBAL, cls.KIND)]

    def attachment_counts(self, account: str) -> dict[str, int]:
        """Policy ARN → number of roles and users it is attached to."""
        counts: dict[str, int] = {}
        entities: list[Role | User] = [*self.all(account, Role), *self.all(account, User)]
        for entity in entities:
            for arn in entity.attached:
                counts[arn] = counts.get(arn, 0) + 1
        return counts


def page(
    items: Sequence[Any],
    request: dict[str, Any],
    key: Callable[[Any], str],
    default_max: int = DEFAULT_MAX_ITEMS,
) -> tuple[list[Any], dict[str, Any]]:
    """One page of `items` (sorted by `key`) and the `IsTruncated`/`Marker` members to return."""
    start = 0
    marker = request.get("Marker")
    if marker:
        try:
            after = base64.urlsafe_b64decode(marker.encode()).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise validation_error("Invalid Marker.") from None
        start = next((i for i, item in enumerate(items) if key(item) >= after), len(items))
    limit = request.get("MaxItems") or default_max
    chunk = list(items[start : start + limit])
    if start + limit < len(items):
        next_key = key(items[start + limit])
        return chunk, {
            "IsTruncated": True,
            "Marker": base64.urlsafe_b64encode(next_key.encode()).decode(),
        }
    return chunk, {"IsTruncated": False}
