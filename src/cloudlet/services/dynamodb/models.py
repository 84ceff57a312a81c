"""Tables and indexes as the write and read paths use them, with key extraction and validation.

A `Table` is built once from its stored description (and rebuilt when UpdateTable changes it);
everything a request needs is precomputed on it: key attribute names and types, the indexes
to maintain, the stream to record into, the TTL attribute. Key errors carry AWS's messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloudlet.services.dynamodb import keys
from cloudlet.services.dynamodb.errors import (
    SCHEMA_MISMATCH,
    KeySchemaMismatch,
    invalid,
    not_valid,
)
from cloudlet.services.dynamodb.types import AttributeValue, Item

MAX_HASH_KEY_BYTES = 2048
MAX_RANGE_KEY_BYTES = 1024

RowKey = tuple[int, bytes, bytes]
"""(partition hash, encoded hash key, encoded range key or b"")."""


@dataclass(frozen=True, slots=True)
class KeyDef:
    name: str
    type: str
    """S, N or B."""
    max_bytes: int = MAX_HASH_KEY_BYTES
    """2,048 for a partition key, 1,024 for a sort key."""


@dataclass(slots=True)
class Index:
    """A global or local secondary index."""

    name: str
    iid: int
    local: bool
    hash: KeyDef
    range: KeyDef | None
    projection: str
    """ALL, KEYS_ONLY or INCLUDE."""
    non_key: tuple[str, ...] = ()
    key_names: frozenset[str] = frozenset()
    """The index's and the table's key attributes (always projected)."""

    def entry(self, item: Item, table: Table) -> tuple[int, bytes, bytes, Item] | None:
        """(h, hk, sk, projected item) of `item` in this index; None when it lacks the keys."""
        hash_value = item.get(self.hash.name)
        if hash_value is None or self.hash.type not in hash_value:
            return None
        if self.range is not None:
            range_value = item.get(self.range.name)
            if range_value is None or self.range.type not in range_value:
                return None
            sk = keys.encode(range_value)
        else:
            sk = b""
        hk = keys.encode(hash_value)
        _, thk, trk = table.row_key(item)
        sk += thk + trk
        return keys.partition_hash(hk), hk, sk, self.project(item)

    def project(self, item: Item) -> Item:
        if self.projection == "ALL":
            return item
        wanted = (
            self.key_names if self.projection == "KEYS_ONLY" else self.key_names.union(self.non_key)
        )
        return {name: value for name, value in item.items() if name in wanted}

    def check(self, item: Item) -> None:
        """AWS's errors for an item whose index key attributes have the wrong type or are empty."""
        for key in (self.hash, self.range):
            if key is None:
                continue
            value = item.get(key.name)
            if value is None:
                continue
            kind = next(iter(value))
            if kind != key.type:
                raise invalid(
                    f"Type mismatch for Index Key {key.name} Expected: {key.type} Actual: {kind} "
                    f"IndexName: {self.name}"
                )
            if not value[kind]:
                raise not_valid(
                    "A value specified for a secondary index key is not supported. The "
                    "AttributeValue for a key attribute cannot contain an empty "
                    f"{'string' if kind == 'S' else 'binary'} value. IndexName: {self.name}, "
                    f"IndexKey: {key.name}"
                )


@dataclass(slots=True)
class Table:
    """One DynamoDB table, as the data path sees it."""

    account: str
    region: str
    name: str
    tid: int
    hash: KeyDef
    range: KeyDef | None
    description: dict[str, Any]
    """The persisted TableDescription fields (plus cloudlet's own `_` members)."""
    indexes: dict[str, Index] = field(default_factory=dict)
    stream_id: int | None = None
    stream_view: str | None = None
    ttl_attribute: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.hash.name,) if self.range is None else (self.hash.name, self.range.name)

    def row_key(self, item: Item) -> RowKey:
        """The storage key of a (validated) item or key."""
        hk = keys.encode(item[self.hash.name])
        rk = keys.encode(item[self.range.name]) if self.range is not None else b""
        return keys.partition_hash(hk), hk, rk

    def key_of(self, item: Item) -> Item:
        """The primary key attributes of an item."""
        if self.range is None:
            return {self.hash.name: item[self.hash.name]}
        return {self.hash.name: item[self.hash.name], self.range.name: item[self.range.name]}

    def check_item_keys(self, item: Item) -> None:
        """PutItem's checks of the key attributes inside a whole item."""
        for key in (self.hash, self.range):
            if key is None:
                continue
            value = item.get(key.name)
            if value is None:
                raise invalid(f"Missing the key {key.name} in the item")
            kind = next(iter(value))
            if kind != key.type:
                raise KeySchemaMismatch(
                    "One or more parameter values were invalid: Type mismatch for key "
                    f"{key.name} expected: {key.type} actual: {kind}"
                )
            check_key_value(key, value)
        for index in self.indexes.values():
            index.check(item)

    def check_key(self, key: Item) -> None:
        """GetItem/DeleteItem/UpdateItem's checks of a Key parameter."""
        if len(key) != (1 if self.range is None else 2):
            raise KeySchemaMismatch(SCHEMA_MISMATCH)
        for definition in (self.hash, self.range):
            if definition is None:
                continue
            value = key.get(definition.name)
            if value is None or len(value) != 1 or definition.type not in value:
                raise KeySchemaMismatch(SCHEMA_MISMATCH)
            check_key_value(definition, value)


def check_key_value(key: KeyDef, value: AttributeValue) -> None:
    """AWS's checks of one key attribute's value of the right type: not empty, not too long."""
    inner = value[key.type]
    if key.type == "S":
        if not inner:
            raise not_valid(
                "The AttributeValue for a key attribute cannot contain an empty string value. "
                f"Key: {key.name}"
            )
        size = len(inner.encode())
    elif key.type == "B":
        if not inner:
            raise not_valid(
                "The AttributeValue for a key attribute cannot contain an empty binary value. "
                f"Key: {key.name}"
            )
        size = len(inner)
    else:
        return
    if size > key.max_bytes:
        if key.max_bytes == MAX_RANGE_KEY_BYTES:
            raise invalid(
                "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
            )
        raise invalid("Size of hashkey has exceeded the maximum size limit of2048 bytes")
