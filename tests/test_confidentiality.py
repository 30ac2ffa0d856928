"""A restriction (sperring) reaches everything derived from the child's records;
break-the-glass cannot tell a restricted child from a missing one; an erased
child leaves no blind index behind. On SQLite and PostgreSQL (issue 28, items 4, 5, 7)."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4


from events import clock
from events.base import acting_as
from events.blind_index import tokens
from events.identity import claim_id
from intranet import demo_data
from projections.directory import name_and_birth_date
from tests.rawstore import gone_after_vacuum, postgres_pages, postgres_text, sqlite_bytes
from tests.webclient import csrf_of

RESTRICTED_TITLE = "Sperret"
RESTRICTED_TEXT = "Opplysningene om dette barnet er sperret"
TODAY = clock.today()
CASE_TEXT = "Barnet gråt i garderoben hver morgen denne uken."
CASE_ADVICE = "Avtal et møte med helsesykepleier om søvn og mat."


def restrict(web, child_id) -> None:
    web.domain.restrict_child(child_id, "Skjult adresse (kode 6)")
    web.projections.wait()


def bring_own_concern(web, advice: str | None = CASE_ADVICE):
    """The unit leader brings the staff member's concern to the fixture meeting, anonymised."""
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        case_id = web.domain.bring_case(web.meeting, web.concerns["own"], "anonymous", CASE_TEXT, styrer)
        if advice:
            web.domain.minute_case(case_id, advice)
    web.projections.wait()
    return case_id, web.domain.get_concern(web.concerns["own"]).child_id


# -- item 4: a restriction reaches everything derived ----------------------------------------------
def test_a_restricted_childs_case_is_withheld_from_every_attendee_of_the_meeting(web):
    case_id, child_id = bring_own_concern(web)
    url = f"/ressursteam/{web.meeting}"
    attendees = [web.login(role) for role in ("unit_leader", "resource_team", "ppt", "helsetjeneste")]
    assert all(CASE_TEXT in a.get(url).text for a in attendees)  # before: the case is there
    restrict(web, child_id)
    for attendee in attendees:
        page = attendee.get(url)
        assert page.status_code == 200
        assert CASE_TEXT not in page.text and CASE_ADVICE not in page.text
        assert RESTRICTED_TEXT in page.text  # the same words as on the child's own pages
        assert f"/ressursteam/sak/{case_id}/rad" not in page.text
    # Minuting it is refused, with the same words.
    leader = attendees[0]
    page = leader.get(url).text
    refused = leader.post(f"/ressursteam/sak/{case_id}/rad", data={"csrf_token": csrf_of(page), "advice": "Nytt råd"})
    assert refused.status_code == 403 and RESTRICTED_TITLE in refused.text
    assert web.domain.get_meeting_case(case_id).advice == CASE_ADVICE


def test_the_minutes_can_be_approved_without_advice_on_a_withheld_case(web):
    case_id, child_id = bring_own_concern(web, advice=None)
    restrict(web, child_id)
    leader = web.login("unit_leader")
    page = leader.get(f"/ressursteam/{web.meeting}").text
    approved = leader.post(f"/ressursteam/{web.meeting}/godkjenn", data={"csrf_token": csrf_of(page)})
    assert approved.status_code == 303
    assert web.domain.get_meeting(web.meeting).minutes_approved


def test_the_leaders_minutes_leave_out_a_restricted_childs_case(web):
    case_id, child_id = bring_own_concern(web)
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        web.domain.approve_minutes(web.meeting, styrer)
    web.projections.wait()
    municipal = web.login("municipal_leader")
    assert CASE_ADVICE in municipal.get("/ledelse").text  # before: the case is in the minutes
    restrict(web, child_id)
    minutes = municipal.get("/ledelse").text
    assert CASE_TEXT not in minutes and CASE_ADVICE not in minutes


def test_search_transfers_and_lists_leave_out_a_restricted_child(web):
    child_id = web.domain.get_concern(web.concerns["own"]).child_id
    name = web.domain.get_child(child_id).name
    staff, rektor = web.login("staff"), web.login("rektor")
    transfer = web.transfers["own"]

    def searched(client):
        page = client.get("/bekymringer/sok").text
        return client.post("/bekymringer/sok", data={"csrf_token": csrf_of(page), "name": name.split()[-1]}).text

    assert f"/bekymringer/{web.concerns['own']}" in searched(staff)
    assert f"/overforinger/{transfer}" in rektor.get("/overforinger").text
    restrict(web, child_id)
    assert f"/bekymringer/{web.concerns['own']}" not in searched(staff)
    assert name not in searched(staff)
    for client, url in ((staff, "/bekymringer"), (staff, "/bekymringer/forfalt"), (staff, "/barn"),
                        (rektor, "/overforinger"), (web.login("unit_leader"), "/bekymringer/innboks")):
        page = client.get(url).text
        assert name not in page and f"/overforinger/{transfer}" not in page, url
    refused = rektor.get(f"/overforinger/{transfer}")
    assert refused.status_code == 403 and RESTRICTED_TEXT in refused.text and name not in refused.text


def test_a_restricted_childs_reports_leave_the_reconciliation_and_overdue_lists(web):
    child_id = web.domain.get_concern(web.concerns["own"]).child_id
    name = web.domain.get_child(child_id).name
    with acting_as(web.ids["users"]["pedleder"]):  # sent four weeks ago, never confirmed received
        web.domain.send_referral(web.referrals["own"], TODAY - timedelta(days=28), "fiks")
    web.projections.wait()
    leader = web.login("unit_leader")
    assert name in leader.get("/henvisninger").text and name in leader.get("/bekymringer/forfalt").text
    restrict(web, child_id)
    for url in ("/henvisninger", "/bekymringer/forfalt"):
        page = leader.get(url)
        assert page.status_code == 200 and name not in page.text, url
        assert f"/henvisninger/{web.referrals['own']}" not in page.text, url


