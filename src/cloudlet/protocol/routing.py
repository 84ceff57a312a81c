"""REST request routing: which operation a method + path + query string (+ headers) calls.

Each operation's `http.requestUri` becomes a `Route` once per service:

    /{Bucket}/{Key+}?uploads      path regex /(?P<l0>[^/]+)/(?P<l1>.+)/?, query key `uploads`
    /2020-05-31/tagging?Operation=Tag                      query key `Operation` equal to `Tag`

A label matches one path segment, a greedy label (`{Key+}`) the rest of the path. Several routes
can match one request (S3: PutObject, CopyObject, UploadPart and UploadPartCopy all are
`PUT /{Bucket}/{Key+}`), so candidates are ranked by:

    1. literal path segments (a literal beats a label)
    2. query-string constraints of the requestUri (`?acl` beats no constraint)
    3. whether every required query/header member of the input is present
    4. how many of them are present (UploadPartCopy has CopySource, PartNumber, UploadId)
    5. how many query parameters of the request the input binds (S3's ListDirectoryBuckets takes
       `max-directory-buckets`, ListBuckets `max-buckets`, both are `GET /`)
    6. not deprecated (GetBucketLifecycleConfiguration over GetBucketLifecycle)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

from cloudlet.http import HttpRequest

_LABEL = re.compile(r"\{([^}]+)\}")
Rank = tuple[int, int, bool, int, int, bool]


@dataclass(frozen=True)
class Route:
    """One operation's place in the URI space."""

    operation: OperationModel
    pattern: re.Pattern[str]
    labels: tuple[tuple[str, str, bool], ...]
    """(regex group, label name, greedy) for each `{Label}` in the path."""
    literal_segments: int
    query_keys: tuple[str, ...]
    """Keys the requestUri's query string names without a value (`?uploads`)."""
    query_values: tuple[tuple[str, str], ...]
    """Key/value pairs the requestUri's query string fixes (`?list-type=2`)."""
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    query_members: frozenset[str]
    """Query parameters the input binds to members."""
    deprecated: bool

    def rank(self, request: HttpRequest) -> Rank | None:
        """How well this route fits `request` (higher is better), or None if it does not."""
        query = request.query
        for key in self.query_keys:
            if key not in query:
                return None
        for key, value in self.query_values:
            if query.get(key, ("",))[0] != value:
                return None
        headers = request.headers
        present = sum(1 for key in self.required_query if key in query) + sum(
            1 for name in self.required_headers if name in headers
        )
        required = len(self.required_query) + len(self.required_headers)
        constraints = len(self.query_keys) + len(self.query_values)
        known = sum(1 for key in query if key in self.query_members)
        return (
            self.literal_segments,
            constraints,
            present == required,
            present,
            known,
            not self.deprecated,
        )


def match(service: ServiceModel, request: HttpRequest) -> tuple[OperationModel, dict[str, str]]:
    """The operation `request` calls and its decoded URI labels; LookupError when none does."""
    best: tuple[Rank, Route, re.Match[str]] | None = None
    path = request.path or "/"
    for route in _routes(service).get(request.method.upper(), ()):
        found = route.pattern.fullmatch(path)
        if found is None:
            continue
        rank = route.rank(request)
        if rank is not None and (best is None or rank > best[0]):
            best = (rank, route, found)
    if best is None:
        raise LookupError(f"no operation matches {request.method} {request.path}")
    _, route, found = best
    labels = {name: unquote(found.group(group), errors="strict") for group, name, _ in route.labels}
    return route.operation, labels


@functools.cache
def _routes(service: ServiceModel) -> dict[str, tuple[Route, ...]]:
    routes: dict[str, list[Route]] = {}
    for name in service.operation_names:
        operation = service.operation_model(name)
        route = _route(operation)
        routes.setdefault(route_method(operation), []).append(route)
    return {method: tuple(found) for method, found in routes.items()}


def route_method(operation: OperationModel) -> str:
    return str(operation.http.get("method", "POST")).upper()


def _route(operation: OperationModel) -> Route:
    uri = operation.http.get("requestUri", "/")
    path, _, query = uri.partition("?")
    regex, labels, literals = _path_regex(path)
    query_keys, query_values = [], []
    for item in query.split("&"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if sep:
            query_values.append((key, value))
        else:
            query_keys.append(key)
    required_query, required_headers, query_members = [], [], []
    shape = operation.input_shape
    if shape is not None:
        required = set(shape.required_members)
        for member_name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", member_name)
            if location == "querystring":
                query_members.append(wire)
                if member_name in required:
                    required_query.append(wire)
            elif location == "header" and member_name in required:
                required_headers.append(wire.lower())
    return Route(
        operation=operation,
        pattern=re.compile(regex),
        labels=tuple(labels),
        literal_segments=literals,
        query_keys=tuple(query_keys),
        query_values=tuple(query_values),
        required_query=tuple(required_query),
        required_headers=tuple(required_headers),
        query_members=frozenset(query_members),
        deprecated=bool(operation.deprecated),
    )


def _path_regex(path: str) -> tuple[str, list[tuple[str, str, bool]], int]:
    parts: list[str] = []
    labels: list[tuple[str, str, bool]] = []
    position = 0
    for found in _LABEL.finditer(path):
        parts.append(re.escape(path[position : found.start()]))
        name = found.group(1)
        greedy = name.endswith("+")
        group = f"l{len(labels)}"
        labels.append((group, name.rstrip("+"), greedy))
        parts.append(f"(?P<{group}>.+)" if greedy else f"(?P<{group}>[^/]+)")
        position = found.end()
    parts.append(re.escape(path[position:].rstrip("/")))
    literals = sum(1 for segment in _LABEL.sub("", path).split("/") if segment)
    return "".join(parts) + "/?", labels, literals
