"""A real `jsms demo` server on 127.0.0.1 for the tests that need one (HTTP and browser)."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(base: str, seconds: float) -> bool:
    """Wait until a node's health endpoint answers (True), or the time is up (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            time.sleep(0.3)
    return False


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """One demo node for the whole run: starting one takes seconds, and tests make their own records."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSMS_")}
    data_dir = tmp_path_factory.mktemp("demo-server")
    with open(data_dir / "server.log", "wb") as log:  # a pipe nobody reads would fill and stall the server
        yield from _serve(port, env, data_dir, log)


def _serve(port: int, env: dict, data_dir, log, osmand_port: int | None = None, extra: tuple[str, ...] = ()):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jsms.cli",
            "demo",
            "--port",
            str(port),
            "--osmand-port",
            str(osmand_port or free_port()),
            "--data-dir",
            str(data_dir),
            *extra,
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not answers(base, 120):
            pytest.fail("the demo server did not answer within 120 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
