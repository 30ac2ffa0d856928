"""A collaboration's plan over its life, on its page: member services taken out
and taken in (again), entries of the unit's internal logbook shared into it one by one; and the plan
printed for the family, with its status (with the hand-off when it moved into an
individuell plan). intranet/collaborations.py dispatches the page's actions here.

Each entry of the logbook is the policy's say (collaboration.entry.*): those on the
concern read all of it, the admitted services only what is shared with them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.collaborations import PLAN_INFORMATION, member_coverage
from events.policy import Target, may
from intranet import labels
from intranet.concern_forms import parse_date
from intranet.forms import parse_int, parse_uuid
from intranet.guard import current_user, require
from intranet.i18n import _
from intranet.collaboration_group import BAD_DATE, PLAN_STATUS_WORDS, member_label
from intranet.records import Record, Shown, may_do, show

# action -> (policy action on the collaboration, the page's block it changes)
ACTIONS = {"ta-ut": ("collaboration.remove_member", "members"),
           "ta-inn": ("collaboration.admit_member", "members"),
           # an entry's own rule is asked in `act`, on the entry (collaboration.entry.*)
           "del-logg": ("collaboration.view", "shared_log"),
           "trekk-logg": ("collaboration.view", "shared_log")}


# Services whose people take part by the municipality's resource team (no unit of
# their own); the opening form offers the same (intranet/collaborations.py).
TEAM_SERVICES = ("ppt", "barnevern", "helsestasjon")
OWN_KINDS = ("barnehage", "skole", "sfo")  # the units that open collaborations, not members of them


def member_value(member: dict[str, Any]) -> str:
    """A member in a form: its unit, or its service's resource team."""
    return f"unit:{member['unit_id']}" if member["unit_id"] else f"team:{member['service']}"


def _entry_target(record: Record, no: int) -> Target:
    collaboration, concern = record.value, record.related["concern"]
    return Target.collaboration_entry(collaboration, concern, record.related["consent"], clock.today(), no,
                                      record.target.restricted)


def entries_shown(request: Request, record: Record) -> tuple[list[dict[str, Any]], bool, bool]:
    """The concern's logbook entries the user reads here, each with whether it is
    shared and what she may do with it; and whether the page shows unshared ones
    and shared ones (for the access event)."""
    user, collaboration = current_user(request), record.value
    rows = []
    for entry in record.related["concern"].entries:
        target = _entry_target(record, entry["no"])
        if not may(user, "collaboration.entry.view", target):
            continue
        shared = collaboration.shared_entry(entry["no"])
        rows.append({"entry": entry, "shared": shared,
                     "may_share": shared is None and may(user, "collaboration.entry.share", target),
                     "may_unshare": shared is not None and may(user, "collaboration.entry.unshare", target)})
    # Unshared entries are shown only in the form that shares them.
    return rows, any(r["may_share"] for r in rows), any(r["shared"] for r in rows)


def page_context(request: Request, record: Record) -> tuple[dict[str, Any], list[str]]:
    """What the collaboration's page shows of the plan's life, and the kinds of record
    that adds to its access event."""
    collaboration = record.value
    rows, unshared, shared = entries_shown(request, record)
    coverage = member_coverage(collaboration, record.related["consent"], clock.today())
    removable = [(member_value(m), m) for m, c in coverage if c.ok and not m.get("removed_on")]
    may_admit = collaboration.is_open and may_do(request, "collaboration.admit_member", record)
    context = {
        "may_remove": may_do(request, "collaboration.remove_member", record) and len(removable) > 1,
        "may_admit": may_admit,
        **(admission_choices(request, record) if may_admit else {}),
        "removable": removable,
        "member_coverage": [(m, c.ok, labels.coverage_reason(c.refusals)) for m, c in coverage],
        "log_rows": rows,
        "entry_kinds": [i for i in collaboration.information if i != PLAN_INFORMATION],
        "print_path": f"/samarbeid/{collaboration.id}/plan",
    }
    kinds = (["concern"] if unshared else []) + (["concern.log"] if shared else [])
    return context, kinds


def member_units(request: Request, opening_unit_id: UUID) -> list[dict[str, Any]]:
    """The directory's open units a collaboration may take in: of a service's kind,
    not a barnehage, skole or SFO, not the opening unit."""
    return [u for u in request.app.state.projections["directory"].view.units()
            if not u["closed"] and u["kind"] in labels.SERVICES and u["kind"] not in OWN_KINDS
            and u["id"] != str(opening_unit_id)]


def admission_choices(request: Request, record: Record) -> dict[str, Any]:
    """What the form «Ta inn en tjeneste» offers, as the opening form does: the
    services with a resource team or an open unit, and those units but the
    opening unit. The domain refuses a service the consent does not cover, saying why."""
    units = member_units(request, record.value.unit_id)
    kinds = {u["kind"] for u in units}
    return {"admit_services": [s for s in labels.SERVICES if s in TEAM_SERVICES or s in kinds],
            "admit_units": [(u["id"], f"{u['name']} ({_(labels.SERVICES[u['kind']])})") for u in units],
            "consent_covers": ", ".join(_(labels.SERVICES[s]) for s in
                                        record.related["consent"].services_valid_on(clock.today()))
            or _("ingen tjenester")}


