"""Nothing a function started outlives cloudlet: clean shutdown and kill -9 alike."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import psutil
import pytest

from cloudlet.testing import CloudletProcess


def _client(endpoint: str) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="000000000000",
        aws_secret_access_key="test",
    )


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_no_process_survives_the_server(how: str, zipped: Callable[..., bytes]) -> None:
    with CloudletProcess() as server:
        client = _client(server.endpoint)
        name = f"survivor-{uuid.uuid4().hex[:8]}"
        client.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role="arn:aws:iam::000000000000:role/r",
            Handler="slow.sleep",
            Code={"ZipFile": zipped("slow.py")},
            Timeout=60,
        )
        client.get_waiter("function_active_v2").wait(FunctionName=name)
        body = json.loads(
            client.invoke(FunctionName=name, Payload=b'{"seconds": 0}')["Payload"].read()
        )
        assert body == {"slept": 0}
        assert server.process is not None
        descendants = psutil.Process(server.process.pid).children(recursive=True)
        assert len(descendants) >= 2  # the template and the warm environment
        if how == "kill":
            server.kill()
        else:
            server.stop()
        deadline = time.monotonic() + 10
        alive = descendants
        while alive and time.monotonic() < deadline:
            alive = [
                p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
            ]
            time.sleep(0.05)
        assert not alive
