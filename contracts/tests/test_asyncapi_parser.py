"""The official AsyncAPI parser (@asyncapi/parser, Node) accepts the committed documents with
no diagnostic of any severity, and counts every channel, operation and message."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from carepath_contracts import REGISTRY, SERVICES, asyncapi_document, asyncapi_path

CONTRACTS = Path(__file__).resolve().parents[1]
DOCUMENTS = CONTRACTS / "asyncapi"
VALIDATOR = DOCUMENTS / "validate"
NPM_TIMEOUT_S = 600


@pytest.fixture(scope="module")
def validator() -> Path:
    """validate.mjs with the parser of package-lock.json installed (`npm ci` when missing)."""
    node = shutil.which("node")
    assert node, "Node.js is a prerequisite (README: Tests); .ci/run installs it"
    locked = json.loads((VALIDATOR / "package-lock.json").read_text())
    wanted = locked["packages"]["node_modules/@asyncapi/parser"]["version"]
    installed = VALIDATOR / "node_modules" / "@asyncapi" / "parser" / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != wanted:
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=VALIDATOR,
            check=True,
            timeout=NPM_TIMEOUT_S,
        )
    return VALIDATOR / "validate.mjs"


@pytest.fixture(scope="module")
def reports(validator: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The parser's report on each committed document and on a broken one, in one Node run
    (loading the parser and its rulesets is most of the time)."""
    document = asyncapi_document("intake")
    document["operations"]["receiveIntakeInbound"]["messages"].append(
        {"$ref": "#/channels/intakeEvents/messages/ReferralAccepted"}
    )
    broken = tmp_path_factory.mktemp("asyncapi") / "broken.asyncapi.json"
    broken.write_text(json.dumps(document))
    committed = [asyncapi_path(DOCUMENTS, service) for service in SERVICES]
    done = subprocess.run(
        ["node", str(validator), "--json", *map(str, [*committed, broken])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr == "", done.stderr
    assert done.returncode == 1  # the broken document fails the run
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return {report["document"]: report for report in lines}


@pytest.mark.parametrize("service", SERVICES)
def test_committed_document_parses_with_no_diagnostic(reports: dict[str, Any], service: str):
    report = reports[asyncapi_path(DOCUMENTS, service).name]
    document = asyncapi_document(service)
    topics = {channel["address"] for channel in document["channels"].values()}
    carried = [spec for spec in REGISTRY if spec.topic.name in topics]

    print(json.dumps({k: v for k, v in report.items() if k != "diagnostics"}))
    assert report["diagnostics"] == []
    assert report["parsed"] and report["asyncapi"] == document["asyncapi"]
    assert (report["error"], report["warning"], report["info"], report["hint"]) == (0, 0, 0, 0)
    assert report["channels"] == report["operations"] == len(topics)
    assert report["messages"] == len(carried) + 1  # and the dead letter


def test_the_parser_reports_an_operation_with_a_message_of_another_channel(
    reports: dict[str, Any],
):
    report = reports["broken.asyncapi.json"]

    assert report["error"] == 1
    assert report["diagnostics"][0]["code"] == "asyncapi3-operation-messages-from-referred-channel"
