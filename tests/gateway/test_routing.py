"""Routing: which service a request is for, from SigV4 scope, X-Amz-Target, Action."""

from __future__ import annotations

import pytest
from botocore.session import get_session

from cloudlet.errors import ServiceNotServed
from cloudlet.gateway import routing
from cloudlet.gateway.routing import MissingAuthenticationToken, Signature, read_signature, route
from cloudlet.http import HttpRequest
from cloudlet.services.registry import SERVICES

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-2/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)


def signed(service: str, **headers: str) -> HttpRequest:
    return HttpRequest("POST", "/", "", {"authorization": AUTH.format(service=service), **headers})


def test_signature_from_authorization_header() -> None:
    assert read_signature(signed("sts")) == Signature("AKIDEXAMPLE", "eu-west-2", "sts")


def test_signature_is_read_the_same_when_remembered() -> None:
    first, again = read_signature(signed("logs")), read_signature(signed("logs"))
    assert first == again == Signature("AKIDEXAMPLE", "eu-west-2", "logs")


def test_credential_after_the_first_comma_is_found() -> None:
    authorization = (
        "AWS4-HMAC-SHA256 SignedHeaders=host, "
        "Credential=AKIDEXAMPLE/20260101/us-west-1/sqs/aws4_request, Signature=abc"
    )
    request = HttpRequest("POST", "/", "", {"authorization": authorization})
    assert read_signature(request) == Signature("AKIDEXAMPLE", "us-west-1", "sqs")


def test_remembered_signatures_are_bounded() -> None:
    for day in range(routing._MAX_SCOPES + 10):
        read_signature(
            HttpRequest("POST", "/", "", {"authorization": AUTH.format(service=f"s{day}")})
        )
    assert len(routing._SCOPES) <= routing._MAX_SCOPES


def test_signature_from_presigned_query() -> None:
    query = "X-Amz-Credential=123456789012%2F20260101%2Fap-south-1%2Flogs%2Faws4_request"
    request = HttpRequest("GET", "/", query, {})
    assert read_signature(request) == Signature("123456789012", "ap-south-1", "logs")


def test_garbage_authorization_header_is_unsigned() -> None:
    request = HttpRequest("POST", "/", "", {"authorization": "Bearer \x00\xff nonsense"})
    assert read_signature(request) == Signature()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_routes_by_signing_name(name: str) -> None:
    spec = SERVICES[name]
    headers = {"x-amz-target": f"{spec.target_prefix}.Op"} if spec.target_prefix else {}
    request = signed(spec.signing_name, **headers)
    assert route(request, read_signature(request)) is spec


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_registry_matches_botocore_model(name: str) -> None:
    spec = SERVICES[name]
    model = get_session().get_service_model(name)
    assert model.signing_name == spec.signing_name
    assert model.metadata.get("targetPrefix") == spec.target_prefix


def test_target_prefix_routes_unsigned_requests() -> None:
    request = HttpRequest("POST", "/", "", {"x-amz-target": "Logs_20140328.DescribeLogGroups"})
    assert route(request, Signature()).name == "logs"


def test_unserved_service_is_named() -> None:
    request = signed("kafka")
    with pytest.raises(ServiceNotServed, match="kafka"):
        route(request, read_signature(request))


def test_unserved_target_prefix_is_named() -> None:
    request = HttpRequest("POST", "/", "", {"x-amz-target": "Kinesis_20131202.ListStreams"})
    with pytest.raises(ServiceNotServed, match="Kinesis_20131202"):
        route(request, Signature())


def test_unsigned_query_action_routes_by_version() -> None:
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    request = HttpRequest(
        "POST", "/", "", {"content-type": "application/x-www-form-urlencoded"}, body
    )
    assert route(request, Signature()).name == "sts"


def test_nothing_to_route_by_is_missing_authentication_token() -> None:
    with pytest.raises(MissingAuthenticationToken) as raised:
        route(HttpRequest("GET", "/some/path", "", {}), Signature())
    assert raised.value.status_code == 403
