"""The personvernombud's internal control report (internkontroll): for a month, or
for each month of a year, the reads of children's data by legal basis, the
anomalies raised and whether they are reviewed, her own reviews, break-the-glass
uses and erasure requests. Printable on one page, in Norwegian and English.

Counts only, from the access log's SQL aggregates (projections/access_log.py
`control_counts`): no unit, no child, no person, so the page shows no child's
data and records no access. How the numbers are protected (docs/decisions.md):
a count of events about children below 5 is shown as "<5", a 0 too
(projections/suppression.py `shown`); her own reviews are shown as they are; no
total is shown beside its parts, and a year is shown as its months, so that no
hidden count can be worked out from the others. Only months that have ended.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.audit import ANOMALY_RULES
from events.policy import REFUSED
from events.statistics import Period
from intranet.access_reasons import basis_label
from intranet.guard import require
from intranet.i18n import N_, _
from intranet.leaders import MONTH_NAMES, label_of
from intranet.privacy import BASIS_ORDER, iso_bounds, rule_name
from intranet.templating import render
from projections.suppression import shown

# A month (2026-03) or a year (2026), as the form sends it.
PERIOD = re.compile(r"(20\d\d)(-\d\d)?")
GLASS_ROWS = {"reviewed": N_("Nødtilganger gitt, gjennomgått"),
              "open": N_("Nødtilganger gitt, ikke gjennomgått ennå"),
              "refused": N_("Avviste forsøk (barnet er sperret)")}
ERASURE_ROWS = {"confirmed": N_("Slettet (bekreftet av en administrator)"), "rejected": N_("Avvist"),
                "open": N_("Ikke avgjort ennå")}
ANOMALY_ROWS = {"reviewed": N_("Gjennomgått"), "open": N_("Ikke gjennomgått ennå")}


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_full_month(today: date) -> str:
    return month_of(today.replace(day=1) - timedelta(days=1))


def months_of(chosen: str, today: date) -> list[str]:
    """The months a period asked for (?periode=2026-03 or =2026) covers that have
    ended in Oslo; the last full month when it names none of them."""
    current = month_of(today)
    if PERIOD.fullmatch(chosen):
        try:
            period = Period.parse("month" if "-" in chosen else "year", chosen)
        except ValueError:
            period = None
        months = [m for m in period.months if m < current] if period else []
        if months:
            return months
    return [last_full_month(today)]


def month_bounds(month: str) -> tuple[str, str]:
    """A month as UTC instants (as the log stores them), from Oslo's midnight to Oslo's midnight."""
    period = Period.parse("month", month)
    return iso_bounds(period.start, period.end - timedelta(days=1))


def month_label(month: str) -> str:
    return label_of("month", month)


def choices(view, today: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods to choose from, newest first: each month from the log's first to
    the last full one, and each year of them."""
    last = last_full_month(today)
    first_access = view.first_access()
    first = min(first_access[:7], last) if first_access else last
    months, year, month = [], int(last[:4]), int(last[5:])
    while f"{year:04d}-{month:02d}" >= first:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    years = sorted({m[:4] for m in months}, reverse=True)
    return [(_("Måned"), [(m, month_label(m)) for m in months]),
            (_("År"), [(y, _("%(year)s (så langt)") % {"year": y} if y == last[:4] and last[5:] != "12" else y)
                      for y in years])]


def row(key: str, label: str, values: list[int], exact: bool = False) -> dict[str, Any]:
    """A row of counts, one per month; below the threshold None (shown as <5) unless `exact`."""
    return {"key": key, "label": label, "cells": values if exact else [shown(v) for v in values]}


def report(view, months: list[str]) -> dict[str, Any]:
    """The report's tables: rows of counts, a column per month."""
    counts = [view.control_counts(*month_bounds(m)) for m in months]
    bases = [row(f"basis-{code}", basis_label(code), [c["bases"].get(code, 0) for c in counts])
             for code in BASIS_ORDER if code != REFUSED]  # a refused attempt is no read: see break-the-glass
    anomalies = [{"rule": rule_name(rule), "rows": [
        row(f"anomalies-{rule}-reviewed", _(ANOMALY_ROWS["reviewed"]), [c["anomalies"][rule][1] for c in counts]),
        row(f"anomalies-{rule}-open", _(ANOMALY_ROWS["open"]),
            [c["anomalies"][rule][0] - c["anomalies"][rule][1] for c in counts])]} for rule in ANOMALY_RULES]
    reviews = [row(f"reviews-{rule}", rule_name(rule), [c["reviews"][rule] for c in counts], exact=True)
               for rule in ANOMALY_RULES]
    glass = {"reviewed": [c["break_glass"]["granted"] - c["break_glass"]["open"] for c in counts],
             "open": [c["break_glass"]["open"] for c in counts], "refused": [c["break_glass"]["refused"] for c in counts]}
    erasures = {"confirmed": [c["erasures"]["confirmed"] for c in counts],
                "rejected": [c["erasures"]["rejected"] for c in counts],
                "open": [c["erasures"]["requested"] for c in counts]}  # "requested": no decision yet
    return {
        # A year's columns by the month's name alone: the year is in the title.
        "months": [(m, month_label(m) if len(months) == 1 else _(MONTH_NAMES[int(m[5:]) - 1])) for m in months], "bases": bases, "anomalies": anomalies, "reviews": reviews,
        "glass": [row(f"glass-{k}", _(label), glass[k]) for k, label in GLASS_ROWS.items()],
        "erasures": [row(f"erasures-{k}", _(label), erasures[k]) for k, label in ERASURE_ROWS.items()],
    }


def control_context(request: Request, chosen: str) -> dict[str, Any]:
    view = request.app.state.projections["access_log"].view
    today = clock.today()
    months = months_of(chosen, today)
    title = month_label(months[0]) if len(months) == 1 else months[0][:4]
    selected = months[0] if len(months) == 1 else months[0][:4]
    return {**report(view, months), "title": title, "selected": selected, "choices": choices(view, today),
            "today": today, "active": "privacy_control"}


async def control_report(request: Request) -> Response:
    """Internkontroll: what the access log holds for a month or a year, in counts."""
    require(request, "audit.view")
    chosen = request.query_params.get("periode", "")
    context = await run_in_threadpool(control_context, request, chosen)
    return render(request, "privacy/control.html", context)


routes = [Route("/personvern/internkontroll", control_report, name="privacy_control")]
