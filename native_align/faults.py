"""Fault injection for the crash tests: a real SIGKILL of the run at a named point, chosen by an environment variable.

    NATIVE_ALIGN_KILL_AT=curate:after_commit native-align curate      # dies right after signals is committed

Why a named point and not a timer: a crash test must hit the same moment on every machine (before, during or
after a Delta commit), and a kill from a timer does not. Stages call :func:`checkpoint` at those moments; with the
variable unset a checkpoint is one dictionary lookup (the variable is read once, at import).

Points named ``<stage>:during_*`` run inside a Spark (or Ray) task while the stage's write job is running, in a
worker process: there the whole run is killed through the driver's pid (``NATIVE_ALIGN_DRIVER_PID``, set here
when the driver imports this module, before it starts the JVM, so every worker inherits it). When the driver leads
its own session (the crash tests start it with ``start_new_session``), its whole process group goes, the JVM
included, as after a power cut; otherwise only the driver is killed and its JVM follows it when its pipe closes.

``<stage>:<point>#N`` kills the N-th time this process reaches the point (e.g. after the second chunk's commit).
``NATIVE_ALIGN_PAUSE_AT=<stage>:<point>=<file>`` makes a checkpoint wait until ``<file>`` exists (a test holds a
run at a point, e.g. with its lock taken, without any timing).
"""

from __future__ import annotations

import os
import signal
import time

KILL_ENV = "NATIVE_ALIGN_KILL_AT"
PAUSE_ENV = "NATIVE_ALIGN_PAUSE_AT"
DRIVER_ENV = "NATIVE_ALIGN_DRIVER_PID"

_KILL_AT, _, _NTH = (os.environ.get(KILL_ENV) or "").partition("#")
_KILL_AT = _KILL_AT or None
_KILL_NTH = int(_NTH or 1)  # `<stage>:<point>#2`: the second time this process reaches the point
_SEEN: dict[str, int] = {}
_PAUSE_AT, _, _PAUSE_FILE = (os.environ.get(PAUSE_ENV) or "").partition("=")
if (_KILL_AT or _PAUSE_AT) and DRIVER_ENV not in os.environ:
    os.environ[DRIVER_ENV] = str(os.getpid())  # workers started from here on inherit it


def active() -> bool:
    """True when this process was started with a kill or pause point (the Ray runner forwards them)."""
    return bool(_KILL_AT or _PAUSE_AT)


def forwarded_env() -> dict[str, str]:
    """The fault variables, for processes that do not inherit the driver's environment (a Ray cluster's workers)."""
    return {k: os.environ[k] for k in (KILL_ENV, PAUSE_ENV, DRIVER_ENV) if os.environ.get(k)}


def checkpoint(name: str) -> None:
    """Die here (SIGKILL) when ``NATIVE_ALIGN_KILL_AT`` names this point; wait here when the pause names it."""
    if _KILL_AT is not None and name == _KILL_AT:
        _SEEN[name] = _SEEN.get(name, 0) + 1
        if _SEEN[name] >= _KILL_NTH:
            _kill()
    if _PAUSE_AT and name == _PAUSE_AT:
        while not os.path.exists(_PAUSE_FILE):
            time.sleep(0.05)


def _kill() -> None:
    driver = int(os.environ.get(DRIVER_ENV, os.getpid()))
    try:
        if os.getsid(driver) == driver:  # the driver leads its own session: take its process group (JVM too)
            os.killpg(driver, signal.SIGKILL)
        else:
            os.kill(driver, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    os.kill(os.getpid(), signal.SIGKILL)  # a worker in a group of its own (pyspark's daemon) goes too
