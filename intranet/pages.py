"""The accessibility statement, how to check an access report, and the health endpoint (the front page: intranet/front_page.py)."""

from __future__ import annotations

import hmac
from datetime import date

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from events.policy import may
from intranet.templating import render

STATEMENT_UPDATED = date(2026, 11, 23)  # when the accessibility statement was last reviewed
VERIFY_COMMAND = "intranet audit verify-report innsyn.json --public-key nokkel.txt"  # a command: not translated


def health(request: Request) -> Response:
    """Liveness and readiness for the load balancer. To anyone it says only ok or
    not ok: the store's position rises with every child viewed, so it would tell
    a stranger how busy the service is. The details go to an admin, or to a
    monitor that sends BEKYMRING_HEALTH_TOKEN."""
    state = request.app.state
    try:
        projections = state.projections.status()
        position = state.domain.position()
    except Exception:  # the store is unreachable
        projections, position = None, None
    ok = projections is not None and all(p["ok"] for p in projections.values())
    # A read model stopped on purpose at a row it cannot read (projections/undecodable.py)
    # leaves the service up, the others current: degraded, not unavailable.
    # Which row it is, is for the admin's page and `intranet projections status`.
    degraded = not ok and projections is not None and all(
        p["ok"] or "stopped_at" in p for p in projections.values())
    status_code = 200 if ok or degraded else 503
    word = "ok" if ok else "degraded" if degraded else "not ok"
    if not _may_see_details(request):
        return JSONResponse({"status": word}, status_code=status_code)
    if projections is None:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    for p in projections.values():
        if "stopped_at" in p:
            p["stopped_at"] = p["stopped_at"]["row"]
    body = {
        "status": "ok" if ok else "degraded",
        "store": state.settings.store,
        "position": position,
        "projections": projections,
    }
    return JSONResponse(body, status_code=status_code)


def _may_see_details(request: Request) -> bool:
    user = getattr(request.state, "user", None)
    if user is not None and may(user, "health.details"):
        return True
    expected = request.app.state.settings.health_token
    if not expected:
        return False
    bearer = request.headers.get("Authorization", "")
    given = bearer[len("Bearer "):] if bearer.startswith("Bearer ") else request.headers.get("X-Health-Token", "")
    return hmac.compare_digest(given.encode(), str(expected).encode())


def accessibility(request: Request) -> Response:
    """The accessibility statement (tilgjengelighetserklæring), public like the sign-in page."""
    return render(request, "accessibility.html", {"active": "accessibility", "updated": STATEMENT_UPDATED})


def about_log(request: Request) -> Response:
    """How a family checks a guardians' access report, with the key to check it
    against: public, since a family has no account."""
    return render(request, "about_log.html", {"active": "about_log", "key": _verifier_key(request.app.state),
                                              "command": VERIFY_COMMAND})


def _verifier_key(state) -> str:
    # The key never changes while the service runs: read it from the key store once.
    key = getattr(state, "verifier_key", None)
    if key is None:
        from events.ledger.checkpoints import verifier_key
        from projections.ledger import origin_of, signing_key

        domain = state.domain
        key = verifier_key(origin_of(domain, state.settings.read_models), signing_key(domain.keystore).public_key())
        state.verifier_key = key
    return key


routes = [
    Route("/tilgjengelighet", accessibility, name="accessibility"),
    Route("/om/logg", about_log, name="about_log"),
    Route("/health", health, name="health"),
]
