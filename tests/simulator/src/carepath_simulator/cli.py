"""`carepath demo`: bring the local stack up if needed and run simulated patients through it."""

import asyncio
from typing import Annotated

import typer

from carepath_cli.stack import LocalStack
from carepath_localkafka import LocalKafkaError
from carepath_runtime.bus_grants import SIMULATOR
from carepath_runtime.errors import CarepathError
from carepath_simulator.report import render
from carepath_simulator.scenarios import scenario_mix
from carepath_simulator.simulation import Simulation, StackAccess, redeploying_intake


def demo(
    patients: Annotated[int, typer.Option(min=1, help="How many simulated patients.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the scenario mix and personal details.")] = 1,
) -> None:
    """Run simulated patients through whole pathways on the local stack, then summarise."""
    try:
        stack = LocalStack()
        state = stack.state() or stack.up(clock="controlled", progress=_say)
        if state.clock != "controlled":
            raise CarepathError(
                "the running stack follows the system clock, so a pathway would take months; "
                "restart it with `carepath down && carepath up`"
            )
        simulation = Simulation(
            StackAccess.of(state, bus=state.bus(SIMULATOR)),
            scenario_mix(patients, seed),
            seed=seed,
            progress=_say,
            deploy_protocol=redeploying_intake(stack),
        )
        result = asyncio.run(simulation.run())
    except (CarepathError, LocalKafkaError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(render(result))
    example = next(p for p in result.patients if p.finished and p.seen["session-completed"])
    typer.echo(f"\nOne patient's whole pathway: carepath trace {example.patient_id}")
    if any(not patient.finished for patient in result.patients):
        raise typer.Exit(code=2)


def _say(message: str) -> None:
    typer.echo(message, err=True)
