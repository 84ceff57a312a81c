"""Fixtures of the EC2 tests: a client in a fresh account, the built-in images, launches that
clean up after themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ec2_support import wait_state


@pytest.fixture
def ec2(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("ec2", account=account)


@pytest.fixture
def images(ec2: Any) -> dict[str, str]:
    """Built-in image name → id."""
    found = ec2.describe_images(Owners=["amazon"])["Images"]
    return {image["Name"]: image["ImageId"] for image in found}


@pytest.fixture
def launched(ec2: Any) -> Iterator[list[str]]:
    """Instance ids a test launched; terminated at the end so no process stays behind."""
    ids: list[str] = []
    yield ids
    if ids:
        ec2.terminate_instances(InstanceIds=ids)


@pytest.fixture
def run(ec2: Any, images: dict[str, str], launched: list[str]) -> Callable[..., dict[str, Any]]:
    """Launch one instance (web app image unless told) and wait until it is running."""

    def start(image: str = "cloudlet-web-app", wait: bool = True, **params: Any) -> dict[str, Any]:
        params.setdefault("InstanceType", "t2.micro")
        response = ec2.run_instances(
            ImageId=images.get(image, image), MinCount=1, MaxCount=1, **params
        )
        found: dict[str, Any] = response["Instances"][0]
        launched.append(found["InstanceId"])
        return wait_state(ec2, found["InstanceId"], "running") if wait else found

    return start
