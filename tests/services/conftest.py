"""Fixtures shared by the service tests.

The main tier uses boto3 clients (cloudlet's `aws_client`) against the running server. Each test
gets its own random `account`, so IAM listings and log groups are the test's own even when
tests run in parallel on one server. `direct` calls a provider in-process on a fresh store, for
behaviour that is awkward to reach over HTTP (old timestamps, the in-process logs API, ...).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cloudlet.config import Config
from cloudlet.context import RequestContext
from cloudlet.platform.clock import Clock
from cloudlet.platform.credentials import Credentials
from cloudlet.platform.store import Store
from cloudlet.services.registry import SERVICES


def unique(prefix: str = "t") -> str:
    """A name no other test (or xdist worker) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Direct:
    """Providers of one in-process platform; `call("logs", "CreateLogGroup", ...)`."""

    def __init__(self, path: Path) -> None:
        store = Store(path / "cloudlet.db")
        self.platform = SimpleNamespace(
            config=Config(data_dir=path),
            store=store,
            clock=Clock(1.0, store),
            credentials=Credentials(store),
        )
        self._providers: dict[str, Any] = {}

    def provider(self, service: str) -> Any:
        if service not in self._providers:
            cls = SERVICES[service].load_provider_class()
            self._providers[service] = cls(self.platform)  # type: ignore[arg-type]
        return self._providers[service]

    def call(
        self,
        service: str,
        operation: str,
        *,
        account: str = "000000000000",
        region: str = "us-east-1",
        access_key_id: str = "",
        **params: Any,
    ) -> dict[str, Any]:
        from botocore import xform_name

        spec = SERVICES[service]
        ctx = RequestContext(
            account=account,
            region="" if spec.global_service else region,
            service=service,
            operation=operation,
            request_id=str(uuid.uuid4()),
            access_key_id=access_key_id,
        )
        result = getattr(self.provider(service), xform_name(operation))(ctx, params)
        if inspect.isawaitable(result):
            result = asyncio.run(result)
        return dict(result or {})


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[Direct]:
    instance = Direct(tmp_path)
    yield instance
    instance.platform.store.close()


@pytest.fixture
def name() -> Callable[[str], str]:
    return unique


@pytest.fixture
def account() -> str:
    """A fresh account id: nothing else lives in it."""
    return str(random.randrange(10**11, 10**12))


@pytest.fixture
def sts(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("sts", account=account)


@pytest.fixture
def iam(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("iam", account=account)


@pytest.fixture
def logs(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("logs", account=account)


def _aws_error(error: Any) -> tuple[str, str, int]:
    response = error.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


@pytest.fixture
def aws_error() -> Callable[[Any], tuple[str, str, int]]:
    """(code, message, HTTP status) of a botocore ClientError."""
    return _aws_error


AWS_CLIS = {
    "v1": Path(sys.executable).parent / "aws",
    "v2": Path("/usr/bin/aws"),
}
"""AWS CLI v1 comes with the test extras; v2 is Debian's `awscli` package, when installed."""


@pytest.fixture(params=sorted(AWS_CLIS))
def aws_cli(
    request: pytest.FixtureRequest, cloudlet_endpoint: str, account: str, tmp_path: Path
) -> Callable[..., Any]:
    """Run `aws <args>` against cloudlet as `account`; returns the parsed JSON output (or None).

    Raises `subprocess.CalledProcessError` (with stderr) when the command fails.
    """
    executable = AWS_CLIS[request.param]
    if not executable.exists():
        pytest.skip(f"AWS CLI {request.param} is not installed ({executable})")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_PAGER": "",
        "AWS_EC2_METADATA_DISABLED": "true",
    }

    def run(*args: str) -> Any:
        completed = subprocess.run(
            [str(executable), "--endpoint-url", cloudlet_endpoint, "--output", "json", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if completed.returncode != 0:
            raise subprocess.CalledProcessError(
                completed.returncode, args, completed.stdout, completed.stderr
            )
        return json.loads(completed.stdout) if completed.stdout.strip() else None

    return run


@pytest.fixture(scope="session")
def scaled_server() -> Iterator[Any]:
    """A cloudlet of its own at `--time-scale 60`: a minute of AWS time is a second here."""
    from cloudlet.testing import CloudletProcess

    server = CloudletProcess(time_scale=60)
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def scaled(scaled_server: Any, account: str) -> Callable[[str], Any]:
    """`scaled("autoscaling")`: a client of the time-scaled cloudlet, in the test's account."""
    import boto3
    from botocore.config import Config

    def client(service: str) -> Any:
        return boto3.session.Session().client(
            service,
            endpoint_url=scaled_server.endpoint,
            region_name="us-east-1",
            aws_access_key_id=account,
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )

    return client
