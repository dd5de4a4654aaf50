"""Checks and picks TCP ports on the loopback interface."""

import socket

from carepath_localkafka.errors import PortInUseError


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if a server could bind `host:port` now (as Kafka does, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # The JVM sets SO_REUSEADDR, so sockets in TIME_WAIT do not block it; mirror that.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def require_free_port(port: int, what: str, host: str = "127.0.0.1") -> None:
    if not port_is_free(port, host):
        raise PortInUseError(
            f"port {port} on {host} ({what}) is already in use; stop what uses it or pick "
            "another with --port"
        )


def find_free_port(host: str = "127.0.0.1", exclude: frozenset[int] = frozenset()) -> int:
    """A port the OS considers free right now (another process could still take it)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        if port not in exclude:
            return port


def accepts_connections(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
