"""LocalKafka: provisions, starts, inspects and stops one single-node KRaft broker."""

import ssl
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carepath_localkafka.broker_process import broker_is_alive, spawn_broker, stop_broker
from carepath_localkafka.credentials import ADMIN, SCRAM_MECHANISM, BrokerCredentials
from carepath_localkafka.data_layout import BrokerLayout
from carepath_localkafka.errors import BrokerNotReadyError, LocalKafkaError
from carepath_localkafka.file_lock import exclusive_file_lock
from carepath_localkafka.jar_cache import KafkaJarCache
from carepath_localkafka.java_runtime import find_java
from carepath_localkafka.locations import default_data_dir
from carepath_localkafka.ports import find_free_port, port_is_free, require_free_port
from carepath_localkafka.readiness import wait_until_listable
from carepath_localkafka.run_state import (
    RunState,
    clear_run_state,
    load_run_state,
    save_run_state,
)
from carepath_localkafka.server_config import HOST, SecureListeners, write_broker_config
from carepath_localkafka.storage_format import format_storage, is_formatted
from carepath_localkafka.tls import TlsFiles, ensure_tls_files
from carepath_localkafka.versions import KAFKA_VERSION

DEFAULT_PORT = 9092
DEFAULT_READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    data_dir: Path
    server_log: Path
    version: str
    pid: int | None = None
    port: int | None = None
    secure: bool = False

    @property
    def bootstrap(self) -> str | None:
        return f"{HOST}:{self.port}" if self.port is not None else None


@dataclass(frozen=True)
class StartOutcome:
    state: RunState
    already_running: bool

    @property
    def bootstrap(self) -> str:
        return self.state.bootstrap


