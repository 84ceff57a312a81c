"""Dashboards: stored, listed by prefix, fetched and deleted (nothing is rendered)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

BODY = json.dumps({"widgets": [{"type": "text", "properties": {"markdown": "hi"}}]})


def test_lifecycle(cw_any: Any, account: str) -> None:
    assert (
        cw_any.put_dashboard(DashboardName="ops-main", DashboardBody=BODY)[
            "DashboardValidationMessages"
        ]
        == []
    )
    cw_any.put_dashboard(DashboardName="ops-db", DashboardBody=BODY)
    cw_any.put_dashboard(DashboardName="team", DashboardBody=BODY)
    got = cw_any.get_dashboard(DashboardName="ops-main")
    assert got["DashboardBody"] == BODY
    assert got["DashboardArn"] == f"arn:aws:cloudwatch::{account}:dashboard/ops-main"
    entries = cw_any.list_dashboards(DashboardNamePrefix="ops-")["DashboardEntries"]
    assert [e["DashboardName"] for e in entries] == ["ops-db", "ops-main"]
    assert entries[0]["Size"] == len(BODY)
    cw_any.delete_dashboards(DashboardNames=["ops-db", "ops-main"])
    assert [e["DashboardName"] for e in cw_any.list_dashboards()["DashboardEntries"]] == ["team"]


def test_dashboards_belong_to_the_account(
    cloudwatch: Any, aws_client: Callable[..., Any], account: str
) -> None:
    cloudwatch.put_dashboard(DashboardName="global", DashboardBody=BODY)
    elsewhere = aws_client("cloudwatch", account=account, region_name="eu-west-1")
    assert elsewhere.get_dashboard(DashboardName="global")["DashboardBody"] == BODY


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            ("get_dashboard", {"DashboardName": "ghost"}),
            ("ResourceNotFound", "Dashboard ghost does not exist", 404),
        ),
        (
            ("delete_dashboards", {"DashboardNames": ["ghost"]}),
            ("ResourceNotFound", "Dashboard ghost does not exist", 404),
        ),
        (
            ("put_dashboard", {"DashboardName": "bad", "DashboardBody": "[1, 2]"}),
            ("InvalidParameterInput", "The field DashboardBody must be a valid JSON object", 400),
        ),
        (
            ("put_dashboard", {"DashboardName": "no spaces", "DashboardBody": BODY}),
            (
                "InvalidParameterInput",
                "The value no spaces for field DashboardName contains invalid characters. It can "
                "only contain alphanumerics, dash (-) and underscore (_).",
                400,
            ),
        ),
    ],
)
def test_errors(
    cw_any: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    call: tuple[str, dict[str, Any]],
    expected: tuple[str, str, int],
) -> None:
    operation, params = call
    with pytest.raises(ClientError) as exc:
        getattr(cw_any, operation)(**params)
    assert aws_error(exc.value) == expected
