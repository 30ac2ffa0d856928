"""The yearly wheel (årshjul): resource-team meetings and the recurring dates of
the year — transfer meetings between barnehage and skole, the transfer form, and so on."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from intranet.forms import parse_int
from intranet.guard import require
from intranet.i18n import N_, _
from intranet.meetings import KIND_NAMES
from intranet.templating import render

# Marked with N_(): translated where they are shown.
MONTHS = [N_("Januar"), N_("Februar"), N_("Mars"), N_("April"), N_("Mai"), N_("Juni"), N_("Juli"), N_("August"),
          N_("September"), N_("Oktober"), N_("November"), N_("Desember")]
# What happens every year, by month (1-12).
RECURRING = {
    2: [N_("Ressursteam, vårmøter (februar–april): meld inn saker til enhetens leder")],
    3: [N_("Ressursteam, vårmøter")],
    4: [N_("Ressursteam, vårmøter")],
    5: [N_("Overgangsskjema barnehage → skole: fylles ut med foresatte, godkjennes av dem og sendes skolen i mai")],
    6: [N_("Evaluer tiltaksplaner før sommeren")],
    8: [N_("Oppstart: gjennomgå handlingsveilederen med nye ansatte")],
    9: [N_("Ressursteam, høstmøter (september–november)")],
    10: [N_("Overføringsmøter barnehage → skole (oktober–november)"), N_("Ressursteam, høstmøter")],
    11: [N_("Overføringsmøter barnehage → skole"), N_("Ressursteam, høstmøter")],
    12: [N_("Evaluer tiltaksplaner før jul")],
}


async def calendar(request: Request) -> Response:
    """The year's meetings and recurring dates, month by month."""
    require(request, "calendar.view")
    text = request.query_params.get("ar", "")
    year = parse_int(text, 2000, 2100) or clock.today().year
    view = request.app.state.projections["meetings"].view
    rows = await run_in_threadpool(view.between, date(year, 1, 1), date(year, 12, 31))
    months = [{"name": _(MONTHS[m - 1]), "recurring": [_(text) for text in RECURRING.get(m, [])],
               "meetings": [r for r in rows if int(r["held_on"][5:7]) == m]} for m in range(1, 13)]
    return render(request, "meetings/calendar.html", {"year": year, "months": months, "kinds": KIND_NAMES,
                                                      "active": "calendar"})


routes = [Route("/arshjul", calendar, name="calendar")]
