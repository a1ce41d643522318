"""A real uvicorn process serving tzkg on a free loopback port, for tests of real clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(
    store_dir: Path,
    log: Path,
    env: Mapping[str, str] | None = None,
    *,
    tzkg_serve: list[str] | None = None,
) -> Iterator[str]:
    """Run `uvicorn tzkg.server:create_app` over `store_dir` (or, with `tzkg_serve`, the command
    `tzkg serve` with those options); yield its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "TZKG_STORE_DIR": str(store_dir),
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    if tzkg_serve is not None:
        command = [sys.executable, "-m", "tzkg", "serve", *tzkg_serve]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [sys.executable, "-m", "uvicorn", "tzkg.server:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env=environment, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
