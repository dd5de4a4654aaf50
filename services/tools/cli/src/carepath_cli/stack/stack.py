"""`carepath up` / `carepath down`: start and stop the broker and the three services."""

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from carepath_contracts import ALL_TOPICS
from carepath_localkafka import LocalKafka
from carepath_localkafka.locations import find_repo_root
from carepath_localkafka.polling import poll_until
from carepath_localkafka.ports import accepts_connections, find_free_port, port_is_free
from carepath_runtime.bus import Bus
from carepath_runtime.bus_grants import ADMIN, principals
from carepath_runtime.control_clock import CONTROL_TOPICS
from carepath_runtime.errors import CarepathError
from carepath_runtime.topic_setup import grant_access
from carepath_runtime.topics_admin import ensure_topics

SERVICES = {"intake": 8001, "infusion": 8002, "followup": 8003, "console": 8004}
"""What `carepath up` starts, in this order: the console (the web pages) last, since it calls
the other three."""
CONSOLE = "console"
ROLES = ("clinician", "integration", "operator")
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
POLL_S = 0.2  # how often start-up and shutdown are checked


class StackError(CarepathError):
    """Something a person can act on: the message says what is wrong and what to do."""


@dataclass
class ServiceProcess:
    name: str
    pid: int
    port: int
    log: str
    replica: int = 1
    env: dict[str, str] = field(default_factory=dict)
    """Environment this process was (re)deployed with beside the stack's (`redeploy`)."""

    @property
    def instance(self) -> str:
        """The replica's static consumer group member name, kept across its restarts."""
        return f"{self.name}-{self.replica}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class BusSecrets:
    """A secured bus: the CA certificate to trust and a folder of `<principal>.password`."""

    ca_file: str
    secrets_dir: str

    def bus_for(self, bootstrap: str, principal: str) -> Bus:
        password_file = Path(self.secrets_dir) / f"{principal}.password"
        return Bus(bootstrap, "SASL_SSL", principal, password_file, Path(self.ca_file))


@dataclass
class StackState:
    bootstrap: str
    clock: str
    topic_prefix: str
    started_kafka: bool
    tokens: dict[str, str]
    services: list[ServiceProcess] = field(default_factory=list)
    kafka_dir: str = ""
    secrets: BusSecrets | None = None

    def service(self, name: str) -> ServiceProcess:
        return next(process for process in self.services if process.name == name)

    def bus(self, principal: str = ADMIN) -> Bus:
        """The stack's broker as `principal` (its security, if the bus is secured)."""
        if self.secrets is None:
            return Bus(self.bootstrap)
        return self.secrets.bus_for(self.bootstrap, principal)


def group_id(service: str, topic_prefix: str = "") -> str:
    """A service's consumer group in a stack (prefixed like its topics)."""
    return f"{topic_prefix}carepath-{service}"


def default_stack_dir() -> Path:
    repo = find_repo_root()
    return repo / "var" / "stack" if repo else Path.home() / ".local/state/carepath/stack"


