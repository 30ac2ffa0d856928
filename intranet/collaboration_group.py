"""A collaboration's ansvarsgruppe on its page: the members (a named person per
service where known, the guardians as participants), the guardians' chosen
contact person, and the meetings the coordinator convenes and minutes. The
minutes may add a goal, a measure and an evaluation to the plan and set its
status: one command, so all of it is saved or none (events/collaborations.py).

The route and the page are intranet/collaborations.py's; this module reads the
forms of the group's actions and adds what the page shows of the group."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request

from events import clock
from events.collaborations import OWN_UNIT, PLAN_STATUSES
from intranet import labels
from intranet.concern_forms import parse_date
from intranet.guard import current_user
from intranet.i18n import N_, _
from intranet.records import Record, may_do

# action -> (policy action, the page's block it changes)
ACTIONS = {"medlem": ("collaboration.convene", "group"), "mote": ("collaboration.convene", "group"),
           "kontaktperson": ("collaboration.contact", "group"), "referat": ("collaboration.minute", "group")}
PLAN_STATUS_WORDS = {"draft": N_("Under arbeid"), "agreed": N_("Avtalt med familien"),
                     "under_review": N_("Under revidering"),
                     "ended": N_("Avsluttet")}  # when the collaboration closes (events/collaborations.py)
WARNING_WORDS = {
    "no_next_meeting": N_("Ingen neste møte i ansvarsgruppen er planlagt."),
    "minutes_missing": N_("Møtedagen er passert, men referatet mangler."),
    "too_few_meetings": N_("Ansvarsgruppen har møttes sjeldnere enn to ganger i året."),
}
BAD_DATE = N_("Skriv en gyldig dato (dd.mm.åååå).")


def member_label(collaboration, service: str, units: dict) -> str:
    """A member of the group by name: the opening unit's, or the service's units (its
    resource team where it joined without one): those members now, else (a contact
    chosen before the service was taken out) those it had. Each once: a service
    taken out and in again is two entries."""
    if service == OWN_UNIT:
        return units[collaboration.unit_id]
    members = ([m for m in collaboration.current_members if m["service"] == service]
               or [m for m in collaboration.members if m["service"] == service])
    return ", ".join(dict.fromkeys(
        units[m["unit_id"]] if m["unit_id"] else
        _("%(service)s, kommunens ressursteam") % {"service": _(labels.SERVICES[service])} for m in members))


def context(request: Request, record: Record) -> dict[str, Any]:
    """What the page's group block needs beyond the collaboration itself."""
    collaboration = record.value
    today = clock.today()
    return {
        "group_warnings": [_(WARNING_WORDS[w]) for w in collaboration.meeting_warnings(today)],
        "plan_status_words": PLAN_STATUS_WORDS, "plan_statuses": PLAN_STATUSES,
        "member_label": member_label,
        "group_names": request.app.state.names.users(
            [m["minuted_by"] for m in collaboration.meetings if m.get("minuted_by")]),
        "may_convene": may_do(request, "collaboration.convene", record) and collaboration.is_open,
        "may_minute": may_do(request, "collaboration.minute", record) and collaboration.is_open,
        "may_contact": may_do(request, "collaboration.contact", record) and collaboration.is_open,
        # The meeting the minutes are for: the next one, once its day has come.
        "to_minute": (collaboration.next_meeting if collaboration.next_meeting
                      and collaboration.next_meeting["on"] <= today else None),
    }


def _dates(form: dict[str, str], names: tuple[str, ...], errors: dict[str, str],
           optional: tuple[str, ...] = ()) -> dict[str, date | None]:
    """The named dates parsed; each one unreadable (or missing, unless optional) in `errors`."""
    days = {}
    for name in names:
        text = form.get(name, "").strip()
        days[name] = parse_date(text) if text else None
        if days[name] is None and (text or name not in optional):
            errors[name] = _(BAD_DATE)
    return days


def _measure(form: dict[str, str], errors: dict[str, str]) -> dict[str, Any] | None:
    """The measure the minutes add, if any of its fields is filled in."""
    if not any(form.get(k, "").strip() for k in ("what", "responsible", "deadline", "evaluate_on")):
        return None
    days = _dates(form, ("starts_on", "deadline", "evaluate_on"), errors)
    goal = form.get("goal", "")
    return {"what": form.get("what", ""), "service": form.get("service", ""),
            "responsible": form.get("responsible", ""), **days, "goal": int(goal) if goal.isdigit() else None}


def _evaluation(form: dict[str, str], errors: dict[str, str]) -> dict[str, Any] | None:
    """The evaluation the minutes record, if a measure is chosen."""
    no = form.get("no", "")
    if not no.isdigit():
        return None
    days = _dates(form, ("evaluated_on", "next_evaluation"), errors, optional=("next_evaluation",))
    return {"no": int(no), **days, "what_happened": form.get("what_happened", ""),
            "guardians_view": form.get("guardians_view", ""), "child_view": form.get("child_view", ""),
            "decision": form.get("decision", "")}


def act(request: Request, record: Record, action: str, form: dict[str, str]) -> dict[str, str]:
    """Do one of the group's actions; the field errors of the form, if any (a
    DomainError is the caller's to turn into them)."""
    domain, by, collaboration_id = request.app.state.domain, current_user(request).id, record.value.id
    errors: dict[str, str] = {}
    if action == "medlem":
        domain.name_group_member(collaboration_id, form.get("service", ""), form.get("person", ""), by)
    elif action == "kontaktperson":
        (chosen_on,) = _dates(form, ("chosen_on",), errors).values()
        if not errors:
            domain.choose_contact(collaboration_id, form.get("contact_service", ""), form.get("contact_person", ""),
                                  chosen_on, by)
    elif action == "mote":
        (on,) = _dates(form, ("on",), errors).values()
        if not errors:
            domain.plan_meeting(collaboration_id, on, form.get("at", ""), form.get("place", ""), by)
    else:
        meeting = form.get("meeting", "")
        if not meeting.isdigit():
            return {"_form": _("Finner ikke møtet.")}
        following = _dates(form, ("next_on",), errors, optional=("next_on",))["next_on"]
        changes = {"goal": form.get("new_goal", ""), "measure": _measure(form, errors),
                   "evaluation": _evaluation(form, errors), "plan_status": form.get("plan_status", ""),
                   "next_meeting": (following, form.get("next_at", ""), form.get("next_place", ""))
                   if following else None}
        if not errors:
            domain.minute_meeting(collaboration_id, int(meeting), [a for a in form.get("attendees", "").split("\n") if a],
                                  form.get("guardians_present") == "ja", form.get("minutes", ""), by, **changes)
    return errors
