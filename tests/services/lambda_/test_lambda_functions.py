"""Functions API: create, get, list, update, delete; state; validation of bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


def test_create_returns_pending_then_active(
    lambda_client: Any, account: str, name: Callable[[str], str], zipped: Callable[..., bytes]
) -> None:
    function_name = name("fn")
    created = lambda_client.create_function(
        FunctionName=function_name,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{account}:role/r",
        Handler="hello.handler",
        Code={"ZipFile": zipped("hello.py")},
        Description="greets",
        Environment={"Variables": {"GREETING": "hi"}},
    )
    try:
        assert created["State"] == "Pending"
        assert (
            created["FunctionArn"] == f"arn:aws:lambda:us-east-1:{account}:function:{function_name}"
        )
        assert created["Version"] == "$LATEST"
        assert created["Timeout"] == 3 and created["MemorySize"] == 128
        assert created["Environment"] == {"Variables": {"GREETING": "hi"}}
        assert created["PackageType"] == "Zip"
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
        lambda_client.get_waiter("function_active_v2").wait(
            FunctionName=function_name, WaiterConfig={"Delay": 1, "MaxAttempts": 5}
        )
        got = lambda_client.get_function(FunctionName=function_name)
        assert got["Configuration"]["State"] == "Active"
        assert got["Configuration"]["CodeSha256"] == created["CodeSha256"]
        assert got["Code"]["RepositoryType"] == "S3"
    finally:
        lambda_client.delete_function(FunctionName=function_name)


def test_get_by_arn_and_partial_arn(
    lambda_client: Any, create_function: Callable[..., dict[str, Any]], account: str
) -> None:
    config = create_function()
    name = config["FunctionName"]
    for reference in (config["FunctionArn"], f"{account}:function:{name}", f"{name}:$LATEST"):
        assert (
            lambda_client.get_function_configuration(FunctionName=reference)["FunctionName"] == name
        )


def test_list_functions_pages(
    lambda_client: Any, create_function: Callable[..., dict[str, Any]]
) -> None:
    names = sorted(create_function()["FunctionName"] for _ in range(3))
    first = lambda_client.list_functions(MaxItems=2)
    assert len(first["Functions"]) == 2 and "NextMarker" in first
    rest = lambda_client.list_functions(Marker=first["NextMarker"])
    listed = [f["FunctionName"] for f in first["Functions"] + rest["Functions"]]
    assert sorted(listed) == names


def test_update_configuration_and_code(
    lambda_client: Any, create_function: Callable[..., dict[str, Any]], zipped: Callable[..., bytes]
) -> None:
    config = create_function()
    name = config["FunctionName"]
    updated = lambda_client.update_function_configuration(
        FunctionName=name, Timeout=10, MemorySize=256
    )
    assert (updated["Timeout"], updated["MemorySize"]) == (10, 256)
    assert updated["RevisionId"] != config["RevisionId"]
    code = lambda_client.update_function_code(
        FunctionName=name, ZipFile=zipped("hello.py", "state.py")
    )
    assert code["CodeSha256"] != config["CodeSha256"]
    assert code["LastUpdateStatus"] == "Successful"


def test_stale_revision_is_refused(
    lambda_client: Any, create_function: Callable[..., dict[str, Any]], aws_error: Error
) -> None:
    name = create_function()["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_configuration(FunctionName=name, Timeout=5, RevisionId="nope")
    code, _, status = aws_error(caught.value)
    assert (code, status) == ("PreconditionFailedException", 412)


def test_delete_then_not_found(
    lambda_client: Any,
    create_function: Callable[..., dict[str, Any]],
    account: str,
    aws_error: Error,
) -> None:
    name = create_function()["FunctionName"]
    lambda_client.delete_function(FunctionName=name)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function(FunctionName=name)
    assert aws_error(caught.value) == (
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:us-east-1:{account}:function:{name}",
        404,
    )


def test_create_twice_conflicts(
    create_function: Callable[..., dict[str, Any]], aws_error: Error
) -> None:
    name = create_function()["FunctionName"]
    with pytest.raises(ClientError) as caught:
        create_function(FunctionName=name)
    assert aws_error(caught.value) == (
        "ResourceConflictException",
        f"Function already exist: {name}",
        409,
    )


@pytest.mark.parametrize(
    ("settings", "code", "message"),
    [
        (
            {"Runtime": "python9.9"},
            "ValidationException",
            "Value 'python9.9' at 'runtime' failed to satisfy constraint",
        ),
        (
            {"Runtime": "python2.7"},
            "InvalidParameterValueException",
            "The runtime parameter of python2.7 is no longer supported",
        ),
        (
            {"Runtime": "java21"},
            "InvalidParameterValueException",
            "cloudlet does not run the java21 runtime",
        ),
        (
            {"Environment": {"Variables": {"AWS_REGION": "x"}}},
            "InvalidParameterValueException",
            "Reserved keys used in this request: AWS_REGION",
        ),
        (
            {"Environment": {"Variables": {"BIG": "x" * 5000}}},
            "InvalidParameterValueException",
            "exceeded the 4KB limit",
        ),
        (
            {"Role": "not-a-role"},
            "ValidationException",
            "Value 'not-a-role' at 'role' failed to satisfy constraint",
        ),
        (
            {
                "PackageType": "Image",
                "Code": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:latest"},
            },
            "InvalidParameterValueException",
            "cloudlet does not run container images",
        ),
    ],
)
def test_invalid_settings(
    lambda_client: Any,
    account: str,
    name: Callable[[str], str],
    zipped: Callable[..., bytes],
    aws_error: Error,
    settings: dict[str, Any],
    code: str,
    message: str,
) -> None:
    request = {
        "FunctionName": name("bad"),
        "Runtime": "python3.11",
        "Role": f"arn:aws:iam::{account}:role/r",
        "Handler": "hello.handler",
        "Code": {"ZipFile": zipped("hello.py")},
        **settings,
    }
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function(**request)
    got_code, got_message, status = aws_error(caught.value)
    assert got_code == code and message in got_message
    assert status == 400


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (b"this is not a zip", "Could not unzip uploaded file."),
        ("slip", "points outside the code directory"),
        ("absolute", "points outside the code directory"),
        ("oversize", "Unzipped size must be smaller than 262144000 bytes"),
    ],
)
def test_bad_archives_are_rejected(
    lambda_client: Any,
    account: str,
    name: Callable[[str], str],
    zipped: Callable[..., bytes],
    aws_error: Error,
    archive: bytes | str,
    message: str,
) -> None:
    if archive == "slip":
        archive = zipped({"../escape.py": "x = 1", "hello.py": "def handler(e, c): return 1"})
    elif archive == "absolute":
        archive = zipped({"/etc/evil.py": "x = 1"})
    elif archive == "oversize":  # 260 MB of zeros compresses to about 250 KB
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr("zeros.bin", b"\0" * (260 * 1024 * 1024))
        archive = buffer.getvalue()
    assert isinstance(archive, bytes)
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function(
            FunctionName=name("zip"),
            Runtime="python3.11",
            Role=f"arn:aws:iam::{account}:role/r",
            Handler="hello.handler",
            Code={"ZipFile": archive},
        )
    code, got_message, status = aws_error(caught.value)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message in got_message
