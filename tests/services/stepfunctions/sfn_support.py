"""Helpers of the Step Functions tests: template files, handler zips, and `Machines`, which
creates state machines and runs executions to their end."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"
ROLE = "arn:aws:iam::{account}:role/sfn-role"


def template(name: str) -> str:
    """The text of `templates/<name>.json` (ASL definitions, inputs)."""
    return (TEMPLATES / f"{name}.json").read_text()


def load(name: str) -> Any:
    return json.loads(template(name))


def render(name: str, **values: str) -> str:
    """A template with its `{{NAME}}` placeholders filled in."""
    text = template(name)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def handler_zip(name: str) -> bytes:
    """A zip holding `templates/handlers/<name>.py` at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{name}.py", (TEMPLATES / "handlers" / f"{name}.py").read_text())
    return buffer.getvalue()


class Machines:
    """Creates state machines from templates and runs executions to their end."""

    def __init__(self, client: Any, account: str, unique: Callable[[str], str]) -> None:
        self.client = client
        self.account = account
        self.unique = unique

    @property
    def role(self) -> str:
        return ROLE.format(account=self.account)

    def create(self, definition: str | dict[str, Any], **kwargs: Any) -> str:
        text = definition if isinstance(definition, str) else json.dumps(definition)
        if isinstance(definition, str) and not definition.lstrip().startswith("{"):
            text = template(definition)
        response = self.client.create_state_machine(
            name=kwargs.pop("name", None) or self.unique("sm"),
            definition=text,
            roleArn=kwargs.pop("roleArn", self.role),
            **kwargs,
        )
        return str(response["stateMachineArn"])

    def start(self, arn: str, payload: Any = None, **kwargs: Any) -> str:
        text = (
            payload if isinstance(payload, str) else json.dumps({} if payload is None else payload)
        )
        return str(
            self.client.start_execution(stateMachineArn=arn, input=text, **kwargs)["executionArn"]
        )

    def wait(
        self, execution: str, timeout: float = 30.0, until: str | None = None
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            described: dict[str, Any] = self.client.describe_execution(executionArn=execution)
            done = (
                described["status"] != "RUNNING" if until is None else described["status"] == until
            )
            if done or time.monotonic() > deadline:
                return described
            time.sleep(0.02)

    def run(
        self, definition: str | dict[str, Any], payload: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        arn = self.create(definition, **kwargs)
        return self.wait(self.start(arn, payload))

    def history(self, execution: str, **kwargs: Any) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        token = None
        while True:
            page = self.client.get_execution_history(
                executionArn=execution,
                maxResults=1000,
                **kwargs,
                **({"nextToken": token} if token else {}),
            )
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events

    def sequence(self, execution: str) -> list[tuple[int, int, str]]:
        """(id, previousEventId, type) of every event."""
        return [(e["id"], e["previousEventId"], e["type"]) for e in self.history(execution)]


def output(described: dict[str, Any]) -> Any:
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])
