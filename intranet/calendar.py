"""The yearly wheel (årshjul): the municipal wheel and the user's unit's, with the
year's resource-team meetings, drawn as a wheel of twelve months and listed by
month (the list is what screen readers and print read)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.policy import Target, may
from intranet.auth import redirect
from intranet.forms import parse_int, parse_uuid, read_form
from intranet.guard import require
from intranet.i18n import N_, _
from intranet.meetings import KIND_NAMES
from intranet.templating import render
from intranet.wheel_sources import editable_wheel, occurrences, own_wheels

# Marked with N_(): translated where they are shown.
MONTHS = [N_("Januar"), N_("Februar"), N_("Mars"), N_("April"), N_("Mai"), N_("Juni"), N_("Juli"), N_("August"),
          N_("September"), N_("Oktober"), N_("November"), N_("Desember")]
SHORT_MONTHS = [N_("jan"), N_("feb"), N_("mar"), N_("apr"), N_("mai"), N_("jun"), N_("jul"), N_("aug"), N_("sep"),
                N_("okt"), N_("nov"), N_("des")]
# The arenas (events/wheel.py KINDS), and how often an item comes.
ITEM_KINDS = {
    "resource_team": N_("Ressursteam"), "transfer_kindergarten": N_("Overføring barnehage → skole"),
    "transfer_school": N_("Overføring skole → skole"), "bup": N_("Samarbeidsmøte med BUP"),
    "responsibility_group": N_("Ansvarsgruppe"), "leader_forum": N_("Lederforum"), "slt": N_("SLT"),
    "training": N_("Opplæring og informasjon"), "staff_meeting": N_("Personalmøte"), "other": N_("Annet"),
}
REPEAT_NAMES = {"yearly": N_("Hvert år"), "once": N_("Én gang")}
SIZE, OUTER, INNER = 320, 150, 58  # the wheel's drawing: its box, and the ring's radii


def _point(radius: float, degrees: float) -> tuple[float, float]:
    angle = math.radians(degrees - 90)  # January starts at the top, the year runs clockwise
    return round(SIZE / 2 + radius * math.cos(angle), 1), round(SIZE / 2 + radius * math.sin(angle), 1)


def wheel_segments(counts: list[int]) -> list[dict[str, Any]]:
    """Each month's ring segment (an SVG path) and where its label and count go."""
    segments = []
    for month, count in enumerate(counts):
        start, end = month * 30, (month + 1) * 30
        (x1, y1), (x2, y2) = _point(OUTER, start), _point(OUTER, end)
        (x3, y3), (x4, y4) = _point(INNER, end), _point(INNER, start)
        path = f"M{x1},{y1} A{OUTER},{OUTER} 0 0 1 {x2},{y2} L{x3},{y3} A{INNER},{INNER} 0 0 0 {x4},{y4} Z"
        label, number = _point((OUTER + INNER) / 2 + 14, start + 15), _point((OUTER + INNER) / 2 - 12, start + 15)
        segments.append({"path": path, "label": label, "number": number, "count": count,
                         "name": _(SHORT_MONTHS[month])})
    return segments


def unit_names(request: Request, unit_ids) -> dict:
    names = request.app.state.names
    return {u: names.unit(u) for u in unit_ids if u is not None}


async def calendar(request: Request) -> Response:
    """The year's wheels, month by month: the municipal one, the user's unit's, and the meetings."""
    user = require(request, "calendar.view")
    state = request.app.state
    year = parse_int(request.query_params.get("ar", ""), 2000, 2100) or clock.today().year
    wheels = own_wheels(user)
    chosen = parse_uuid(request.query_params.get("enhet", ""))
    if chosen is not None and chosen not in wheels:
        require(request, "wheel.view", Target.wheel(chosen))  # the kommunalsjef looks at a unit's wheel
        wheels = (None, chosen)

    def load():
        dates = occurrences(state, wheels, year)
        meetings = state.projections["meetings"].view.between(date(year, 1, 1), date(year, 12, 31))
        units = state.projections["directory"].view.units() if user.role == "municipal_leader" else []
        return dates, meetings, units, unit_names(request, wheels)

    dates, meetings, units, names = await run_in_threadpool(load)
    months = [{"no": m, "name": _(MONTHS[m - 1]), "dates": [o for o in dates if o.month == m],
               "meetings": [r for r in meetings if int(r["held_on"][5:7]) == m]} for m in range(1, 13)]
    edits, wheel = editable_wheel(user)
    return render(request, "wheel/page.html", {
        "year": year, "months": months, "kinds": KIND_NAMES, "item_kinds": ITEM_KINDS, "unit_names": names,
        "segments": wheel_segments([len(m["dates"]) + len(m["meetings"]) for m in months]), "size": SIZE,
        "inner": INNER, "may_edit": edits and may(user, "wheel.edit", Target.wheel(wheel)),
        "offer_defaults": user.role == "municipal_leader" and not any(o.unit_id is None for o in dates),
        "units": units, "chosen": chosen, "active": "calendar"})


async def add_defaults(request: Request) -> Response:
    """The kommunalsjef starts the municipal wheel from the suggested year (events/wheel.py DEFAULTS)."""
    if request.method == "GET":  # a reload after posting, say: the wheel shows the offer, to whom it may
        return redirect(request, "/arshjul")
    require(request, "wheel.edit", Target.wheel(None))
    await read_form(request)
    await run_in_threadpool(request.app.state.domain.add_default_wheel)
    request.app.state.projections.wait()
    return redirect(request, "/arshjul")


routes = [
    Route("/arshjul", calendar, name="calendar"),
    Route("/arshjul/forslag", add_defaults, methods=["GET", "POST"], name="wheel_defaults"),
]
