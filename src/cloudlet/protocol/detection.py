"""Which of a service's protocols a request is in.

Services can answer several protocols (CloudWatch: smithy-rpc-v2-cbor, json and query; SQS: json
and, for older clients, query). The request says which one it uses:

    smithy-protocol: rpc-v2-cbor (or Content-Type application/cbor)   smithy-rpc-v2-cbor
    Content-Type application/x-amz-json-1.0/1.1, or X-Amz-Target      json
    form-encoded body, or Action in the query string                   query (ec2 for EC2)

A protocol the service does not answer is never chosen; with no sign at all, the service's
preferred protocol is. rest-json and rest-xml services only speak their own.
"""

from __future__ import annotations

from botocore.model import ServiceModel

from cloudlet.http import HttpRequest
from cloudlet.protocol.models import protocols_of


def detect_protocol(service: ServiceModel, request: HttpRequest) -> str:
    """The protocol `request` speaks, among those `service` answers."""
    protocols = protocols_of(service)
    if len(protocols) == 1:
        return protocols[0]
    headers = request.headers
    content_type = request.content_type
    if "smithy-rpc-v2-cbor" in protocols and (
        headers.get("smithy-protocol") == "rpc-v2-cbor" or content_type == "application/cbor"
    ):
        return "smithy-rpc-v2-cbor"
    if "json" in protocols and (
        content_type.startswith("application/x-amz-json") or "x-amz-target" in headers
    ):
        return "json"
    query = "ec2" if "ec2" in protocols else "query"
    if query in protocols and (
        content_type == "application/x-www-form-urlencoded" or "Action=" in request.query_string
    ):
        return query
    return protocols[0]
