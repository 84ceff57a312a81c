"""Fixtures for the Lambda tests: zipped handlers from `functions/`, functions that clean up.

`create_function(handler="hello.handler", files=["hello.py"], **settings)` creates a function in
the test's own account (see tests/services/conftest.py), waits until it is Active and deletes it
after the test. Handlers are real files under `functions/`, zipped on the fly.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

FUNCTIONS = Path(__file__).parent / "functions"
ROLE = "arn:aws:iam::{account}:role/lambda-role"


def make_zip(files: dict[str, bytes | str], modes: dict[str, int] | None = None) -> bytes:
    """A zip of `{archive name: content}`; `modes` sets Unix permissions per name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = ((modes or {}).get(name, 0o644) | 0o100000) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def zip_functions(*names: str) -> bytes:
    """A zip of files from `functions/`, at the archive's root."""
    return make_zip({name: (FUNCTIONS / name).read_bytes() for name in names})


@pytest.fixture
def lambda_client(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("lambda", account=account, read_timeout=120)


def wait_active(client: Any, name: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        config: dict[str, Any] = client.get_function_configuration(FunctionName=name)
        if config["State"] != "Pending" or time.monotonic() > deadline:
            return config
        time.sleep(0.02)


@pytest.fixture
def create_function(
    lambda_client: Any, account: str, name: Callable[[str], str]
) -> Iterator[Callable[..., dict[str, Any]]]:
    created: list[str] = []

    def create(
        handler: str = "hello.handler",
        files: tuple[str, ...] | list[str] | None = None,
        zip_bytes: bytes | None = None,
        runtime: str = "python3.11",
        **settings: Any,
    ) -> dict[str, Any]:
        function_name = settings.pop("FunctionName", None) or name("fn")
        if zip_bytes is None:
            zip_bytes = zip_functions(*(files or [handler.split(".")[0] + ".py"]))
        lambda_client.create_function(
            FunctionName=function_name,
            Runtime=runtime,
            Role=ROLE.format(account=account),
            Handler=handler,
            Code={"ZipFile": zip_bytes},
            **settings,
        )
        created.append(function_name)
        return wait_active(lambda_client, function_name)

    yield create
    for function_name in created:
        with contextlib.suppress(lambda_client.exceptions.ResourceNotFoundException):
            lambda_client.delete_function(FunctionName=function_name)


def invoke_json(
    client: Any, name: str, payload: Any = None, **kwargs: Any
) -> tuple[dict[str, Any], Any]:
    """(response without the stream, decoded JSON payload)."""
    response = client.invoke(
        FunctionName=name, Payload=json.dumps(payload if payload is not None else {}), **kwargs
    )
    body = response.pop("Payload").read()
    return response, json.loads(body) if body else None


@pytest.fixture
def call(lambda_client: Any) -> Callable[..., tuple[dict[str, Any], Any]]:
    """`call(function_name, payload, **invoke_kwargs)` → (response, decoded JSON payload)."""

    def run(function_name: str, payload: Any = None, **kwargs: Any) -> tuple[dict[str, Any], Any]:
        return invoke_json(lambda_client, function_name, payload, **kwargs)

    return run


@pytest.fixture
def logs_of(aws_client: Callable[..., Any], account: str) -> Callable[..., list[str]]:
    """`logs_of(function_name, until="REPORT", count=1)`: messages of the function's log group,
    polled until `count` messages contain `until` (bounded)."""
    logs = aws_client("logs", account=account)

    def read(
        function_name: str, until: str = "REPORT", count: int = 1, timeout: float = 10.0
    ) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function_name}")[
                    "events"
                ]
            except logs.exceptions.ResourceNotFoundException:
                events = []
            messages = [event["message"] for event in events]
            if (
                sum(until in message for message in messages) >= count
                or time.monotonic() > deadline
            ):
                return messages
            time.sleep(0.05)

    return read


@pytest.fixture
def zipped() -> Callable[..., bytes]:
    """`zipped({"name": content}, modes=...)`, or `zipped("hello.py", ...)` from functions/."""

    def build(*names: str | dict[str, bytes | str], modes: dict[str, int] | None = None) -> bytes:
        if len(names) == 1 and isinstance(names[0], dict):
            return make_zip(names[0], modes)
        return zip_functions(*(str(n) for n in names))

    return build
