"""A stand-in cloudlet server: supervises one child (which has a child of its own), prints both
pids as one JSON line, then waits to be SIGKILLed by the test.

Usage: supervised_parent.py DATA_DIR
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from cloudlet.platform.store import Store
from cloudlet.platform.supervisor import Supervisor

TREE = Path(__file__).with_name("sleeper_tree.py")


async def main(data_dir: Path) -> None:
    supervisor = Supervisor(Store(data_dir / "cloudlet.db"), data_dir)
    grandchild: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_output(stream: str, line: bytes) -> None:
        if stream == "stdout" and not grandchild.done():
            grandchild.set_result(int(line))

    child = await supervisor.spawn([sys.executable, str(TREE)], owner="test", on_output=on_output)
    print(json.dumps({"child": child.pid, "grandchild": await grandchild}), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
