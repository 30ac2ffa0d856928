"""The authorisation matrix: every route, every role, records inside and outside
the user's unit. Each cell asserts allow or deny. A route missing from the
matrix fails the suite, so no new route escapes the policy."""

from __future__ import annotations

import pytest
from starlette.routing import Mount, Route

from events import clock
from events.base import acting_as
from events.wheel import default_item_id
from tests.webclient import ROLE_USERS

ROLES = tuple(ROLE_USERS)
EVERYONE = set(ROLES)
UNIT_ROLES = {"staff", "unit_leader"}
ADMIN = {"admin"}
PRIVACY = {"privacy_officer"}
EDITORS = {"unit_leader", "resource_team"}  # of the binder
MEETING_ROLES = {"unit_leader", "resource_team", "municipal_leader"}  # plan and lead meetings

# (method, path template, who is allowed, status when denied)
# "{own_child}" is a child in Solsikken barnehage (the staff's and unit leader's
# unit); "{other_child}" is a child at the school; "{user}" is a demo user.
MATRIX = [
    ("GET", "/", EVERYONE, None),
    ("GET", "/konto", EVERYONE, None),
    ("GET", "/konto/passord", EVERYONE, None),
    ("POST", "/konto/varsler", EVERYONE, None),  # one's own e-mail settings
    ("GET", "/varsler", UNIT_ROLES | {"resource_team"}, 403),
    ("GET", "/barn", UNIT_ROLES, 403),
    ("GET", "/barn/{own_child}", UNIT_ROLES, 404),
    ("GET", "/barn/{other_child}", set(), 404),
    ("GET", "/barn/{missing}", set(), 404),
    ("GET", "/admin/brukere", ADMIN, 403),
    ("GET", "/admin/brukere/ny", ADMIN, 403),
    ("GET", "/admin/brukere/{user}", ADMIN, 403),
    ("GET", "/admin/enheter", ADMIN, 403),
    ("POST", "/admin/brukere/ny", ADMIN, 403),
    ("POST", "/admin/brukere/{user}/rolle", ADMIN, 403),
    ("POST", "/admin/enheter", ADMIN, 403),
    ("GET", "/admin/enheter/{unit_id}", ADMIN, 403),
    ("POST", "/admin/enheter/{unit_id}", ADMIN, 403),
    ("GET", "/admin/kommune", ADMIN, 403),
    ("POST", "/admin/kommune", ADMIN, 403),
    ("GET", "/bekymringer", UNIT_ROLES, 403),
    ("GET", "/bekymringer/innboks", {"unit_leader"}, 403),
    ("GET", "/bekymringer/forfalt", UNIT_ROLES, 403),
    ("GET", "/bekymringer/sok", UNIT_ROLES, 403),
    ("POST", "/bekymringer/sok", UNIT_ROLES, 403),
    ("GET", "/bekymringer/ny", UNIT_ROLES, 403),
    ("POST", "/bekymringer/ny", UNIT_ROLES, 403),
    ("POST", "/bekymringer/utkast", UNIT_ROLES, 403),
    ("GET", "/bekymringer/{own_concern}", UNIT_ROLES, 404),
    ("GET", "/bekymringer/{colleague_concern}", {"unit_leader"}, 404),
    ("GET", "/bekymringer/{other_concern}", set(), 404),
    ("POST", "/bekymringer/{own_concern}/logg", UNIT_ROLES, 404),
    ("POST", "/bekymringer/{own_concern}/del", UNIT_ROLES, 404),
    ("POST", "/bekymringer/{colleague_concern}/logg", {"unit_leader"}, 404),
    ("POST", "/bekymringer/{colleague_concern}/lukk", {"unit_leader"}, 404),
    ("POST", "/bekymringer/{other_concern}/logg", set(), 404),
    ("POST", "/bekymringer/{own_concern}/henvisning", UNIT_ROLES, 404),
    ("POST", "/bekymringer/{other_concern}/henvisning", set(), 404),
    ("GET", "/samarbeid", UNIT_ROLES | {"resource_team"}, 403),
    ("GET", "/samarbeid/ny", EVERYONE, None),  # from a concern only: leads to the list
    ("GET", "/samarbeid/ny?bekymring={own_concern}", {"unit_leader"}, 404),
    ("POST", "/samarbeid/ny?bekymring={own_concern}", {"unit_leader"}, 404),
    ("GET", "/samarbeid/ny?bekymring={other_concern}", set(), 404),
    ("GET", "/barn/{own_child}/samtykke", UNIT_ROLES, 404),
    ("POST", "/barn/{own_child}/samtykke", UNIT_ROLES, 404),
    ("GET", "/barn/{other_child}/samtykke", set(), 404),
    ("GET", "/samtykker/{consent}", UNIT_ROLES, 404),
    ("GET", "/samtykker/{consent}/utskrift", UNIT_ROLES, 404),
    ("POST", "/samtykker/{consent}/trekk", UNIT_ROLES, 404),
    ("GET", "/henvisninger", {"unit_leader"}, 403),
    ("GET", "/henvisninger/{own_referral}", UNIT_ROLES, 404),
    ("GET", "/henvisninger/{own_referral}/utskrift", UNIT_ROLES, 404),
    ("GET", "/henvisninger/{own_referral}/eksport", UNIT_ROLES, 404),
    ("POST", "/henvisninger/{own_referral}/lagre", UNIT_ROLES, 404),
    ("POST", "/henvisninger/{own_referral}/send", UNIT_ROLES, 404),
    ("POST", "/henvisninger/{own_ppt_referral}/send", {"unit_leader"}, 404),
    ("GET", "/henvisninger/{other_referral}", set(), 404),
    ("GET", "/personvern", PRIVACY, 403),
    ("GET", "/personvern/avvik?bruker={user}&regel=after_hours", PRIVACY, 403),
    ("POST", "/personvern/avvik", PRIVACY, 403, {400}),  # names no group: no form sends that
    ("GET", "/personvern/barn", PRIVACY, 403),
    ("POST", "/personvern/barn", PRIVACY, 403),
    ("GET", "/personvern/barn/{own_child}", PRIVACY, 403),
    ("GET", "/personvern/barn/{other_child}/innsyn", PRIVACY, 403),
    ("GET", "/personvern/barn/{other_child}/innsyn.json", PRIVACY, 403),
    ("POST", "/personvern/barn/{own_child}/sperr", PRIVACY, 403),
    ("POST", "/personvern/barn/{own_child}/slett", PRIVACY, 403),
    ("GET", "/personvern/bruker/{user}", PRIVACY, 403),
    ("GET", "/personvern/brukere", PRIVACY, 403),
    ("GET", "/personvern/oppbevaring", PRIVACY, 403),
    ("POST", "/personvern/oppbevaring/{own_child}/slett", PRIVACY, 403),  # not due: the list again, 409
    ("POST", "/personvern/oppbevaring/{own_child}/behold", PRIVACY, 403),
    ("GET", "/personvern/internkontroll", PRIVACY, 403),
    ("GET", "/personvern/internkontroll?periode=2025", PRIVACY, 403),
    ("GET", "/admin/sletting", ADMIN, 403),
    ("GET", "/admin/lesemodeller", ADMIN, 403),
    ("POST", "/admin/sletting/{missing}/bekreft", ADMIN, 403),
    ("GET", "/ressursteam", MEETING_ROLES | {"staff"}, 403),  # staff: the meetings they are named to
    ("GET", "/ressursteam/nytt", MEETING_ROLES, 403),
    ("POST", "/ressursteam/nytt", MEETING_ROLES, 403),
    # Meeting series: planned by each arena's planners; seen by those it invites.
    ("GET", "/ressursteam/serier/ny", MEETING_ROLES, 403),
    ("POST", "/ressursteam/serier/ny", MEETING_ROLES, 403),
    ("GET", "/ressursteam/serier/{series}", {"unit_leader", "resource_team"}, 404),
    ("POST", "/ressursteam/serier/{series}/planlegg", {"unit_leader"}, 404),
    # Its leader changes and ends it (the empty form: 422); asked with GET, the page, for those who see it.
    ("POST", "/ressursteam/serier/{series}/endre", {"unit_leader"}, 404),
    ("POST", "/ressursteam/serier/{series}/avslutt", {"unit_leader"}, 404),
    ("GET", "/ressursteam/serier/{series}/endre", {"unit_leader", "resource_team"}, 404, {303}),
    ("GET", "/ressursteam/serier/{series}/avslutt", {"unit_leader", "resource_team"}, 404, {303}),
    ("GET", "/ressursteam/serier/{missing}", set(), 404),
    ("GET", "/ressursteam/{meeting}", {"unit_leader", "resource_team"}, 404),
    ("GET", "/ressursteam/{meeting}/sak", {"unit_leader"}, 404),
    ("POST", "/ressursteam/{meeting}/generelt", {"unit_leader", "resource_team"}, 404),
    ("POST", "/ressursteam/{meeting}/rad", {"unit_leader"}, 404),
    ("POST", "/ressursteam/{meeting}/godkjenn", {"unit_leader"}, 404),
    ("POST", "/ressursteam/{meeting}/avlys", {"unit_leader"}, 404),  # its leader only
    ("POST", "/ressursteam/sak/{missing}/rad", set(), 404),
    ("GET", "/ledelse", {"municipal_leader"}, 403),
    ("GET", "/ledelse/statistikk", {"municipal_leader"}, 403),
    # The programme's follow-up: the unit's leader for her unit, the kommunalsjef for every unit.
    ("GET", "/oppfolging", {"unit_leader", "municipal_leader"}, 403),
    ("GET", "/oppfolging/{unit_id}", {"unit_leader", "municipal_leader"}, 403),
    ("POST", "/oppfolging/{unit_id}/nokkelperson", {"unit_leader", "municipal_leader"}, 403),
    ("POST", "/oppfolging/{unit_id}/avslutt", {"unit_leader", "municipal_leader"}, 403),
    ("POST", "/oppfolging/{unit_id}/opplaering", {"unit_leader", "municipal_leader"}, 403),
    ("POST", "/oppfolging/{unit_id}/plan", {"unit_leader"}, 403),
    ("GET", "/ledelse/oppfolging", {"municipal_leader"}, 403),
    ("POST", "/perm/del/veileder/lest", UNIT_ROLES, 403),
    ("GET", "/arshjul", EVERYONE, None),
    ("GET", "/arshjul?enhet={unit_id}", UNIT_ROLES | {"municipal_leader"}, 403),
    # The yearly wheel: the kommunalsjef edits the municipality's, a unit leader her unit's.
    ("GET", "/arshjul/ny", {"unit_leader", "municipal_leader"}, 403),
    ("POST", "/arshjul/ny", {"unit_leader", "municipal_leader"}, 403),
    ("POST", "/arshjul/forslag", {"municipal_leader"}, 403),
    ("GET", "/arshjul/punkt/{municipal_item}", EVERYONE, None),
    ("POST", "/arshjul/punkt/{municipal_item}", {"municipal_leader"}, 404),
    ("GET", "/arshjul/punkt/{unit_item}", UNIT_ROLES | {"municipal_leader"}, 404),
    ("POST", "/arshjul/punkt/{unit_item}", {"unit_leader"}, 404),
    ("POST", "/arshjul/punkt/{unit_item}/fjern", {"unit_leader"}, 404),
    ("GET", "/arshjul/punkt/{missing}", set(), 404),
    ("GET", "/konto/kalender", EVERYONE, None),
    ("POST", "/konto/kalender", EVERYONE, None),
    ("POST", "/konto/sprak", EVERYONE, None),
    ("GET", "/om/logg", EVERYONE, None),  # public too: how a family checks an access report (test_report_verifiers)
    # The electronic binder: everyone reads published pages; editors write and see drafts.
    ("GET", "/perm", EVERYONE, None),
    ("GET", "/perm/sok", EVERYONE, None),
    ("POST", "/perm/sok", EVERYONE, None),
    ("GET", "/perm/del/veileder", EVERYONE, None),
    ("GET", "/perm/handlingsveileder-niva-0", EVERYONE, None),
    ("GET", "/perm/ressursteam-moteplan-2027", EDITORS, 404),
    ("GET", "/perm/ressursteam-moteplan-2027/historikk", EDITORS, 404),
    ("GET", "/perm/ny", EDITORS, 403),
    ("POST", "/perm/ny", EDITORS, 403),
    ("GET", "/perm/solsikken-barnehage/rediger", EDITORS, 403),
    ("POST", "/perm/solsikken-barnehage/rediger", EDITORS, 403),
    ("GET", "/perm/solsikken-barnehage/historikk", EDITORS, 403),
    ("GET", "/perm/solsikken-barnehage/sammenlign", EDITORS, 403),
    ("POST", "/perm/solsikken-barnehage/publiser", EDITORS, 403),
    # Transfers: the sending unit; the receiving leader (not a matrix user) in test_transfers.
    ("GET", "/overforinger", UNIT_ROLES, 403),
    ("GET", "/overforinger/ny", UNIT_ROLES, 403),
    ("POST", "/overforinger/ny", UNIT_ROLES, 403),
    ("GET", "/overforinger/{own_transfer}", UNIT_ROLES, 404),
    ("GET", "/overforinger/{colleague_transfer}", {"unit_leader"}, 404),
    ("POST", "/overforinger/{own_transfer}/lagre", UNIT_ROLES, 404),
    ("POST", "/overforinger/{own_transfer}/send", {"unit_leader"}, 404),
    ("POST", "/overforinger/{own_transfer}/godta", set(), 404),
    # The binder's case bank: the reviewers' queue; proposals in test_case_bank.
    ("GET", "/caseforslag", {"unit_leader", "resource_team", "municipal_leader"}, 403),
    ("GET", "/caseforslag/{missing}", set(), 404),
    ("POST", "/caseforslag/{missing}/bekreft", set(), 404),
    # Break-the-glass with nothing to open answers like a missing record.
    ("POST", "/nodtilgang", {"staff", "unit_leader", "resource_team"}, 403, {404}),
]
# Routes outside the matrix, and why.
NOT_IN_MATRIX = {
    "/kalender/{token}.ics": "public: the address is the secret (tested in test_wheel)",
    "/arshjul/punkt/{item_id}": "the wheel item rows",
    "/arshjul/punkt/{item_id}/fjern": "the wheel item rows",
    "/logg-inn": "public: the sign-in form",
    "/logg-inn/kode": "only during sign-in (tested in test_auth)",
    "/logg-ut": "every signed-in user (tested in test_auth)",
    "/konto/totp": "every signed-in user, own account only (tested in test_auth)",
    "/admin/brukere/{user_id}/{action}": "covered by the rolle row; the other actions in test_admin",
    "/admin/brukere/{user_id}": "the {user} row",
    "/barn/{child_id}": "the child rows",
    "/health": "public, says only ok or not ok to anyone but an admin (tested in test_hardening)",
    "/tilgjengelighet": "public: the accessibility statement",
    "/static": "public files",
    "/static/verify": "public files: the access report's verifier (test_verify_js, test_verifiable_report)",
    "/bekymringer/{concern_id}": "the concern rows",
    "/bekymringer/{concern_id}/{action}": "the concern action rows; every action in test_concerns",
    "/bekymringer/{concern_id}/henvisning": "the henvisning rows",
    "/barn/{child_id}/samtykke": "the samtykke rows",
    "/samtykker/{consent_id}": "the consent rows",
    "/samtykker/{consent_id}/trekk": "the consent rows",
    "/samtykker/{consent_id}/utskrift": "the consent rows",
    "/henvisninger/{referral_id}": "the referral rows",
    "/henvisninger/{referral_id}/utskrift": "the referral rows",
    "/henvisninger/{referral_id}/eksport": "the referral rows",
    "/henvisninger/{referral_id}/{action}": "the referral rows; every action in test_referrals",
    "/personvern/barn/{child_id}": "the personvern child rows",
    "/personvern/barn/{child_id}/innsyn": "the personvern child rows",
    "/personvern/barn/{child_id}/innsyn.json": "the personvern child rows",
    "/personvern/barn/{child_id}/{action}": "the sperr and slett rows; every action in test_privacy",
    "/personvern/bruker/{user_id}": "the personvern user row",
    "/personvern/oppbevaring/{child_id}/{decision}": "the oppbevaring rows; both decisions in test_retention",
    "/admin/sletting/{request_id}/{decision}": "the sletting row; both decisions in test_privacy",
    "/perm/del/{section}": "the binder section row",
    "/perm/del/{section}/lest": "the veileder/lest row (only the guide's section has it)",
    "/perm/{slug}": "the binder page rows",
    "/perm/{slug}/rediger": "the binder page rows",
    "/perm/{slug}/historikk": "the binder page rows",
    "/perm/{slug}/sammenlign": "the binder page rows",
    "/perm/{slug}/{action}": "the publiser row; every action in test_binder",
    "/samarbeid/{collaboration_id}": "every user x basis below (test_collaboration_routes_by_user_and_basis)",
    "/samarbeid/{collaboration_id}/{action}": "every action x user x basis below (ta-inn and samtykke among them)",
    "/samarbeid/{collaboration_id}/plan": "every user x basis in test_collaborations (the printed plan as the page)",
    "/overforinger/{transfer_id}": "the transfer rows",
    "/overforinger/{transfer_id}/{action}": "the transfer rows; every action in test_transfers",
    "/ressursteam/{meeting_id}": "the meeting rows",
    "/ressursteam/serier/{series_id}": "the series rows",
    "/ressursteam/serier/{series_id}/planlegg": "the series rows; planning a date in test_series",
    "/ressursteam/serier/{series_id}/endre": "the series rows; changes and their errors in test_series",
    "/ressursteam/serier/{series_id}/avslutt": "the series rows; ending and its errors in test_series",
    "/ressursteam/{meeting_id}/sak": "the meeting rows",
    "/ressursteam/{meeting_id}/{action}": "the meeting rows; cancelling in test_meeting_cancel",
    "/ressursteam/sak/{case_id}/rad": "the meeting rows; minutes in test_meetings",
    "/ressursteam/sak/{case_id}/case": "every role on a real case in test_case_bank",
    "/caseforslag/{proposal_id}": "the caseforslag rows; every role on a real proposal in test_case_bank",
    "/caseforslag/{proposal_id}/{action}": "the caseforslag rows; every role and action in test_case_bank",
}


