"""Map Runs: what a distributed Map state reports about itself (DescribeMapRun, ListMapRuns,
UpdateMapRun), kept as `Documents` (kind "maprun", id = the run's ARN suffix).

    arn:aws:states:<region>:<account>:mapRun:<machine>/<label or state name>:<uuid>

cloudlet runs a distributed Map's items inside the parent execution (no child executions), so
the item counts are the iterations' and `executionCounts` mirror them.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.stepfunctions import arns, errors, paging
from cloudlet.services.stepfunctions.state_machines import SERVICE, timestamp

COUNT_FIELDS = ("pending", "running", "succeeded", "failed", "timedOut", "aborted", "total")


class MapRuns:
    def __init__(self, store: Store) -> None:
        self.docs = Documents(store, SERVICE)

    def start(
        self,
        account: str,
        region: str,
        execution_arn: str,
        machine_name: str,
        label: str,
        settings: dict[str, Any],
    ) -> str:
        arn = f"arn:aws:states:{region}:{account}:mapRun:{machine_name}/{label}:{uuid.uuid4()}"
        body = {
            "arn": arn,
            "executionArn": execution_arn,
            "machineArn": arns.machine_arn(account, region, machine_name),
            "status": "RUNNING",
            "start": time.time(),
            "stop": None,
            "maxConcurrency": int(settings.get("maxConcurrency") or 0),
            "toleratedFailurePercentage": float(settings.get("toleratedFailurePercentage") or 0),
            "toleratedFailureCount": int(settings.get("toleratedFailureCount") or 0),
            "counts": {key: 0 for key in COUNT_FIELDS} | {"total": settings.get("total", 0)},
        }
        self.docs.put(account, region, "maprun", _key(arn), body)
        return arn

    def finish(self, arn: str, status: str, counts: dict[str, int]) -> None:
        parsed = arns.parse(arn, "mapRun")
        body = self.docs.get(parsed.account, parsed.region, "maprun", _key(arn))
        if body is None:
            return
        body.update(status=status, stop=time.time())
        body["counts"].update(counts)
        self.docs.put(parsed.account, parsed.region, "maprun", _key(arn), body)

    def _get(self, account: str, region: str, arn: str) -> dict[str, Any]:
        parsed = arns.parse(arn, "mapRun")
        body = None
        if (parsed.account, parsed.region) == (account, region):
            body = self.docs.get(account, region, "maprun", _key(arn))
        if body is None:
            raise errors.resource_not_found(arn)
        return body

    def describe(self, account: str, region: str, arn: str) -> dict[str, Any]:
        body = self._get(account, region, arn)
        counts = {key: int(body["counts"].get(key, 0)) for key in COUNT_FIELDS}
        counts["resultsWritten"] = 0
        out: dict[str, Any] = {
            "mapRunArn": body["arn"],
            "executionArn": body["executionArn"],
            "status": body["status"],
            "startDate": timestamp(body["start"]),
            "maxConcurrency": body["maxConcurrency"],
            "toleratedFailurePercentage": body["toleratedFailurePercentage"],
            "toleratedFailureCount": body["toleratedFailureCount"],
            "itemCounts": counts,
            "executionCounts": dict(counts),
        }
        if body["stop"] is not None:
            out["stopDate"] = timestamp(body["stop"])
        return out

    def list_runs(
        self, account: str, region: str, execution_arn: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        runs = [
            body
            for _, body in self.docs.list(account, region, "maprun")
            if body["executionArn"] == execution_arn
        ]
        runs.sort(key=lambda body: body["start"])
        size = paging.page_size(request)
        start = int(paging.decode(request.get("nextToken")) or 0)
        items = [
            {
                "executionArn": body["executionArn"],
                "mapRunArn": body["arn"],
                "stateMachineArn": body["machineArn"],
                "startDate": timestamp(body["start"]),
                **({"stopDate": timestamp(body["stop"])} if body["stop"] is not None else {}),
            }
            for body in runs[start : start + size]
        ]
        response: dict[str, Any] = {"mapRuns": items}
        if start + size < len(runs):
            response["nextToken"] = paging.encode(start + size)
        return response

    def update(self, account: str, region: str, request: dict[str, Any]) -> None:
        arn = request["mapRunArn"]
        body = self._get(account, region, arn)
        if all(
            request.get(key) is None
            for key in ("maxConcurrency", "toleratedFailurePercentage", "toleratedFailureCount")
        ):
            raise errors.validation(
                "Must specify at least one of maxConcurrency, toleratedFailurePercentage or"
                " toleratedFailureCount"
            )
        percentage = request.get("toleratedFailurePercentage")
        if percentage is not None and not 0 <= percentage <= 100:
            raise errors.validation("toleratedFailurePercentage must be between 0 and 100")
        for key in ("maxConcurrency", "toleratedFailurePercentage", "toleratedFailureCount"):
            if request.get(key) is not None:
                body[key] = request[key]
        self.docs.put(account, region, "maprun", _key(arn), body)


def _key(arn: str) -> str:
    return arn.split(":mapRun:", 1)[1]