# -- item 5: break-the-glass cannot tell a restricted child from a missing one -----------------------
def normalised(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def stored_events(web) -> int:
    return web.domain.recorder.max_notification_id() or 0


def test_break_glass_answers_the_same_for_a_restricted_child_and_a_missing_one(web):
    other_unit_child = web.child_in("fjordvikskole")
    restrict(web, other_unit_child)
    staff = web.login("staff")  # Solsikken: the school's children are another unit's
    token = csrf_of(staff.get("/konto").text)
    answers = []
    for path in (f"/barn/{other_unit_child}", f"/barn/{uuid4()}"):
        before = stored_events(web)
        response = staff.post("/nodtilgang", data={"csrf_token": token, "path": path,
                                                   "reason": "Tjenstlig behov, akutt situasjon"})
        # The same work for both: one record of the attempt, nothing else.
        answers.append((response.status_code, normalised(response.text), stored_events(web) - before))
    assert answers[0][0] == 404
    assert answers[0] == answers[1]
    # The privacy officer still sees the attempt on the restricted child in her queue.
    web.projections.wait()
    officer = web.login("privacy_officer")
    queue = officer.get("/personvern").text  # one row per user and rule; the group names the child
    group = re.search(r'href="(/personvern/avvik\?[^"]*regel=break_glass[^"]*)"', queue)
    assert group, "no break-the-glass group in the queue"
    reads = officer.get(group.group(1).replace("&amp;", "&")).text
    assert web.domain.get_child(other_unit_child).name in reads and "Tjenstlig behov, akutt situasjon" in reads


# -- item 7: an erased child's blind indexes are gone -------------------------------------------------
def blind_indexes_of(web, child_id) -> set[str]:
    """Every blind index the app derives from the child (its name's tokens, its national
    identity number, its statistics keys), less those another living person shares."""
    data = demo_data.CHILDREN[web.ids["children"].index(child_id)]
    index = web.domain.blind_index
    name = f"{data['first_name']} {data['last_name']}"
    mine = {index(t) for t in tokens(name)} | {index("nin:" + data["national_id"]), index(data["last_name"]),
                                               index(f"stat-child:{child_id}"),
                                               index(name_and_birth_date(name, data["birth_date"]))}
    others = set()
    for other, other_id in zip(demo_data.CHILDREN, web.ids["children"]):
        if other_id != child_id:
            others |= {index(t) for t in tokens(f"{other['first_name']} {other['last_name']}")}
    for user in demo_data.USERS:
        others |= {index(t) for t in tokens(user["name"])}
    return mine - others


def test_no_blind_index_of_an_erased_child_remains_in_any_file_or_table(web, env):
    child_id = web.domain.get_concern(web.concerns["own"]).child_id
    stat_keys = {web.domain.blind_index(f"stat:{c}") for c in (web.concerns["own"], web.concerns["colleague"])
                 if web.domain.get_concern(c).child_id == child_id}
    web.login("laerer").get(f"/barn/{child_id}")  # an access from another unit: the log keeps it
    indexes = blind_indexes_of(web, child_id) | stat_keys
    assert indexes
    officer, admin = web.ids["users"]["personvern"], web.ids["users"]["admin"]
    request_id = web.domain.request_erasure(child_id, "Oppbevaringstiden er ute", officer)
    web.domain.confirm_erasure(request_id, admin)
    web.projections.wait()
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        stored = postgres_text(env["POSTGRES_SCHEMA"], env["POSTGRES_DBNAME"])
    else:
        stored = sqlite_bytes(env["BEKYMRING_DATA_DIR"]).decode("latin-1")
    assert [i for i in indexes if i in stored] == []


def test_an_erased_childs_national_identity_number_cannot_be_confirmed_by_its_claim(web, env):
    child_id = web.domain.get_concern(web.concerns["own"]).child_id
    nin = demo_data.CHILDREN[web.ids["children"].index(child_id)]["national_id"]
    index = web.domain.blind_index("nin-claim:" + nin)
    claim = str(claim_id(index))  # the id an event-store claim had

    def traces() -> list[str]:
        if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":  # the rows, and the claims' pages
            stored = postgres_text(env["POSTGRES_SCHEMA"], env["POSTGRES_DBNAME"])
            claims = postgres_pages(f'{env["POSTGRES_SCHEMA"]}.national_id_claims', env["POSTGRES_DBNAME"])
            stored += claims.decode("latin-1")
        else:  # SQLite keeps a UUID as text or as its 16 bytes
            raw = sqlite_bytes(env["BEKYMRING_DATA_DIR"])
            stored = raw.decode("latin-1") + raw.hex()
        return [t for t in (index, claim, claim.replace("-", "")) if t in stored]

    assert traces()  # the claim is stored while the child is registered: what must go
    request_id = web.domain.request_erasure(child_id, "Oppbevaringstiden er ute", web.ids["users"]["personvern"])
    web.domain.confirm_erasure(request_id, web.ids["users"]["admin"])
    web.projections.wait()
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        assert gone_after_vacuum(lambda: traces() == [], lambda: web.domain.shred_subject(child_id, "igjen"))
    assert traces() == []
