"""A small HTTP/1.1 load generator on asyncio protocols: keep-alive connections, each sending one
request after the other's answer, counting the answers by status. Lighter than any client library,
so that one core of load drives one core of server."""

import asyncio
import time
from collections import Counter
from collections.abc import Callable


class _Connection(asyncio.Protocol):
    def __init__(self, owner: "Load"):
        self.owner = owner
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        if self.owner.finished():
            self.transport.close()
            return
        self.sent_at = time.perf_counter()
        self.transport.write(self.owner.request())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < head_end + 4 + length:
                return
            self.owner.answered(int(head[9:12]), time.perf_counter() - self.sent_at)
            self.buffer = self.buffer[head_end + 4 + length :]
            self.send()

    def connection_lost(self, exc) -> None:
        self.owner.lost(self)


class Load:
    """`connections` keep-alive connections to host:port, sending `request()` for `seconds`."""

    def __init__(self, host: str, port: int, request: Callable[[], bytes], connections: int, seconds: float):
        self.host, self.port, self.request = host, port, request
        self.connections, self.seconds = connections, seconds
        self.statuses: Counter[int] = Counter()
        self.latencies: list[float] = []
        self._deadline = 0.0
        self._open = 0
        self._done: asyncio.Future | None = None

    def finished(self) -> bool:
        return time.perf_counter() >= self._deadline

    def answered(self, status: int, latency: float) -> None:
        self.statuses[status] += 1
        self.latencies.append(latency)

    def lost(self, _connection) -> None:
        self._open -= 1
        if self._open == 0 and self._done is not None and not self._done.done():
            self._done.set_result(None)

    async def run(self) -> float:
        """Returns the seconds it ran."""
        loop = asyncio.get_running_loop()
        self._done = loop.create_future()
        start = time.perf_counter()
        self._deadline = start + self.seconds
        for _ in range(self.connections):
            await loop.create_connection(lambda: _Connection(self), self.host, self.port)
            self._open += 1
        await self._done
        return time.perf_counter() - start


def get(path: str, host: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def post_json(path: str, host: str, body: bytes, headers: dict[str, str]) -> bytes:
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    )
    return head.encode() + body