def _admit(request: Request, record: Record, form: dict[str, str]) -> dict[str, str]:
    """Take the service the form names in; the field errors of the form, if any."""
    choices = admission_choices(request, record)
    service, unit_value = form.get("service", ""), form.get("unit", "")
    on = parse_date(form.get("admitted_on", ""))
    errors: dict[str, str] = {}
    if service not in choices["admit_services"]:
        errors["service"] = _("Velg tjenesten som skal tas inn.")
    unit_id = parse_uuid(unit_value) if unit_value else None
    if unit_value and (unit_id is None or unit_value not in {u for u, _label in choices["admit_units"]}):
        errors["unit"] = _("Velg en enhet fra listen, eller ingen.")
    elif not unit_value and service in choices["admit_services"] and service not in TEAM_SERVICES:
        errors["unit"] = _("Tjenesten har ikke et ressursteam i kommunen: velg enheten.")
    if on is None:
        errors["admitted_on"] = _(BAD_DATE)
    if errors:
        return errors
    request.app.state.domain.admit_collaboration_member(record.value.id, service, unit_id, on,
                                                        current_user(request).id)
    return {}


def _parse_member(value: str) -> tuple[str, UUID | None] | None:
    kind, _sep, rest = value.partition(":")
    if kind == "team" and rest in labels.SERVICES:
        return rest, None
    unit_id = parse_uuid(rest) if kind == "unit" else None
    return None if unit_id is None else ("", unit_id)


def act(request: Request, record: Record, action: str, form: dict[str, str]) -> dict[str, str]:
    """Run the page's `action` (a key of ACTIONS): the form's field errors, if any;
    the domain's refusal goes on to the caller."""
    domain, user, collaboration = request.app.state.domain, current_user(request), record.value
    if action == "ta-inn":
        return _admit(request, record, form)
    if action == "ta-ut":
        member = _parse_member(form.get("member", ""))
        found = [m for m in collaboration.current_members
                 if member and (m["unit_id"] == member[1] if member[1] else m["service"] == member[0] and
                                m["unit_id"] is None)]
        service, unit_id = (found[0]["service"], found[0]["unit_id"]) if found else ("", None)
        domain.remove_collaboration_member(collaboration.id, service, unit_id, form.get("removal_reason", ""),
                                           user.id)
    else:
        no = parse_int(form.get("no"), 1, len(record.related["concern"].entries))
        if no is None:
            raise HTTPException(404, "record")
        sharing = action == "del-logg"
        require(request, "collaboration.entry.share" if sharing else "collaboration.entry.unshare",
                _entry_target(record, no), record=True)
        if sharing:
            domain.share_collaboration_entry(collaboration.id, no, form.get("information", ""), user.id)
        else:
            domain.unshare_collaboration_entry(collaboration.id, no, user.id)
    return {}


# -- the plan, printed for the family ------------------------------------------------------------
def _printed(request: Request, record: Record) -> tuple[dict[str, Any], Shown]:
    """The plan in plain words: goals, measures per goal with who is responsible,
    their evaluations with the guardians' and the child's view; closed into an
    individuell plan, the hand-off (who coordinates it, the services, the coordinator)."""
    from intranet.collaborations import CLOSING_WORDS, DECISION_WORDS, records_shown

    collaboration, child, domain = record.value, record.child, request.app.state.domain
    units = {m["unit_id"]: domain.get_unit(m["unit_id"]).name for m in collaboration.members if m["unit_id"]}
    units[collaboration.unit_id] = domain.get_unit(collaboration.unit_id).name
    goals = [{"goal": g, "measures": [m for m in collaboration.measures if m["goal"] == g["no"]]}
             for g in collaboration.goals]
    contact = collaboration.contact  # the guardians' choice, when recorded
    context = {
        "collaboration": collaboration, "child": child, "units": units, "goals": goals,
        "other_measures": [m for m in collaboration.measures if m["goal"] is None],
        "names": request.app.state.names.users([collaboration.coordinator_id]),
        "labels": labels, "plan_status_words": PLAN_STATUS_WORDS, "today": clock.today(),
        "closing_words": CLOSING_WORDS, "decision_words": DECISION_WORDS,
        "contact_person": (_("%(person)s, %(member)s") % {
            "person": contact["person"], "member": member_label(collaboration, contact["service"], units)}
            if contact else ""),
        "active": "collaborations",
    }
    return context, Shown([child.id], records_shown(collaboration), action="print")


async def printable(request: Request) -> Response:
    """The plan for the family, to print: reading it is an access like the page's."""
    from intranet.collaborations import find

    return await show(request, "collaborations/plan.html",
                      lambda: _printed(request, find(request, "collaboration.view")))


routes = [Route("/samarbeid/{collaboration_id}/plan", printable, name="collaboration_plan")]
