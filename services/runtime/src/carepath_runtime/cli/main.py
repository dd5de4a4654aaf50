"""Entry point of the `carepath` command: one sub-command group per concern."""

import typer

from carepath_runtime.cli import kafka, schemas

app = typer.Typer(no_args_is_help=True, help="Carepath: care pathways on Kafka.")
app.add_typer(kafka.app, name="kafka", help="Run a local single-node Apache Kafka (KRaft).")
app.add_typer(schemas.app, name="schemas", help="Export and check the event JSON Schemas.")

if __name__ == "__main__":
    app()
