"""Error pages in Norwegian that reveal nothing: no stack traces, no record ids."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from events.policy import may
from intranet.auth import redirect
from intranet.templating import render

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Ugyldig forespørsel", "Forespørselen kunne ikke behandles."),
    401: ("Du må logge inn", "Logg inn for å se denne siden."),
    403: ("Ingen tilgang", "Du har ikke tilgang til denne siden. Kontakt lederen din hvis du mener du trenger tilgang."),
    404: ("Finner ikke siden", "Siden finnes ikke, eller du har ikke tilgang til den."),
    405: ("Ikke tillatt", "Denne handlingen er ikke tillatt her."),
    429: ("For mange forsøk", "Vent litt og prøv igjen."),
    503: ("Midlertidig utilgjengelig", "Tjenesten kunne ikke logge innsynet ditt, og viser derfor ikke opplysningene. Prøv igjen om litt."),
}


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 401:
        return redirect(request, "/logg-inn")
    title, text = MESSAGES.get(status, ("Noe gikk galt", "Det oppstod en feil. Prøv igjen, eller kontakt IT."))
    detail = exc.detail if isinstance(exc, HTTPException) else None
    if detail == "restricted":
        title, text = ("Sperret", "Opplysningene om dette barnet er sperret. Bare personvernombudet har tilgang. "
                       "Kontakt personvernombudet hvis du mener du har tjenstlig behov.")
    elif detail == "erased":
        title, text = ("Slettet", "Opplysningene om dette barnet er slettet og kan ikke gjenopprettes. "
                       "Loggen over hvem som har hatt innsyn er beholdt.")
    user = getattr(request.state, "user", None)
    # A refused record looks exactly like a missing one; both offer break-the-glass.
    glass = detail == "record" and user is not None and may(user, "break_glass")
    return render(request, "errors/error.html",
                  {"title": title, "text": text, "status": status, "glass": glass, "path": request.url.path},
                  status_code=status)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return await http_error(request, exc)


exception_handlers = {HTTPException: http_error, Exception: server_error}
