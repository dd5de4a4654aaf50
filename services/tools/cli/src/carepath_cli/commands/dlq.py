"""`carepath dlq list|show|replay SERVICE`: inspect dead letters and send one back after a fix."""

from typing import Annotated

import typer

from carepath_cli.options import DEFAULT_BOOTSTRAP, Bootstrap, Prefix, run_or_exit
from carepath_runtime.bus import bus_from_environment
from carepath_runtime.dead_letter_reading import find_dead_letter, list_dead_letters, replay

app = typer.Typer(no_args_is_help=True)

Service = Annotated[str, typer.Argument(help="intake, infusion or followup.")]
Position = Annotated[str, typer.Argument(help="partition:offset, as `dlq list` shows it.")]


@app.command("list")
def list_(service: Service, bootstrap: Bootstrap = DEFAULT_BOOTSTRAP, prefix: Prefix = "") -> None:
    """One line per dead letter: position, patient, error class and message."""
    letters = run_or_exit(list_dead_letters(bus_from_environment(bootstrap), prefix, service))
    for letter in letters:
        typer.echo(
            f"{letter.position:<8} {letter.key:<20} {letter.error_class:<24} "
            f"{letter.error_message[:100]}"
        )
    typer.echo(f"{len(letters)} dead letters", err=True)


@app.command()
def show(
    service: Service,
    position: Position,
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    prefix: Prefix = "",
) -> None:
    """Every header of one dead letter, and its original value."""
    bus = bus_from_environment(bootstrap)
    letter = run_or_exit(find_dead_letter(bus, prefix, service, position))
    for name, value in letter.record.headers or ():
        typer.echo(f"{name}: {value.decode('utf-8', errors='replace')}")
    typer.echo("")
    typer.echo((letter.record.value or b"").decode("utf-8", errors="replace"))


@app.command("replay")
def replay_(
    service: Service,
    position: Position,
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    prefix: Prefix = "",
) -> None:
    """Send the original record back to its original topic (after the cause was fixed)."""

    bus = bus_from_environment(bootstrap)

    async def work() -> str:
        letter = await find_dead_letter(bus, prefix, service, position)
        return await replay(bus, letter)

    topic = run_or_exit(work())
    typer.echo(f"replayed {service} dead letter {position} to {topic}")
