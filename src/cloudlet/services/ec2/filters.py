"""EC2's `Filters` (name → values, `*`/`?` wildcards), tags, ids and paging, for every resource.

A resource is filtered through a function answering, for a filter name, the resource's values for
it (`None`: the filter is unknown for this resource type → `InvalidParameterValue`, as AWS says).
Values within one filter are ORed, filters are ANDed; `tag:<key>`, `tag-key` and `tag-value`
work for every taggable resource. Matching is case-sensitive, as in EC2.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from cloudlet.errors import ServiceError

Values = Callable[[str], Iterable[str] | None]
"""For a filter name, the resource's values (None: this filter does not exist)."""


def new_id(prefix: str) -> str:
    """An EC2 resource id: `<prefix>-` and 17 hex digits (`i-0123456789abcdef0`)."""
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def invalid(message: str, code: str = "InvalidParameterValue") -> ServiceError:
    return ServiceError(message, code=code)


@lru_cache(maxsize=512)
def _pattern(value: str) -> re.Pattern[str]:
    out = []
    escaped = False
    for char in value:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


def value_matches(wanted: str, actual: str) -> bool:
    if "*" not in wanted and "?" not in wanted and "\\" not in wanted:
        return wanted == actual
    return _pattern(wanted).fullmatch(actual) is not None


def tag_values(tags: Sequence[dict[str, str]], name: str) -> list[str] | None:
    """Values of the tag filters (`tag:<key>`, `tag-key`, `tag-value`); None for other names."""
    if name.startswith("tag:"):
        key = name[4:]
        return [t.get("Value", "") for t in tags if t["Key"] == key]
    if name == "tag-key":
        return [t["Key"] for t in tags]
    if name == "tag-value":
        return [t.get("Value", "") for t in tags]
    return None


def matches(filters: Sequence[dict[str, Any]] | None, values: Values) -> bool:
    """Whether a resource passes every filter."""
    for flt in filters or ():
        name = flt.get("Name", "")
        have = values(name)
        if have is None:
            raise invalid(f"The filter '{name}' is invalid")
        have = list(have)
        if not any(value_matches(w, h) for w in flt.get("Values") or [] for h in have):
            return False
    return True


def check_filters(filters: Sequence[dict[str, Any]] | None, known: Iterable[str]) -> None:
    """Reject unknown filter names even when nothing is there to filter."""
    names = set(known)
    for flt in filters or ():
        name = flt.get("Name", "")
        if name not in names and tag_values([], name) is None:
            raise invalid(f"The filter '{name}' is invalid")


def tags_of(request: dict[str, Any], resource_type: str) -> list[dict[str, str]]:
    """The tags a `TagSpecifications` member gives resources of `resource_type`."""
    tags: list[dict[str, str]] = []
    for spec in request.get("TagSpecifications") or []:
        if spec.get("ResourceType") == resource_type:
            tags.extend({"Key": t["Key"], "Value": t.get("Value", "")} for t in spec["Tags"])
    return tags


def merge_tags(tags: list[dict[str, str]], new: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """`tags` with `new` added or replacing values of the same key."""
    by_key = {t["Key"]: t.get("Value", "") for t in tags}
    for tag in new:
        by_key[tag["Key"]] = tag.get("Value", "") or ""
    return [{"Key": k, "Value": v} for k, v in by_key.items()]


def remove_tags(tags: list[dict[str, str]], gone: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """`tags` without `gone` (a tag with a Value is removed only when the value matches)."""
    out = []
    for tag in tags:
        drop = any(
            g["Key"] == tag["Key"] and ("Value" not in g or g["Value"] == tag["Value"])
            for g in gone
        )
        if not drop:
            out.append(tag)
    return out


def page(
    items: list[Any], request: dict[str, Any], default: int = 1000, *, minimum: int = 5
) -> tuple[list[Any], str | None]:
    """One page of `items` per `MaxResults`/`NextToken`; returns (page, next token)."""
    limit = request.get("MaxResults")
    token = request.get("NextToken")
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError as exc:
            raise invalid(f"Invalid value '{token}' for NextToken", "InvalidNextToken") from exc
    if limit is None:
        size = default if token else len(items)
    else:
        if not minimum <= limit <= 1000:
            raise invalid(
                f"Value ( {limit} ) for parameter maxResults is invalid. Expecting a value"
                f" greater than {minimum - 1}."
                if limit < minimum
                else f"Value ( {limit} ) for parameter maxResults is invalid. Expecting a value"
                " less than 1001."
            )
        size = limit
    chunk = items[start : start + size]
    end = start + size
    following = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return chunk, following


def paged_response(
    key: str,
    items: list[Any],
    request: dict[str, Any],
    describe: Callable[[Any], Any] | None = None,
    **limits: int,
) -> dict[str, Any]:
    """`{key: one page of items (each through describe), "NextToken": ...}` for a Describe call;
    `limits` are `page`'s `default` and `minimum`."""
    chosen, token = page(items, request, **limits)
    response: dict[str, Any] = {key: [describe(i) for i in chosen] if describe else chosen}
    if token:
        response["NextToken"] = token
    return response