class LocalStack:
    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        kafka_port: int = 9092,
        bootstrap: str | None = None,
        ports: dict[str, int] | None = None,
        topic_prefix: str = "",
        secure: bool = False,
        secrets: BusSecrets | None = None,
        environment: Mapping[str, str] | None = None,
        database_urls: dict[str, str] | None = None,
        replicas: dict[str, int] | None = None,
    ) -> None:
        """`bootstrap` uses that broker instead of a local one (with `secrets` if it is
        secured); tests also pick ports and a topic prefix so several stacks can share one
        broker. `secure` starts the local broker with TLS, SASL/SCRAM and ACLs.
        `environment` is added to what the services inherit (e.g. OTEL_* settings), over the
        stack's own settings; `database_urls` replaces a service's SQLite file (PostgreSQL, for
        several replicas); `replicas` runs more than one process of a service (the extra ones
        on free ports)."""
        self.data_dir = (data_dir or default_stack_dir()).resolve()
        self.kafka_port = kafka_port
        self.bootstrap = bootstrap
        self.ports = ports or dict(SERVICES)
        self.topic_prefix = topic_prefix
        self.secure = secure or secrets is not None
        self.secrets = secrets
        self.environment = dict(environment or {})
        self.database_urls = database_urls or {}
        self.replicas = replicas or {}
        self.state_file = self.data_dir / "stack.json"

    def state(self) -> StackState | None:
        if not self.state_file.exists():
            return None
        raw = json.loads(self.state_file.read_text())
        raw["services"] = [ServiceProcess(**service) for service in raw["services"]]
        if raw.get("secrets"):
            raw["secrets"] = BusSecrets(**raw["secrets"])
        state = StackState(**raw)
        if not any(_alive(process.pid) for process in state.services):
            return None
        return state

    def require_running(self) -> StackState:
        state = self.state()
        if state is None:
            raise StackError("the stack is not running; start it with `carepath up`")
        return state

    def up(
        self, *, clock: str = "controlled", progress: Callable[[str], None] = print
    ) -> StackState:
        """Start what is not running yet and wait until every service is ready."""
        if existing := self.state():
            progress(f"stack already running (services {', '.join(SERVICES)})")
            return existing
        for name, port in self.ports.items():
            if not port_is_free(port):
                raise StackError(
                    f"port {port} (for {name}) is in use: stop whatever listens there "
                    "(`carepath down` if it is an earlier stack) and try again"
                )
        _private_folder(self.data_dir)
        for existing in [*self.data_dir.glob("*.db*"), *self.data_dir.glob("*.json")]:
            existing.chmod(0o600)  # files an earlier version left readable by others
        bootstrap, started_kafka = self._broker(progress)
        state = StackState(
            bootstrap=bootstrap,
            clock=clock,
            topic_prefix=self.topic_prefix,
            started_kafka=started_kafka,
            tokens=self._tokens(),
            kafka_dir=str(self._kafka_dir()),
            secrets=self.secrets,
        )
        topics = {t.name: t.partitions for t in ALL_TOPICS} | dict(CONTROL_TOPICS)
        admin = state.bus(ADMIN)
        asyncio.run(
            ensure_topics(admin, {self.topic_prefix + name: n for name, n in topics.items()})
        )
        if admin.secure:
            asyncio.run(grant_access(admin, self.topic_prefix, clock_control=True))
        _private_folder(self.data_dir / "logs")
        for name, port in self.ports.items():
            if name == CONSOLE and state.secrets is not None:
                # The console has no principal of its own on a secured bus yet.
                progress("console not started: the secured bus has no principal for it")
                continue
            for replica in range(1, self.replicas.get(name, 1) + 1):
                port = port if replica == 1 else find_free_port()
                if replica == 2:
                    # The first replica has migrated the shared database before the others
                    # start: two migrating at once race for the same tables.
                    self._wait_ready(state)
                state.services.append(self._spawn(name, port, state, replica=replica))
                self._save(state)
        progress("waiting for every service's /readyz ...")
        self._wait_ready(state)
        progress("stack ready: " + ", ".join(f"{s.name} {s.url}" for s in state.services))
        return state

    def down(self, progress: Callable[[str], None] = print) -> None:
        """Stop the services (SIGTERM: they finish, flush, commit), then the broker we started."""
        if not self.state_file.exists():
            progress("stack is not running")
            return
        raw = json.loads(self.state_file.read_text())
        for service in raw["services"]:
            _stop(service["pid"], progress, service["name"])
        if raw.get("started_kafka"):
            LocalKafka(self.kafka_port, raw.get("kafka_dir") or self._kafka_dir()).stop()
            progress("kafka stopped")
        self.state_file.unlink()

    def _broker(self, progress: Callable[[str], None]) -> tuple[str, bool]:
        if self.bootstrap:
            return self.bootstrap, False
        bootstrap = f"127.0.0.1:{self.kafka_port}"
        kafka = LocalKafka(
            self.kafka_port,
            self._kafka_dir(),
            secure=self.secure,
            principals=principals(clock_control=True),
        )
        if self.secure:
            self.secrets = BusSecrets(
                ca_file=str(kafka.tls.ca_certificate), secrets_dir=str(kafka.credentials.folder)
            )
        if accepts_connections(self.kafka_port) and kafka.running_state() is None:
            if self.secure:
                raise StackError(
                    f"port {self.kafka_port} is taken by a broker other than the secure one in "
                    f"{kafka.data_dir}: stop it (`carepath kafka stop`) or use --kafka-port"
                )
            progress(f"using the broker already at {bootstrap}")
            return bootstrap, False
        outcome = kafka.start(progress=progress)
        return outcome.state.bootstrap, not outcome.already_running

    def _kafka_dir(self) -> Path:
        """The local broker's folder beside the stack's: a secure broker has its own."""
        return self.data_dir.parent / ("kafka-secure" if self.secure else "kafka")

    def _tokens(self) -> dict[str, str]:
        """One random token per role, kept (mode 600) so later commands can use the stack."""
        path = self.data_dir / "tokens.json"
        if path.exists():
            return json.loads(path.read_text())
        _private_folder(self.data_dir)
        tokens = {role: secrets.token_urlsafe(24) for role in ROLES}
        _write_private(path, json.dumps(tokens))
        return tokens

    def redeploy(
        self, name: str, env: dict[str, str], progress: Callable[[str], None] = print
    ) -> None:
        """Restart every replica of a service with this environment beside the stack's, as a
        deployment would (e.g. a protocol upgrade); the environment it already has changes
        nothing. Its database, port and consumer group membership stay."""
        state = self.require_running()
        for process in [p for p in state.services if p.name == name and p.env != env]:
            _stop(process.pid, progress, process.instance)
            self.respawn(state, process, env)
        self._wait_ready(state)

    def respawn(
        self, state: StackState, process: ServiceProcess, env: dict[str, str] | None = None
    ) -> ServiceProcess:
        """Start a replica again (after it died) on its port, as the same group member."""
        new = self._spawn(process.name, process.port, state, replica=process.replica, env=env)
        new.env = dict(env or {})
        state.services[state.services.index(process)] = new
        self._save(state)
        return new

    def _spawn(
        self,
        name: str,
        port: int,
        state: StackState,
        *,
        replica: int = 1,
        env: dict[str, str] | None = None,
    ) -> ServiceProcess:
        prefix = f"CAREPATH_{name.upper()}_"
        sqlite = f"sqlite+aiosqlite:///{self.data_dir / f'{name}.db'}"
        process = ServiceProcess(name=name, pid=0, port=port, log="", replica=replica)
        settings = (
            os.environ
            | {
                prefix + "KAFKA_BOOTSTRAP_SERVERS": state.bootstrap,
                prefix + "DATABASE_URL": self.database_urls.get(name, sqlite),
                prefix + "CONSUMER_GROUP_INSTANCE_ID": process.instance,
                prefix + "HTTP_PORT": str(port),
                prefix + "CLOCK": state.clock,
                prefix + "CREATE_TOPICS": "false",
                prefix + "TOKENS": json.dumps(static_tokens(state.tokens)),
                prefix + "TOPIC_PREFIX": state.topic_prefix,
                prefix + "CONSUMER_GROUP": group_id(name, state.topic_prefix),
            }
            | self.environment
        )
        if name == CONSOLE:  # it calls the services started before it
            settings |= {f"{prefix}{other.name.upper()}_URL": other.url for other in state.services}
        if state.secrets is not None:
            bus = state.bus(name)
            settings |= {
                prefix + "KAFKA_SECURITY_PROTOCOL": bus.protocol,
                prefix + "KAFKA_SASL_USERNAME": bus.username,
                prefix + "KAFKA_SASL_PASSWORD_FILE": str(bus.password_file),
                prefix + "KAFKA_SSL_CA_FILE": str(bus.ca_file),
            }
        log = self.data_dir / "logs" / f"{process.instance if replica > 1 else name}.log"
        with os.fdopen(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as output:
            child = subprocess.Popen(
                [sys.executable, "-m", f"carepath_{name}"],
                env=settings | (env or {}),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                # What the service creates (its SQLite database, -wal and -shm files with the
                # personal details) is readable by this user only.
                umask=0o077,
            )
        process.pid, process.log = child.pid, str(log)
        return process

    def _wait_ready(self, state: StackState) -> None:
        waiting = list(state.services)

        def all_ready() -> bool:
            for service in list(waiting):
                if not _alive(service.pid):
                    raise StackError(
                        f"{service.name} exited during start-up; see its log: {service.log}"
                    )
                if _ready(service):
                    waiting.remove(service)
            return not waiting

        if not poll_until(all_ready, timeout=READY_TIMEOUT_S, interval=POLL_S):
            names = ", ".join(s.name for s in waiting)
            raise StackError(
                f"{names} not ready after {READY_TIMEOUT_S:.0f}s; logs in {self.data_dir}/logs"
            )

    def _save(self, state: StackState) -> None:
        _write_private(self.state_file, json.dumps(asdict(state), indent=2))


def _private_folder(path: Path) -> None:
    """The stack's folder holds tokens and personal details: this user only (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)  # also when an earlier version made it world-readable


def _write_private(path: Path, text: str) -> None:
    """Written 0600 from the start (never readable by others, not even for a moment)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    path.chmod(0o600)


def static_tokens(tokens: dict[str, str]) -> list[dict[str, str]]:
    """The stack's token per role as the services' token setting: held by `local-<role>`."""
    return [
        {"subject": f"local-{role}", "role": role, "token": token} for role, token in tokens.items()
    ]


def _ready(service: ServiceProcess) -> bool:
    try:
        return httpx.get(f"{service.url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not alive.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def _stop(pid: int, progress: Callable[[str], None], name: str) -> None:
    if not _alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    if not poll_until(lambda: not _alive(pid), timeout=STOP_TIMEOUT_S, interval=POLL_S):
        os.kill(pid, signal.SIGKILL)
        progress(f"{name} did not stop in {STOP_TIMEOUT_S:.0f}s and was killed")
    else:
        progress(f"{name} stopped")