def test_every_route_is_in_the_matrix_or_explained(web):
    paths = {m[1] for m in MATRIX}
    assert len({(m[0], m[1]) for m in MATRIX}) == len(MATRIX), "a row is listed twice"
    for route in web.app.routes:
        path = route.path
        assert isinstance(route, (Route, Mount))
        assert path in paths or path in NOT_IN_MATRIX, f"{path} is not in the access matrix"


def matrix_values(web) -> dict:
    """The records the matrix's path templates name."""
    return {
        "own_child": web.child_in("solsikken"),
        "other_child": web.child_in("fjordvikskole"),
        "missing": "6f1c1c1e-0000-4000-8000-000000000000",
        "user": web.ids["users"]["laerer"],
        "unit_id": web.ids["units"]["solsikken"],
        "own_concern": web.concerns["own"],
        "colleague_concern": web.concerns["colleague"],
        "other_concern": web.concerns["other"],
        "consent": web.consent,
        "own_referral": web.referrals["own"],
        "own_ppt_referral": web.referrals["own_ppt"],
        "other_referral": web.referrals["other"],
        "meeting": web.meeting,
        "series": a_series(web),
        "municipal_item": default_item_id("transfer-form"),
        "unit_item": web.projections["wheel"].view.in_year([str(web.ids["units"]["solsikken"])], 2030)[0]["id"],
        "own_transfer": web.transfers["own"],
        "colleague_transfer": web.transfers["colleague"],
    }


