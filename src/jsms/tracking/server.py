"""The OsmAnd port: a bare ASGI application, so a report costs microseconds, not a framework.

Any method, any path: the report is read from the query string, else from a form or JSON body
(standards.md §4). The answer is 200 with an empty body once the fix is durable; 400 for a report
that cannot be read or names no registered device (404 for an unknown device in the JSON form,
as Traccar does); 401 for a device whose token is missing or wrong; 429 (with Retry-After) for a
device reporting more often than the ping rate limit; 503 if it could not be stored.
The same application is mounted under the API at /osmand.
"""

import asyncio
import logging
import time
from urllib.parse import parse_qsl

import orjson

from jsms.core.throttle import ping_throttle
from jsms.tracking import tasks
from jsms.tracking.osmand import PingError, from_json, from_params
from jsms.tracking.service import accepts

log = logging.getLogger("jsms.tracking")
MAX_BODY = 64 * 1024
DIRECTORY_RETRY_S = 1.0
_last_directory_refresh = 0.0


async def _read_body(receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise PingError("the report is too large")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send, status: int, text: str = "", *extra: tuple[bytes, bytes]) -> None:
    body = text.encode()
    headers = [(b"content-length", str(len(body)).encode()), *extra]
    if body:
        headers.append((b"content-type", b"text/plain; charset=utf-8"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


async def _lookup(runtime, identifier: str):
    """The device, reading the registry again (at most once a second) for an identifier not yet seen."""
    global _last_directory_refresh
    entry = runtime.directory.find(identifier)
    if entry is None and time.monotonic() - _last_directory_refresh > DIRECTORY_RETRY_S:
        _last_directory_refresh = time.monotonic()
        await asyncio.get_running_loop().run_in_executor(None, runtime.refresh_directory)
        entry = runtime.directory.find(identifier)
    return entry


async def osmand_app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":  # served beside the main application, which starts tracking
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    runtime = tasks.current()
    if runtime is None:
        await _answer(send, 503, "tracking is not running")
        return
    received = time.time()
    json_form = False
    try:
        query = scope["query_string"]
        body = await _read_body(receive)
        if query:
            fix = from_params(parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True), received)
        elif _header(scope, b"content-type").startswith("application/json"):
            json_form = True
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise PingError("the body is not JSON") from None
            fix = from_json(data, received)
        else:
            fix = from_params(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True), received)
    except PingError as error:
        await _answer(send, 400, str(error))
        return
    wait = ping_throttle().admit(fix.device)
    if wait is not None:
        await _answer(send, 429, "too many reports from this device", (b"retry-after", str(wait).encode()))
        return
    entry = await _lookup(runtime, fix.device)
    if entry is None:
        await _answer(send, 404 if json_form else 400, f"unknown device {fix.device[:64]}")
        return
    bearer = _header(scope, b"authorization").removeprefix("Bearer ").strip() or None
    if not accepts(entry, fix.token or bearer):
        await _answer(send, 401, "this device must send its token")
        return
    try:
        await runtime.intake.submit([fix])
    except Exception:
        await _answer(send, 503, "the report could not be stored; send it again")
        return
    await _answer(send, 200)
