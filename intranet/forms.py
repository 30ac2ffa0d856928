"""Reading a posted form: the CSRF check happens here, so no handler can skip it."""

from __future__ import annotations

import re
import secrets
from uuid import UUID

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from intranet.security import CSRF_FIELD, check_csrf_token, check_same_origin



def anonymous_csrf_cookie(request: Request) -> str:
    # As the session cookie: the __Host- prefix (Secure, Path=/, no Domain) keeps
    # a sibling host from planting the token; plain-http demo mode cannot use it.
    return "__Host-bk-csrf" if request.app.state.settings.secure_cookies else "bk-csrf"


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
    token = request.cookies.get(anonymous_csrf_cookie(request))
    if not token:
        token = request.state.__dict__.setdefault("new_anonymous_csrf", secrets.token_urlsafe(32))
    return token


def set_anonymous_csrf_cookie(request: Request, response: Response) -> None:
    token = request.state.__dict__.get("new_anonymous_csrf")
    if token:
        response.set_cookie(
            anonymous_csrf_cookie(request), token, httponly=True, samesite="strict",
            secure=request.app.state.settings.secure_cookies, path="/",
        )


# The largest number any form or query value may carry: a 32-bit signed integer,
# which SQLite's and PostgreSQL's integer columns both hold.
MAX_INT = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_int(text: str | None, low: int = 0, high: int = MAX_INT) -> int | None:
    """The one way a number is read from a request: plain ASCII digits within
    [low, high], else None (absent, malformed, or out of range). `str.isdigit`
    is not enough: it accepts "²", which `int` refuses."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def form_version(form: dict[str, str]) -> int:
    """The record version a form was filled in against. None given is 0: as if
    the user saw nothing, so every change by others is a conflict to show. A
    malformed or out-of-range one is a 400 with a message (never a traceback),
    since no page of ours sends one."""
    text = form.get("version", "")
    if not text:
        return 0
    version = parse_int(text)
    if version is None:
        raise HTTPException(400, "number")
    return version


def page_number(request: Request) -> int:
    """The `side` query parameter of a paginated list (1 if absent or nonsense)."""
    return parse_int(request.query_params.get("side"), 1) or 1


def parse_uuid(value: str | None) -> UUID | None:
    """A UUID from a path or form value, or None if it is not one."""
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
