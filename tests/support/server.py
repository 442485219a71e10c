"""A real `jsms demo` server on 127.0.0.1 for the tests that need one (HTTP and browser)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


# The suite signs in and reports far more often than people and trackers do; the limits
# themselves are tested with their defaults in tests/web/test_hardening.py.
TEST_LIMITS = {
    "JSMS_LOGIN_RATE_LIMIT": "100000/minute",
    "JSMS_PING_RATE_LIMIT": "10000000/minute",
    "JSMS_PING_BATCH_RATE_LIMIT": "1000000/minute",
}


def node_environment(**settings: str) -> dict[str, str]:
    """The environment of a process the tests start: none of this shell's JSMS_ settings, the
    suite's rate limits, and `settings` (e.g. JSMS_DATA_DIR)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JSMS_")}
    return {**environment, **TEST_LIMITS, **settings}


@dataclass(frozen=True)
class Node:
    """A running node: its address and its data directory."""

    base: str
    data_dir: Path


@pytest.fixture(scope="session")
def demo_node(tmp_path_factory) -> Iterator[Node]:
    """One demo node for the whole run: starting one takes seconds, and tests make their own records."""
    port = free_port()
    env = node_environment()
    data_dir = tmp_path_factory.mktemp("demo-server")
    with open(data_dir / "server.log", "wb") as log:  # a pipe nobody reads would fill and stall the server
        for base in _serve(port, env, data_dir, log):
            yield Node(base, data_dir)


@pytest.fixture(scope="session")
def demo_server(demo_node: Node) -> str:
    return demo_node.base


def _serve(port: int, env: dict, data_dir, log, osmand_port: int | None = None, extra: tuple[str, ...] = ()):
    command = ["demo", "--data-dir", str(data_dir), *extra]
    yield from serve_node(command, port, env, log, osmand_port)


def serve_node(command: list[str], port: int, env: dict, log, osmand_port: int | None = None):
    """Run `jsms <command>` on `port` until the caller is done with it (yields its address)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jsms.cli",
            *command,
            "--port",
            str(port),
            "--osmand-port",
            str(osmand_port or free_port()),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not answers(base, 120):
            pytest.fail(f"`jsms {command[0]}` did not answer within 120 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
