"""CloudWatch fixtures: a boto3 client per test account, and clients pinned to each protocol.

Current boto3 sends CloudWatch requests in smithy-rpc-v2-cbor; `cw_any` also makes clients that
send JSON 1.0 and query, by giving botocore a copy of CloudWatch's model that lists only that
protocol, so every protocol is exercised end to end with the same test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from services.cloudwatch.support import freeze_minute, thaw_minute

from cloudlet.testing.plugin import _CLIENT_DEFAULTS

PROTOCOLS = ["smithy-rpc-v2-cbor", "json", "query"]


@pytest.fixture(autouse=True)
def _frozen_minute() -> Iterator[None]:
    """`support.minute()` keeps one value for the whole test."""
    freeze_minute()
    yield
    thaw_minute()


@pytest.fixture
def cloudwatch(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("cloudwatch", account=account)


@pytest.fixture(scope="session")
def _protocol_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import botocore.session

    description = (
        botocore.session.get_session()
        .get_component("data_loader")
        .load_service_model("cloudwatch", "service-2")
    )
    roots = {}
    for protocol in PROTOCOLS:
        root = tmp_path_factory.mktemp(f"models-{protocol}")
        folder = root / "cloudwatch" / description["metadata"]["apiVersion"]
        folder.mkdir(parents=True)
        variant = json.loads(json.dumps(description))
        variant["metadata"]["protocol"] = protocol
        variant["metadata"]["protocols"] = [protocol]
        (folder / "service-2.json").write_text(json.dumps(variant))
        roots[protocol] = root
    return roots


@pytest.fixture(params=PROTOCOLS)
def cw_any(
    request: pytest.FixtureRequest,
    cloudlet_endpoint: str,
    account: str,
    _protocol_models: dict[str, Path],
) -> Any:
    """A CloudWatch client sending `request.param`'s protocol."""
    import boto3
    import botocore.session
    from botocore.config import Config

    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(
        0, str(_protocol_models[request.param])
    )
    return boto3.Session(botocore_session=session).client(
        "cloudwatch",
        endpoint_url=cloudlet_endpoint,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(**_CLIENT_DEFAULTS),
    )
