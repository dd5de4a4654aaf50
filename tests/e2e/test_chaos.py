"""The chaos run, small: a seeded cohort undisturbed and again under faults (random service
SIGKILLs, a broker SIGKILL, crashes aimed between the outbox commit and the publish and
between a batch's commit and its offset commit) ends the same way, with nothing lost,
doubled, changed or dead-lettered. `bench/chaos.py` runs the large ones and prints the table."""

import asyncio

import pytest

from carepath_simulator.chaos.figures import differences, keys_with_two_ids, table
from carepath_simulator.chaos.run import ChaosPlan, chaos_run

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

# A few minutes on a 2-core machine; bench/chaos.py runs the big ones.
PLAN = ChaosPlan(patients=30, seed=12, kills=10, broker_kills=1, aimed_kills=1)


@pytest.mark.timeout(900)
def test_a_cohort_under_faults_ends_as_the_undisturbed_one(tmp_path):
    outcome = asyncio.run(chaos_run(tmp_path, PLAN))
    faulted = outcome.faulted
    figures = outcome.comparison
    report = "\n".join(
        [
            table(figures, faulted.recoveries, dict(faulted.faults_done)),
            *differences(outcome.undisturbed.records, faulted.records),
            *map(str, keys_with_two_ids(faulted.records)[:5]),
        ]
    )
    assert faulted.faults_done["broker kills"] == PLAN.broker_kills, report
    assert faulted.faults_done["service kills"] >= PLAN.kills, report
    assert (figures.finished, figures.outcomes_equal) == (PLAN.patients, PLAN.patients), report
    assert figures.keys_with_two_ids == 0, report
    assert figures.republished_changed == 0, report
    assert figures.facts_without_effect == 0, report
    assert figures.effects_not_undisturbed == figures.undisturbed_effects_missing == 0, report
    assert figures.dead_letters == figures.dead_letters_undisturbed == 0, report
