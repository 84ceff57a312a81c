"""Runs helpers/forkbomb.sh under a Supervisor with `max_processes`, as the user running it
(the test starts it as `nobody` when it is root: root ignores RLIMIT_NPROC).

Usage: forkbomb_parent.py MAX_PROCESSES; prints {"returncode", "started", "stderr", "left"}.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

import psutil

from cloudlet.platform.supervisor import Limits, Supervisor

BOMB = Path(__file__).with_name("forkbomb.sh")


async def main(max_processes: int) -> None:
    supervisor = Supervisor(None, Path(tempfile.gettempdir()))
    lines: dict[str, list[str]] = {"stdout": [], "stderr": []}
    child = await supervisor.spawn(
        ["sh", str(BOMB)],
        owner="bomb",
        cwd=Path("/"),
        limits=Limits(max_processes=max_processes),
        on_output=lambda stream, line: lines[stream].append(line.decode()),
    )
    try:
        returncode = await asyncio.wait_for(child.wait(), 15)
    finally:
        await supervisor.shutdown(grace=0.5)
    left = _session(child.pid)
    for _ in range(500):  # SIGKILLed processes may take a moment to finish exiting
        if not left:
            break
        await asyncio.sleep(0.01)
        left = _session(child.pid)
    result = {
        "returncode": returncode,
        "started": lines["stdout"].count("started"),
        "stderr": lines["stderr"],
        "left": left,
    }
    print(json.dumps(result), flush=True)


def _session(sid: int) -> list[int]:
    return [p.pid for p in psutil.process_iter() if p.pid != sid and _in_session(p, sid)]


def _in_session(process: psutil.Process, sid: int) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE and os.getsid(process.pid) == sid
    except (OSError, psutil.Error):
        return False


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
