"""The chaos run: a seeded cohort undisturbed, then again under faults, compared.

Each run has its own broker and services in a scratch folder (SQLite, or PostgreSQL with
--postgres: $CAREPATH_TEST_POSTGRES_URL or a throwaway cluster). Under faults: --kills SIGKILLs
of random service replicas (each started again at once), --broker-kills SIGKILLs of the broker
(started again on the same data), and --aimed-kills replicas per crash point started with it
armed (killed between the outbox commit and the publish; between a batch's commit and its
offset commit). Prints the table of carepath_simulator.chaos.figures and exits 1 if any figure
is not zero or equal to the undisturbed run.

    uv run python bench/chaos.py --patients 30 --kills 10 --broker-kills 1
    uv run python bench/chaos.py --patients 80 --postgres --infusion-replicas 2 \
        --kills 50 --broker-kills 2

Not a test (tests/e2e/test_chaos.py is the small one): it prints figures.
"""

import argparse
import asyncio
import contextlib
import sys
import tempfile
from pathlib import Path

from carepath_simulator.chaos.figures import differences, keys_with_two_ids, table
from carepath_simulator.chaos.run import ChaosPlan, chaos_run, postgres_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--broker-kills", type=int, default=1)
    parser.add_argument("--aimed-kills", type=int, default=2, help="per crash point")
    parser.add_argument("--infusion-replicas", type=int, default=1, choices=(1, 2))
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--explain", type=int, default=0, help="print N differing effects")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="carepath-chaos-")))
        server = stack.enter_context(postgres_server()) if args.postgres else ""
        if args.infusion_replicas > 1 and not server:
            parser.error("two infusion replicas need --postgres (SQLite has one writer)")
        plan = ChaosPlan(
            patients=args.patients,
            seed=args.seed,
            kills=args.kills,
            broker_kills=args.broker_kills,
            aimed_kills=args.aimed_kills,
            infusion_replicas=args.infusion_replicas,
            postgres_server=server,
        )
        outcome = asyncio.run(
            chaos_run(scratch, plan, progress=lambda line: print(line, flush=True))
        )
    faulted = outcome.faulted
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"\n{args.patients} patients, seed {args.seed}, {database}, "
        f"{args.infusion_replicas} infusion replica(s); undisturbed "
        f"{outcome.undisturbed.wall_seconds:.0f} s, under faults {faulted.wall_seconds:.0f} s"
    )
    print(table(outcome.comparison, faulted.recoveries, dict(faulted.faults_done)))
    for line in differences(outcome.undisturbed.records, faulted.records, args.explain):
        print(line)
    for key in keys_with_two_ids(faulted.records)[: args.explain]:
        print("business key with > 1 event id:", key)
    sys.exit(0 if outcome.comparison.clean else 1)


if __name__ == "__main__":
    main()
