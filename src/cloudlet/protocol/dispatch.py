"""Finding a walker's `_handle_<type_name>` method, once per walker and shape type.

Parsers and serializers walk shapes as botocore does, with one `_handle_<type_name>` method per
shape type. They are singletons, so the lookup is cached per walker instance and type; the plans
built on top of it (per-structure member lists) cache the unbound method with each member.

Walkers that return a container unchanged when every value in it reads (or writes) as itself copy
it only at the first value that differs, starting from `entries_before` that key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]


@functools.cache
def handler_for(walker: object, type_name: str) -> Handler:
    """The unbound `_handle_<type_name>` method of `walker`'s class (call it with the walker)."""
    handler: Handler = getattr(type(walker), f"_handle_{type_name}")
    return handler


def entries_before(value: dict[Any, Any], stop: Any) -> dict[Any, Any]:
    """The entries of `value` before key `stop`, as they are (they walked as themselves)."""
    copied = {}
    for key, item in value.items():
        if key == stop:
            break
        copied[key] = item
    return copied
