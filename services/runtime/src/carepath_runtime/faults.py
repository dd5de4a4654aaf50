"""Aimed crashes for the chaos run (bench/chaos.py), honoured only when the environment asks.

`CAREPATH_CRASH_AT=<point>` with `CAREPATH_CRASH_AFTER=<n>` (default 1): the process kills
itself with SIGKILL the n-th time it passes that point, as a power cut there would. Points:

- `before-publish`: the outbox relay has read committed rows and not yet published them;
- `before-offset-commit`: a batch's transaction has committed, its offsets not yet.

Unset (always, outside the chaos run) every check is one comparison.
"""

import os
import signal

CRASH_AT_ENV = "CAREPATH_CRASH_AT"
CRASH_AFTER_ENV = "CAREPATH_CRASH_AFTER"

_armed = os.environ.get(CRASH_AT_ENV, "")
_countdown = int(os.environ.get(CRASH_AFTER_ENV, "1") or 1)


def crash_point(name: str) -> None:
    """Die here (SIGKILL, nothing flushed or committed) if the environment aimed a crash here."""
    global _countdown
    if name != _armed:
        return
    _countdown -= 1
    if _countdown > 0:
        return
    # Straight to the log file descriptor: a buffered logger would lose the line.
    os.write(2, f"crash point {name}: SIGKILL\n".encode())
    os.kill(os.getpid(), signal.SIGKILL)
