"""A throw-away OnePlan for a benchmark: its own data folder, the demo, `oneplan serve` on loopback."""

import atexit
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parent.parent
ONEPLAN = str(PROJECT / ".venv/bin/oneplan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_environment() -> dict[str, str]:
    """A fresh data folder with the migrated demo database (SQLite, the embedded default)."""
    folder = Path(tempfile.mkdtemp(prefix="oneplan-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # gone when the bench ends
    env = {**os.environ, "ONEPLAN_DATA_DIR": str(folder), "ONEPLAN_DATABASE_URL": ""}
    subprocess.run([ONEPLAN, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([ONEPLAN, "demo"], env=env, check=True, capture_output=True)
    return env


@contextmanager
def serving(env: dict[str, str]) -> Iterator[httpx.Client]:
    """`oneplan serve` on a free loopback port until the block ends; yields a client for it."""
    port = free_port()
    server = subprocess.Popen(
        [ONEPLAN, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(150):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield client
    finally:
        server.terminate()
        server.wait(timeout=10)


def median_ms(client: httpx.Client, path: str, requests: int, **options: object) -> float:
    """Median latency of `requests` sequential GETs (each must succeed)."""
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, **options)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return statistics.median(timings)
