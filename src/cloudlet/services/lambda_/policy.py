"""Resource-based policies (Add/RemovePermission, GetPolicy) and tags of functions.

Statements are stored per qualifier ("" for the unqualified function) in AWS's JSON form, so
GetPolicy returns the document AWS would: `{"Version": "2012-10-17", "Id": "default",
"Statement": [...]}` with the statement's `Resource` the (qualified) function ARN and
`SourceArn` / `SourceAccount` / `PrincipalOrgID` / function URL auth type as conditions.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from cloudlet.services.lambda_ import functions as fn
from cloudlet.services.lambda_.models import conflict, error, function_arn, invalid

_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:(?P<name>[a-zA-Z0-9-_]+)$"
)


def statement(account: str, region: str, name: str, request: dict[str, Any]) -> dict[str, Any]:
    qualifier = request.get("Qualifier")
    principal = request["Principal"]
    if principal == "*":
        who: Any = "*"
    elif principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn"):
        who = {"Service": principal}
    else:
        who = {
            "AWS": principal if principal.startswith("arn:") else f"arn:aws:iam::{principal}:root"
        }
    body: dict[str, Any] = {
        "Sid": request["StatementId"],
        "Effect": "Allow",
        "Principal": who,
        "Action": request["Action"],
        "Resource": function_arn(region, account, name, qualifier),
    }
    condition: dict[str, dict[str, str]] = {}
    if request.get("SourceArn"):
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = request["SourceArn"]
    if request.get("SourceAccount"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = request["SourceAccount"]
    if request.get("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = request["PrincipalOrgID"]
    if request.get("FunctionUrlAuthType"):
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = request[
            "FunctionUrlAuthType"
        ]
    if condition:
        body["Condition"] = condition
    return body


def add_permission(
    record: fn.Record, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    qualifier = request.get("Qualifier") or ""
    name = record["latest"]["FunctionName"]
    known = qualifier in record["versions"] or qualifier in record["aliases"]
    if qualifier and qualifier != "$LATEST" and not known:
        raise error(
            "ResourceNotFoundException",
            f"Function not found: {function_arn(region, account, name, qualifier)}",
        )
    policy = record["policy"].setdefault(qualifier, {"statements": [], "revision": ""})
    if request.get("RevisionId") and request["RevisionId"] != policy["revision"]:
        raise error(
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy"
            " API to retrieve the latest Revision Id",
        )
    if any(s["Sid"] == request["StatementId"] for s in policy["statements"]):
        raise conflict(
            "The statement id (sid) provided already exists. Please choose a new statement id,"
            " or remove the existing statement."
        )
    body = statement(account, region, name, request)
    policy["statements"].append(body)
    policy["revision"] = str(uuid.uuid4())
    return {"Statement": json.dumps(body, separators=(",", ":"))}


def remove_permission(record: fn.Record, request: dict[str, Any]) -> None:
    qualifier = request.get("Qualifier") or ""
    policy = record["policy"].get(qualifier)
    statements = policy["statements"] if policy else []
    kept = [s for s in statements if s["Sid"] != request["StatementId"]]
    if policy is None or len(kept) == len(statements):
        raise error(
            "ResourceNotFoundException",
            f"Statement {request['StatementId']} is not found in resource policy.",
        )
    policy["statements"] = kept
    policy["revision"] = str(uuid.uuid4())


def get_policy(record: fn.Record, qualifier: str | None) -> dict[str, Any]:
    policy = record["policy"].get(qualifier or "")
    if not policy or not policy["statements"]:
        raise error("ResourceNotFoundException", "The resource you requested does not exist.")
    document = {"Version": "2012-10-17", "Id": "default", "Statement": policy["statements"]}
    return {"Policy": json.dumps(document, separators=(",", ":")), "RevisionId": policy["revision"]}


def function_for_arn(arn: str, account: str, region: str) -> str:
    """The function name a taggable resource ARN names (functions only)."""
    match = _ARN.match(arn)
    if match is None:
        raise invalid(
            f"Invalid resource ARN: {arn}. Tags are supported on unqualified function ARNs."
        )
    if match["account"] != account or match["region"] != region:
        raise error("ResourceNotFoundException", f"Function not found: {arn}")
    return match["name"]
