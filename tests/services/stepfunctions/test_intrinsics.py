"""Every intrinsic function, nested calls, escapes, and a failing call."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

from sfn_support import Machines, output

INPUT = {
    "name": "Alice",
    "age": 30,
    "obj": {"a": 1},
    "other": {"b": 2, "a": 3},
    "json": '{"k": [1, 2]}',
    "numbers": [1, 2, 3, 4, 5],
    "dupes": [1, 1, "a", "a", {"x": 1}, {"x": 1}],
}


def test_every_intrinsic(machines: Machines) -> None:
    result: dict[str, Any] = output(machines.run("intrinsics", INPUT))
    digest = {
        algorithm: hashlib.new(algorithm, b"Alice").hexdigest()
        for algorithm in ("md5", "sha1", "sha256", "sha384", "sha512")
    }
    random_value, seeded, identifier = (
        result.pop("random"),
        result.pop("seeded"),
        result.pop("uuid"),
    )
    assert result == {
        "format": "Hello Alice, you are 30 {literal} it's",
        "formatJson": 'obj={"a":1}',
        "toJson": {"k": [1, 2]},
        "toString": '{"a":1}',
        "array": ["a", 1, 30, [True, None]],
        "partition": [[1, 2], [3, 4], [5]],
        "contains": True,
        "range": [1, 3, 5, 7, 9],
        "item": 2,
        "length": 5,
        "unique": [1, "a", {"x": 1}],
        "b64": base64.b64encode(b"Alice").decode(),
        "b64back": "Alice",
        "md5": digest["md5"],
        "sha1": digest["sha1"],
        "sha256": digest["sha256"],
        "sha384": digest["sha384"],
        "sha512": digest["sha512"],
        "merged": {"a": 3, "b": 2},
        "add": 28,
        "split": ["a", "b", "c", "d"],
        "nested": 4,
    }
    assert 1 <= random_value < 10
    assert 1 <= seeded < 1000
    assert uuid.UUID(identifier).version == 4


def test_seeded_random_is_repeatable(machines: Machines) -> None:
    first = output(machines.run("intrinsics", INPUT))["seeded"]
    assert output(machines.run("intrinsics", INPUT))["seeded"] == first


def test_failing_intrinsic(machines: Machines) -> None:
    described = machines.run("intrinsic_failures", {"numbers": [1]})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.IntrinsicFailure"
    assert "States.ArrayGetItem" in described["cause"]
