"""Error pages in Norwegian that reveal nothing: no stack traces, no record ids."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

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
    return render(request, "errors/error.html", {"title": title, "text": text, "status": status},
                  status_code=status)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return await http_error(request, exc)


exception_handlers = {HTTPException: http_error, Exception: server_error}
