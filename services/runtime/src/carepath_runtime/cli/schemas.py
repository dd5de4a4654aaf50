"""`carepath schemas` commands: export the event JSON Schemas and README, check compatibility."""

from pathlib import Path
from typing import Annotated

import typer

import carepath_contracts
from carepath_contracts import (
    check_compatibility,
    current_schemas,
    export_schemas,
    load_schemas,
    render_readme,
    stale_schemas,
)

app = typer.Typer(no_args_is_help=True)

ContractsDir = Annotated[
    Path | None,
    typer.Option(
        "--contracts-dir",
        help="The contracts package directory (holds schemas/ and README.md). "
        "Defaults to the workspace's contracts/.",
        file_okay=False,
    ),
]


def _contracts_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    # In the workspace the package is installed editable from contracts/src/carepath_contracts.
    workspace_copy = Path(carepath_contracts.__file__).resolve().parents[2]
    if (workspace_copy / "pyproject.toml").is_file():
        return workspace_copy
    return Path.cwd() / "contracts"


@app.command()
def export(contracts_dir: ContractsDir = None) -> None:
    """Write schemas/<type>.json for every event type and regenerate README.md."""
    directory = _contracts_dir(contracts_dir)
    written = export_schemas(directory / "schemas")
    (directory / "README.md").write_text(render_readme(), encoding="utf-8")
    typer.echo(
        f"wrote {len(written)} schemas to {directory / 'schemas'} and {directory / 'README.md'}"
    )


@app.command()
def docs(
    contracts_dir: ContractsDir = None,
    check: Annotated[bool, typer.Option(help="Fail if README.md is out of date.")] = False,
) -> None:
    """Regenerate contracts/README.md from the registry (or, with --check, verify it)."""
    readme = _contracts_dir(contracts_dir) / "README.md"
    expected = render_readme()
    if check:
        if not readme.is_file() or readme.read_text(encoding="utf-8") != expected:
            typer.echo(f"{readme} is out of date: run `carepath schemas export`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{readme} is up to date")
        return
    readme.write_text(expected, encoding="utf-8")
    typer.echo(f"wrote {readme}")


@app.command()
def check(contracts_dir: ContractsDir = None) -> None:
    """Fail (exit 1) on a backward-incompatible change against the committed schemas."""
    directory = _contracts_dir(contracts_dir) / "schemas"
    baseline = load_schemas(directory)
    if not baseline:
        typer.echo(f"no committed schemas in {directory}: run `carepath schemas export`", err=True)
        raise typer.Exit(1)
    current = current_schemas()
    breaking = check_compatibility(baseline, current)
    for change in breaking:
        typer.echo(f"BREAKING {change}", err=True)
    if breaking:
        typer.echo(
            f"{len(breaking)} breaking change(s): publish a new type version (….v2) instead",
            err=True,
        )
        raise typer.Exit(1)
    pending = stale_schemas(directory)
    for event_type in pending:
        note = "new type" if event_type not in baseline else "compatible change"
        typer.echo(f"{note}, not yet exported: {event_type}")
    typer.echo(f"{len(current)} event types compatible with {directory}")
