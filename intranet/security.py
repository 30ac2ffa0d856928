"""Security headers on every response, and the checks on unsafe requests.

CSP: no inline script, no eval, no framing. Responses that are not static
files are `no-store`, since almost every page carries personal data.
"""

from __future__ import annotations

import hmac

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, hsts: bool, form_targets: tuple[str, ...] = ()):
        """`form_targets`: other origins a form may lead to (the OpenID provider,
        where signing out continues)."""
        self.app = app
        self.hsts = hsts
        self.csp = CSP.replace("form-action 'self'", " ".join(("form-action 'self'", *form_targets)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", self.csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                headers.setdefault("Cache-Control", "no-store")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def check_same_origin(request: Request) -> None:
    """Refuse unsafe requests a browser says came from another site."""
    if request.method not in UNSAFE_METHODS:
        return
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise HTTPException(403, "cross-site request refused")
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.url.netloc}"
        if origin != expected:
            raise HTTPException(403, "cross-origin request refused")


def check_csrf_token(request: Request, expected: str, submitted: str | None) -> None:
    """The token from the hidden field (forms) or the header (htmx) must match."""
    submitted = submitted or request.headers.get(CSRF_HEADER)
    if not submitted or not hmac.compare_digest(submitted, expected):
        raise HTTPException(403, "missing or wrong CSRF token")