def a_series(web):
    """The styrer's resource-team series for Solsikken, with barnevernet."""
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        series_id = web.domain.plan_series("resource_team", "half_yearly", clock.today(), "09:00", "", styrer,
                                           [web.ids["units"]["solsikken"]], ["barnevern", "unit_leader"], [])
    web.projections.wait()
    return series_id


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(web, role):
    client = web.login(role)
    values = matrix_values(web)
    failures = []
    for method, template, allowed, denied_status, *accepted in MATRIX:
        path = template.format(**values)
        if method == "GET":
            response = client.get(path)
        else:
            # A real token, so the policy (not CSRF) is what answers.
            token = client.get("/konto").text.split('name="csrf_token" value="')[1].split('"')[0]
            response = client.post(path, data={"csrf_token": token, "name": "X", "role": "staff", "kind": "barnevern"})
        if role in allowed:
            ok = response.status_code in (accepted[0] if accepted else {200, 303, 409, 422})
        else:
            ok = response.status_code == denied_status
        if not ok:
            failures.append(f"{method} {template}: {response.status_code}")
    assert failures == [], f"role {role}"


def test_a_forbidden_record_looks_exactly_like_a_missing_one(web):
    client = web.login("staff")
    hidden_id, missing_id = web.child_in("fjordvikskole"), "6f1c1c1e-0000-4000-8000-000000000000"
    hidden = client.get(f"/barn/{hidden_id}")
    missing = client.get(f"/barn/{missing_id}")
    assert hidden.status_code == missing.status_code == 404
    # The same page, break-the-glass form included, but for the path itself.
    assert hidden.text.replace(str(hidden_id), "ID") == missing.text.replace(missing_id, "ID")


