"""Reading a posted form: the CSRF check happens here, so no handler can skip it."""

from __future__ import annotations

import secrets
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from intranet.security import CSRF_FIELD, check_csrf_token, check_same_origin

ANONYMOUS_CSRF_COOKIE = "bk-csrf"


async def read_form(request: Request) -> dict[str, str]:
    """The posted fields as strings (multi-valued fields joined by newlines), after
    checking the request's origin and its CSRF token."""
    check_same_origin(request)
    form = await request.form()
    check_csrf_token(request, csrf_token(request), form.get(CSRF_FIELD))  # type: ignore[arg-type]
    return {key: "\n".join(str(v) for v in form.getlist(key)) for key in form.keys()}


async def read_multi(request: Request, key: str) -> list[str]:
    """All values of a multi-valued field (checkboxes); call after read_form()."""
    form = await request.form()
    return [str(v) for v in form.getlist(key)]


def csrf_token(request: Request) -> str:
    """The session's token; before sign-in, a double-submit cookie's."""
    session = getattr(request.state, "session", None)
    if session is not None:
        return session.csrf_token
    token = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    if not token:
        token = request.state.__dict__.setdefault("new_anonymous_csrf", secrets.token_urlsafe(32))
    return token


def set_anonymous_csrf_cookie(request: Request, response: Response) -> None:
    token = request.state.__dict__.get("new_anonymous_csrf")
    if token:
        response.set_cookie(
            ANONYMOUS_CSRF_COOKIE, token, httponly=True, samesite="strict",
            secure=request.app.state.settings.secure_cookies, path="/",
        )


def page_number(request: Request) -> int:
    """The `side` query parameter of a paginated list (1 if absent or nonsense)."""
    text = request.query_params.get("side", "1")
    return max(1, int(text)) if text.isdigit() and len(text) < 7 else 1


def parse_uuid(value: str | None) -> UUID | None:
    """A UUID from a path or form value, or None if it is not one."""
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
