"""Chaos for the soak run: stop a local service for a while with the repo's own scripts, and SIGKILL a worker.

Every stop is paired with a start in a `finally`, and `restore_services()` starts whatever is still down, so a
failing or interrupted harness never leaves the machine's services stopped. Only loopback services are touched.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from bench.common import REPO
from bench.stack import Process

SCRIPTS = REPO / "scripts" / "services"
# The script name for each service, and the port that says whether it is up.
SERVICES: dict[str, tuple[str, int]] = {
    "elasticsearch": ("elasticsearch", 9200),
    "minio": ("minio", 9000),
    "redis": ("redis", 6379),
    "postgresql": ("postgres", 5432),
}
START_ATTEMPTS = 3


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _script(service: str, action: str, timeout: float) -> subprocess.CompletedProcess[str]:
    name, _port = SERVICES[service]
    return subprocess.run(
        ["bash", str(SCRIPTS / f"{name}.sh"), action], capture_output=True, text=True, timeout=timeout, check=False
    )


def stop_service(service: str) -> bool:
    """Stop it; True when its port is really closed (a service another checkout started is not ours to stop)."""
    result = _script(service, "stop", timeout=120)
    port = SERVICES[service][1]
    deadline = time.monotonic() + 30
    while port_open(port) and time.monotonic() < deadline:
        time.sleep(0.5)
    if port_open(port):
        raise RuntimeError(f"{service} still answers after stop: {result.stderr.strip()[-500:]}")
    return True


def start_service(service: str) -> None:
    """Start it and wait until healthy (the scripts wait for health), a few times if need be."""
    last = ""
    for _attempt in range(START_ATTEMPTS):
        result = _script(service, "start", timeout=400)
        if result.returncode == 0 and port_open(SERVICES[service][1]):
            return
        last = result.stderr.strip()[-800:]
        time.sleep(2)
    raise RuntimeError(f"{service} did not start after {START_ATTEMPTS} attempts: {last}")


def restore_services() -> list[str]:
    """Start every service whose port is closed; the names it had to start."""
    started = []
    for service, (_name, port) in SERVICES.items():
        if not port_open(port):
            start_service(service)
            started.append(service)
    return started


@dataclass
class Outage:
    service: str
    planned_seconds: float
    stop_requested: float = 0.0  # time.time() stamps
    stopped: float = 0.0
    start_requested: float = 0.0
    healthy: float = 0.0
    error: str | None = None

    def as_dict(self, origin: float) -> dict[str, Any]:
        def rel(stamp: float) -> float | None:
            return round(stamp - origin, 2) if stamp else None

        return {
            "service": self.service,
            "planned_seconds": self.planned_seconds,
            "stop_requested_at_s": rel(self.stop_requested),
            "down_at_s": rel(self.stopped),
            "start_requested_at_s": rel(self.start_requested),
            "healthy_at_s": rel(self.healthy),
            "unavailable_seconds": round(self.healthy - self.stop_requested, 2) if self.healthy else None,
            "error": self.error,
        }


@contextmanager
def stopped(service: str, outage: Outage) -> Iterator[None]:
    """The service is down inside the block, and started again on the way out, whatever happened."""
    outage.stop_requested = time.time()
    try:
        stop_service(service)
        outage.stopped = time.time()
        yield
    finally:
        outage.start_requested = time.time()
        try:
            start_service(service)
            outage.healthy = time.time()
        except Exception as error:  # recorded; restore_services() tries again at the end
            outage.error = f"{type(error).__name__}: {error}"


@dataclass
class Kill:
    at: float
    processing: list[str]  # documents the worker held when it died
    restarted: float = 0.0


@dataclass
class WorkerKiller:
    """Holds the current Celery worker; kill() is SIGKILL to its whole process group, then a fresh worker."""

    start: Callable[[], Process]
    current: Process | None = None
    kills: list[Kill] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def launch(self) -> None:
        with self.lock:
            self.current = self.start()

    def kill_and_restart(self, processing: list[str], pause: float) -> None:
        with self.lock:
            worker = self.current
            kill = Kill(at=time.time(), processing=processing)
            if worker is not None and worker.alive():
                assert worker.popen is not None
                with suppress(ProcessLookupError):
                    os.killpg(worker.popen.pid, signal.SIGKILL)
                worker.popen.wait(timeout=30)
            self.current = None  # dead on purpose: not for a supervisor to restart during the pause
            self.kills.append(kill)
        time.sleep(pause)  # a real crash leaves a gap before the supervisor restarts it
        with self.lock:
            self.current = self.start()
            kill.restarted = time.time()
