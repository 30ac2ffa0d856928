"""The services of the directory beyond the municipality's own units (issue 29, item 8):
BUP, NAV, the municipal mental-health-and-substance service (psykisk helse og rus)
and the family's doctor (fastlege). Each is a unit with its own staff: a consent
names it, a collaboration admits it, and its staff see a collaboration they are
admitted to, and nothing else."""

from __future__ import annotations

from uuid import UUID

import pytest

from events import clock
from events.base import acting_as
from events.directory import UNIT_KINDS
from events.policy import Principal, Target, may
from intranet import demo_data
from tests.factories import give_consent, register_secret_child
from tests.htmltree import dom
from tests.test_language import choose_language
from tests.webclient import csrf_of

TODAY = clock.today()
NEW_SERVICES = ("bup", "nav", "psykisk_helse", "fastlege")


def test_the_directory_knows_the_services_as_unit_kinds():
    assert set(NEW_SERVICES) <= set(UNIT_KINDS)


@pytest.fixture
def services(domain):
    """A kindergarten child with a level-2 concern, a unit of each new service with one
    staff member, and the guardians' consent for all four."""
    kindergarten = domain.register_unit("Solsikken barnehage", "barnehage")
    units = {kind: domain.register_unit(f"Tjeneste {kind}", kind) for kind in NEW_SERVICES}
    staff = {kind: domain.register_user(f"u-{kind.replace('_', '-')}", f"Ansatt {kind}", "Ansatt", "staff",
                                        units[kind], None, "h") for kind in NEW_SERVICES}
    child = register_secret_child(domain, kindergarten)
    leader = domain.register_user("styrer", "Kari Nordmann", "Styrer", "unit_leader", kindergarten, None, "h")
    with acting_as(leader):
        concern = domain.open_concern(child, leader, TODAY, "Sover dårlig og er redd", "", ["mental_health"], 2)
        domain.change_concern(concern, domain.get_concern(concern).version, leader,
                              lambda c: c.set_level(2, "Trenger hjelp fra flere tjenester"))
    consent = give_consent(domain, child, list(NEW_SERVICES), information=["observations", "action_plan"])
    return {"domain": domain, "units": units, "staff": staff, "leader": leader, "concern": concern,
            "consent": consent, "kindergarten": kindergarten}


def principal(domain, user_id) -> Principal:
    user = domain.get_user(user_id)
    return Principal(user.id, user.role, user.unit_id, user.service)


def test_a_collaboration_admits_each_service_and_its_staff_see_it(services):
    domain, units, staff = services["domain"], services["units"], services["staff"]
    consent = domain.get_consent(services["consent"])
    assert all(consent.covers(kind, TODAY).ok for kind in NEW_SERVICES)
    with acting_as(services["leader"]):
        collaboration_id = domain.open_collaboration(
            services["concern"], services["consent"], [(k, units[k]) for k in ("bup", "psykisk_helse", "fastlege")],
            ["action_plan"], services["leader"], services["leader"])
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.services == ["bup", "psykisk_helse", "fastlege"]
    target = Target.collaboration(collaboration, domain.get_concern(services["concern"]), consent, TODAY)
    for kind in ("bup", "psykisk_helse", "fastlege"):
        assert may(principal(domain, staff[kind]), "collaboration.view", target), kind
        assert may(principal(domain, staff[kind]), "collaboration.edit", target), kind
    # NAV is named by the consent but not admitted to this collaboration: nothing.
    assert not may(principal(domain, staff["nav"]), "collaboration.view", target)
    # Nor does any of them see the concern it was opened from, or the child's own record.
    concern_target = Target.concern(domain.get_concern(services["concern"]))
    assert not any(may(principal(domain, staff[k]), "concern.view", concern_target) for k in NEW_SERVICES)


