"""A local stack the chaos run may hurt: its own broker (killed and restarted on the same data),
the three services as processes (killed and restarted), SQLite or PostgreSQL, 1 or 2 infusion
replicas. Every recovery is timed: from the SIGKILL to the replica's `/readyz` answering 200
(partitions assigned, broker and database reachable) again."""

import asyncio
import contextlib
import json
import os
import re
import signal
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from carepath_cli.stack import LocalStack
from carepath_cli.stack.stack import ServiceProcess, StackState
from carepath_localkafka import LocalKafka
from carepath_localkafka.ports import find_free_port
from carepath_simulator.simulation import StackAccess

SERVICES = ("intake", "infusion", "followup")
POLL_S = 0.05
RECOVERY_TIMEOUT_S = 180.0


class RecoveryError(RuntimeError):
    """A killed part did not come back."""


@dataclass
class Recoveries:
    """Seconds from each SIGKILL to ready again."""

    services: list[float] = field(default_factory=list)
    # Of which: from the SIGKILL to the new process's "Application startup complete" (imports,
    # migrations, connecting); the rest is waiting for the consumer group's assignment.
    started: list[float] = field(default_factory=list)
    broker: list[float] = field(default_factory=list)
    crash_points: list[str] = field(default_factory=list)  # aimed kills that happened


class ChaosStack:
    def __init__(
        self,
        folder: Path,
        *,
        database_urls: dict[str, str] | None = None,
        infusion_replicas: int = 1,
        service_env: dict[str, str] | None = None,
    ) -> None:
        self.folder = folder
        port = find_free_port()
        self.kafka = LocalKafka(
            port,
            folder / "kafka",
            controller_port=find_free_port(exclude=frozenset({port})),
            ready_timeout=120.0,
            stop_with_parent=True,
        )
        taken = {port}
        ports = {}
        for name in SERVICES:
            ports[name] = find_free_port(exclude=frozenset(taken))
            taken.add(ports[name])
        self.local = LocalStack(
            folder / "stack",
            bootstrap=self.kafka.bootstrap,
            ports=ports,
            database_urls=database_urls,
            replicas={"infusion": infusion_replicas},
            environment=service_env,
        )
        self.state: StackState | None = None
        self.recoveries = Recoveries()
        # Faults, restarts and deployments one at a time.
        self.lock = asyncio.Lock()
        # What each service was last deployed with (a protocol upgrade): kept across kills.
        self._deployed: dict[str, dict[str, str]] = {}
        self._client = httpx.AsyncClient(timeout=2)

    def up(self) -> StackState:
        self.kafka.start()
        self.state = self.local.up(clock="controlled", progress=lambda _line: None)
        return self.state

    def down(self) -> None:
        with contextlib.suppress(Exception):
            self.local.down(progress=lambda _line: None)
        self.kafka.stop()

    @property
    def access(self) -> StackAccess:
        return StackAccess.of(self.state, replicas=self.local.replicas)

    @property
    def processes(self) -> list[ServiceProcess]:
        return list(self.state.services)

    async def kill(self, process: ServiceProcess, *, env: dict[str, str] | None = None) -> float:
        """SIGKILL a replica, start it again at once (with `env`), wait until it is ready."""
        killed_at = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        _reap(process.pid)
        return await self._restart(process, killed_at, env)

    async def _restart(
        self, process: ServiceProcess, killed_at: float, env: dict[str, str] | None
    ) -> float:
        killed_wall = time.time() - (time.monotonic() - killed_at)
        env = self._deployed.get(process.name, {}) | (env or {})
        new = await asyncio.to_thread(self.local.respawn, self.state, process, env)
        await self._until_ready(new)
        seconds = time.monotonic() - killed_at
        self.recoveries.services.append(seconds)
        if (started := _startup_complete_at(Path(new.log))) is not None:
            self.recoveries.started.append(started - killed_wall)
        return seconds

    async def kill_broker(self) -> float:
        """SIGKILL the broker, start it again on the same data, wait until every replica is
        ready again."""
        running = self.kafka.running_state()
        killed_at = time.monotonic()
        if running is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(running.pid, signal.SIGKILL)
            _reap(running.pid)
        await asyncio.to_thread(self.kafka.start)
        for process in self.processes:
            await self._until_ready(process)
        seconds = time.monotonic() - killed_at
        self.recoveries.broker.append(seconds)
        return seconds

    async def redeploy(self, name: str, env: dict[str, str]) -> None:
        """A deployment during the run (the simulator's protocol upgrade): every replica of
        the service stopped cleanly and started with `env`, which later restarts keep."""
        async with self.lock:
            self._deployed[name] = dict(env)
            for process in [p for p in self.processes if p.name == name]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGTERM)
                await asyncio.to_thread(_reap, process.pid)
                new = await asyncio.to_thread(self.local.respawn, self.state, process, env)
                await self._until_ready(new)

    async def revive_the_dead(self) -> None:
        """A replica that died by itself (an aimed crash point) is started again, plain.
        Called under `lock`, like every kill and deployment, so no replica is being killed or
        restarted by us meanwhile."""
        for process in self.processes:
            if _alive(process.pid):
                continue
            _reap(process.pid)
            self.recoveries.crash_points.append(_crash_point_in(process))
            await self._restart(process, time.monotonic(), None)

    async def _until_ready(self, process: ServiceProcess) -> None:
        deadline = time.monotonic() + RECOVERY_TIMEOUT_S
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                response = await self._client.get(f"{process.url}/readyz")
                if response.status_code == 200:
                    return
            if not _alive(process.pid):
                return  # died again (a crash point armed): revive_the_dead takes over
            await asyncio.sleep(POLL_S)
        raise RecoveryError(f"{process.instance} not ready {RECOVERY_TIMEOUT_S:.0f}s after a kill")

    async def close(self) -> None:
        await self._client.aclose()


def _startup_complete_at(log: Path) -> float | None:
    """When the process last logged that its start-up was complete (epoch seconds)."""
    for line in reversed(_tail(log, 65536)):
        if "Application startup complete" in line:
            with contextlib.suppress(ValueError, KeyError):
                return datetime.fromisoformat(json.loads(line)["time"]).timestamp()
    return None


def _crash_point_in(process: ServiceProcess) -> str:
    """Which crash point killed the replica, as its log's last lines say."""
    for line in reversed(_tail(Path(process.log))):
        if found := re.search(r"crash point ([\w-]+)", line):
            return found.group(1)
    return "unknown"


def _tail(path: Path, size: int = 8192) -> list[str]:
    with contextlib.suppress(OSError), path.open("rb") as file:
        file.seek(max(file.seek(0, os.SEEK_END) - size, 0))
        return file.read().decode(errors="replace").splitlines()
    return []


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        finished = 0  # not our child (an earlier stack's): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
    return finished == 0


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
