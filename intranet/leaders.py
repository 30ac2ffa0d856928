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
from events.errors import RecordErased
from events.policy import Principal, Target, for_leaders_case, for_leaders_issue, may
from events.statistics import CLOSING_REASONS, DAY_BANDS, FIRST_ACTION_BANDS, MEAN_MIN
from intranet import labels
from intranet.forms import page_number
from intranet.guard import require
from intranet.i18n import N_, _
from intranet.meetings import KIND_NAMES, SERVICE_NAMES
from intranet.templating import render
from intranet.statistics_releases import (collaboration_numbers, first_action_numbers, publish_if_due, published_table,
                                          releases, values_of)
from projections.suppression import TOTAL, shown

PAGE_SIZE = 10
# Marked with N_(): translated where they are shown.
DIMENSION_NAMES = {"month": N_("Måned"), "category": N_("Kategori"), "unit_kind": N_("Type enhet"),
                   "level": N_("BTI-nivå")}
FIRST_ACTION_WORDS = {"0-7": N_("0–7 dager"), "8-30": N_("8–30 dager"), "31-90": N_("31–90 dager"),
                      "91+": N_("Over 90 dager")}
BAND_WORDS = {"0-30": N_("0–30 dager"), "31-90": N_("31–90 dager"), "91-180": N_("91–180 dager"),
              "181+": N_("Over 180 dager")}
CLOSING_WORDS = {"goals_reached": N_("Avsluttet: målene er nådd"),
                 "individual_plan": N_("Avsluttet: videre i individuell plan"),
                 "consent_withdrawn": N_("Avsluttet: samtykket er trukket"),
                 "child_moved": N_("Avsluttet: barnet har flyttet")}
MONTH_NAMES = [N_("jan"), N_("feb"), N_("mar"), N_("apr"), N_("mai"), N_("jun"), N_("jul"), N_("aug"), N_("sep"),
               N_("okt"), N_("nov"), N_("des")]


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


def release_label(kind: str, period: str) -> str:
    if kind == "month":
        return label_of("month", period)
    if kind == "quarter":
        year, quarter = period.split("-Q")
        return _("%(quarter)s. kvartal %(year)s") % {"quarter": quarter, "year": year}
    return _("Året %(year)s") % {"year": period}


def breakdown(params, release) -> tuple[str, str | None, list[str], str]:
    """The breakdown asked for: its dimension, the filter's dimension, its values, the value chosen."""
    row_dim = params.get("dimensjon", "month")
    if row_dim not in DIMENSION_NAMES:
        row_dim = "month"
    col_dim = params.get("filter") or None
    if col_dim not in DIMENSION_NAMES or col_dim == row_dim:
        col_dim = None
    col_values = values_of(col_dim, release) if col_dim else []
    chosen = params.get("verdi", TOTAL)
    return row_dim, col_dim, col_values, chosen if chosen in col_values else TOTAL


def statistics_page(state, params, today: date) -> dict:
    """Publish what has become due (once, see intranet/statistics_releases.py), then the
    release asked for (the newest by default) as one breakdown of it."""
    view = state.projections["meetings"].view
    delay = state.settings.release_after_days
    publish_if_due(state, today)
    published = releases(state.domain, view, today)
    context = {"releases": [(f"{r.kind}:{r.period}", release_label(r.kind, r.period)) for r in published],
               "dimensions": DIMENSION_NAMES, "delay": delay, "active": "statistics", "release": None,
               "collaborations": None}
    if not published:
        return context
    wanted = params.get("utgivelse", "")
    release = next((r for r in published if f"{r.kind}:{r.period}" == wanted), published[0])
    row_dim, col_dim, col_values, chosen = breakdown(params, release)
    table = published_table(release, row_dim, col_dim)
    rows = [{"label": label_of(row_dim, value), "n": shown(table[(value, chosen)])}
            for value in values_of(row_dim, release)]
    return context | {
        "release": release, "release_key": f"{release.kind}:{release.period}",
        "release_label": release_label(release.kind, release.period),
        "rows": rows, "total": shown(table[(TOTAL, chosen)]), "row_dim": row_dim, "col_dim": col_dim,
        "chosen": chosen, "col_values": [(v, label_of(col_dim, v)) for v in col_values] if col_dim else [],
        "total_label": label_of(row_dim, TOTAL), "max_n": max([r["n"] or 0 for r in rows] + [1]),
        "collaborations": collaborations_shown(state.domain.collaboration_release(release.kind, release.period)),
        "first_action": first_action_shown(release),
    }


def first_action_shown(release) -> list[dict] | None:
    """The release's concerns by band of days to their first action, each a sum of rounded
    cells, a 0 shown as <5; None for a release published before the bands were counted."""
    if not release.first_action and release.means:
        return None
    numbers = first_action_numbers(release)
    return ([{"label": _(FIRST_ACTION_WORDS[band]), "n": shown(numbers[band]), "sub": True}
             for band, _most in FIRST_ACTION_BANDS]
            + [{"label": _("I alt med første tiltak"), "n": shown(numbers["all"]), "sub": False}])


def collaborations_shown(release) -> dict | None:
    """The collaborations' numbers of a release as the page lists them: each a sum of
    rounded cells, a 0 shown as <5; the share evaluated on time only where at least
    MEAN_MIN evaluations were due (it is a ratio of two published numbers)."""
    if release is None:
        return None
    numbers = collaboration_numbers(release)
    rows = [(_("Samarbeid åpnet"), "opened", 0)]
    rows += [(_(BAND_WORDS[band]), f"opened|{band}", 1) for band, _most in DAY_BANDS]
    rows += [(_("Samarbeid avsluttet"), "ended", 0)]
    rows += [(_(CLOSING_WORDS[reason]), f"ended|{reason}", 1) for reason in CLOSING_REASONS]
    rows += [(_("Evalueringer av tiltak med dato i perioden"), "due", 0),
             (_("Evaluert innen datoen"), "due|on_time", 1), (_("Ikke evaluert innen datoen"), "due|late", 1)]
    due, on_time = numbers["due"], numbers["due|on_time"]
    return {"label": release_label(release.kind, release.period),
            "rows": [{"label": label, "n": shown(numbers[key]), "sub": sub} for label, key, sub in rows],
            "on_time_share": round(100 * on_time / due) if due >= MEAN_MIN else None}


async def statistics(request: Request) -> Response:
    """A published release of the statistics: concerns by month, category, unit type and
    BTI level, optionally filtered by one other dimension; every number rounded and
    the small ones shown as <5 (events/statistics.py says how)."""
    require(request, "leaders.view")
    context = await run_in_threadpool(statistics_page, request.app.state, request.query_params, clock.today())
    return render(request, "leaders/statistics.html", context)


routes = [
    Route("/ledelse", minutes, name="leaders"),
    Route("/ledelse/statistikk", statistics, name="statistics"),
]
