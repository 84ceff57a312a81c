"""Function URLs: config API, served over HTTP with the payload-format-2.0 event."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
Create = Callable[..., dict[str, Any]]


def _request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_url_serves_the_function(lambda_client: Any, create_function: Create, account: str) -> None:
    name = create_function(handler="web.echo")["FunctionName"]
    config = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert config["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert config["FunctionArn"] == f"arn:aws:lambda:us-east-1:{account}:function:{name}"
    url = config["FunctionUrl"]
    status, _headers, body = _request(
        url + "orders/7?expand=1&expand=2&x=y",
        b'{"a": 1}',
        {"Content-Type": "application/json", "Cookie": "c1=v1; c2=v2"},
        "POST",
    )
    assert status == 200
    event = json.loads(body)
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/orders/7"
    assert event["rawQueryString"] == "expand=1&expand=2&x=y"
    assert event["queryStringParameters"] == {"expand": "1,2", "x": "y"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["body"] == '{"a": 1}' and event["isBase64Encoded"] is False
    assert lambda_client.get_function_url_config(FunctionName=name)["FunctionUrl"] == url
    listed = lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert [c["FunctionUrl"] for c in listed] == [url]


@pytest.mark.parametrize(
    ("handler", "status", "body"),
    [
        ("web.teapot", 418, b"short and stout"),
        ("web.plain", 200, b'{"plain": true}'),
        ("web.fails", 502, b'{"Message":"Internal Server Error"}'),
    ],
)
def test_url_responses(
    lambda_client: Any, create_function: Create, handler: str, status: int, body: bytes
) -> None:
    name = create_function(handler=handler)["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")[
        "FunctionUrl"
    ]
    got_status, headers, got_body = _request(url)
    assert (got_status, got_body) == (status, body)
    if status == 418:
        assert headers["X-Brewed"] == "yes"


def test_iam_auth_needs_a_signature(lambda_client: Any, create_function: Create) -> None:
    name = create_function(handler="web.echo")["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")[
        "FunctionUrl"
    ]
    assert _request(url)[0] == 403


def test_url_config_lifecycle(
    lambda_client: Any, create_function: Create, aws_error: Error
) -> None:
    name = create_function(handler="web.echo")["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")[
        "FunctionUrl"
    ]
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert aws_error(caught.value)[0::2] == ("ResourceConflictException", 409)
    updated = lambda_client.update_function_url_config(
        FunctionName=name, AuthType="AWS_IAM", Cors={"AllowOrigins": ["*"]}
    )
    assert updated["AuthType"] == "AWS_IAM" and updated["Cors"]["AllowOrigins"] == ["*"]
    lambda_client.delete_function_url_config(FunctionName=name)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function_url_config(FunctionName=name)
    assert aws_error(caught.value)[0::2] == ("ResourceNotFoundException", 404)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)
