"""schemathesis `--checks all` against every service's OpenAPI, on the running e2e stack, with
a real patient known to all three services: no failure (issue 15, "must show"). The runs'
summaries (operations, test cases) are printed for the log."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from carepath_simulator.scenarios import Scenario

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

EXAMPLES_PER_OPERATION = 25
SEED = 15
RULE_BEYOND_SCHEMA = ["2xx", "401", "403", "404", "409", "422"]
CONFIG = """\
[parameters]
"path.patient_id" = "{patient_id}"

[[operations]]
include-name = "POST /v1/referrals"
# A rule no JSON Schema can state: a date of birth in the future is refused with 422.
checks.positive_data_acceptance.expected-statuses = {statuses}

[[operations]]
include-name = "POST /v1/patients/{{patient_id}}/screening"
# Weight and height each within their bounds, together an impossible BMI: 422.
checks.positive_data_acceptance.expected-statuses = {statuses}
"""


@pytest.mark.parametrize("service", ["intake", "infusion", "followup"])
def test_schemathesis_finds_nothing_with_every_check(stack, pathways, tmp_path, service):
    result, _, _ = pathways
    (patient,) = [p for p in result.patients if p.script.scenario == Scenario.MISSED_SESSION]
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        CONFIG.format(patient_id=patient.patient_id, statuses=RULE_BEYOND_SCHEMA),
        encoding="utf-8",
    )
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        *("--config-file", str(config), "--no-color", "run"),
        f"{stack.service(service).url}/openapi.json",
        *("--checks", "all", "--max-examples", str(EXAMPLES_PER_OPERATION), "--seed", str(SEED)),
        *("--header", f"Authorization: Bearer {stack.tokens['clinician']}"),
    ]
    run = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )

    summary = run.stdout[run.stdout.rfind("SUMMARY") :]
    print(f"schemathesis on {service}:", " ".join(_figures(summary)))
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Tested:" in summary and "generated" in summary, summary


def _figures(summary: str) -> list[str]:
    tested = re.search(r"Tested: (\d+)", summary)
    cases = re.search(r"(\d+) generated", summary)
    return [
        f"operations={tested.group(1) if tested else '?'}",
        f"test_cases={cases.group(1) if cases else '?'}",
    ]
