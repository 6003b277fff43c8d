"""Security headers on every response: pages, the JSON API, media, errors and crashes.

A strict Content-Security-Policy (this origin, and S3 when the media live there),
no MIME sniffing, no referrer (story and household links are capabilities: a referrer would
hand them to whatever a page links to), no framing, no powerful features.

The middleware is a plain ASGI wrapper around the *whole* middleware stack, outside
Starlette's ``ServerErrorMiddleware``: an ``add_middleware`` one would sit inside it and miss
the 500 page. It appends header bytes worked out once at start, so it costs next to nothing
per request (``bench/web.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bedtales.config import Settings

# never used by the site: denied, so that no injected script could ask for them either
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def media_origins(settings: Settings) -> list[str]:
    """The origins the media store's links point at, besides the page's own.

    None for the local store: its links are paths on the site itself, so the page loads them
    from whatever address the family opened (``'self'``). For S3 this follows
    ``media.s3.make_client``: path style at a configured endpoint (the public one, which links
    are signed for, when set); on AWS, virtual-hosted style, global or regional.
    """
    media = settings.media
    if media.store != "s3":
        return []
    endpoint = media.s3_public_endpoint_url or media.s3_endpoint_url
    if endpoint:
        return [_origin(endpoint)]
    bucket, region = media.s3_bucket, media.s3_region
    if "." in bucket:  # not one host label under TLS: boto3 falls back to path style
        return ["https://s3.amazonaws.com", f"https://s3.{region}.amazonaws.com"]
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]


def content_security_policy(settings: Settings) -> str:
    media = " ".join(["'self'", *media_origins(settings)])
    return "; ".join(
        [
            "default-src 'none'",
            f"img-src {media}",
            f"media-src {media}",
            "style-src 'self'",
            "script-src 'self'",
            # the read-along script fetches the word timings from their media link
            f"connect-src {media}",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }


class SecurityHeaders:
    """Pure ASGI middleware: adds ``headers`` to every HTTP response, leaving any header of
    the same name that the response set itself."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self.names = frozenset(name for name, _ in self.raw)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers} & self.names
                headers.extend(h for h in self.raw if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(site: FastAPI) -> None:
    headers = security_headers(site.state.bedtales.settings)
    build_stack: Callable[[], ASGIApp] = site.build_middleware_stack

    def build_secured_stack() -> ASGIApp:
        return SecurityHeaders(build_stack(), headers)

    # Starlette builds the stack on the first request; wrapping its builder keeps these
    # headers outermost, whatever middleware is added after this call
    site.build_middleware_stack = build_secured_stack  # type: ignore[method-assign]
