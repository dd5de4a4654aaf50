"""Tells quickly whether a Docker engine answers, without ever raising."""


def docker_engine_answers(timeout: float = 2.0) -> bool:
    try:
        import docker  # a dev dependency (via testcontainers): optional at runtime
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=timeout)
    except Exception:
        # No socket, bad DOCKER_HOST, engine down: all mean "no Docker here".
        return False
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()