def test_a_withdrawn_consent_ends_a_services_access(services):
    domain, units, staff = services["domain"], services["units"], services["staff"]
    with acting_as(services["leader"]):
        collaboration_id = domain.open_collaboration(
            services["concern"], services["consent"], [("nav", units["nav"]), ("bup", units["bup"])],
            ["action_plan"], services["leader"], services["leader"])
        domain.withdraw_consent(services["consent"], ["nav"], "Familien vil ikke ha NAV med", TODAY,
                                services["leader"])
    collaboration = domain.get_collaboration(collaboration_id)
    target = Target.collaboration(collaboration, domain.get_concern(services["concern"]),
                                  domain.get_consent(services["consent"]), TODAY)
    assert not may(principal(domain, staff["nav"]), "collaboration.view", target)
    assert may(principal(domain, staff["bup"]), "collaboration.view", target)


def test_the_demo_has_each_service_with_one_user():
    kinds = {u["key"]: u["kind"] for u in demo_data.UNITS}
    for kind in NEW_SERVICES:
        unit = [key for key, k in kinds.items() if k == kind]
        assert len(unit) == 1, kind
        users = [u for u in demo_data.USERS if u["unit"] == unit[0]]
        assert len(users) == 1 and users[0]["role"] == "staff", (kind, users)


# -- the pages -------------------------------------------------------------------------------------
def open_on_the_page(web, services):
    """The styrer opens a collaboration with the demo's BUP and fastlege from a level-2
    concern of a Solsikken child, on a consent that names them."""
    ids = web.ids
    child = web.domain.get_concern(web.concerns["own"]).child_id
    with acting_as(ids["users"]["styrer"]):
        web.domain.change_concern(web.concerns["own"], web.domain.get_concern(web.concerns["own"]).version,
                                  ids["users"]["styrer"], lambda c: c.set_level(2, "Trenger flere tjenester"))
        consent = give_consent(web.domain, child, list(services), recorded_by=ids["users"]["styrer"],
                               information=["observations", "action_plan"])
    web.projections.wait()
    page = web.login("styrer")
    form = page.get(f"/samarbeid/ny?bekymring={web.concerns['own']}")
    assert form.status_code == 200
    options = [o["value"] for o in dom(form.text).select("input[name=members]")]
    for kind in NEW_SERVICES:
        assert f"unit:{ids['units'][kind]}" in options, kind
    response = page.post(f"/samarbeid/ny?bekymring={web.concerns['own']}", data={
        "csrf_token": csrf_of(form.text), "consent_id": str(consent), "coordinator_id": str(ids["users"]["styrer"]),
        "members": [f"unit:{ids['units'][k]}" for k in services], "information": ["action_plan"]})
    assert response.status_code == 303, response.text
    web.projections.wait()
    return UUID(response.headers["location"].rsplit("/", 1)[1])


def test_the_services_staff_see_the_collaboration_they_are_admitted_to(web):
    collaboration_id = open_on_the_page(web, ("bup", "fastlege"))
    for username in ("bup", "fastlege"):
        page = web.login(username)
        listed = page.get("/samarbeid")
        assert f"/samarbeid/{collaboration_id}" in listed.text, username
        assert page.get(f"/samarbeid/{collaboration_id}").status_code == 200, username
        # The concern itself stays the kindergarten's.
        assert page.get(f"/bekymringer/{web.concerns['own']}").status_code in (403, 404)
    for username in ("nav", "psykiskhelse"):
        page = web.login(username)
        assert f"/samarbeid/{collaboration_id}" not in page.get("/samarbeid").text
        assert page.get(f"/samarbeid/{collaboration_id}").status_code in (403, 404)


def test_the_page_names_the_services_in_english(web):
    collaboration_id = open_on_the_page(web, ("psykisk_helse", "nav"))
    page = web.login("psykiskhelse")
    choose_language(web, page, "en", f"/samarbeid/{collaboration_id}")
    html = page.get(f"/samarbeid/{collaboration_id}").text
    assert "Municipal mental health and substance use service" in html and "NAV" in html


def test_the_admin_registers_a_unit_of_each_service(web):
    page = web.login("admin")
    form = page.get("/admin/enheter")
    for kind in NEW_SERVICES:
        assert f'value="{kind}"' in form.text
    response = page.post("/admin/enheter", data={"csrf_token": csrf_of(form.text), "name": "Fjordvik legekontor 2",
                                                 "kind": "fastlege"})
    assert response.status_code == 303, response.text