def test_admins_cannot_open_a_childs_record(web):
    client = web.login("admin")
    assert client.get(f"/barn/{web.child_in('solsikken')}").status_code == 404


# -- collaborations: every route x every user x the basis each access is recorded on ---------------
COLLABORATION_ROUTES = ("", "/mal", "/tiltak", "/evaluer", "/koordinator", "/godta-koordinator", "/avslutt",
                        "/ta-inn", "/samtykke")
EDITS = {"", "/mal", "/tiltak", "/evaluer"}
# username -> (the routes allowed, the basis its accesses are recorded on); everyone else: 404, nothing recorded.
# Helsestasjonen is a member by its unit, PPT and barnevernet by their resource teams; the
# nurse coordinates. A service is taken in (/ta-inn), and the collaboration moved onto a new
# consent (/samtykke), by the coordinator or the opening unit's leader.
COLLABORATION_MATRIX = {
    "styrer": (EDITS | {"/koordinator", "/avslutt", "/ta-inn", "/samtykke"}, "own_unit"),  # the opening unit's leader
    "pedleder": (EDITS, "own_unit"),  # the concern's author
    "helsesykepleier": (EDITS | {"/koordinator", "/ta-inn", "/samtykke"}, "consent"),  # a member unit's staff, the coordinator
    "helseleder": (EDITS, "consent"),  # a member unit's leader (not the opening unit's)
    "ppt": (EDITS, "consent"),  # a member service's resource team
    "barnevern": (EDITS, "statutory"),  # barnevernet on its own statutory duty
}
OTHERS = ("barnehagelaerer", "helsetjeneste", "laerer", "rektor", "sfo", "personvern", "kommunalsjef", "admin")


