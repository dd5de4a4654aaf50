"""`carepath trace PATIENT_ID`: one patient's pathway as a timeline across all topics."""

from typing import Annotated

import typer

from carepath_cli.inspection.trace import patient_timeline
from carepath_cli.options import DEFAULT_BOOTSTRAP, Bootstrap, Prefix, run_or_exit
from carepath_runtime.bus import bus_from_environment


def trace(
    patient_id: Annotated[str, typer.Argument(help="Pseudonymous patient id, e.g. p-0123…")],
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    prefix: Prefix = "",
) -> None:
    """Print every event about one patient, in clinical-time order, across every topic."""
    entries = run_or_exit(patient_timeline(bus_from_environment(bootstrap), prefix, patient_id))
    for entry in entries:
        when = entry.time.strftime("%Y-%m-%d %H:%M") if entry.time else "?"
        typer.echo(f"{when}  {entry.topic:<26} {entry.event_type:<38} {entry.summary}")
    typer.echo(f"{len(entries)} events", err=True)
