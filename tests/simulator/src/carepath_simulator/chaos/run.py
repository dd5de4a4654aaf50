"""Runs a seeded cohort undisturbed, then again under faults, and compares the two.

Faults, at random moments drawn from the seed while the cohort runs: SIGKILL of a random
service replica (started again at once), SIGKILL of the broker (started again on the same
data), and aimed SIGKILLs: a replica killed and started again with a crash point armed
(`carepath_runtime.faults`), so that it dies between the outbox commit and the publish, or
between a batch's commit and its offset commit.
"""

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from carepath_cli.stack.stack import ServiceProcess
from carepath_contracts import ALL_TOPICS, DEFAULT_PROTOCOL_VERSION
from carepath_runtime.faults import CRASH_AFTER_ENV, CRASH_AT_ENV
from carepath_runtime.topic_reading import read_topics
from carepath_simulator.chaos.figures import Comparison, RunRecords, compare
from carepath_simulator.chaos.stack import ChaosStack, Recoveries
from carepath_simulator.scenarios import scenario_mix
from carepath_simulator.simulation import PROTOCOL_VERSION_ENV, Simulation

CRASH_POINTS = ("before-publish", "before-offset-commit")
WATCH_S = 0.2


@dataclass(frozen=True)
class ChaosPlan:
    patients: int = 30
    seed: int = 7
    kills: int = 10  # plain service kills
    broker_kills: int = 1
    aimed_kills: int = 2  # per crash point
    infusion_replicas: int = 1
    postgres_server: str = ""  # a PostgreSQL URL: one fresh database per service and run

    def faults(self, rng: random.Random) -> list[str]:
        planned = ["kill"] * self.kills + ["broker"] * self.broker_kills
        planned += [point for point in CRASH_POINTS for _ in range(self.aimed_kills)]
        rng.shuffle(planned)
        return planned


@dataclass
class CohortRun:
    records: RunRecords
    wall_seconds: float
    recoveries: Recoveries = field(default_factory=Recoveries)
    faults_done: Counter = field(default_factory=Counter)


@dataclass
class ChaosOutcome:
    undisturbed: CohortRun
    faulted: CohortRun
    comparison: Comparison


async def chaos_run(
    folder: Path, plan: ChaosPlan, progress: Callable[[str], None] = lambda _line: None
) -> ChaosOutcome:
    progress(f"undisturbed run: {plan.patients} patients, seed {plan.seed}")
    undisturbed = await run_cohort(folder / "undisturbed", plan, None, progress)
    progress(f"undisturbed run took {undisturbed.wall_seconds:.0f} s; now under faults")
    faulted = await run_cohort(folder / "faulted", plan, undisturbed.wall_seconds, progress)
    return ChaosOutcome(undisturbed, faulted, compare(undisturbed.records, faulted.records))


async def run_cohort(
    folder: Path, plan: ChaosPlan, spread_over_s: float | None, progress
) -> CohortRun:
    async with _databases(plan) as database_urls:
        stack = ChaosStack(
            folder, database_urls=database_urls, infusion_replicas=plan.infusion_replicas
        )
        await asyncio.to_thread(stack.up)
        try:
            simulation = Simulation(
                stack.access,
                scenario_mix(plan.patients, plan.seed),
                seed=plan.seed,
                deploy_protocol=_redeploying_intake(stack),
            )
            started = time.monotonic()
            cohort = asyncio.create_task(simulation.run(), name="cohort")
            faults_done: Counter = Counter()
            chaos = None
            if spread_over_s is not None:
                chaos = asyncio.create_task(
                    _inject(stack, plan, spread_over_s, cohort, faults_done, progress)
                )
            try:
                result = await cohort
            finally:
                if chaos is not None:
                    chaos.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await chaos
            wall = time.monotonic() - started
            topics = [stack.state.topic_prefix + topic.name for topic in ALL_TOPICS]
            records = await read_topics(stack.state.bootstrap, topics)
            for point in stack.recoveries.crash_points:
                faults_done[f"aimed {point}"] += 1
            return CohortRun(
                RunRecords.read(result.patients, records), wall, stack.recoveries, faults_done
            )
        finally:
            await stack.close()
            await asyncio.to_thread(stack.down)


async def _inject(stack, plan, spread_over_s, cohort, done: Counter, progress) -> None:
    rng = random.Random(plan.seed)
    planned = plan.faults(rng)
    gap = spread_over_s * 0.8 / max(len(planned), 1)
    lock = stack.lock
    watcher = asyncio.create_task(_revive(stack, lock))
    try:
        for number, fault in enumerate(planned, start=1):
            await asyncio.sleep(rng.uniform(0.2, 1.8) * gap)
            if cohort.done():
                break
            async with lock:
                if fault == "broker":
                    took = await stack.kill_broker()
                    done["broker kills"] += 1
                    progress(f"fault {number}/{len(planned)}: broker, back in {took:.1f} s")
                    continue
                # A replica with a crash point armed is left alone until it fires: a random
                # kill first would restart it plain and the aimed fault would never happen.
                process = rng.choice(_unarmed(stack.processes) or stack.processes)
                env = None
                if fault in CRASH_POINTS:
                    env = {
                        CRASH_AT_ENV: fault,
                        CRASH_AFTER_ENV: str(rng.randint(1, 3)),
                    }
                took = await stack.kill(process, env=env)
                done["service kills"] += 1
                progress(f"fault {number}/{len(planned)}: {fault} {process.instance}, {took:.1f} s")
        await cohort  # crash points armed late still fire while the cohort runs
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


def _unarmed(processes: list[ServiceProcess]) -> list[ServiceProcess]:
    return [process for process in processes if CRASH_AT_ENV not in process.env]


async def _revive(stack: ChaosStack, lock: asyncio.Lock) -> None:
    while True:
        await asyncio.sleep(WATCH_S)
        async with lock:
            await stack.revive_the_dead()


def _redeploying_intake(stack: ChaosStack):
    """The simulator's protocol upgrade on the chaos stack (like `redeploying_intake`)."""

    async def deploy(version: int) -> None:
        env = {} if version == DEFAULT_PROTOCOL_VERSION else {PROTOCOL_VERSION_ENV: str(version)}
        await stack.redeploy("intake", env)

    return deploy


@contextlib.asynccontextmanager
async def _databases(plan: ChaosPlan):
    if not plan.postgres_server:
        yield None
        return
    from carepath_testing.postgres import create_fresh_database, drop_database

    urls = {
        name: await create_fresh_database(plan.postgres_server)
        for name in ("intake", "infusion", "followup")
    }
    try:
        yield urls
    finally:
        for url in urls.values():
            with contextlib.suppress(Exception):
                await drop_database(plan.postgres_server, url)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    from carepath_testing.postgres import session_postgres_url

    with session_postgres_url() as url:
        yield url
