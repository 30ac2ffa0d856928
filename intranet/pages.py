"""The front page and the health endpoint."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from intranet.guard import require
from intranet.templating import render

STATEMENT_UPDATED = date(2026, 11, 23)  # when the accessibility statement was last reviewed


async def home(request: Request) -> Response:
    """The front page: what the service is for, and the municipality's units."""
    require(request, "home.view")
    directory = request.app.state.projections["directory"].view
    units = await run_in_threadpool(directory.units)
    return render(request, "home.html", {"units": units})


def health(request: Request) -> Response:
    """Liveness and readiness for the load balancer; it reveals no personal data."""
    state = request.app.state
    try:
        projections = state.projections.status()
        position = state.domain.position()
    except Exception:  # the store is unreachable
        return JSONResponse({"status": "unavailable"}, status_code=503)
    ok = all(p["ok"] for p in projections.values())
    # A read model stopped on purpose at a row it cannot read (projections/undecodable.py)
    # leaves the service up, the others current: degraded, not unavailable.
    # Which row it is, is for the admin's page and `intranet projections status`.
    stopped_on_purpose = all(p["ok"] or "stopped_at" in p for p in projections.values())
    for p in projections.values():
        if "stopped_at" in p:
            p["stopped_at"] = p["stopped_at"]["row"]
    body = {
        "status": "ok" if ok else "degraded",
        "store": state.settings.store,
        "position": position,
        "projections": projections,
    }
    return JSONResponse(body, status_code=200 if ok or stopped_on_purpose else 503)


def accessibility(request: Request) -> Response:
    """The accessibility statement (tilgjengelighetserklæring), public like the sign-in page."""
    return render(request, "accessibility.html", {"active": "accessibility", "updated": STATEMENT_UPDATED})


routes = [
    Route("/", home, name="home"),
    Route("/tilgjengelighet", accessibility, name="accessibility"),
    Route("/health", health, name="health"),
]