class LocalKafka:
    """A broker whose jars come from Maven Central and whose files live in `data_dir`.

    >>> kafka = LocalKafka(port=19092, data_dir=Path("/tmp/k"))
    >>> kafka.start()   # fetches jars on first use, formats, starts, waits until ready
    >>> kafka.bootstrap  # '127.0.0.1:19092'
    >>> kafka.stop()
    """

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        data_dir: Path | str | None = None,
        *,
        controller_port: int | None = None,
        jar_cache: KafkaJarCache | None = None,
        ready_timeout: float = DEFAULT_READY_TIMEOUT,
        stop_with_parent: bool = False,
        secure: bool = False,
        principals: tuple[str, ...] = (),
    ) -> None:
        """`secure`: TLS, SASL/SCRAM-SHA-512 and ACLs (deny unless granted), with an `admin`
        super user and one SCRAM principal per name in `principals` (see `credentials`)."""
        self.port = port
        self.controller_port = controller_port
        self.layout = BrokerLayout(Path(data_dir or default_data_dir()).expanduser().resolve())
        self.jar_cache = jar_cache or KafkaJarCache(KAFKA_VERSION)
        self.ready_timeout = ready_timeout
        # For tests: the broker dies with this process rather than outliving it.
        self.stop_with_parent = stop_with_parent
        self.secure = secure
        self.principals = tuple(dict.fromkeys((ADMIN, *principals))) if secure else ()
        self._process: subprocess.Popen | None = None

    @property
    def data_dir(self) -> Path:
        return self.layout.data_dir

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def tls(self) -> TlsFiles:
        """The CA certificate clients trust (`tls.ca_certificate`) and the broker's keystore."""
        return TlsFiles(self.data_dir / "tls")

    @property
    def credentials(self) -> BrokerCredentials:
        """Each principal's password file (`credentials.password_file(name)`)."""
        return BrokerCredentials(self.data_dir / "secrets")

    def client_options(self, principal: str = ADMIN) -> dict[str, Any]:
        """aiokafka security options to reach this broker as `principal` (none if not secure)."""
        if not self.secure:
            return {}
        return {
            "security_protocol": "SASL_SSL",
            "ssl_context": ssl.create_default_context(cafile=str(self.tls.ca_certificate)),
            "sasl_mechanism": SCRAM_MECHANISM,
            "sasl_plain_username": principal,
            "sasl_plain_password": self.credentials.password(principal),
        }

    def running_state(self) -> RunState | None:
        """The recorded state if its broker process is alive, else None."""
        state = load_run_state(self.layout)
        if state is not None and broker_is_alive(state.pid, self.layout):
            return state
        return None

    def status(self) -> BrokerStatus:
        state = self.running_state()
        return BrokerStatus(
            running=state is not None,
            data_dir=self.data_dir,
            server_log=self.layout.server_log,
            version=state.version if state else self.jar_cache.version,
            pid=state.pid if state else None,
            port=state.port if state else None,
            secure=state.secure if state else self.secure,
        )

    def start(self, progress: Callable[[str], None] = lambda _message: None) -> StartOutcome:
        """Starts the broker and returns once a client can list topics; no-op if it runs."""
        # Two starts on one folder at once would both write the pid file; the second waits
        # here and then finds the first one running.
        with exclusive_file_lock(self.layout.start_lock):
            return self._start_unlocked(progress)

    def _start_unlocked(self, progress: Callable[[str], None]) -> StartOutcome:
        running = self.running_state()
        if running is not None:
            self._require_same_security(running.secure)
            self.port = running.port
            return StartOutcome(state=running, already_running=True)
        clear_run_state(self.layout)

        controller_port = self.controller_port or self._pick_controller_port()
        require_free_port(self.port, "Kafka listener")
        require_free_port(controller_port, "KRaft controller")
        java = find_java()
        self.jar_cache.ensure(
            on_fetch_start=lambda cache: progress(
                f"Fetching Kafka {cache.version} jars from Maven Central into {cache.libs} "
                "(first run only)..."
            )
        )
        secure = self._prepare_security()
        write_broker_config(
            self.layout, port=self.port, controller_port=controller_port, secure=secure
        )
        formatted = format_storage(
            self.layout,
            java=java.executable,
            classpath=self.jar_cache.classpath,
            scram_arguments=self.credentials.scram_arguments(self.principals),
        )
        if formatted and self.secure:
            self.credentials.record_provisioned(self.principals)

        process = spawn_broker(
            self.layout,
            java=java.executable,
            classpath=self.jar_cache.classpath,
            stop_with_parent=self.stop_with_parent,
        )
        self._process = process
        state = RunState(
            pid=process.pid,
            port=self.port,
            controller_port=controller_port,
            version=self.jar_cache.version,
            secure=self.secure,
        )
        save_run_state(self.layout, state)
        progress(f"Started Kafka {state.version} (pid {process.pid}); waiting until it is ready...")
        ready = wait_until_listable(
            HOST,
            self.port,
            timeout=self.ready_timeout,
            still_running=lambda: process.poll() is None,
            client_options=self.client_options(),
        )
        if not ready:
            self._give_up(process)
        return StartOutcome(state=state, already_running=False)

    def stop(self, timeout: float = 60.0) -> bool:
        """Clean shutdown; the data folder is kept. False if nothing was running."""
        state = self.running_state()
        if state is None:
            clear_run_state(self.layout)
            return False
        stop_broker(state.pid, self.layout, timeout=timeout)
        if self._process is not None:
            self._process.poll()
        clear_run_state(self.layout)
        return True

    def _prepare_security(self) -> SecureListeners | None:
        """TLS files and passwords on a secure start; refuses to mix modes in one folder."""
        formatted = is_formatted(self.layout)
        if formatted:
            self._require_same_security(bool(self.credentials.provisioned()))
        if not self.secure:
            return None
        tls = ensure_tls_files(self.tls.folder)
        self.credentials.ensure(self.principals)
        if formatted:
            self.credentials.require(self.principals, self.data_dir)
        return SecureListeners(tls=tls, admin_password=self.credentials.password(ADMIN))

    def _require_same_security(self, folder_is_secure: bool) -> None:
        if folder_is_secure != self.secure:
            wanted, found = ("secure", "plaintext") if self.secure else ("plaintext", "secure")
            raise LocalKafkaError(
                f"the broker in {self.data_dir} is {found}; a {wanted} broker needs its own "
                "data folder (--data)"
            )

    def _pick_controller_port(self) -> int:
        # The conventional port+1 when free, so `carepath kafka start` gives 9092 and 9093.
        conventional = self.port + 1
        if conventional < 65536 and port_is_free(conventional):
            return conventional
        return find_free_port(exclude=frozenset({self.port}))

    def _give_up(self, process: subprocess.Popen) -> None:
        exit_code = process.poll()
        if exit_code is None:
            stop_broker(process.pid, self.layout, timeout=10.0)
            process.poll()
            reason = f"did not become ready within {self.ready_timeout:.0f} s"
        else:
            reason = f"exited with code {exit_code} before it was ready"
        clear_run_state(self.layout)
        raise BrokerNotReadyError(
            f"Kafka broker on {self.bootstrap} {reason}; see {self.layout.server_log} "
            f"(JVM output: {self.layout.console_log})"
        )
