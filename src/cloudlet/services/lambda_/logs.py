"""What Lambda writes to CloudWatch Logs: stream names, START/END/REPORT lines, batched writes.

Group `/aws/lambda/<name>` (or the function's LoggingConfig.LogGroup), one stream per execution
environment named `YYYY/MM/DD/[<version>]<32 hex>`. Per invocation, in AWS's exact format (tab
separated, each line ending in a newline):

    START RequestId: <id> Version: $LATEST
    <the function's own output>
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t
           Max Memory Used: 31 MB\tInit Duration: 12.34 ms\t          (cold starts only)

Events are written through the Logs service's in-process API (`LogStore.put_events`) in batches
a few milliseconds after they happen, so an invocation never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import base64
import math
import time
import uuid
from datetime import UTC, datetime

from cloudlet.platform.store import Store
from cloudlet.services.lambda_.models import MB, iso_timestamp

TAIL_BYTES = 4096
_FLUSH_DELAY = 0.02


def group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def stream_name(version: str) -> str:
    day = datetime.now(UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{uuid.uuid4().hex}"


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}\n"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}\n"


def report_line(
    request_id: str,
    duration_ms: float,
    memory_size: int,
    max_used_bytes: int,
    init_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms",
        f"Memory Size: {memory_size} MB",
        f"Max Memory Used: {max(1, round(max_used_bytes / MB))} MB",
    ]
    if init_ms is not None:
        fields.append(f"Init Duration: {init_ms:.2f} ms")
    if status is not None:
        fields.append(f"Status: {status}")
        if error_type is not None and status == "error":
            fields.append(f"Error Type: {error_type}")
    return "\t".join(fields) + "\t\n"


def init_report_line(init_ms: float, phase: str, status: str, error_type: str | None) -> str:
    line = f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: {phase}\tStatus: {status}"
    if error_type:
        line += f"\tError Type: {error_type}"
    return line + "\n"


def timeout_line(request_id: str, seconds: float) -> str:
    return f"{iso_timestamp()} {request_id} Task timed out after {seconds:.2f} seconds\n"


def tail(lines: list[str]) -> str:
    """`X-Amz-Log-Result`: the last 4 KB of an invocation's log, base64."""
    data = "".join(lines).encode()
    return base64.b64encode(data[-TAIL_BYTES:]).decode()


def now_ms() -> int:
    return int(time.time() * 1000)


class LogWriter:
    """Buffers events per stream and writes them in one transaction per stream shortly after."""

    def __init__(self, store: Store) -> None:
        from cloudlet.services.logs.store import LogStore

        self._logs = LogStore(store)
        self._pending: dict[tuple[str, str, str, str], list[tuple[int, str]]] = {}
        self._handle: asyncio.TimerHandle | None = None

    def write(
        self, account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]
    ) -> None:
        if not events:
            return
        self._pending.setdefault((account, region, group, stream), []).extend(events)
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(_FLUSH_DELAY, self.flush)

    def flush(self) -> None:
        self._handle = None
        pending, self._pending = self._pending, {}
        for (account, region, group, stream), events in pending.items():
            self._logs.put_events(account, region, group, stream, events, create=True)
