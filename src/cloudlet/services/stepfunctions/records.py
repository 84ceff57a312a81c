"""Execution rows as the API shows them: DescribeExecution, ListExecutions and
DescribeStateMachineForExecution."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.services.stepfunctions import arns, errors, paging
from cloudlet.services.stepfunctions.state_machines import timestamp

if TYPE_CHECKING:
    from cloudlet.services.stepfunctions.executions import Executions


def describe_row(row: dict[str, Any], include_data: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "executionArn": row["arn"],
        "stateMachineArn": row["machine_arn"],
        "name": row["name"],
        "status": row["status"],
        "startDate": timestamp(row["start"]),
        "inputDetails": {"included": include_data},
        "redriveCount": row["redrive_count"],
    }
    if include_data:
        out["input"] = row["input"]
    if row["stop"] is not None:
        out["stopDate"] = timestamp(row["stop"])
    if row["status"] == "SUCCEEDED":
        out["outputDetails"] = {"included": include_data}
        if include_data:
            out["output"] = row["output"]
    if row["error"] is not None:
        out["error"] = row["error"]
    if row["cause"] is not None:
        out["cause"] = row["cause"]
    for key, column in (
        ("stateMachineVersionArn", "version_arn"),
        ("stateMachineAliasArn", "alias_arn"),
    ):
        if row[column]:
            out[key] = row[column]
    if row["trace_header"]:
        out["traceHeader"] = row["trace_header"]
    if row["map_run_arn"]:
        out["mapRunArn"] = row["map_run_arn"]
    if row["redrive_date"] is not None:
        out["redriveDate"] = timestamp(row["redrive_date"])
    if row["status"] in ("FAILED", "TIMED_OUT", "ABORTED"):
        out["redriveStatus"] = "REDRIVABLE"
    else:
        out["redriveStatus"] = "NOT_REDRIVABLE"
        out["redriveStatusReason"] = f"Execution is {row['status']} and cannot be redriven"
    return out


def list_item(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "executionArn": row["arn"],
        "stateMachineArn": row["machine_arn"],
        "name": row["name"],
        "status": row["status"],
        "startDate": timestamp(row["start"]),
    }
    if row["stop"] is not None:
        item["stopDate"] = timestamp(row["stop"])
    for key, column in (
        ("stateMachineVersionArn", "version_arn"),
        ("stateMachineAliasArn", "alias_arn"),
    ):
        if row[column]:
            item[key] = row[column]
    if row["redrive_count"]:
        item["redriveCount"] = row["redrive_count"]
        item["redriveDate"] = timestamp(row["redrive_date"])
    return item


def list_executions(
    executions: Executions, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    """ListExecutions: a machine's (or version's) executions, newest first, paged."""
    map_run = request.get("mapRunArn")
    machine_arn = request.get("stateMachineArn")
    if bool(map_run) == bool(machine_arn):
        raise errors.validation("Must provide a StateMachine ARN or MapRun ARN")
    version_arn = None
    if machine_arn:
        parsed, name, qualifier = arns.split_machine(machine_arn)
        target = executions.machines.resolve(account, region, machine_arn) if qualifier else None
        machine = executions.machines.get(
            account, region, arns.machine_arn(parsed.account, parsed.region, name)
        )
        if machine["type"] == "EXPRESS":
            raise errors.type_not_supported(
                "This operation is not supported by this type of state machine"
            )
        if qualifier is not None and target is not None:
            version_arn = machine_arn
        machine_arn = machine["arn"]
    size = paging.page_size(request)
    after = paging.decode(request.get("nextToken"))
    redrive = request.get("redriveFilter")
    rows = executions.store.executions(
        machine_arn or "",
        request.get("statusFilter"),
        tuple(after) if after else None,
        size + 1,
        version_arn=version_arn,
        map_run_arn=map_run,
        redriven=None if redrive is None else redrive == "REDRIVEN",
    )
    items = [list_item(row) for row in rows[:size]]
    response: dict[str, Any] = {"executions": items}
    if len(rows) > size:
        last = rows[size - 1]
        response["nextToken"] = paging.encode([last["start"], last["id"]])
    return response


def describe_for_execution(executions: Executions, row: dict[str, Any]) -> dict[str, Any]:
    """DescribeStateMachineForExecution: the definition the execution runs."""
    account, region = row["account"], row["region"]
    machine_name = row["machine_arn"].rsplit(":", 1)[1]
    machine = executions.machines.docs.get(account, region, "machine", machine_name) or {}
    out: dict[str, Any] = {
        "stateMachineArn": row["version_arn"] or row["machine_arn"],
        "name": machine_name,
        "definition": executions.store.definition(row["definition"]),
        "roleArn": row["role_arn"],
        "updateDate": timestamp(machine.get("updated", row["start"])),
        "loggingConfiguration": machine.get("logging")
        or {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": machine.get("tracing") or {"enabled": False},
    }
    if machine.get("revisionId"):
        out["revisionId"] = machine["revisionId"]
    return out
