"""Concerns: the domain scenario, then the journeys through the pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from uuid import uuid4

import pytest

from events import clock
from events.audit import Access
from events.base import acting_as
from events.concern_commands import ConcernChanged
from events.concerns import ConcernClosed, InvalidConcern
from intranet import demo_data
from tests.htmltree import dom, field_error
from tests.rawstore import leaks
from tests.webclient import csrf_of


def access_events(domain) -> list:
    read = (domain.mapper.to_domain_event(n) for n in domain.recorder.select_notifications(1, 100_000))
    return [e for e in read if isinstance(e, Access.Created)]


def child_name(child_id, web) -> str:
    data = demo_data.CHILDREN[web.ids["children"].index(child_id)]
    return f"{data['first_name']} {data['last_name']}"


# -- the domain, narrated ------------------------------------------------------------------
@pytest.fixture
def child(domain):
    """A child in a kindergarten, for the tests of the domain alone."""
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    return domain.register_child("Ola", "Nordmann", date(2021, 5, 5), unit)


def test_a_concern_from_first_worry_to_closing(domain):
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    child = domain.register_child("Ola", "Nordmann", date(2021, 5, 5), unit)
    author, colleague = uuid4(), uuid4()
    today = clock.today()

    # A pedagogical leader writes down what she saw.
    with acting_as(author):
        concern_id = domain.open_concern(child, author, today, "Ola kom uten yttertøy i sludd.",
                                         "«Mamma sov»", ["neglect", "substance_use"], 3)
    concern = domain.get_concern(concern_id)
    assert (concern.level, concern.status, concern.unit_id) == (0, "open", unit)
    assert concern.guardian_talk_due == today + timedelta(days=14)

    def change(fn, actor=author):
        with acting_as(actor):
            return domain.change_concern(concern_id, domain.get_concern(concern_id).version, actor, fn)

    # She adds to the chronology, then corrects an entry: both versions remain.
    change(lambda c: c.log_observation(today, "Sovnet i samlingsstunden.", "", author))
    change(lambda c: c.correct_entry(2, "Sovnet i samlingsstunden, virket utmattet.", "", "presisering", author))
    entry = domain.get_concern(concern_id).entries[1]
    assert entry["text"].endswith("utmattet.")
    assert entry["corrections"][0]["text"] == "Sovnet i samlingsstunden."
    # The action guide: tick steps at level 0, talk with the guardians, go to level 1.
    change(lambda c: c.mark_step("talk_leader", True))
    change(lambda c: c.record_guardian_talk(today, "mor, pedagogisk leder", "Mor forteller om en tung periode.", True, author))
    change(lambda c: c.set_level(1, "Tiltak i barnehagen"))
    change(lambda c: c.add_measure("Ekstra matpakke", "Pedagogisk leder", today + timedelta(days=7), today + timedelta(days=30), author))
    change(lambda c: c.share_with(colleague))
    change(lambda c: c.evaluate_measure(1, "Ola spiser godt nå", today), actor=colleague)
    concern = domain.get_concern(concern_id)
    assert concern.steps_done == {"0": ["talk_leader"]}
    assert concern.level == 1 and concern.talks[0]["child_heard"]
    assert concern.measures[0]["outcome"] == "Ola spiser godt nå"
    assert concern.shared_with == [colleague]
    # Closing needs a reason; a closed concern refuses changes until reopened.
    with pytest.raises(InvalidConcern):
        change(lambda c: c.close(" "))
    change(lambda c: c.close("Tiltak virket"))
    with pytest.raises(ConcernClosed):
        change(lambda c: c.log_observation(today, "x", "", author))
    change(lambda c: c.reopen("Ny bekymring"))
    assert domain.get_concern(concern_id).is_open
    kinds = [c.kind for c in domain.changes_since(concern_id, 0)]
    assert kinds[:3] == ["Created", "ObservationLogged", "EntryCorrected"]
    assert kinds[-2:] == ["Closed", "Reopened"]


def test_another_users_change_since_loading_is_a_conflict_but_ones_own_is_not(domain, child):
    a, b = uuid4(), uuid4()
    with acting_as(a):
        concern_id = domain.open_concern(child, a, clock.today(), "Observasjon", "", ["other"], 1)
    seen = domain.get_concern(concern_id).version
    with acting_as(a):
        domain.change_concern(concern_id, seen, a, lambda c: c.log_observation(clock.today(), "A1", "", a))
        # A second form on A's own page, loaded before A's first save: no conflict.
        domain.change_concern(concern_id, seen, a, lambda c: c.mark_step("decide", True))
    with acting_as(b), pytest.raises(ConcernChanged) as conflict:
        domain.change_concern(concern_id, seen, b, lambda c: c.log_observation(clock.today(), "B1", "", b))
    assert [c.kind for c in conflict.value.changes] == ["ObservationLogged", "StepMarked"]
    assert {c.actor_id for c in conflict.value.changes} == {a}


def test_one_read_gives_the_concern_and_its_whole_history(domain, child):
    author = uuid4()
    with acting_as(author):
        concern_id = domain.open_concern(child, author, clock.today(), "Kom uten matpakke.", "", ["neglect"], 2)
        domain.change_concern(concern_id, 1, author, lambda c: c.set_level(1, "Tiltak i barnehagen"))
    concern, history = domain.concern_with_history(concern_id)
    assert vars(concern) == vars(domain.get_concern(concern_id))
    assert history == domain.changes_since(concern_id, 0) and len(history) == 2


def test_the_domain_refuses_bad_concerns(domain, child):
    for kwargs in (
        {"observation": " "},
        {"categories": []},
        {"categories": ["astrology"]},
        {"worry": 9},
        {"observed_on": clock.today() + timedelta(days=1)},
    ):
        args = {"observed_on": clock.today(), "observation": "x", "child_words": "",
                "categories": ["other"], "worry": 2, **kwargs}
        with pytest.raises(InvalidConcern):
            domain.open_concern(child, uuid4(), **args)


# -- the pages ---------------------------------------------------------------------------------
def new_concern_form(web, client, **fields):
    page = client.get("/bekymringer/ny").text
    key = dom(page).one("input[name=form_key]")["value"]  # the form's key against a double post
    data = {"csrf_token": csrf_of(page), "form_key": key, "observed_on": clock.today().isoformat(), **fields}
    return page, data


def test_staff_files_a_concern_and_follows_it_up(web, env):
    staff = web.login("staff")
    child = web.child_in("solsikken")
    page, data = new_concern_form(web, staff)
    assert child_name(child, web) in page  # the unit's children to choose from

    # A form with errors comes back with every value and each error by its field.
    bad = staff.post("/bekymringer/ny", data={**data, "child_id": "", "observation": "Kom sulten igjen", "child_words": "«Ingen mat hjemme»"})
    assert bad.status_code == 422
    form = dom(bad.text).one("form#new-concern")
    assert form.one("textarea[name=observation]").text == "Kom sulten igjen"
    assert form.one("textarea[name=child_words]").text == "«Ingen mat hjemme»"
    for name, message in (("child_id", "Velg barnet"), ("categories", "Velg minst én kategori."),
                          ("worry", "Velg hvor bekymret du er.")):
        assert message in field_error(form, name)
    assert dom(bad.text).has("html")  # no JavaScript: the whole page
    fragment = staff.post("/bekymringer/ny", headers={"HX-Request": "true"},
                          data={**data, "observation": "Kom sulten igjen"})
    assert fragment.status_code == 422
    assert [e.tag + "#" + e["id"] for e in dom(fragment.text).child_elements] == ["form#new-concern"]

    before = len(access_events(web.domain))
    filed = staff.post("/bekymringer/ny", data={
        **data, "child_id": str(child), "observation": "Kom sulten igjen i dag, tredje gang denne uken.",
        "child_words": "«Ingen mat hjemme»", "categories": ["neglect", "substance_use"], "worry": "3",
    })
    assert filed.status_code == 303
    concern_url = filed.headers["location"]
    page = staff.get(concern_url)
    assert page.status_code == 200
    assert "Kom sulten igjen i dag" in page.text and "«Ingen mat hjemme»" in page.text
    assert "Snakk med foresatte og barnet innen" in page.text
    assert len(access_events(web.domain)) == before + 1
    assert access_events(web.domain)[-1].subject_ids == [child]

    # Adding to the chronology with htmx returns the logbook section, and the
    # history out of band (it shows the change too); an earlier error goes.
    token = csrf_of(page.text)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    added = staff.post(f"{concern_url}/logg", headers={"HX-Request": "true"}, data={
        "csrf_token": token, "version": version, "observed_on": clock.today().isoformat(),
        "text": "Hentet av bestemor, som luktet alkohol.", "child_words": ""})
    assert added.status_code == 200
    assert [e.tag + "#" + e["id"] for e in dom(added.text).child_elements] == [
        "section#logbook", "section#history", "div#request-error", "div#announce"]
    # The live region says it was saved; the focus goes to the new entry (static/a11y.js).
    assert dom(added.text).one("div#announce").text == "Lagt til i loggen."
    assert added.headers["HX-Trigger-After-Settle"] == '{"focus-after-swap": "entry-2"}'
    assert "hx-swap-oob" not in dom(added.text).one("section#logbook")
    assert dom(added.text).one("section#history")["hx-swap-oob"] == "true"
    assert "luktet alkohol" in added.text
    # Without JavaScript the same form redirects back to its section. The other
    # forms on the page still carry the old version: one's own changes are no conflict.
    talk = staff.post(f"{concern_url}/samtale", data={
        "csrf_token": token, "version": version, "held_on": clock.today().isoformat(),
        "participants": "mor og pedagogisk leder", "summary": "Mor ble overrasket, men var samarbeidsvillig.",
        "child_heard": "1"})
    assert talk.status_code == 303 and talk.headers["location"].endswith("#talks")
    measure = staff.post(f"{concern_url}/tiltak", data={
        "csrf_token": token, "version": version, "measure": "Frokost i barnehagen",
        "responsible": "Pedagogisk leder", "deadline": clock.today().isoformat(),
        "evaluate_on": (clock.today() - timedelta(days=1)).isoformat()})
    assert measure.status_code == 422 and "Evalueringsdatoen kan ikke være før fristen." in measure.text
    assert "Frokost i barnehagen" in measure.text
    colleague = web.ids["users"]["barnehagelaerer"]
    assert staff.post(f"{concern_url}/del", data={"csrf_token": token, "version": version,
                                                  "user_id": str(colleague)}).status_code == 303
    web.projections.wait()
    # The colleague now sees it in her list and can open it.
    other = web.login("barnehagelaerer")
    assert concern_url in other.get("/bekymringer").text
    assert other.get(concern_url).status_code == 200
    # The unit leader has it in the inbox.
    leader = web.login("unit_leader")
    assert concern_url in leader.get("/bekymringer/innboks").text
    # Nothing of it is in clear in the store.
    assert leaks(env, ["Kom sulten igjen i dag", "Ingen mat hjemme", "luktet alkohol",
                       "Mor ble overrasket", "Frokost i barnehagen"]) == []


def test_two_people_change_the_same_concern_at_once(web):
    concern_url = f"/bekymringer/{web.concerns['own']}"
    staff = web.login("staff")
    leader = web.login("unit_leader")
    staff_page, leader_page = staff.get(concern_url).text, leader.get(concern_url).text
    version = re.search(r'name="version" value="(\d+)"', staff_page).group(1)
    first = staff.post(f"{concern_url}/logg", data={
        "csrf_token": csrf_of(staff_page), "version": version,
        "observed_on": clock.today().isoformat(), "text": "Staff skrev dette først."})
    assert first.status_code == 303
    second = leader.post(f"{concern_url}/logg", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf_of(leader_page), "version": version,
        "observed_on": clock.today().isoformat(), "text": "Lederens tekst som ikke må forsvinne."})
    assert second.status_code == 409
    assert "Bekymringen ble endret av andre" in second.text
    staff_name = next(u["name"] for u in demo_data.USERS if u["username"] == "pedleder")
    assert f"{staff_name} la til en observasjon" in second.text
    assert "Lederens tekst som ikke må forsvinne." in second.text  # kept in the form
    # The form now carries the current version: saving again stores both entries.
    new_version = re.search(r'name="version" value="(\d+)"', second.text).group(1)
    again = leader.post(f"{concern_url}/logg", data={
        "csrf_token": csrf_of(leader_page), "version": new_version,
        "observed_on": clock.today().isoformat(), "text": "Lederens tekst som ikke må forsvinne."})
    assert again.status_code == 303
    texts = [e["text"] for e in web.domain.get_concern(web.concerns["own"]).entries]
    assert texts[-2:] == ["Staff skrev dette først.", "Lederens tekst som ikke må forsvinne."]


def test_the_conflict_message_names_who_changed_what(web):
    concern_url = f"/bekymringer/{web.concerns['own']}"
    staff, leader = web.login("staff"), web.login("unit_leader")
    page = leader.get(concern_url).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    staff_page = staff.get(concern_url).text
    staff.post(f"{concern_url}/niva", data={"csrf_token": csrf_of(staff_page), "version": version,
                                            "level": "1", "reason": "Tiltak i egen tjeneste"})
    conflict = leader.post(f"{concern_url}/niva", data={"csrf_token": csrf_of(page), "version": version,
                                                        "level": "2", "reason": "Samarbeid med PPT"})
    assert conflict.status_code == 409
    staff_name = next(u["name"] for u in demo_data.USERS if u["username"] == "pedleder")
    assert f"{staff_name} endret BTI-nivå" in conflict.text
    assert dom(conflict.text).one("form[action$='/niva'] input[name=reason]")["value"] == "Samarbeid med PPT"


def test_a_draft_is_saved_while_typing_and_survives_a_reload(web, env):
    staff = web.login("staff")
    page, data = new_concern_form(web, staff)
    saved = staff.post("/bekymringer/utkast", headers={"HX-Request": "true"},
                       data={**data, "observation": "Halvskrevet: gutten hadde blåmerker på armen", "categories": ["violence"]})
    assert saved.status_code == 200 and "Utkast lagret kl." in saved.text
    again = staff.get("/bekymringer/ny").text
    assert "Vi hentet fram utkastet ditt." in again
    assert "Halvskrevet: gutten hadde blåmerker på armen" in again
    assert "checked" in dom(again).one("form#new-concern input[name=categories][value=violence]")
    assert leaks(env, ["Halvskrevet: gutten hadde"]) == []
    filed = staff.post("/bekymringer/ny", data={
        **data, "child_id": str(web.child_in("solsikken")), "observation": "Blåmerker på armen",
        "categories": ["violence"], "worry": "4"})
    assert filed.status_code == 303
    assert "Vi hentet fram utkastet ditt." not in staff.get("/bekymringer/ny").text


def test_suspected_violence_says_contact_barnevernet_now_and_not_the_guardians(web):
    concern_id = web.file_concern("pedleder", "solsikken", categories=("violence",))
    page = web.login("staff").get(f"/bekymringer/{concern_id}").text
    assert "Kontakt barnevernet eller politiet <strong>nå</strong>" in page
    assert "ikke snakk med foresatte" in page.lower()
    web.projections.wait()
    row = web.projections["concerns"].view.fetchone("SELECT talk_due_on FROM {concerns} WHERE id = ?", (str(concern_id),))
    assert row["talk_due_on"] is None


def test_with_suspected_violence_the_guide_shows_its_own_steps_not_a_talk_with_the_guardians(web):
    """The red banner and the checklist say the same: barnevernet or the police
    first, and no conversation with the guardians before they have advised."""
    concern_id = web.file_concern("pedleder", "solsikken", categories=("violence",))
    staff = web.login("staff")
    guide = dom(staff.get(f"/bekymringer/{concern_id}").text).one("#guide")
    steps = [li.text for li in guide.select("li")]
    assert any("Kontakt barnevernet eller politiet straks" in s for s in steps), steps
    assert not any("Snakk med foresatte" in s for s in steps), steps
    # The ordinary guide for a concern without violence or abuse.
    ordinary = dom(staff.get(f"/bekymringer/{web.concerns['own']}").text).one("#guide")
    assert any("Snakk med foresatte og barnet" in li.text for li in ordinary.select("li"))


def test_the_domain_marks_only_the_steps_the_concern_has(domain, child):
    author = uuid4()
    with acting_as(author):
        urgent = domain.open_concern(child, author, clock.today(), "Blåmerker på armene.", "", ["violence"], 4)
        with pytest.raises(InvalidConcern) as refused:
            domain.mark_guide_step(urgent, 1, author, "talk_guardians_child", True)
        assert refused.value.code == "concern.no_such_step"
        domain.mark_guide_step(urgent, 1, author, "contact_authorities", True)
    assert domain.get_concern(urgent).steps_done == {"0": ["contact_authorities"]}


def test_overdue_conversations_and_evaluations(web):
    author = web.ids["users"]["pedleder"]
    child = web.child_in("solsikken")
    with acting_as(author):
        late = web.domain.open_concern(child, author, clock.today() - timedelta(days=20),
                                       "Gammel bekymring", "", ["absence"], 2)
        web.domain.change_concern(late, 1, author, lambda c: c.add_measure(
            "Oppfølging", "Styrer", clock.today() - timedelta(days=10), clock.today() - timedelta(days=3), author))
    web.projections.wait()
    for client in (web.login("staff"), web.login("unit_leader")):
        page = client.get("/bekymringer/forfalt").text
        talks, measures = page.split("Tiltak som skulle vært evaluert")
        assert f"/bekymringer/{late}" in talks
        assert f"/bekymringer/{late}#plan" in measures
    # Someone outside the concern does not see it listed.
    other = web.login("laerer").get("/bekymringer/forfalt").text
    assert f"/bekymringer/{late}" not in other


def test_search_by_name_finds_only_what_the_user_may_see(web):
    name = child_name(web.child_in("solsikken"), web)
    last_name = name.split()[-1]
    staff = web.login("staff")
    page = staff.get("/bekymringer/sok").text
    result = staff.post("/bekymringer/sok", data={"csrf_token": csrf_of(page), "name": last_name.upper()})
    assert f"/bekymringer/{web.concerns['own']}" in result.text
    assert f"/bekymringer/{web.concerns['colleague']}" not in result.text  # not shared with her
    leader = web.login("unit_leader")
    page = leader.get("/bekymringer/sok").text
    result = leader.post("/bekymringer/sok", data={"csrf_token": csrf_of(page), "name": name})
    assert f"/bekymringer/{web.concerns['colleague']}" in result.text
    assert last_name not in str(result.url)


def test_no_concern_page_is_shown_if_its_access_cannot_be_recorded(web, monkeypatch):
    staff = web.login("staff")
    concern_url = f"/bekymringer/{web.concerns['own']}"
    name = child_name(web.child_in("solsikken"), web)
    assert name in staff.get(concern_url).text

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(web.domain, "record_access", broken)
    response = staff.get(concern_url)
    assert response.status_code == 503
    assert name not in response.text and "Kom uten matpakke" not in response.text
    assert "kunne ikke logge" in response.text


def test_unit_leader_moves_a_concern_through_the_guide_and_closes_it(web):
    leader = web.login("unit_leader")
    concern_id = web.concerns["colleague"]
    url = f"/bekymringer/{concern_id}"
    page = leader.get(url).text
    token = csrf_of(page)

    def post(action, **data):
        version = re.search(r'name="version" value="(\d+)"', leader.get(url).text).group(1)
        return leader.post(f"{url}/{action}", data={"csrf_token": token, "version": version, **data})

    assert post("steg", step="talk_leader", done="1").status_code == 303
    assert post("niva", level="1", reason="").status_code == 422  # a reason is required
    assert post("niva", level="1", reason="Tiltak i barnehagen").status_code == 303
    page = leader.get(url).text
    assert "Nivå 1 – tiltak i egen tjeneste" in page and "Lag en tiltaksplan sammen med foresatte" in page
    assert post("tiltak", measure="Fast voksen ved henting", responsible="Styrer",
                deadline=clock.today().isoformat(), evaluate_on=clock.today().isoformat()).status_code == 303
    assert post("evaluer", no="1", outcome="Fungerer godt").status_code == 303
    staff_id = web.ids["users"]["pedleder"]
    assert post("del", user_id=str(staff_id)).status_code == 303
    web.projections.wait()
    assert web.login("staff").get(url).status_code == 200
    assert post("fjern-deling", user_id=str(staff_id)).status_code == 303
    assert web.login("staff").get(url).status_code == 404
    assert post("lukk", reason="").status_code == 422
    assert post("lukk", reason="Tiltakene har virket").status_code == 303
    closed = leader.get(url).text
    assert "Begrunnelse: Tiltakene har virket" in closed and "Legg til i loggen" not in closed
    web.projections.wait()
    assert url in leader.get("/bekymringer/innboks?status=avsluttet").text
    assert post("logg", observed_on=clock.today().isoformat(), text="x").status_code == 422
    assert post("gjenapne", reason="Ny hendelse").status_code == 303
    assert "Legg til i loggen" in leader.get(url).text
    concern = web.domain.get_concern(concern_id)
    assert concern.measures[0]["outcome"] == "Fungerer godt" and concern.steps_done == {"0": ["talk_leader"]}


def test_the_history_says_what_each_change_changed(domain, child):
    author = uuid4()
    today = clock.today()
    with acting_as(author):
        concern_id = domain.open_concern(child, author, today, "Kom uten matpakke.", "", ["neglect"], 2)

        def change(fn):
            domain.change_concern(concern_id, domain.get_concern(concern_id).version, author, fn)

        change(lambda c: c.set_level(1, "Tiltak i barnehagen"))
        change(lambda c: c.set_level(2, "Trenger PPT"))
        change(lambda c: c.add_measure("Ekstra matpakke", "Pedagogisk leder", today, today, author))
        change(lambda c: c.evaluate_measure(1, "Spiser godt nå", today))
        change(lambda c: c.mark_step("consent", True))
        change(lambda c: c.close("Tiltak virket"))
    _concern, history = domain.concern_with_history(concern_id)
    assert [(c.kind, c.details) for c in history] == [
        ("Created", {}),
        ("LevelSet", {"from": 0, "to": 1, "reason": "Tiltak i barnehagen"}),
        ("LevelSet", {"from": 1, "to": 2, "reason": "Trenger PPT"}),
        ("MeasureAdded", {"measure": "Ekstra matpakke"}),
        ("MeasureEvaluated", {"measure": "Ekstra matpakke", "outcome": "Spiser godt nå"}),
        ("StepMarked", {"step": "consent", "done": True}),
        ("Closed", {"reason": "Tiltak virket"}),
    ]
    # A conflict describes the others' changes the same way, the old level included.
    assert [c.details for c in domain.changes_since(concern_id, 2)][0] == {
        "from": 1, "to": 2, "reason": "Trenger PPT"}


def test_a_level_change_with_htmx_updates_the_badge_and_the_history_in_the_same_answer(web):
    concern_url = f"/bekymringer/{web.concerns['own']}"
    staff = web.login("staff")
    page = staff.get(concern_url).text
    assert dom(page).one("#concern-summary .badge[class*=level-]").text == "BTI-nivå 0"
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    changed = staff.post(f"{concern_url}/niva", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf_of(page), "version": version, "level": "2", "reason": "Trenger PPT"})
    assert changed.status_code == 200
    answer = dom(changed.text)
    assert [e.tag + "#" + e["id"] for e in answer.child_elements] == [
        "section#guide", "p#concern-summary", "section#history", "div#request-error", "div#announce"]
    assert answer.one("p#concern-summary")["hx-swap-oob"] == "true"
    assert answer.one("#concern-summary .badge[class*=level-]").text == "BTI-nivå 2"
    staff_name = next(u["name"] for u in demo_data.USERS if u["username"] == "pedleder")
    assert f"{staff_name} endret BTI-nivå fra nivå 0 til nivå 2: «Trenger PPT»" in answer.one("#history").text
    # The whole page, without JavaScript, says the same; it has no out-of-band marks.
    again = staff.get(concern_url).text
    assert "hx-swap-oob" not in again
    assert "endret BTI-nivå fra nivå 0 til nivå 2: «Trenger PPT»" in dom(again).one("#history").text


def test_an_htmx_request_that_fails_gets_the_message_alone_for_the_pages_error_place(web):
    staff = web.login("staff")
    page = staff.get("/").text
    missing = staff.post(f"/bekymringer/{uuid4()}/logg", headers={
        "HX-Request": "true", "HX-Current-URL": "http://testserver/bekymringer"},
        data={"csrf_token": csrf_of(page), "text": "Teksten"})
    assert missing.status_code == 404
    assert "<html" not in missing.text and "<h1" not in missing.text
    assert "Finner ikke siden." in missing.text
    assert "Det du skrev, står fortsatt i skjemaet." in missing.text
    assert 'href="/bekymringer"' in missing.text
    # The page has the place, announced, for it.
    assert dom(page).one("main #request-error")["role"] == "alert"

def test_an_empty_date_asks_for_the_date_and_a_wrong_one_for_a_valid_one(web):
    staff = web.login("staff")
    page, data = new_concern_form(web, staff)
    empty = staff.post("/bekymringer/ny", data={**data, "observed_on": ""})
    assert field_error(dom(empty.text), "observed_on") == "Feil: Dato for observasjonen: skriv datoen."
    wrong = staff.post("/bekymringer/ny", data={**data, "observed_on": "32.13.2026"})
    assert field_error(dom(wrong.text), "observed_on") == "Feil: Dato for observasjonen: skriv en gyldig dato (dd.mm.åååå)."
    leader = web.login("unit_leader")
    form = leader.get("/ressursteam/nytt").text
    scheduled = leader.post("/ressursteam/nytt", data={"csrf_token": csrf_of(form), "kind": "extra", "held_on": "",
                                                      "unit_ids": [str(web.ids["units"]["solsikken"])],
                                                      "services": ["ppt"]})
    assert field_error(dom(scheduled.text), "held_on") == "Feil: Skriv datoen."


def test_an_empty_draft_is_not_announced_as_restored(web):
    staff = web.login("staff")
    page, data = new_concern_form(web, staff)
    saved = staff.post("/bekymringer/utkast", headers={"HX-Request": "true"},
                       data={**data, "child_id": "", "observation": " ", "child_words": ""})
    assert saved.status_code == 200
    assert "Vi hentet fram utkastet ditt." not in staff.get("/bekymringer/ny").text


@pytest.mark.parametrize("words", ["«Mamma sov hele dagen»", "Mamma sov hele dagen", '"Mamma sov hele dagen"',
                                   "“Mamma sov hele dagen”"])
def test_the_childs_words_are_quoted_once(web, words):
    author = web.ids["users"]["pedleder"]
    with acting_as(author):
        concern = web.domain.open_concern(web.child_in("solsikken"), author, clock.today(), "Sliten i dag.", words,
                                          ["neglect"], 2)
    web.projections.wait()
    page = dom(web.login("staff").get(f"/bekymringer/{concern}").text)
    assert page.one("#logbook blockquote").text == "Barnet sa: «Mamma sov hele dagen»"


def test_the_resource_teams_advice_in_the_log_offers_no_correction(web):
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        case = web.domain.bring_case(web.meeting, web.concerns["own"], "anonymous", "Barnet er sulten.", styrer)
        web.domain.minute_case(case, "Snakk med foresatte denne uken.")
        web.domain.approve_minutes(web.meeting, styrer)
    web.projections.wait()
    page = dom(web.login("staff").get(f"/bekymringer/{web.concerns['own']}").text)
    entries = page.select("#logbook ol.logbook > li")
    advice = [e for e in entries if "Råd fra ressursteamet" in e.text]
    assert len(advice) == 1
    assert not advice[0].has("form") and "Korriger" not in advice[0].text
    assert any(e.has("form[action$='/korriger']") for e in entries if e is not advice[0])
