"""Serve the real app under uvicorn on a free loopback port (for browser journeys)."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from app.config import Settings
from app.db import build_engine
from app.main import create_app
from app.services.audit.sequencer import chain_pending


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _sequencer(settings: Settings, stop: threading.Event) -> None:
    """What `oneplan worker` does for the audit chain, beside the server (as `scripts/run` does)."""
    engine = build_engine(settings)
    try:
        while not stop.wait(0.1):
            chain_pending(engine)
    finally:
        engine.dispose()


@contextmanager
def running_server(settings: Settings, port: int | None = None) -> Iterator[str]:
    """Yield the base URL of the app built from these settings, and its sequencer, until the block ends."""
    port = port or free_port()
    stop = threading.Event()
    sequencer = threading.Thread(target=_sequencer, args=(settings, stop), daemon=True)
    sequencer.start()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", server_header=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        stop.set()
        thread.join(timeout=10)
        sequencer.join(timeout=10)