def collaboration_with_every_basis(web):
    """A collaboration from the own concern (level 2) with Helsestasjonen's unit and PPT's
    and barnevernet's resource teams, on a consent covering helsestasjon and PPT: its id,
    the consent's id, the child's id."""
    from events.base import acting_as
    from tests.factories import give_consent

    domain, users = web.domain, web.ids["users"]
    concern_id = web.concerns["own"]
    child_id = domain.get_concern(concern_id).child_id
    with acting_as(users["styrer"]):
        domain.change_concern(concern_id, domain.get_concern(concern_id).version, users["styrer"],
                              lambda c: c.set_level(2, "Trenger flere tjenester"))
        consent_id = give_consent(domain, child_id, ["helsestasjon", "ppt"], recorded_by=users["styrer"],
                                  information=["observations", "action_plan"])
        collaboration_id = domain.open_collaboration(
            concern_id, consent_id, [("helsestasjon", web.ids["units"]["helsestasjonen"]), ("ppt", None),
                                     ("barnevern", None)], ["action_plan"], users["helsesykepleier"], users["styrer"])
    web.projections.wait()
    return collaboration_id, consent_id, child_id


def differences(found: tuple[dict, dict], wanted: tuple[dict, dict]) -> list:
    return [(key, got.get(key), want.get(key)) for got, want in zip(found, wanted)
            for key in sorted(set(got) | set(want), key=str) if got.get(key) != want.get(key)]


