"""Runtimes besides Python (Node.js, provided with a shell bootstrap) and layers."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
Create = Callable[..., dict[str, Any]]
Call = Callable[..., tuple[dict[str, Any], Any]]
FUNCTIONS = Path(__file__).parent / "functions"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("runtime", ["nodejs18.x", "nodejs20.x", "nodejs22.x"])
def test_node_function(
    create_function: Create, call: Call, zipped: Callable[..., bytes], runtime: str
) -> None:
    archive = zipped({"index.js": (FUNCTIONS / "node" / "index.js").read_text()})
    name = create_function(handler="index.handler", zip_bytes=archive, runtime=runtime)[
        "FunctionName"
    ]
    response, body = call(name, {"k": "v"})
    assert "FunctionError" not in response, body
    assert body["message"] == "hello from node" and body["event"] == {"k": "v"}
    assert body["functionName"] == name and 0 < body["remaining"] <= 3000


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(
    ("handler", "error_type"),
    [
        ("index.fails", "TypeError"),
        ("index.missing", "Runtime.HandlerNotFound"),
        ("nope.handler", "Runtime.ImportModuleError"),
    ],
)
def test_node_errors(
    create_function: Create, call: Call, zipped: Callable[..., bytes], handler: str, error_type: str
) -> None:
    archive = zipped({"index.js": (FUNCTIONS / "node" / "index.js").read_text()})
    name = create_function(handler=handler, zip_bytes=archive, runtime="nodejs20.x")["FunctionName"]
    response, body = call(name)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == error_type


@pytest.mark.skipif(shutil.which("curl") is None, reason="the shell bootstrap needs curl")
def test_provided_shell_bootstrap(
    create_function: Create,
    call: Call,
    zipped: Callable[..., bytes],
    logs_of: Callable[..., list[str]],
) -> None:
    archive = zipped(
        {"bootstrap": (FUNCTIONS / "provided" / "bootstrap").read_text()},
        modes={"bootstrap": 0o755},
    )
    name = create_function(handler="unused", zip_bytes=archive, runtime="provided.al2023")[
        "FunctionName"
    ]
    _response, body = call(name, {"x": 1})
    assert body == {"echo": {"x": 1}, "shell": True}
    assert call(name, {"x": 2})[1]["echo"] == {"x": 2}
    assert any(m.startswith("handling ") for m in logs_of(name, count=2))


def test_provided_without_bootstrap_fails_at_init(
    create_function: Create, call: Call, zipped: Callable[..., bytes]
) -> None:
    name = create_function(
        handler="x", zip_bytes=zipped({"readme.txt": "no bootstrap"}), runtime="provided.al2"
    )["FunctionName"]
    response, body = call(name)
    assert response["FunctionError"] == "Unhandled"
    assert "Couldn't find valid bootstrap" in body["errorMessage"]


def test_layers_are_on_the_path(
    lambda_client: Any,
    create_function: Create,
    call: Call,
    zipped: Callable[..., bytes],
    account: str,
) -> None:
    layer = lambda_client.publish_layer_version(
        LayerName="helpers",
        Content={
            "ZipFile": zipped(
                {
                    "python/shared_helper.py": (
                        FUNCTIONS / "layer" / "python" / "shared_helper.py"
                    ).read_text()
                }
            )
        },
        CompatibleRuntimes=["python3.11"],
    )
    assert layer["Version"] == 1
    assert layer["LayerVersionArn"] == f"arn:aws:lambda:us-east-1:{account}:layer:helpers:1"
    config = create_function(handler="uses_layer.handler", Layers=[layer["LayerVersionArn"]])
    assert config["Layers"][0]["Arn"] == layer["LayerVersionArn"]
    assert call(config["FunctionName"], {"name": "ann"})[1] == {
        "greeting": "hello ann from a layer"
    }
    listed = lambda_client.list_layer_versions(LayerName="helpers")["LayerVersions"]
    assert [v["Version"] for v in listed] == [1]


def test_unknown_layer_is_rejected(create_function: Create, account: str, aws_error: Error) -> None:
    arn = f"arn:aws:lambda:us-east-1:{account}:layer:nothing:3"
    with pytest.raises(ClientError) as caught:
        create_function(Layers=[arn])
    assert aws_error(caught.value) == (
        "InvalidParameterValueException",
        f"Layer version {arn} does not exist.",
        400,
    )
