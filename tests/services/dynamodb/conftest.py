"""Fixtures for the DynamoDB tests: a client, and tables with unique names deleted afterwards."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def ddb(aws_client: Callable[..., Any]) -> Any:
    return aws_client("dynamodb")


@pytest.fixture
def make_table(ddb: Any) -> Iterator[Callable[..., str]]:
    """`make_table(hash=("pk", "S"), range=("sk", "N"), **create_table_kwargs)` → table name."""
    created: list[str] = []

    def make(
        hash: tuple[str, str] = ("pk", "S"),
        range: tuple[str, str] | None = None,
        extra: tuple[tuple[str, str], ...] = (),
        **kwargs: Any,
    ) -> str:
        name = f"t-{uuid.uuid4().hex[:12]}"
        keys = [hash] + ([range] if range else [])
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": t} for n, t in (*keys, *extra)
            ],
            KeySchema=[{"AttributeName": hash[0], "KeyType": "HASH"}]
            + ([{"AttributeName": range[0], "KeyType": "RANGE"}] if range else []),
            BillingMode=kwargs.pop("BillingMode", "PAY_PER_REQUEST"),
            **kwargs,
        )
        created.append(name)
        return name

    yield make
    for name in created:
        with contextlib.suppress(ddb.exceptions.ClientError):
            ddb.delete_table(TableName=name)


@pytest.fixture
def table(make_table: Callable[..., str]) -> str:
    """A table keyed by pk (S) and sk (N)."""
    return make_table(range=("sk", "N"))


def _error_of(excinfo: Any) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


@pytest.fixture
def error_of() -> Callable[[Any], tuple[str, str, int]]:
    """(code, message, HTTP status) of a `pytest.raises(ClientError)` excinfo."""
    return _error_of
