"""Entry point of the `carepath` command: one sub-command group per concern."""

from importlib.metadata import entry_points

import typer

from carepath_cli.commands import dlq, fhir, kafka, schemas, stack, topics, trace

app = typer.Typer(no_args_is_help=True, help="Carepath: care pathways on Kafka.")
app.add_typer(kafka.app, name="kafka", help="Run a local single-node Apache Kafka (KRaft).")
app.add_typer(schemas.app, name="schemas", help="Export and check the event JSON Schemas.")
app.add_typer(dlq.app, name="dlq", help="List, show and replay a service's dead letters.")
app.add_typer(fhir.app, name="fhir", help="A patient's pathway as FHIR R4 (clinicians).")
app.add_typer(topics.app, name="topics", help="Create Carepath's topics with their partitions.")
app.command(name="trace")(trace.trace)
app.command(name="up")(stack.up)
app.command(name="down")(stack.down)

# Packages add commands (e.g. the simulator's `demo`) through this entry-point group, so the
# runtime never imports them.
for command in entry_points(group="carepath.commands"):
    app.command(name=command.name)(command.load())

if __name__ == "__main__":
    app()
