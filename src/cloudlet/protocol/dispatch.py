"""Finding a walker's `_handle_<type_name>` method, once per walker and shape type.

Parsers and serializers walk shapes as botocore does, with one `_handle_<type_name>` method per
shape type. They are singletons, so the lookup is cached per walker instance and type; the plans
built on top of it (per-structure member lists) cache the unbound method with each member.
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
