"""`carepath fhir pathway PATIENT_ID` and `carepath fhir definitions`: FHIR R4 JSON on stdout."""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from carepath_cli.inspection.fhir import pathway_bundle
from carepath_cli.options import run_or_exit
from carepath_cli.stack import LocalStack
from carepath_runtime.errors import CarepathError
from carepath_runtime.fhir import collection, definitions

app = typer.Typer(no_args_is_help=True)
SERVICES = ("intake", "infusion", "followup")


@app.command()
def pathway(
    patient_id: Annotated[str, typer.Argument(help="Pseudonymous patient id, e.g. p-0123…")],
    intake: Annotated[str | None, typer.Option(help="Intake's base URL.")] = None,
    infusion: Annotated[str | None, typer.Option(help="Infusion's base URL.")] = None,
    followup: Annotated[str | None, typer.Option(help="Follow-up's base URL.")] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="CAREPATH_CLINICIAN_TOKEN", help="A clinician's bearer token."),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Local stack folder [default: <repo>/var/stack].")
    ] = None,
) -> None:
    """The patient's whole pathway as one Bundle, merged from the three services' Bundles.
    Without URLs and token: the running local stack's (`carepath up`)."""
    given = {"intake": intake, "infusion": infusion, "followup": followup}
    if all(given.values()) and token:
        urls = {name: url for name, url in given.items() if url}
    else:
        try:
            state = LocalStack(data).require_running()
        except CarepathError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(code=1) from None
        urls = {name: given[name] or state.service(name).url for name in SERVICES}
        token = token or state.tokens["clinician"]
    bundle = run_or_exit(pathway_bundle(urls, token, patient_id, at=datetime.now(UTC)))
    typer.echo(json.dumps(bundle, indent=2))
    counts = Counter(entry["resource"]["resourceType"] for entry in bundle["entry"])
    typer.echo(", ".join(f"{kind} {count}" for kind, count in sorted(counts.items())), err=True)


@app.command("definitions")
def definitions_() -> None:
    """Every Carepath CodeSystem and the PCL-5 / IES-R Questionnaires the resources point to."""
    typer.echo(json.dumps(collection(definitions(), at=datetime.now(UTC)), indent=2))
