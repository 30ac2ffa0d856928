"""The accessibility statement and the health endpoint (the front page: intranet/front_page.py)."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from intranet.templating import render

STATEMENT_UPDATED = date(2026, 11, 23)  # when the accessibility statement was last reviewed


def health(request: Request) -> Response:
    """Liveness and readiness for the load balancer; it reveals no personal data."""
    state = request.app.state
    try:
        projections = state.projections.status()
        position = state.domain.position()
    except Exception:  # the store is unreachable
        return JSONResponse({"status": "unavailable"}, status_code=503)
    ok = all(p["ok"] for p in projections.values())
    body = {
        "status": "ok" if ok else "degraded",
        "store": state.settings.store,
        "position": position,
        "projections": projections,
    }
    return JSONResponse(body, status_code=200 if ok else 503)


def accessibility(request: Request) -> Response:
    """The accessibility statement (tilgjengelighetserklæring), public like the sign-in page."""
    return render(request, "accessibility.html", {"active": "accessibility", "updated": STATEMENT_UPDATED})


routes = [
    Route("/tilgjengelighet", accessibility, name="accessibility"),
    Route("/health", health, name="health"),
]
