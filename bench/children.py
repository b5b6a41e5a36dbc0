"""Child processes of the benchmarks: both sides of one small protocol, and their memory figures.

Some benchmarks run the app's side in a fresh process (bench/_backup_child.py,
bench/_broadcast_child.py), so its memory figures hold nothing of the parent's seeding,
fake servers or bookkeeping. The parent starts `python -m bench.<child> [args…]` from the
project root and sends one JSON request per stdin line; the child answers each with one line
on stdout, `ANSWER` followed by `{"result": …}` or `{"error": "<traceback>"}`. Other stdout
lines are ignored; the child's stderr goes to a file the parent names.

    parent, one request:    results = await run_child("bench._backup_child", config, 60.0, …)
    parent, several:        async with ChildProcess("bench._broadcast_child", "--serve", …) as child:
                                results = await child.request(config, 60.0)
    child:                  sys.exit(serve(main_async))          # or serve(main_async, fork=True)

`serve(…, fork=True)` runs each request in a forked copy of a process that has done its
imports and nothing else (a fork server): the imports are paid once, and every request still
starts from the same untouched heap, as a fresh process would.

The child starts a session of its own, so a timeout or a failure in the parent kills it and
whatever it forked (the whole process group), never the parent.

Memory figures (Linux): `status_kb` reads /proc/<pid>/status; `reset_peak_rss` resets the
kernel's peak-RSS mark (VmHWM) to the current RSS, so VmHWM at the end of a measured
operation is that operation's own peak. This module imports nothing but the standard library
(and bench/__init__.py), so a child pays for no import it does not use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any

from bench import PROJECT_ROOT

ANSWER = "@bench-child "  # starts the child's answer line
STDOUT_LIMIT = 2**26  # one answer line can be large (per-phase details)
CLOSE_TIMEOUT_S = 10.0  # after stdin is closed, the child has this long to exit before it is killed

Records = list[dict[str, Any]]  # what both children answer: one dict per operation or phase
Handler = Callable[[dict[str, Any]], Coroutine[Any, Any, Records]]


# ---------------------------------------------------------------------------------------------
# The parent's side


class ChildProcess:
    """`python -m <module> <args…>` from the project root, answering JSON requests (see the module)."""

    def __init__(self, module: str, *args: str, label: str, stderr_path: Path) -> None:
        self.command = [sys.executable, "-m", module, *args]
        self.label = label  # "backup child did not finish in …"
        self.stderr_path = stderr_path  # the child's console output (appended to)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.stderr_path.open("ab") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                cwd=str(PROJECT_ROOT),
                env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                limit=STDOUT_LIMIT,
                start_new_session=True,  # its own process group: a kill reaches what it forked
            )

    async def __aenter__(self) -> ChildProcess:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close(kill=kind is not None)

    def stderr_tail(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    async def request(self, payload: dict[str, Any], timeout_s: float) -> Records:
        """Send one request and wait up to `timeout_s` seconds for its answer; on a timeout the child is killed."""
        process = self.process
        if process is None or process.stdin is None or process.stdout is None:
            raise RuntimeError(f"the {self.label} child process is not running")
        try:
            process.stdin.write(json.dumps(payload).encode() + b"\n")
            await process.stdin.drain()
            answer = await asyncio.wait_for(self._read_answer(process.stdout), timeout_s)
        except TimeoutError:
            await self.close(kill=True)
            raise RuntimeError(f"{self.label} child did not finish in {timeout_s:.0f} s") from None
        except (BrokenPipeError, ConnectionResetError):
            answer = None
        if answer is None:
            await self.close(kill=True)
            raise RuntimeError(f"the {self.label} child process exited ({process.returncode}):\n{self.stderr_tail()}")
        if "error" in answer:
            raise RuntimeError(f"{self.label} child failed:\n{answer['error']}")
        result = answer.get("result")
        if not isinstance(result, list) or not all(isinstance(item, dict) for item in result):
            raise RuntimeError(f"{self.label} child answered no list of records: {str(result)[:300]}")
        return result

    @staticmethod
    async def _read_answer(stdout: asyncio.StreamReader) -> dict[str, Any] | None:
        """The next answer line, parsed; None if the child closed its stdout (it exited)."""
        while line := await stdout.readline():
            text = line.decode(errors="replace")
            if text.startswith(ANSWER):
                answer: dict[str, Any] = json.loads(text[len(ANSWER) :])
                return answer
        return None

    async def close(self, kill: bool = False) -> None:
        """Close its stdin (it exits when it has answered everything) and wait; kill it after
        CLOSE_TIMEOUT_S, or at once with `kill` — its whole process group, with anything it forked."""
        process, self.process = self.process, None
        if process is None:
            return
        if not kill and process.stdin is not None:
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), CLOSE_TIMEOUT_S)
                return
            except TimeoutError:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


async def run_child(
    module: str, payload: dict[str, Any], timeout_s: float, *, label: str, stderr_path: Path
) -> Records:
    """One request in a fresh `python -m <module>`, which then exits (killed if anything goes wrong)."""
    async with ChildProcess(module, label=label, stderr_path=stderr_path) as child:
        return await child.request(payload, timeout_s)


# ---------------------------------------------------------------------------------------------
# The child's side


def _write_answer(message: dict[str, Any]) -> None:
    # The leading newline ends any half-written line something else left on stdout.
    sys.stdout.write("\n" + ANSWER + json.dumps(message, default=str) + "\n")
    sys.stdout.flush()


def _answer(handle: Handler, line: str) -> None:
    try:
        message: dict[str, Any] = {"result": asyncio.run(handle(json.loads(line)))}
    except Exception:  # reported to the parent, which raises it
        message = {"error": traceback.format_exc()}
    _write_answer(message)


def serve(handle: Handler, fork: bool = False) -> int:
    """Answer every request line on stdin with `asyncio.run(handle(request))`, until stdin closes.

    `fork`: each request in a forked copy of this process (a fork server; see the module).
    """
    for line in sys.stdin:
        if not line.strip():
            continue
        if not fork:
            _answer(handle, line)
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _answer(handle, line)
            except BaseException:  # e.g. SystemExit inside the handler: still one answer
                _write_answer({"error": traceback.format_exc()})
            finally:
                os._exit(0)  # never back into the server's loop
        os.waitpid(pid, 0)
    return 0


def status_kb(field: str, pid: int | str = "self") -> int | None:
    """A kB figure of /proc/<pid>/status (VmRSS, VmHWM); None where it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss(pid: int | str = "self") -> bool:
    """Linux ≥ 4.0: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True
