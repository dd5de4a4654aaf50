"""`carepath schemas` commands: export the event JSON Schemas, README and AsyncAPI documents,
check compatibility."""

from pathlib import Path
from typing import Annotated

import typer

import carepath_contracts
from carepath_contracts import (
    asyncapi_path,
    check_compatibility,
    current_schemas,
    export_asyncapi,
    export_schemas,
    load_schemas,
    render_readme,
    stale_asyncapi,
    stale_schemas,
)

app = typer.Typer(no_args_is_help=True)

ContractsDir = Annotated[
    Path | None,
    typer.Option(
        "--contracts-dir",
        help="The contracts package directory (holds schemas/, asyncapi/ and README.md). "
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
    """Write schemas/<type>.json for every event type, asyncapi/<service>.asyncapi.json for
    every service, and regenerate README.md."""
    directory = _contracts_dir(contracts_dir)
    written = export_schemas(directory / "schemas")
    documents = export_asyncapi(directory / "asyncapi")
    (directory / "README.md").write_text(render_readme(), encoding="utf-8")
    typer.echo(
        f"wrote {len(written)} schemas to {directory / 'schemas'}, {len(documents)} AsyncAPI "
        f"documents to {directory / 'asyncapi'} and {directory / 'README.md'}"
    )


@app.command()
def docs(
    contracts_dir: ContractsDir = None,
    check: Annotated[bool, typer.Option(help="Fail if README.md is out of date.")] = False,
) -> None:
    """Regenerate contracts/README.md and the AsyncAPI documents from the registry (or, with
    --check, verify them)."""
    directory = _contracts_dir(contracts_dir)
    readme = directory / "README.md"
    expected = render_readme()
    if check:
        documents = directory / "asyncapi"
        stale = [str(asyncapi_path(documents, name)) for name in stale_asyncapi(documents)]
        if not readme.is_file() or readme.read_text(encoding="utf-8") != expected:
            stale.append(str(readme))
        for path in stale:
            typer.echo(f"{path} is out of date: run `carepath schemas export`", err=True)
        if stale:
            raise typer.Exit(1)
        typer.echo(f"{readme} and the AsyncAPI documents are up to date")
        return
    readme.write_text(expected, encoding="utf-8")
    export_asyncapi(directory / "asyncapi")
    typer.echo(f"wrote {readme} and {directory / 'asyncapi'}")


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
