"""Hostile input never hurts: random and mutated requests at every route of every service.

Each example starts from a valid request botocore itself would send for some operation of some
served service, mutates it (body, content type, headers, path, target), sends it over HTTP and
checks the answer: an AWS-shaped 4xx (or 501 for an operation not built yet), never a 500, never a
stack trace, never a hang; and the server still answers health afterwards. FUZZ_EXAMPLES=5000
searches deeper than the default 400.
"""

from __future__ import annotations

import http.client
import json
import os
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlparse

from botocore.awsrequest import prepare_request_dict
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protocol.samples import sample

from cloudlet.protocol import service_model
from cloudlet.services.registry import SERVICES

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000"
)


@cache
def operations() -> list[tuple[str, str]]:
    return [
        (name, operation)
        for name in sorted(SERVICES)
        for operation in service_model(name).operation_names
    ]


def botocore_request(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    model = service_model(service)
    operation_model = model.operation_model(operation)
    serializer = create_serializer(model.metadata["protocol"], include_validation=False)
    request = serializer.serialize_to_request(params, operation_model)
    prepare_request_dict(request, endpoint_url="http://x")
    request["headers"]["Authorization"] = AUTH.format(service=model.signing_name)
    return request


PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
"""What an HTTP client library lets through in a header or path."""

MUTATIONS = (
    "random_body",
    "flip_bytes",
    "truncate",
    "content_type",
    "garbage_header",
    "garbage_path",
    "garbage_target",
    "json_types",
)


def mutate(request: dict[str, Any], mutation: str, data: st.DataObject) -> None:
    body = request["body"]
    if isinstance(body, dict):
        body = urlencode(body, doseq=True)
    if isinstance(body, str):
        body = body.encode()
    headers = request["headers"]
    if mutation == "random_body":
        body = data.draw(st.binary(max_size=512))
    elif mutation == "flip_bytes" and body:
        index = data.draw(st.integers(0, len(body) - 1))
        body = body[:index] + bytes([body[index] ^ 0xFF]) + body[index + 1 :]
    elif mutation == "truncate":
        body = body[: data.draw(st.integers(0, max(0, len(body) - 1)))]
    elif mutation == "content_type":
        headers["Content-Type"] = data.draw(
            st.sampled_from(["text/plain", "application/xml", "", "application/x-amz-json-9.9"])
        )
    elif mutation == "garbage_header":
        name = data.draw(st.sampled_from(["X-Amz-Target", "Authorization", "Content-Type"]))
        headers[name] = data.draw(st.text(PRINTABLE, max_size=80))
    elif mutation == "garbage_path":
        suffix = data.draw(
            st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)
        )
        request["url_path"] = "/" + suffix.replace("?", "").replace("#", "")
    elif mutation == "garbage_target" and "X-Amz-Target" in headers:
        prefix = headers["X-Amz-Target"].split(".")[0]
        headers["X-Amz-Target"] = prefix + "." + data.draw(st.text(PRINTABLE, max_size=30))
    elif mutation == "json_types":
        value = data.draw(
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3)
                ),
                max_leaves=8,
            )
        )
        body = json.dumps({"roleName": value, "logGroupName": value, "x": value}).encode()
    request["body"] = body


def send(endpoint: str, request: dict[str, Any]) -> tuple[int, bytes]:
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    try:
        path = request["url_path"] or "/"
        if request.get("query_string"):
            query = request["query_string"]
            if isinstance(query, dict):
                query = urlencode(query, doseq=True)
            path += "?" + query
        conn.request(request["method"], path, body=request["body"], headers=request["headers"])
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_requests_get_aws_shaped_client_errors(
    cloudlet_endpoint: str, data: st.DataObject
) -> None:
    service, operation = data.draw(st.sampled_from(operations()))
    input_shape = service_model(service).operation_model(operation).input_shape
    params = sample(input_shape) if input_shape is not None else {}
    request = botocore_request(service, operation, params)
    mutation = data.draw(st.sampled_from(MUTATIONS))
    mutate(request, mutation, data)
    status, body = send(cloudlet_endpoint, request)
    assert status != 500, (service, operation, mutation, body[:500])
    assert 400 <= status < 600 or status < 300, (service, operation, mutation, status)
    assert b"Traceback" not in body
    assert (
        send(
            cloudlet_endpoint,
            {"method": "GET", "url_path": "/_cloudlet/health", "body": b"", "headers": {}},
        )[0]
        == 200
    )
