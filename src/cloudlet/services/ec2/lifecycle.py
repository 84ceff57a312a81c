"""Instance state transitions, as AWS makes them, with the processes that go with them.

    RunInstances     pending ──boot──▶ running
    StopInstances    running ─▶ stopping ──processes end──▶ stopped
    StartInstances   stopped ─▶ pending ──boot──▶ running        (user data does not run again)
    RebootInstances  running: processes end and boot again, the state stays running
    Terminate        any ─▶ shutting-down ──processes end──▶ terminated (visible for an hour)
    the main process ends by itself: InstanceInitiatedShutdownBehavior, stop (stopping → stopped)
                     or terminate (shutting-down → terminated), StateReason
                     `Client.InstanceInitiatedShutdown`

Transitions of one instance run one at a time (a lock per instance); each is persisted before it
is reported to the listeners (Auto Scaling, load balancers) registered with `listen`. After a
restart, `resume` boots again every instance that was pending or running (their processes died
with the previous server) and finishes the transitions that were under way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.ec2 import images as imaging
from cloudlet.services.ec2.instance_types import instance_type
from cloudlet.services.ec2.instances import (
    check_ids,
    not_found,
    state,
    user_initiated,
    with_address,
)
from cloudlet.services.ec2.machine import Machines

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.ec2.images import Images
    from cloudlet.services.ec2.store import Ec2Store

log = logging.getLogger(__name__)

Listener = Callable[[str, str, dict[str, Any], str], None]
"""`listener(account, region, instance document, previous state name)` after every change."""

PURGE_AFTER = 3600.0
"""AWS seconds a terminated instance stays visible."""

_USER_SHUTDOWN = {
    "Code": "Client.UserInitiatedShutdown",
    "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
}
_SELF_SHUTDOWN = {
    "Code": "Client.InstanceInitiatedShutdown",
    "Message": "Client.InstanceInitiatedShutdown: Instance initiated shutdown",
}
_LAUNCH_FAILED = {
    "Code": "Server.InternalError",
    "Message": "Server.InternalError: Internal error on launch",
}


class Lifecycle:
    """Moves instances between states and starts and ends their processes."""

    def __init__(self, platform: Platform, store: Ec2Store, images: Images) -> None:
        self.platform = platform
        self.store = store
        self.images = images
        self.machines = Machines(platform, self._ended_by_itself)
        self.listeners: list[Listener] = []
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        platform.clock.on("ec2:purge", self._purge)

    def listen(self, listener: Listener) -> None:
        if listener not in self.listeners:
            self.listeners.append(listener)

    # lookups

    def get(self, account: str, region: str, instance_id: str) -> dict[str, Any] | None:
        return self.store.get(account, region, "instance", instance_id)

    def require(self, account: str, region: str, ids: list[str]) -> list[dict[str, Any]]:
        check_ids(ids)
        found, missing = [], []
        for instance_id in ids:
            doc = self.get(account, region, instance_id)
            if doc is None:
                missing.append(instance_id)
            else:
                found.append(doc)
        if missing:
            raise not_found(missing)
        return found

    # transitions requested through the API

    def launch(self, account: str, region: str, docs: list[dict[str, Any]]) -> None:
        """Boot new (pending, stored) instances in the background."""
        for doc in docs:
            self._serial(doc["InstanceId"], self._boot(account, region, doc["InstanceId"]))

    def stop(
        self, account: str, region: str, ids: list[str], force: bool = False
    ) -> list[dict[str, Any]]:
        changes = []
        docs = self.require(account, region, ids)
        for doc in docs:
            current = doc["State"]["Name"]
            if current in ("terminated", "shutting-down"):
                raise ServiceError(
                    f"This instance '{doc['InstanceId']}' is not in a state from which it can be"
                    " stopped.",
                    code="IncorrectInstanceState",
                )
        for doc in docs:
            current = doc["State"]["Name"]
            if current in ("pending", "running"):
                self._set(
                    account,
                    region,
                    doc,
                    "stopping",
                    StateTransitionReason=user_initiated(time.time()),
                    StateReason=_USER_SHUTDOWN,
                )
                self._serial(
                    doc["InstanceId"],
                    self._halt(
                        account, region, doc["InstanceId"], "stopped", 0.0 if force else 2.0
                    ),
                )
            changes.append(_change(doc["InstanceId"], current, doc["State"]["Name"]))
        return changes

    def start(self, account: str, region: str, ids: list[str]) -> list[dict[str, Any]]:
        changes = []
        docs = self.require(account, region, ids)
        for doc in docs:
            if doc["State"]["Name"] not in ("stopped", "pending", "running"):
                raise ServiceError(
                    f"The instance '{doc['InstanceId']}' is not in a state from which it can be"
                    " started.",
                    code="IncorrectInstanceState",
                )
        for doc in docs:
            current = doc["State"]["Name"]
            if current == "stopped":
                doc.pop("StateReason", None)
                self._set(account, region, doc, "pending", StateTransitionReason="")
                self._serial(doc["InstanceId"], self._boot(account, region, doc["InstanceId"]))
            changes.append(_change(doc["InstanceId"], current, doc["State"]["Name"]))
        return changes

    def reboot(self, account: str, region: str, ids: list[str]) -> None:
        docs = self.require(account, region, ids)
        for doc in docs:
            if doc["State"]["Name"] in ("stopped", "stopping"):
                raise ServiceError(
                    f"The instance '{doc['InstanceId']}' is not in a state from which it can be"
                    " rebooted.",
                    code="IncorrectInstanceState",
                )
        for doc in docs:
            if doc["State"]["Name"] == "running":
                self._serial(doc["InstanceId"], self._reboot(account, region, doc["InstanceId"]))

    def terminate(self, account: str, region: str, ids: list[str]) -> list[dict[str, Any]]:
        changes = []
        docs = self.require(account, region, ids)
        for doc in docs:
            if doc.get("_no_terminate") and doc["State"]["Name"] != "terminated":
                raise ServiceError(
                    f"The instance '{doc['InstanceId']}' may not be terminated. Modify its"
                    " 'disableApiTermination' instance attribute and try again.",
                    code="OperationNotPermitted",
                )
        for doc in docs:
            current = doc["State"]["Name"]
            if current not in ("terminated", "shutting-down"):
                self._set(
                    account,
                    region,
                    doc,
                    "shutting-down",
                    StateTransitionReason=user_initiated(time.time()),
                    StateReason=_USER_SHUTDOWN,
                )
                self._serial(
                    doc["InstanceId"], self._halt(account, region, doc["InstanceId"], "terminated")
                )
            changes.append(_change(doc["InstanceId"], current, doc["State"]["Name"]))
        return changes

    # the work behind them

    async def _boot(self, account: str, region: str, instance_id: str) -> None:
        doc = self.get(account, region, instance_id)
        if doc is None or doc["State"]["Name"] != "pending":
            return
        try:
            image = self.images.get(account, region, doc["ImageId"])
            bundle = self.images.bundle(region, image)
        except ServiceError:  # deregistered since: boot what the instance already has
            bundle = self.machines.directory(instance_id) / "app"
        first = not doc.get("_booted")
        try:
            self.machines.prepare(instance_id, bundle, doc.get("_user_data"))
            await self.machines.boot(
                account,
                region,
                doc,
                imaging.manifest(self.machines.directory(instance_id) / "app"),
                first=first,
                memory_mib=_memory(doc),
                source=self._source(account, region, instance_id, doc),
                role=lambda: self._role(account, region, instance_id),
            )
        except Exception as exc:
            log.warning("instance %s could not boot: %s", instance_id, exc)
            doc = self.get(account, region, instance_id)
            if doc is not None:
                self._set(account, region, doc, "terminated", StateReason=_LAUNCH_FAILED)
                self._finish_termination(account, region, doc)
            return
        doc = self.get(account, region, instance_id)
        if doc is None or doc["State"]["Name"] != "pending":
            return
        doc["_booted"] = True
        self._set(account, region, doc, "running")

    async def _reboot(self, account: str, region: str, instance_id: str) -> None:
        doc = self.get(account, region, instance_id)
        if doc is None or doc["State"]["Name"] != "running":
            return
        await self.machines.halt(instance_id)
        doc["State"] = state("pending")  # not persisted: a reboot keeps the instance running
        try:
            await self.machines.boot(
                account,
                region,
                doc,
                imaging.manifest(self.machines.directory(instance_id) / "app"),
                first=False,
                memory_mib=_memory(doc),
                source=self._source(account, region, instance_id, doc),
                role=lambda: self._role(account, region, instance_id),
            )
        except Exception as exc:
            log.warning("instance %s could not reboot: %s", instance_id, exc)
            self._ended_by_itself(account, region, instance_id, -1)

    async def _halt(
        self, account: str, region: str, instance_id: str, final: str, grace: float = 2.0
    ) -> None:
        await self.machines.halt(instance_id, grace)
        doc = self.get(account, region, instance_id)
        if doc is None:
            return
        self._set(account, region, doc, final)
        if final == "terminated":
            self._finish_termination(account, region, doc)

    def _finish_termination(self, account: str, region: str, doc: dict[str, Any]) -> None:
        if doc.get("PrivateIpAddress"):
            self.store.addresses.release(doc["PrivateIpAddress"])
        self.machines.discard(doc["InstanceId"])
        doc["_terminated_at"] = time.time()
        self.store.put(account, region, "instance", doc["InstanceId"], doc)
        self.platform.clock.schedule(
            "ec2:purge",
            PURGE_AFTER,
            {"account": account, "region": region, "instance": doc["InstanceId"]},
        )

    def _ended_by_itself(self, account: str, region: str, instance_id: str, code: int) -> None:
        if getattr(self.platform.supervisor, "_closing", False):
            return  # cloudlet is stopping or resetting: every process ends, no instance chose to
        doc = self.get(account, region, instance_id)
        if doc is None or doc["State"]["Name"] not in ("pending", "running"):
            return
        log.info("instance %s shut itself down (exit status %s)", instance_id, code)
        terminate = doc.get("_shutdown") == "terminate"
        self._set(
            account,
            region,
            doc,
            "shutting-down" if terminate else "stopping",
            StateReason=_SELF_SHUTDOWN,
        )
        self._serial(
            instance_id,
            self._halt(account, region, instance_id, "terminated" if terminate else "stopped"),
        )

    def _purge(self, payload: dict[str, Any]) -> None:
        doc = self.get(payload["account"], payload["region"], payload["instance"])
        if doc is not None and doc["State"]["Name"] == "terminated":
            self.store.delete(payload["account"], payload["region"], "instance", doc["InstanceId"])
            if doc.get("ClientToken"):
                self.store.delete(
                    payload["account"], payload["region"], "token", doc["ClientToken"]
                )

    def _source(
        self, account: str, region: str, instance_id: str, doc: dict[str, Any]
    ) -> Callable[[], dict[str, Any]]:
        """What the metadata service reads: the instance as stored now."""

        def source() -> dict[str, Any]:
            return self.get(account, region, instance_id) or doc

        return source

    def _role(self, account: str, region: str, instance_id: str) -> tuple[str, str] | None:
        """(name, id) of the role of the instance's profile, as IAM has it now."""
        from cloudlet.services.iam.lookup import instance_profile, roles_of

        doc = self.get(account, region, instance_id)
        if doc is None or not doc.get("_profile"):
            return None
        profile = instance_profile(self.platform.store, account, doc["_profile"])
        if profile is None:
            return None
        roles = roles_of(self.platform.store, profile, account)
        return (roles[0].name, roles[0].id) if roles else None

    # after a restart

    async def resume(self) -> None:
        """Finish transitions cut short by a restart and boot what was running."""
        for account, region, doc in self.store.every("instance"):
            name = doc["State"]["Name"]
            address = doc.get("PrivateIpAddress")
            if name != "terminated" and address and not self.store.addresses.reclaim(address):
                log.warning(
                    "%s lost its address %s to another cloudlet", doc["InstanceId"], address
                )
                self.store.addresses.release(address)
                with_address(doc, self.store.addresses.lease(doc["InstanceId"]), region)
                self.store.put(account, region, "instance", doc["InstanceId"], doc)
            if name in ("pending", "running"):
                if name == "running":
                    doc["State"] = state("pending")
                    self.store.put(account, region, "instance", doc["InstanceId"], doc)
                self._serial(doc["InstanceId"], self._boot(account, region, doc["InstanceId"]))
            elif name in ("stopping", "shutting-down"):
                self._serial(
                    doc["InstanceId"],
                    self._halt(
                        account,
                        region,
                        doc["InstanceId"],
                        "stopped" if name == "stopping" else "terminated",
                    ),
                )

    async def close(self) -> None:
        """End every instance's processes (shutdown or reset) and pending work."""
        for task in list(self._tasks):
            task.cancel()
        await self.machines.halt_all()
        self._locks.clear()

    # helpers

    def _set(
        self, account: str, region: str, doc: dict[str, Any], name: str, **fields: Any
    ) -> None:
        previous = doc["State"]["Name"]
        doc["State"] = state(name)
        doc.update(fields)
        self.store.put(account, region, "instance", doc["InstanceId"], doc)
        for listener in list(self.listeners):
            try:
                listener(account, region, doc, previous)
            except Exception:
                log.exception("instance state listener failed")

    def _serial(self, instance_id: str, work: Coroutine[Any, Any, None]) -> None:
        lock = self._locks.setdefault(instance_id, asyncio.Lock())

        async def run() -> None:
            async with lock:
                await work

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("instance transition failed", exc_info=task.exception())


def _change(instance_id: str, previous: str, current: str) -> dict[str, Any]:
    return {
        "InstanceId": instance_id,
        "PreviousState": state(previous),
        "CurrentState": state(current),
    }


def _memory(doc: dict[str, Any]) -> int:
    kind = instance_type(doc["InstanceType"])
    return kind.memory_mib if kind is not None else 1024
