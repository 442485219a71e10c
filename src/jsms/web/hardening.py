"""What every answer carries for the browser's protection, and what the logs must never show.

Security headers: pages run only this site's scripts (no inline ones), cannot be framed, send
no referrer elsewhere and are not kept in shared caches; over HTTPS the browser is told to stay
there. Logs: the query strings and paths of requests carry secrets now and then (a tracker's
token, a field link, a calendar feed's key); they are masked before any handler writes them.
"""

import logging
import re
from urllib.parse import urlsplit

from jsms.core.config import get_settings

# Swagger UI, FastAPI's API documentation page, loads its script from a CDN and starts it inline.
DOCS_PATH = "/api/v1/docs"
_DOCS_SOURCES = "https://cdn.jsdelivr.net"


def content_security_policy(tile_url: str | None, docs: bool = False) -> str:
    images = ["'self'", "data:", "blob:"]
    if tile_url:  # "https://{s}.tile.example/{z}/{x}/{y}.png" → "https://*.tile.example"
        parts = urlsplit(tile_url)
        images.append(f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}")
    if docs:
        images.append(_DOCS_SOURCES)
    scripts = f"'self' {_DOCS_SOURCES} 'unsafe-inline'" if docs else "'self'"
    styles = f"'self' 'unsafe-inline' {_DOCS_SOURCES}" if docs else "'self' 'unsafe-inline'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            # Leaflet and the reports set styles on elements; styles cannot run code.
            f"style-src {styles}",
            f"img-src {' '.join(images)}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _headers(policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        # The field page asks for the phone's position; nothing asks for camera or microphone.
        (b"permissions-policy", b"geolocation=(self), camera=(), microphone=(), payment=()"),
    ]


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP answer (a few microseconds each)."""

    HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
    NO_STORE = (b"cache-control", b"no-store")

    def __init__(self, app) -> None:
        self.app = app
        tile_url = get_settings().tile_url
        self.page_headers = _headers(content_security_policy(tile_url))
        self.docs_headers = _headers(content_security_policy(tile_url, docs=True))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        extra = list(self.docs_headers if path == DOCS_PATH else self.page_headers)
        if not path.startswith("/static/"):
            extra.append(self.NO_STORE)  # answers hold marked records: no copy on shared computers
        if scope.get("scheme") == "https":
            extra.append(self.HSTS)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [header for header in extra if header[0] not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Values of these query parameters, a bearer token, and a calendar feed's key are secrets.
_SECRET_PARAMETER = re.compile(r"(?i)\b((?:access_)?token|key|password|secret)=([^&\s\"']+)")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_CALENDAR_KEY = re.compile(r"(/api/v1/calendar/[^/\s]+/)[^/\s.]+(\.ics)")
MASK = "***"


def mask_secrets(text: str) -> str:
    text = _SECRET_PARAMETER.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _CALENDAR_KEY.sub(lambda m: m.group(1) + MASK + m.group(2), text)


class MaskSecrets(logging.Filter):
    """Mask secrets in a record before it is written: in uvicorn's access lines (whose formatter
    reads the request path from the record's arguments) and in any other message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(mask_secrets(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        return True


def mask_secrets_in_logs() -> None:
    """Install the filter on every handler of the root and of uvicorn's loggers (handlers, not
    loggers: a filter on a logger misses what its children propagate to it)."""
    mask = MaskSecrets()
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, MaskSecrets) for f in handler.filters):
                handler.addFilter(mask)
