"""The supervisor: spawn, output, exit, process-group kills, shutdown, limits and orphan reaping.

Every test that takes `run` runs twice, under asyncio's default loop and under uvloop.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from cloudlet.platform import cgroups
from cloudlet.platform import limits as launching
from cloudlet.platform.cgroups import CgroupTree
from cloudlet.platform.store import Store
from cloudlet.platform.supervisor import MAX_LINE, Child, Limits, Supervisor, cgroups_available

HELPERS = Path(__file__).parent / "helpers"
PYTHON = sys.executable

Supervising = Callable[[], Any]
Output = list[tuple[str, bytes]]


def python(code: str) -> list[str]:
    return [PYTHON, "-c", code]


def gone(pid: int) -> bool:
    """True when no process `pid` runs (a zombie waiting for its parent counts as gone)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `predicate` (for processes that are not our children) until true or `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def first_line(sup: Supervisor, argv: list[str], **kwargs: Any) -> tuple[Child, bytes]:
    """Spawn and wait for the first stdout line (the child is ready when it prints)."""
    line: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def on_output(stream: str, data: bytes) -> None:
        if stream == "stdout" and not line.done():
            line.set_result(data)

    child = await sup.spawn(argv, owner=kwargs.pop("owner", "test"), on_output=on_output, **kwargs)
    return child, await line


def rows(store: Store) -> list[int]:
    return [row["pid"] for row in store.query("SELECT pid FROM children")]


# Spawning, output and exit


def test_output_lines_and_exit_code(run: Any, supervising: Supervising, store: Store) -> None:
    code = "import sys; print('a'); print('b\\nc'); print('oops', file=sys.stderr); "
    code += "print('tail', end=''); sys.exit(3)"

    async def scenario() -> tuple[Output, list[int], int, Child]:
        output: Output = []
        exits: list[int] = []
        async with supervising() as sup:
            child = await sup.spawn(
                python(code),
                owner="fn",
                on_output=lambda stream, line: output.append((stream, line)),
                on_exit=exits.append,
            )
            assert rows(store) == [child.pid]
            returncode = await child.wait()
            assert sup.children() == []
        return output, exits, returncode, child

    output, exits, returncode, child = run(scenario())
    stdout = [line for stream, line in output if stream == "stdout"]
    assert stdout == [b"a", b"b", b"c", b"tail"]
    assert ("stderr", b"oops") in output
    assert exits == [3]
    assert returncode == child.returncode == 3
    assert rows(store) == []


def test_long_lines_arrive_in_pieces(run: Any, supervising: Supervising) -> None:
    async def scenario() -> Output:
        output: Output = []
        async with supervising() as sup:
            child = await sup.spawn(
                python(f"print('x' * {MAX_LINE + 10})"),
                owner="fn",
                on_output=lambda stream, line: output.append((stream, line)),
            )
            await child.wait()
        return output

    assert [len(line) for _, line in run(scenario())] == [MAX_LINE, 10]


def test_stdin_env_cwd_and_pass_fds(run: Any, supervising: Supervising, tmp_path: Path) -> None:
    code = (
        "import os, sys; os.write(int(sys.argv[1]), b'fd ok'); "
        "print(os.environ['GREETING'], os.getcwd(), sys.stdin.read().upper())"
    )

    async def scenario() -> tuple[bytes, bytes]:
        read_end, write_end = os.pipe()
        output: Output = []
        async with supervising() as sup:
            child = await sup.spawn(
                [*python(code), str(write_end)],
                owner="fn",
                env={"GREETING": "hello", "PATH": os.environ["PATH"]},
                cwd=tmp_path,
                pass_fds=[write_end],
                stdin=True,
                on_output=lambda stream, line: output.append((stream, line)),
            )
            os.close(write_end)
            await child.write_stdin(b"from stdin")
            child.close_stdin()
            assert await child.wait() == 0
        with os.fdopen(read_end, "rb") as pipe:
            return output[0][1], pipe.read()

    line, passed = run(scenario())
    assert line == f"hello {tmp_path} FROM STDIN".encode()
    assert passed == b"fd ok"


def test_missing_executable_raises(run: Any, supervising: Supervising, store: Store) -> None:
    async def scenario() -> None:
        async with supervising() as sup:
            with pytest.raises(FileNotFoundError):
                await sup.spawn(["no-such-program-cloudlet"], owner="fn")
            with pytest.raises(FileNotFoundError):
                await sup.spawn(["./no-such-program"], owner="fn")
            assert sup.children() == []

    run(scenario())
    assert rows(store) == []


def test_failing_callbacks_do_not_break_supervision(
    run: Any, supervising: Supervising, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("callback bug")

    async def scenario() -> Child:
        async with supervising() as sup:
            child = await sup.spawn(
                python("print(1); print(2)"), owner="fn", on_output=explode, on_exit=explode
            )
            assert await child.wait() == 0
            assert sup.children() == []
            return child

    run(scenario())
    assert "on_output callback failed" in caplog.text
    assert "on_exit callback" in caplog.text


def test_writing_to_a_finished_child_fails(run: Any, supervising: Supervising) -> None:
    async def scenario() -> None:
        async with supervising() as sup:
            child = await sup.spawn(["true"], owner="fn", stdin=True)
            await child.wait()
            with pytest.raises(BrokenPipeError):
                await child.write_stdin(b"late")
            with pytest.raises(RuntimeError):
                await (await sup.spawn(["true"], owner="fn")).write_stdin(b"no pipe")

    run(scenario())


def test_exit_seen_without_pidfd(
    run: Any, supervising: Supervising, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pidfd(pid: int, flags: int = 0) -> int:
        raise OSError(38, "pidfd_open is not implemented")  # kernels before 5.3

    monkeypatch.setattr(os, "pidfd_open", no_pidfd)

    async def scenario() -> int:
        async with supervising() as sup:
            child = await sup.spawn(python("import sys; sys.exit(7)"), owner="fn")
            return await child.wait()

    assert run(scenario()) == 7


def test_resource_usage_of_the_tree(run: Any, supervising: Supervising) -> None:
    code = "x = bytearray(30 << 20); print('ready', flush=True); "
    code += "import time; end = time.process_time() + 0.3\nwhile time.process_time() < end: pass"

    async def scenario() -> tuple[int, float, int]:
        async with supervising() as sup:
            child, _ = await first_line(sup, python(code))
            rss = child.rss_bytes()
            await child.wait()
            return rss, child.cpu_seconds(), child.rss_bytes()

    rss, cpu, rss_after = run(scenario())
    assert rss > 30 << 20
    assert cpu >= 0.25
    assert rss_after == 0


# Ending children


def test_terminate_sigterm_then_sigkill(run: Any, supervising: Supervising) -> None:
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    stubborn += "print('ready', flush=True); time.sleep(30)"

    async def scenario() -> tuple[int, int]:
        async with supervising() as sup:
            polite, _ = await first_line(
                sup, python("import time; print(1, flush=True); time.sleep(30)")
            )
            deaf, _ = await first_line(sup, python(stubborn))
            return await polite.terminate(grace=5), await deaf.terminate(grace=0.2)

    assert run(scenario()) == (-signal.SIGTERM, -signal.SIGKILL)


def test_group_kill_ends_grandchildren(run: Any, supervising: Supervising) -> None:
    async def scenario() -> None:
        async with supervising() as sup:
            child, line = await first_line(sup, [PYTHON, str(HELPERS / "sleeper_tree.py")])
            grandchild = int(line)
            assert not gone(grandchild)
            child.kill()
            assert await child.wait() == -signal.SIGKILL
            assert await eventually(lambda: gone(grandchild))

    run(scenario())


def test_exit_of_the_leader_ends_its_group(run: Any, supervising: Supervising) -> None:
    code = "import subprocess; print(subprocess.Popen(['sleep', '30']).pid)"

    async def scenario() -> None:
        async with supervising() as sup:
            child, line = await first_line(sup, python(code))
            assert await child.wait() == 0
            assert await eventually(lambda: gone(int(line)))

    run(scenario())


def test_stop_owner_ends_only_that_owner(run: Any, supervising: Supervising) -> None:
    sleeper = python("import time; print(1, flush=True); time.sleep(30)")

    async def scenario() -> None:
        async with supervising() as sup:
            doomed = [(await first_line(sup, sleeper, owner="fn-a"))[0] for _ in range(3)]
            other, _ = await first_line(sup, sleeper, owner="fn-b")
            await sup.stop_owner("fn-a", grace=2)
            assert all(child.returncode == -signal.SIGTERM for child in doomed)
            assert sup.children() == [other] == sup.children("fn-b")
            assert other.returncode is None

    run(scenario())


def test_shutdown_leaves_nothing_running(run: Any, supervising: Supervising, store: Store) -> None:
    # One child ignores SIGTERM; one has a grandchild in a process group of its own (same session).
    escapee = (
        "import os, subprocess; "
        "p = subprocess.Popen(['sleep', '30'], process_group=0); print(p.pid, flush=True); "
        "import time; time.sleep(30)"
    )

    async def scenario() -> list[int]:
        async with supervising() as sup:
            pids = []
            for argv in (
                [PYTHON, str(HELPERS / "sleeper_tree.py")],
                python(
                    "import time, signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                    "print(0, flush=True); time.sleep(30)"
                ),
                python(escapee),
            ):
                child, line = await first_line(sup, argv)
                pids += [child.pid, int(line)] if int(line) else [child.pid]
            await sup.shutdown(grace=0.3)
            with pytest.raises(RuntimeError):
                await sup.spawn(["true"], owner="late")
            return pids

    pids = run(scenario())
    assert len(pids) == 5
    assert [pid for pid in pids if not gone(pid)] == []
    assert rows(store) == []


# Limits


def test_limits_are_set_before_the_program_runs(run: Any, supervising: Supervising) -> None:
    code = "import resource as r; print([r.getrlimit(x) for x in (r.RLIMIT_NOFILE, r.RLIMIT_CPU)])"

    async def scenario() -> bytes:
        async with supervising() as sup:
            _, line = await first_line(
                sup, python(code), limits=Limits(open_files=64, cpu_seconds=9)
            )
            return line

    assert run(scenario()) == b"[(64, 64), (9, 10)]"


@pytest.mark.skipif(cgroups_available(), reason="with a cgroup the kernel OOM-kills instead")
def test_memory_hog_fails(run: Any, supervising: Supervising) -> None:
    async def scenario() -> tuple[int, Output]:
        output: Output = []
        async with supervising() as sup:
            child = await sup.spawn(
                python("x = bytearray(400 << 20)"),
                owner="fn",
                limits=Limits(memory_bytes=150 << 20),
                on_output=lambda stream, line: output.append((stream, line)),
            )
            return await child.wait(), output

    returncode, output = run(scenario())
    assert returncode == 1
    assert ("stderr", b"MemoryError") in output


def test_open_files_and_cpu_limits_enforced(run: Any, supervising: Supervising) -> None:
    spin = "while True: pass"
    many_files = "[open('/dev/null') for _ in range(100)]"

    async def scenario() -> tuple[int, int, Output]:
        output: Output = []
        async with supervising() as sup:
            files = await sup.spawn(
                python(many_files),
                owner="fn",
                limits=Limits(open_files=32),
                on_output=lambda stream, line: output.append((stream, line)),
            )
            spinner = await sup.spawn(python(spin), owner="fn", limits=Limits(cpu_seconds=1))
            return await files.wait(), await spinner.wait(), output

    files, spinner, output = run(scenario())
    assert files == 1
    assert any(b"Too many open files" in line for _, line in output)
    assert spinner in (-signal.SIGXCPU, -signal.SIGKILL)


def test_preexec_fallback_without_util_linux(
    run: Any, supervising: Supervising, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launching, "_tool", lambda name, feature: None)
    code = "import resource as r; print(r.getrlimit(r.RLIMIT_NOFILE)[0])"

    async def scenario() -> bytes:
        async with supervising() as sup:
            child, line = await first_line(sup, python(code), limits=Limits(open_files=48))
            assert child.argv[0] == PYTHON
            return line

    assert run(scenario()) == b"48"


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_NPROC semantics are Linux's")
def test_fork_bomb_contained_by_max_processes() -> None:
    argv = [PYTHON, str(HELPERS / "forkbomb_parent.py"), "8"]
    if os.getuid() == 0:  # root ignores RLIMIT_NPROC: run the supervisor as nobody
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv to drop root")
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", *argv]
    done = subprocess.run(argv, capture_output=True, timeout=60, check=True, cwd="/")
    result = json.loads(done.stdout)
    assert 1 <= result["started"] <= 8, result
    assert result["returncode"] != 0, result
    assert result["left"] == []


def test_launch_chain_joins_the_cgroup_first(tmp_path: Path) -> None:
    # A regular file stands in for cgroup.procs: the child writes its own pid before exec.
    procs = tmp_path / "cgroup.procs"
    procs.touch()
    plan = launching.plan_launch(["true"], [], procs)
    if plan.preexec_fn is not None:
        pytest.skip("util-linux wrappers unavailable")
    child = subprocess.Popen(plan.argv)
    assert child.wait(timeout=10) == 0
    assert procs.read_text().strip() == str(child.pid)


# Orphans: the server was kill -9'd


def test_children_die_with_a_killed_server(store: Store, tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    server = subprocess.Popen(
        [PYTHON, str(HELPERS / "supervised_parent.py"), str(data_dir)], stdout=subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        pids = json.loads(server.stdout.readline())
    finally:
        server.kill()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()

    async def scenario() -> int:
        # PR_SET_PDEATHSIG ends the direct child; its own child escapes until reap_orphans.
        assert await eventually(lambda: gone(pids["child"]))
        assert not gone(pids["grandchild"])
        restarted = Store(data_dir / "cloudlet.db")
        try:
            ended = Supervisor(restarted, data_dir).reap_orphans()
            assert restarted.query("SELECT * FROM children") == []
        finally:
            restarted.close()
        return ended

    assert asyncio.run(asyncio.wait_for(scenario(), 30)) == 1
    assert gone(pids["grandchild"])


def _record(store: Store, pid: int, create_time: float, supervisor: tuple[int, float]) -> None:
    store.execute(
        "INSERT INTO children (pid, create_time, owner, argv, started_at, supervisor_pid,"
        " supervisor_create_time) VALUES (?, ?, 'orphan-test', '[]', 0, ?, ?)",
        (pid, create_time, *supervisor),
    )


def test_reap_orphans_ends_a_recorded_survivor(store: Store, tmp_path: Path) -> None:
    survivor = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        sup = Supervisor(store, tmp_path)
        dead_server = (2**22 + 1, 0.0)  # a pid above pid_max here: no such process
        _record(store, survivor.pid, psutil.Process(survivor.pid).create_time(), dead_server)
        assert sup.reap_orphans() == 1
        assert survivor.wait(timeout=10) == -signal.SIGKILL
        assert store.query("SELECT * FROM children") == []
    finally:
        survivor.kill()
        survivor.wait()


def test_reap_orphans_checks_identity(store: Store, tmp_path: Path) -> None:
    # Same pid, another create time: the pid was reused by an unrelated process; leave it alone.
    bystander = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        sup = Supervisor(store, tmp_path)
        started = psutil.Process(bystander.pid).create_time()
        _record(store, bystander.pid, started - 3600, (2**22 + 1, 0.0))
        assert sup.reap_orphans() == 0
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_reap_orphans_spares_live_supervisors(
    run: Any, supervising: Supervising, store: Store, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with supervising() as sup:
            child, _ = await first_line(
                sup, python("import time; print(1, flush=True); time.sleep(30)")
            )
            assert Supervisor(store, tmp_path / "other").reap_orphans() == 0
            assert sup.reap_orphans() == 0
            assert child.returncode is None and not gone(child.pid)

    run(scenario())


def test_cgroup_groups_get_their_limits(tmp_path: Path) -> None:
    # A plain directory stands in for the cgroup tree: only the files written are checked.
    tree = CgroupTree(tmp_path)
    group = tree.create(memory_bytes=256 << 20, max_processes=7)
    assert group.parent == tmp_path and group.name.startswith(f"cloudlet-{os.getpid()}-")
    assert (group / "memory.max").read_text() == str(256 << 20)
    assert (group / "memory.oom.group").read_text() == "1"
    assert (group / "pids.max").read_text() == "7"
    assert tree.create(None, None) != group
    assert cgroups.members(group) == []


@pytest.mark.skipif(not cgroups_available(), reason="no writable cgroup v2 with memory and pids")
def test_children_get_a_cgroup_with_limits(run: Any, supervising: Supervising) -> None:
    async def scenario() -> tuple[Path, bytes]:
        async with supervising() as sup:
            child, line = await first_line(
                sup,
                python("print(open('/proc/self/cgroup').read())"),
                limits=Limits(max_processes=7),
            )
            assert child.cgroup is not None
            assert (child.cgroup / "pids.max").read_text().strip() == "7"
            await child.wait()
            return child.cgroup, line

    group, line = run(scenario())
    assert line.decode().endswith(group.name)
    assert not group.exists()
