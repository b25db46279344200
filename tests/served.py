"""Run the real `oneplan serve` as its own process on a free loopback port (uvicorn, as in production).

A process, not a thread: a server whose event loop is stuck can still be stopped (by its own PID),
and what it writes to its log is what an operator would read.
"""

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.browser.server import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
# `python -c` puts the working folder first on the path: the app served is this checkout's.
SERVE = "from app.cli import main; main()"


@dataclass(frozen=True)
class Served:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def oneplan_serve(environment: Mapping[str, str], folder: Path, *args: str) -> Iterator[Served]:
    """Yield the running server; it is stopped (by its PID) when the block ends."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    env = {**os.environ, "ONEPLAN_ENVIRONMENT": "test", **environment}
    command = [sys.executable, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_answering(served)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_answering(served: Served) -> None:
    """Wait for the first answer from /healthz, or fail with the log if the process ends first."""
    with httpx.Client(base_url=served.base_url, timeout=5) as client:
        while True:
            if served.process.poll() is not None:
                raise RuntimeError(f"oneplan serve ended before answering:\n{served.log_text()}")
            try:
                client.get("/healthz")
            except httpx.TransportError:
                try:
                    served.process.wait(timeout=0.1)  # wait on the process, not a fixed sleep
                except subprocess.TimeoutExpired:
                    pass
                continue
            return
