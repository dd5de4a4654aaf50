"""Recovery time after a service replica's SIGKILL: from the kill (the replica is started again
at once) to its `/readyz` answering 200 again, i.e. its partitions assigned and consumed.

Runs its own broker and the three services (SQLite, controlled clock) in a scratch folder,
kills a replica (round robin over the services) --kills times, and prints median and max.

    uv run python bench/recovery.py                      # the stack's settings
    uv run python bench/recovery.py --membership dynamic # before: dynamic members, 10 s session

Not a test: it prints figures and exits.
"""

import argparse
import asyncio
import tempfile
from pathlib import Path

from carepath_simulator.chaos.figures import percentiles
from carepath_simulator.chaos.stack import SERVICES, ChaosStack

# The consumer settings before static membership: aiokafka's defaults.
DYNAMIC = {
    "CONSUMER_GROUP_INSTANCE_ID": "",
    "CONSUMER_SESSION_TIMEOUT_MS": "10000",
    "CONSUMER_HEARTBEAT_INTERVAL_MS": "3000",
}


def service_env(membership: str) -> dict[str, str]:
    if membership == "static":
        return {}
    return {f"CAREPATH_{name.upper()}_{key}": v for name in SERVICES for key, v in DYNAMIC.items()}


async def measure(stack: ChaosStack, kills: int) -> list[float]:
    seconds = []
    for number in range(kills):
        process = stack.processes[number % len(stack.processes)]
        took = await stack.kill(process)
        print(f"kill {number + 1:>2}: {process.instance:<12} ready again after {took:.2f} s")
        seconds.append(took)
        await asyncio.sleep(1.0)  # the group settles before the next kill
    await stack.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--membership", choices=("static", "dynamic"), default="static")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carepath-recovery-") as scratch:
        stack = ChaosStack(Path(scratch), service_env=service_env(args.membership))
        stack.up()
        try:
            seconds = asyncio.run(measure(stack, args.kills))
        finally:
            stack.down()
    print(f"{args.membership} membership: recovery after SIGKILL {percentiles(seconds)}")
    print(f"  of which start-up (imports, migrations): {percentiles(stack.recoveries.started)}")


if __name__ == "__main__":
    main()
