"""Activities: the resources, their task queues, and GetActivityTask's long poll.

An activity Task puts its token on the activity's queue (and in `sfn_tasks`, so it survives a
restart); a worker's GetActivityTask takes the oldest one, or waits up to 60 seconds (AWS's
long-poll time, on the platform clock) for one to arrive, and answers without a token if none
does. Taking a task records `ActivityStarted{workerName}` in the execution's history.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.stepfunctions import arns, errors, paging
from cloudlet.services.stepfunctions.state_machines import SERVICE, timestamp

POLL_SECONDS = 60
"""How long GetActivityTask waits for a task before answering without one."""


class Activities:
    def __init__(self, store: Store, clock: Any) -> None:
        self.docs = Documents(store, SERVICE)
        self.clock = clock
        self.queues: dict[str, deque[tuple[str, str, Any]]] = {}
        """activity ARN → (token, input, on_start) in arrival order."""
        self.pollers: dict[str, deque[asyncio.Future[None]]] = {}

    def create(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name = request["name"]
        arns.check_name(name)
        arn = arns.activity_arn(account, region, name)
        existing = self.docs.get(account, region, "activity", name)
        if existing is not None:
            return {"activityArn": arn, "creationDate": timestamp(existing["created"])}
        tags = {t["key"]: t.get("value", "") for t in request.get("tags") or []}
        body = {
            "arn": arn,
            "name": name,
            "created": time.time(),
            "tags": tags,
            "encryption": request.get("encryptionConfiguration"),
        }
        self.docs.put(account, region, "activity", name, body)
        return {"activityArn": arn, "creationDate": timestamp(body["created"])}

    def get(self, account: str, region: str, arn: str) -> dict[str, Any]:
        parsed = arns.parse(arn, "activity")
        body = None
        if (parsed.account, parsed.region) == (account, region) and len(parsed.parts) == 1:
            body = self.docs.get(account, region, "activity", parsed.parts[0])
        if body is None:
            raise errors.activity_not_found(arn)
        return body

    def exists(self, arn: str) -> bool:
        try:
            parsed = arns.parse(arn, "activity")
        except Exception:
            return False
        return self.docs.get(parsed.account, parsed.region, "activity", parsed.parts[0]) is not None

    def describe(self, account: str, region: str, arn: str) -> dict[str, Any]:
        body = self.get(account, region, arn)
        out = {
            "activityArn": body["arn"],
            "name": body["name"],
            "creationDate": timestamp(body["created"]),
        }
        if body.get("encryption"):
            out["encryptionConfiguration"] = body["encryption"]
        return out

    def delete(self, account: str, region: str, arn: str) -> None:
        parsed = arns.parse(arn, "activity")
        if (parsed.account, parsed.region) == (account, region):
            self.docs.delete(account, region, "activity", parsed.parts[0])

    def list_activities(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        size = paging.page_size(request)
        after = paging.decode(request.get("nextToken"))
        rows = self.docs.list(account, region, "activity", after=after, limit=size + 1)
        response: dict[str, Any] = {
            "activities": [
                {
                    "activityArn": b["arn"],
                    "name": b["name"],
                    "creationDate": timestamp(b["created"]),
                }
                for _, b in rows[:size]
            ]
        }
        if len(rows) > size:
            response["nextToken"] = paging.encode(rows[size - 1][0])
        return response

    # -- tasks ----------------------------------------------------------------------------

    def enqueue(self, arn: str, token: str, input_text: str, on_start: Any) -> None:
        self.queues.setdefault(arn, deque()).append((token, input_text, on_start))
        pollers = self.pollers.get(arn)
        while pollers:
            future = pollers.popleft()
            if not future.done():
                future.set_result(None)
                break

    def withdraw(self, token: str) -> None:
        for queue in self.queues.values():
            for entry in list(queue):
                if entry[0] == token:
                    queue.remove(entry)

    async def poll(self, account: str, region: str, arn: str, worker: str | None) -> dict[str, Any]:
        self.get(account, region, arn)
        deadline = time.monotonic() + self.clock.real_seconds(POLL_SECONDS)
        while True:
            queue = self.queues.get(arn)
            if queue:
                token, input_text, on_start = queue.popleft()
                if on_start is not None:
                    on_start(worker)
                return {"taskToken": token, "input": input_text}
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return {}
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.pollers.setdefault(arn, deque()).append(future)
            try:
                await asyncio.wait_for(future, remaining)
            except TimeoutError:
                return {}

    def clear(self) -> None:
        self.queues.clear()
        for pollers in self.pollers.values():
            for future in pollers:
                if not future.done():
                    future.cancel()
        self.pollers.clear()
