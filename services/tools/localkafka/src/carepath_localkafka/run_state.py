"""Records which broker runs on a data folder: pid file plus port and version."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from carepath_localkafka.data_layout import BrokerLayout


@dataclass(frozen=True)
class RunState:
    pid: int
    port: int
    controller_port: int
    version: str
    secure: bool = False

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"


def save_run_state(layout: BrokerLayout, state: RunState) -> None:
    layout.pid_file.write_text(f"{state.pid}\n", encoding="utf-8")
    layout.state_file.write_text(json.dumps(asdict(state), indent=2) + "\n", encoding="utf-8")


def load_run_state(layout: BrokerLayout) -> RunState | None:
    """What the last start recorded, or None; says nothing about whether it still runs."""
    try:
        recorded = json.loads(layout.state_file.read_text(encoding="utf-8"))
        pid = int(layout.pid_file.read_text(encoding="utf-8").strip())
        return RunState(
            pid=pid,
            port=int(recorded["port"]),
            controller_port=int(recorded["controller_port"]),
            version=str(recorded["version"]),
            secure=bool(recorded.get("secure", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_run_state(layout: BrokerLayout) -> None:
    for path in (layout.pid_file, layout.state_file):
        Path(path).unlink(missing_ok=True)
