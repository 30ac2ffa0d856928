"""The leaders' view (kommunalsjef): anonymised minutes across units, and
statistics in which no child can be recognised. Leaders never see a name and
never reach a case page."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.concerns import CATEGORIES
from events.directory import UNIT_KINDS
from events.errors import RecordErased
from events.policy import Principal, Target, for_leaders_case, for_leaders_issue, may
from intranet import labels
from intranet.forms import page_number
from intranet.guard import require
from intranet.i18n import N_, _
from intranet.meetings import KIND_NAMES, SERVICE_NAMES
from intranet.templating import render
from projections.suppression import THRESHOLD, TOTAL, protect

PAGE_SIZE = 10
# Marked with N_(): translated where they are shown.
DIMENSION_NAMES = {"month": N_("Måned"), "category": N_("Kategori"), "unit_kind": N_("Type enhet"),
                   "level": N_("BTI-nivå")}
MONTH_NAMES = [N_("jan"), N_("feb"), N_("mar"), N_("apr"), N_("mai"), N_("jun"), N_("jul"), N_("aug"), N_("sep"),
               N_("okt"), N_("nov"), N_("des")]


def last_months(today: date, count: int = 12) -> list[str]:
    months, year, month = [], today.year, today.month
    for _month in range(count):
        months.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def values_of(dimension: str, today: date) -> list[str]:
    return {
        "month": last_months(today),
        "category": list(CATEGORIES),
        "unit_kind": list(UNIT_KINDS),
        "level": ["0", "1", "2", "3"],
    }[dimension]


def label_of(dimension: str, value: str) -> str:
    if value == TOTAL:
        return _("Sum av kategorier (en bekymring kan ha flere)") if dimension == "category" else _("I alt")
    if dimension == "month":
        year, month = value.split("-")
        return f"{_(MONTH_NAMES[int(month) - 1])} {year}"
    if dimension == "category":
        return _(labels.CATEGORIES[value])
    if dimension == "level":
        return _("Nivå %(level)s") % {"level": value}
    if dimension == "unit_kind":
        return labels.unit_kind(value)
    return value


def protected_table(view, row_dim: str, col_dim: str | None, today: date):
    """The cross-table for a breakdown and its filter, with suppression applied."""
    since = last_months(today)[0]
    rows = values_of(row_dim, today)
    cols = values_of(col_dim, today) if col_dim else ["alle"]
    return protect(view.counts(row_dim, col_dim, since), rows, cols)


def approved_minutes(domain, view, page: int, user: Principal) -> tuple[list[dict], bool]:
    """A page of approved minutes, as the policy lets leaders see them (no child's record
    reaches the template, nor a restricted child's case); and whether there are more."""
    rows = view.approved((page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    out = []
    for row in rows[:PAGE_SIZE]:
        meeting = domain.get_meeting(UUID(row["id"]))
        cases = []
        for case_id in meeting.case_ids:
            try:
                case = domain.get_meeting_case(case_id)
                restricted = domain.get_child(case.child_id).restricted
            except RecordErased:
                continue
            if may(user, "leaders.case", Target.meeting_case(case, meeting, restricted)):
                cases.append(for_leaders_case(case))
        general = [for_leaders_issue(g) for g in meeting.general]
        kinds = sorted({labels.unit_kind(c["unit_kind"]) for c in cases})
        out.append({"meeting": meeting, "cases": cases, "general": general, "unit_kinds": kinds})
    return out, len(rows) > PAGE_SIZE


async def minutes(request: Request) -> Response:
    """Approved minutes across units: cases by age band and unit type, advice, general issues."""
    user = require(request, "leaders.view")
    page = page_number(request)
    state = request.app.state
    items, more = await run_in_threadpool(approved_minutes, state.domain, state.projections["meetings"].view, page,
                                          user)
    return render(request, "leaders/minutes.html", {"items": items, "page": page, "more": more,
                                                    "kinds": KIND_NAMES, "services": SERVICE_NAMES,
                                                    "active": "leaders"})


def breakdown(request: Request, today: date) -> tuple[str, str | None, list[str], str]:
    """The breakdown asked for: its dimension, the filter's dimension, its values, the value chosen."""
    row_dim = request.query_params.get("dimensjon", "month")
    if row_dim not in DIMENSION_NAMES:
        row_dim = "month"
    col_dim = request.query_params.get("filter") or None
    if col_dim not in DIMENSION_NAMES or col_dim == row_dim:
        col_dim = None
    col_values = values_of(col_dim, today) if col_dim else []
    chosen = request.query_params.get("verdi", TOTAL)
    return row_dim, col_dim, col_values, chosen if chosen in col_values else TOTAL


def statistics_rows(view, row_dim: str, col_dim: str | None, chosen: str, today: date):
    """The published counts, and the average days to the first action where enough
    concerns had one that no child can be recognised by it."""
    table = protected_table(view, row_dim, col_dim, today)
    days = view.days_to_first_action(row_dim, last_months(today)[0]) if chosen == TOTAL else {}
    rows = []
    for value in values_of(row_dim, today):
        n = table.value(value, chosen)
        with_action, avg = days.get(value, (0, None))
        rows.append({"label": label_of(row_dim, value), "n": n,
                     "days": round(avg) if avg is not None and with_action >= THRESHOLD and n is not None else None})
    return rows, table.value(TOTAL, chosen)


async def statistics(request: Request) -> Response:
    """Concerns by month, category, unit type and BTI level, optionally filtered by one
    other dimension; counts below 5 are never shown, nor can they be worked out."""
    require(request, "leaders.view")
    today = clock.today()
    row_dim, col_dim, col_values, chosen = breakdown(request, today)
    view = request.app.state.projections["meetings"].view
    rows, total = await run_in_threadpool(statistics_rows, view, row_dim, col_dim, chosen, today)
    return render(request, "leaders/statistics.html", {
        "rows": rows, "total": total, "row_dim": row_dim, "col_dim": col_dim, "chosen": chosen,
        "col_values": [(v, label_of(col_dim, v)) for v in col_values] if col_dim else [],
        "dimensions": DIMENSION_NAMES, "total_label": label_of(row_dim, TOTAL), "active": "statistics",
        "max_n": max([r["n"] or 0 for r in rows] + [1]),
    })


routes = [
    Route("/ledelse", minutes, name="leaders"),
    Route("/ledelse/statistikk", statistics, name="statistics"),
]
