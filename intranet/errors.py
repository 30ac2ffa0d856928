"""Error pages in the user's language that reveal nothing: no stack traces, no record ids."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from eventsourcing.persistence import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events.policy import may
from events.storage.postgres_recorder import StoreBusy, is_busy
from intranet import i18n
from intranet.auth import local_path, redirect, request_language
from intranet.i18n import N_, _
from intranet.templating import render

log = logging.getLogger(__name__)

MESSAGES = {
    400: (N_("Ugyldig forespørsel"), N_("Forespørselen kunne ikke behandles.")),
    401: (N_("Du må logge inn"), N_("Logg inn for å se denne siden.")),
    403: (N_("Ingen tilgang"), N_("Du har ikke tilgang til denne siden. Kontakt lederen din hvis du mener du trenger tilgang.")),
    404: (N_("Finner ikke siden"), N_("Siden finnes ikke, eller du har ikke tilgang til den.")),
    405: (N_("Ikke tillatt"), N_("Denne handlingen er ikke tillatt her.")),
    429: (N_("For mange forsøk"), N_("Vent litt og prøv igjen.")),
    503: (N_("Midlertidig utilgjengelig"), N_("Tjenesten kunne ikke logge innsynet ditt, og viser derfor ikke opplysningene. Prøv igjen om litt.")),
}
OTHER = (N_("Noe gikk galt"), N_("Det oppstod en feil. Prøv igjen, eller kontakt IT."))
RESTRICTED = (N_("Sperret"), N_("Opplysningene om dette barnet er sperret. Bare personvernombudet har tilgang. "
                                "Kontakt personvernombudet hvis du mener du har tjenstlig behov."))
READ_ONLY = (N_("Kun lesing"), N_("Nødtilgangen gjelder bare lesing. Du kan ikke endre, legge til eller sende noe "
                                   "her. Be noen som har tilgang til saken om å gjøre det."))
BUSY = (N_("Midlertidig utilgjengelig"), N_("Databasen svarer ikke akkurat nå. Prøv igjen om litt."))
NUMBER = (N_("Ugyldig tall"), N_("Et tall i skjemaet er ugyldig eller for stort. Last inn siden på nytt og prøv igjen."))
CONSENT_ENDED = (N_("Ikke lenger tilgang"), N_("Du har ikke lenger tilgang til dette samarbeidet: %(reason)s. "
                                               "Tilgangen bygde på foresattes samtykke, og samtykket dekker ikke "
                                               "lenger tjenesten din."))
MEMBER_REMOVED = (N_("Ikke lenger tilgang"), N_("Du har ikke lenger tilgang til dette samarbeidet: %(reason)s. "
                                                "Tjenesten din er ikke lenger med i samarbeidet."))
# The record a refused change was about, to go back to.
RECORD_PREFIX = re.compile(r"^/(barn|bekymringer|henvisninger|samtykker|samarbeid)/[0-9a-f-]{36}")
ERASED = (N_("Slettet"), N_("Opplysningene om dette barnet er slettet og kan ikke gjenopprettes. "
                            "Loggen over hvem som har hatt innsyn er beholdt."))


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 503 if is_busy(exc) else 500
    if status == 401:
        return redirect(request, "/logg-inn")
    title, text = MESSAGES.get(status, OTHER)
    detail = exc.detail if isinstance(exc, HTTPException) else None
    if detail == "restricted":
        title, text = RESTRICTED
    elif detail == "erased":
        title, text = ERASED
    elif detail == "read_only":
        title, text = READ_ONLY
    elif detail == "consent_ended":
        title, text = CONSENT_ENDED
    elif detail == "member_removed":
        title, text = MEMBER_REMOVED
    elif detail == "number":
        title, text = NUMBER
    elif status == 503 and not isinstance(exc, HTTPException):
        title, text = BUSY
    user = getattr(request.state, "user", None)
    # A refused record looks exactly like a missing one; both offer break-the-glass.
    glass = detail == "record" and user is not None and may(user, "break_glass")
    back = RECORD_PREFIX.match(request.url.path) if detail == "read_only" else None
    # An unhandled error reaches here outside AuthMiddleware, so set the language again.
    language = i18n.current_language.set(request_language(request))
    try:
        # An htmx request gets the message alone, for the page's #request-error (base.html).
        return render(request, "errors/error.html",
                      {"title": _(title), "text": _(text) % _consent_reason(request) if detail in ("consent_ended", "member_removed")
                       else _(text), "status": status, "glass": glass,
                       "path": request.url.path, "posted": request.method != "GET",
                       "page_path": _page_path(request), "back": back.group(0) if back else None},
                      fragment="request_error", status_code=status)
    finally:
        i18n.current_language.reset(language)


def _consent_reason(request: Request) -> dict[str, str]:
    from intranet.labels import coverage_reason

    return {"reason": coverage_reason(getattr(request.state, "consent_ended", []))}


def _page_path(request: Request) -> str | None:
    """The path of the page an htmx request came from (to offer reloading it);
    only a path of this site."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if current.netloc and current.netloc != request.url.netloc:
        return None
    return local_path(current.path, "") or None


async def server_error(request: Request, exc: Exception) -> Response:
    if is_busy(exc):  # a lock held elsewhere: said to the user, logged without a traceback
        log.warning("the store did not answer in time: %s", exc)
    else:
        log.exception("unhandled error", exc_info=exc)
    return await http_error(request, exc)


class StoreBusyMiddleware:
    """A lock or statement timeout before the routes (AuthMiddleware loads the
    session and the user) answers 503 with the message too, instead of reaching
    the last-resort handler."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if scope["type"] != "http" or started or not is_busy(exc):
                raise
            response = await server_error(Request(scope, receive), exc)
            await response(scope, receive, send)


# The store's errors are handled where the routes' are (not by the last-resort
# handler, which re-raises), so a lock timeout is an answer, not a crash.
exception_handlers = {HTTPException: http_error, StoreBusy: server_error, OperationalError: server_error,
                      Exception: server_error}
