"""Starts the broker JVM detached from the caller, and finds or stops it by pid."""

import ctypes
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from carepath_localkafka.data_layout import BrokerLayout
from carepath_localkafka.polling import poll_until
from carepath_localkafka.server_config import jvm_logging_options

POLL_S = 0.1  # how often a stopping broker is checked until the timeout
KILLED_EXIT_S = 10.0  # the kernel ends a SIGKILLed process at once; this only bounds the wait

BROKER_MAIN_CLASS = "kafka.Kafka"

# KAFKA_HEAP_OPTS is what Kafka's own scripts read; the default suits a laptop and CI.
DEFAULT_HEAP_OPTIONS = "-Xms256m -Xmx1g"
GC_OPTIONS = ["-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"]


_PR_SET_PDEATHSIG = 1


def _terminate_when_parent_dies() -> None:
    # Runs in the child before exec: Linux then sends SIGTERM if the parent dies, so a
    # test run killed with SIGKILL does not leave a broker behind.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn_broker(
    layout: BrokerLayout, *, java: str, classpath: str, stop_with_parent: bool = False
) -> subprocess.Popen:
    """Runs `kafka.Kafka server.properties` in its own session so it outlives the caller.

    With `stop_with_parent` (Linux only) it is stopped when the calling process dies instead.
    """
    heap = shlex.split(os.environ.get("KAFKA_HEAP_OPTS", DEFAULT_HEAP_OPTIONS))
    command = [
        java,
        *heap,
        *GC_OPTIONS,
        *jvm_logging_options(layout),
        "-cp",
        classpath,
        BROKER_MAIN_CLASS,
        str(layout.server_properties),
    ]
    with open(layout.console_log, "ab") as console:
        return subprocess.Popen(
            command,
            cwd=layout.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            # Own process group: Ctrl-C in the terminal that started it does not stop it.
            start_new_session=True,
            close_fds=True,
            preexec_fn=_terminate_when_parent_dies
            if stop_with_parent and sys.platform == "linux"
            else None,
        )


def _proc_file(pid: int, name: str) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return None


def _reap_if_zombie(pid: int) -> bool:
    """True if `pid` is a zombie (exited, not yet reaped); reaps it when it is our child."""
    stat = _proc_file(pid, "stat")
    if stat is None or stat.rsplit(b")", 1)[-1].split()[:1] != [b"Z"]:
        return False
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    return True


def broker_is_alive(pid: int, layout: BrokerLayout) -> bool:
    """True if `pid` runs and is the broker of this data folder (pids get reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if _reap_if_zombie(pid):
        return False
    cmdline = _proc_file(pid, "cmdline")
    if cmdline is None:
        # No /proc (not Linux): the signal check above is all we can do.
        return True
    arguments = cmdline.split(b"\0")
    return str(layout.server_properties).encode() in arguments


def stop_broker(pid: int, layout: BrokerLayout, *, timeout: float = 60.0) -> bool:
    """SIGTERM (Kafka's clean shutdown), SIGKILL only after `timeout`; True if it had to kill."""
    if not broker_is_alive(pid, layout):
        return False
    os.kill(pid, signal.SIGTERM)
    if poll_until(lambda: not broker_is_alive(pid, layout), timeout=timeout, interval=POLL_S):
        return False
    try:
        # The process group also holds anything the JVM might have forked.
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    poll_until(lambda: not broker_is_alive(pid, layout), timeout=KILLED_EXIT_S, interval=POLL_S)
    return True
