"""pytest fixtures for testing against a real cloudlet.

- `cloudlet_server` (session): a `CloudletProcess`, started once per test process (per xdist
  worker), or the server at `--cloudlet-endpoint` / `CLOUDLET_TEST_ENDPOINT` when given.
- `cloudlet_endpoint` (session): its URL.
- `aws_client` (function): `aws_client("sts", region_name="eu-west-1", account="111122223333")`
  returns a boto3 client pointed at cloudlet with dummy credentials (a 12-digit access key id
  selects that account).
- `reset_cloudlet` (function): wipes all state before the test (the server is per worker, so this
  never disturbs another test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cloudlet.testing.process import CloudletProcess

DEFAULT_TEST_ACCOUNT = "000000000000"
DEFAULT_TEST_REGION = "us-east-1"
_CLIENT_DEFAULTS: dict[str, Any] = {
    "retries": {"max_attempts": 1, "mode": "standard"},
    # `stream-127.0.0.1` and the like do not resolve: keep every call on the endpoint's host.
    "inject_host_prefix": False,
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cloudlet-endpoint",
        default=None,
        help="use the cloudlet already running at this URL instead of starting one",
    )


class _External:
    """A server someone else runs."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")

    def reset(self) -> None:
        import urllib.request

        request = urllib.request.Request(f"{self.endpoint}/_cloudlet/reset", method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()


@pytest.fixture(scope="session")
def cloudlet_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    import os

    endpoint = request.config.getoption("--cloudlet-endpoint") or os.environ.get(
        "CLOUDLET_TEST_ENDPOINT"
    )
    if endpoint:
        yield _External(endpoint)
        return
    server = CloudletProcess()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def cloudlet_endpoint(cloudlet_server: Any) -> str:
    endpoint: str = cloudlet_server.endpoint
    return endpoint


@pytest.fixture(scope="session")
def _boto3_session() -> Any:
    import boto3

    return boto3.session.Session()


@pytest.fixture
def aws_client(cloudlet_endpoint: str, _boto3_session: Any) -> Callable[..., Any]:
    from botocore.config import Config

    def make(
        service: str,
        *,
        region_name: str = DEFAULT_TEST_REGION,
        account: str = DEFAULT_TEST_ACCOUNT,
        access_key_id: str | None = None,
        secret_access_key: str = "test",
        session_token: str | None = None,
        **config: Any,
    ) -> Any:
        return _boto3_session.client(
            service,
            endpoint_url=cloudlet_endpoint,
            region_name=region_name,
            aws_access_key_id=access_key_id or account,
            aws_secret_access_key=secret_access_key,
            aws_session_token=session_token,
            config=Config(**{**_CLIENT_DEFAULTS, **config}),
        )

    return make


@pytest.fixture
def reset_cloudlet(cloudlet_server: Any) -> Callable[[], None]:
    cloudlet_server.reset()
    reset: Callable[[], None] = cloudlet_server.reset
    return reset
