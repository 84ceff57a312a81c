"""Which service a request is for, and the SigV4 facts the identity step needs.

Order, as AWS's own front doors behave: the SigV4 credential scope (Authorization header or
presigned `X-Amz-Credential`) names the signing service and region; `X-Amz-Target` separates
services that share a signing name (DynamoDB and DynamoDB Streams); then the query `Action`
with `Version`; then host and path rules. The service is resolved from the registry alone: no
botocore model is loaded to route.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cloudlet.errors import ServiceError, ServiceNotServed
from cloudlet.http import HttpRequest
from cloudlet.services.registry import BY_SIGNING_NAME, BY_TARGET_PREFIX, SERVICES, ServiceSpec

_CREDENTIAL = re.compile(r"Credential=([^/,\s]*)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")
_PRESIGNED = re.compile(r"^([^/]*)/(\d{8})/([^/]+)/([^/]+)/aws4_request$")


class Signature(NamedTuple):
    """What the SigV4 credential scope says (empty strings when the request is unsigned)."""

    access_key_id: str = ""
    region: str = ""
    signing_name: str = ""


_UNSIGNED = Signature()


class MissingAuthenticationToken(ServiceError):
    """A request no rule can attribute to a service (AWS answers 403 with this code)."""

    code = "MissingAuthenticationTokenException"
    status_code = 403

    def __init__(self) -> None:
        super().__init__("Missing Authentication Token")


_SCOPES: dict[str, Signature] = {}
"""Signatures read so far, by the Authorization header's text before its first comma."""
_MAX_SCOPES = 1024


def read_signature(request: HttpRequest) -> Signature:
    authorization = request.headers.get("authorization")
    if authorization:
        # A credential scope holds no comma, so one found before the first comma is the one a
        # search of the whole header finds, in every request that starts the same way: every
        # request one client signs in a day.
        head = authorization.partition(",")[0]
        known = _SCOPES.get(head)
        if known is not None:
            return known
        match = _CREDENTIAL.search(head)
        if match:
            if len(_SCOPES) >= _MAX_SCOPES:
                _SCOPES.clear()
            signature = _SCOPES[head] = Signature(*match.group(1, 3, 4))
            return signature
        match = _CREDENTIAL.search(authorization)
        if match:
            return Signature(*match.group(1, 3, 4))
        return _UNSIGNED
    if "X-Amz-Credential" in request.query_string:
        credential = request.query_value("X-Amz-Credential") or ""
        match = _PRESIGNED.match(credential)
        if match:
            return Signature(*match.group(1, 3, 4))
    return _UNSIGNED


def route(request: HttpRequest, signature: Signature) -> ServiceSpec:
    """The served service this request is for; raises `ServiceNotServed` or a 403."""
    target = request.headers.get("x-amz-target")
    by_target = BY_TARGET_PREFIX.get(target.split(".", 1)[0]) if target else None
    if signature.signing_name:
        candidates = BY_SIGNING_NAME.get(signature.signing_name)
        if not candidates:
            raise ServiceNotServed(signature.signing_name)
        if by_target is not None and by_target in candidates:
            return by_target
        return candidates[0]
    if by_target is not None:
        return by_target
    if target:
        raise ServiceNotServed(target.split(".", 1)[0])
    spec = _route_by_action(request)
    if spec is not None:
        return spec
    raise MissingAuthenticationToken()


def _route_by_action(request: HttpRequest) -> ServiceSpec | None:
    """Unsigned query-protocol calls (STS AssumeRoleWithWebIdentity, ...): match Action+Version."""
    fields = request.query
    if not fields.get("Action") and request.content_type == "application/x-www-form-urlencoded":
        from urllib.parse import parse_qs

        fields = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    action = (fields.get("Action") or [""])[0]
    version = (fields.get("Version") or [""])[0]
    if not action:
        return None
    from cloudlet.protocol import service_model

    for spec in SERVICES.values():
        model = service_model(spec.name)
        if model.api_version == version and action in model.operation_names:
            return spec
    return None
