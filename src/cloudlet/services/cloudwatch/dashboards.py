"""Dashboards: stored bodies (PutDashboard, GetDashboard, ListDashboards, DeleteDashboards).

Dashboards belong to the account, not to a region (their ARN has no region:
`arn:aws:cloudwatch::<account>:dashboard/<name>`), so they are kept under region "". A body must
be a JSON object whose `widgets`, when present, is a list; nothing is rendered.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.cloudwatch import errors
from cloudlet.services.cloudwatch.models import decode_token, encode_token, timestamp

_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
PAGE_SIZE = 1000


def dashboard_arn(account: str, name: str) -> str:
    return f"arn:aws:cloudwatch::{account}:dashboard/{name}"


class Dashboards:
    def __init__(self, store: Store) -> None:
        self.documents = Documents(store, "cloudwatch")

    def put(self, account: str, name: str, body: str) -> dict[str, Any]:
        if not _NAME.match(name):
            raise errors.dashboard_invalid(
                f"The value {name} for field DashboardName contains invalid characters. It can "
                "only contain alphanumerics, dash (-) and underscore (_)."
            )
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("widgets", []), list):
            raise errors.dashboard_invalid(
                "The field DashboardBody must be a valid JSON object",
                [{"DataPath": "/", "Message": "Should be an object with a widgets list"}],
            )
        self.documents.put(account, "", "dashboard", name, {"body": body, "modified": time.time()})
        return {"DashboardValidationMessages": []}

    def get(self, account: str, name: str) -> dict[str, Any]:
        found = self.documents.get(account, "", "dashboard", name)
        if found is None:
            raise errors.dashboard_not_found(f"Dashboard {name} does not exist")
        return {
            "DashboardArn": dashboard_arn(account, name),
            "DashboardBody": found["body"],
            "DashboardName": name,
        }

    def entries(self, account: str, prefix: str, token: str | None) -> dict[str, Any]:
        after = None
        if token:
            after = decode_token(token)
            if not isinstance(after, str):
                raise errors.invalid_next_token()
        found = self.documents.list(account, "", "dashboard", prefix, after, PAGE_SIZE + 1)
        entries = [
            {
                "DashboardName": name,
                "DashboardArn": dashboard_arn(account, name),
                "LastModified": timestamp(body["modified"]),
                "Size": len(body["body"].encode()),
            }
            for name, body in found[:PAGE_SIZE]
        ]
        response: dict[str, Any] = {"DashboardEntries": entries}
        if len(found) > PAGE_SIZE:
            response["NextToken"] = encode_token(found[PAGE_SIZE - 1][0])
        return response

    def delete(self, account: str, names: list[str]) -> None:
        for name in names:
            if self.documents.get(account, "", "dashboard", name) is None:
                raise errors.dashboard_not_found(f"Dashboard {name} does not exist")
        for name in names:
            self.documents.delete(account, "", "dashboard", name)