def test_collaboration_routes_by_user_and_basis(web):
    from events import clock

    collaboration_id, consent_id, child_id = collaboration_with_every_basis(web)
    url = f"/samarbeid/{collaboration_id}"
    users = web.ids["users"]
    clients = {username: web.login(username) for username in [*COLLABORATION_MATRIX, *OTHERS]}
    tokens = {u: c.get("/konto").text.split('name="csrf_token" value="')[1].split('"')[0] for u, c in clients.items()}
    log = web.projections["access_log"].view
    seen: set[str] = set()

    def walk() -> tuple[dict, dict]:
        """Each user's status on each route, and the bases her new accesses to the child name."""
        statuses, bases = {}, {}
        for username, client in clients.items():
            for route in COLLABORATION_ROUTES:
                response = (client.get(url) if route == "" else
                            client.post(url + route, data={"csrf_token": tokens[username], "no": "1"}))
                statuses[(username, route)] = response.status_code
            listed = client.get("/samarbeid")
            statuses[(username, "list")] = listed.status_code if listed.status_code != 200 else url in listed.text
        web.projections.wait()
        for username in clients:
            rows = [r for r in log.by_user(users[username], 0, 1000)
                    if r["child_id"] == str(child_id) and r["access_id"] not in seen]
            seen.update(r["access_id"] for r in rows)
            bases[username] = {(r["basis"], r["basis_ref"]) for r in rows}
        return statuses, bases

    def expected(matrix: dict, consent=consent_id) -> tuple[dict, dict]:
        statuses, bases = {}, {}
        for username in clients:
            allowed, basis = matrix.get(username, (set(), None))
            for route in COLLABORATION_ROUTES:
                statuses[(username, route)] = (200 if route == "" else 422) if route in allowed else 404
            can_list = username not in ("personvern", "kommunalsjef", "admin")
            statuses[(username, "list")] = bool(allowed) if can_list else 403
            ref = str(consent) if basis == "consent" else None
            bases[username] = {(basis, ref)} if allowed else set()
        return statuses, bases

    assert differences(walk(), expected(COLLABORATION_MATRIX)) == []

    # The guardians withdraw the consent for helsestasjon: its staff are refused with why (403);
    # the others keep their basis.
    web.domain.withdraw_consent(consent_id, ["helsestasjon"], "Mor ringte", clock.today(), users["styrer"])
    after = {u: v for u, v in COLLABORATION_MATRIX.items() if u not in ("helsesykepleier", "helseleder")}
    statuses, bases = expected(after)
    for username in ("helsesykepleier", "helseleder"):  # refused with why: the page says the consent ended
        statuses.update({(username, route): 403 for route in COLLABORATION_ROUTES})
    assert differences(walk(), (statuses, bases)) == []

    # Withdrawn for every service: barnevernet stays, on its statutory duty.
    web.domain.withdraw_consent(consent_id, [], "Begge foreldrene trakk samtykket", clock.today(), users["styrer"])
    after = {u: v for u, v in after.items() if u != "ppt"}
    statuses, bases = expected(after)
    for username in ("helsesykepleier", "helseleder", "ppt"):
        statuses.update({(username, route): 403 for route in COLLABORATION_ROUTES})
    assert differences(walk(), (statuses, bases)) == []

    # The guardians sign a new consent and the leader moves the collaboration onto it:
    # every member is back, on the new consent as the basis.
    from events.base import acting_as
    from tests.factories import give_consent

    with acting_as(users["styrer"]):
        renewed = give_consent(web.domain, child_id, ["helsestasjon", "ppt"], recorded_by=users["styrer"],
                               information=["action_plan"])
        web.domain.change_collaboration_consent(collaboration_id, renewed, clock.today(), users["styrer"])
    assert differences(walk(), expected(COLLABORATION_MATRIX, renewed)) == []


def test_a_break_the_glass_grant_is_the_basis_it_names_and_opens_no_collaboration(web):
    collaboration_id, _consent, child_id = collaboration_with_every_basis(web)
    concern_path = f"/bekymringer/{web.concerns['own']}"
    colleague = web.login("barnehagelaerer")  # of the unit, not on the concern
    assert colleague.get(concern_path).status_code == 404
    token = colleague.get("/konto").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert colleague.post("/nodtilgang", data={"csrf_token": token, "path": concern_path,
                                               "reason": "Mor ringte, pedagogisk leder er syk"}).status_code == 303
    assert colleague.get(concern_path).status_code == 200
    assert colleague.get(f"/samarbeid/{collaboration_id}").status_code == 404  # a grant reads the concern only
    web.projections.wait()
    rows = web.projections["access_log"].view.by_user(web.ids["users"]["barnehagelaerer"], 0, 100)
    (grant,) = [r for r in rows if r["action"] == "break_glass"]
    assert grant["basis"] == "break_glass" and grant["basis_ref"] == grant["access_id"]  # the grant names itself
    (read,) = [r for r in rows if r["action"] == "view" and r["child_id"] == str(child_id)]
    assert (read["basis"], read["basis_ref"]) == ("break_glass", grant["access_id"])
