"""The resource team and the leaders' anonymised view."""

from __future__ import annotations

import re
from datetime import date, timedelta
from uuid import uuid4

import pytest

from events import clock
from events.base import acting_as
from events.concerns import MAX_TEXT
from events.errors import DomainError
from events.meetings import ConsentDoesNotCoverMeeting, InvalidMeeting
from intranet import demo_data
from intranet.leaders import DIMENSION_NAMES
from tests.htmltree import dom
from tests.rawstore import leaks
from tests.factories import give_consent
from tests.webclient import csrf_of

TODAY = clock.today()
GUARDIANS = [{"name": "Mona Lyng", "relation": "mor", "parental_responsibility": True, "phone": "412 34 567"},
             {"name": "Tor Lyng", "relation": "far", "parental_responsibility": True}]


@pytest.fixture
def team(domain):
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    child = domain.register_child("Ola", "Lyng", date(2021, 5, 5), unit, "", GUARDIANS)
    leader, styrer = uuid4(), uuid4()
    with acting_as(styrer):
        concern = domain.open_concern(child, styrer, TODAY, "Ola Lyng sa at mor Mona Lyng sover hele dagen. Ring 412 34 567.",
                                      "«Mamma sover»", ["substance_use"], 3)
    meeting = domain.schedule_meeting("autumn", TODAY, [unit], ["barnevern", "ppt", "unit_leader"], leader, "Rådhuset", "09:00")
    return domain, unit, child, concern, meeting, leader, styrer


def test_bringing_a_case_anonymised_then_minutes_go_back_to_the_concern(team):
    domain, unit, child, concern, meeting, leader, styrer = team
    redacted = domain.anonymised_concern(concern).text
    assert "Ola" not in redacted and "Mona" not in redacted and "412" not in redacted
    assert "sover hele dagen" in redacted
    with pytest.raises(InvalidMeeting, match="still names"):
        domain.bring_case(meeting, concern, "anonymous", redacted + " Ola trenger hjelp.", styrer)
    case_id = domain.bring_case(meeting, concern, "anonymous", redacted, styrer)
    case = domain.get_meeting_case(case_id)
    assert (case.age_band, case.unit_kind, case.mode) == ("3–5 år", "barnehage", "anonymous")
    domain.add_general_issue(meeting, "Fravær i barnehagen", "Hvordan følge opp høyt fravær?", styrer)
    with pytest.raises(InvalidMeeting, match="every case"):
        domain.approve_minutes(meeting, leader)
    domain.minute_case(case_id, "Kontakt foresatte; vurder melding til barnevernet hvis det gjentar seg. Ola bør få fast voksen.")
    assert "Ola" not in domain.get_meeting_case(case_id).advice_redacted
    domain.minute_general(meeting, 1, "Lag felles rutine for fravær.")
    with pytest.raises(InvalidMeeting, match="meeting leader"):
        domain.approve_minutes(meeting, styrer)
    domain.approve_minutes(meeting, leader)
    entries = domain.get_concern(concern).entries
    assert entries[-1]["text"].startswith("Råd fra ressursteamet") and "fast voksen" in entries[-1]["text"]
    assert domain.get_meeting_case(case_id).returned_to_concern
    with pytest.raises(InvalidMeeting, match="closed"):
        domain.add_general_issue(meeting, "For sent", "", styrer)


def test_approving_minutes_saves_all_or_nothing(team):
    """One concern refusing its advice leaves the meeting open and no concern with advice:
    the page can never say the advice was sent when part of it was not."""
    domain, unit, child, concern, meeting, leader, styrer = team
    other_child = domain.register_child("Kari", "Strand", date(2020, 3, 3), unit, "", [])
    with acting_as(styrer):
        other = domain.open_concern(other_child, styrer, TODAY, "Kommer sliten og sulten.", "", ["neglect"], 2)
    first = domain.bring_case(meeting, concern, "anonymous", "Barnet sover dårlig.", styrer)
    second = domain.bring_case(meeting, other, "anonymous", "Barnet er sulten.", styrer)
    domain.minute_case(first, "Snakk med foresatte.")
    # Advice stored before minuting had a length limit (the event, past the rule): the log refuses it.
    case = domain.get_meeting_case(second)
    case._advice_minuted("x" * MAX_TEXT, "x" * MAX_TEXT)
    domain.save(case)
    with pytest.raises(DomainError) as refused:
        domain.approve_minutes(meeting, leader)
    assert refused.value.code == "text.too_long"
    assert not domain.get_meeting(meeting).minutes_approved
    assert not any("Råd fra ressursteamet" in e["text"] for e in domain.get_concern(concern).entries)
    assert not domain.get_meeting_case(first).returned_to_concern


def test_advice_too_long_for_the_log_is_refused_when_minuted(team):
    domain, unit, child, concern, meeting, leader, styrer = team
    case_id = domain.bring_case(meeting, concern, "anonymous", "Barnet sover dårlig.", styrer)
    with pytest.raises(DomainError) as refused:
        domain.minute_case(case_id, "x" * MAX_TEXT)
    assert (refused.value.code, refused.value.field) == ("text.too_long", "advice")
    assert domain.get_meeting_case(case_id).advice == ""


def test_one_concern_brought_twice_gets_both_advices(team):
    domain, unit, child, concern, meeting, leader, styrer = team
    cases = [domain.bring_case(meeting, concern, "anonymous", f"Sak {i}.", styrer) for i in (1, 2)]
    for i, case_id in enumerate(cases):
        domain.minute_case(case_id, f"Råd nummer {i + 1}.")
    domain.approve_minutes(meeting, leader)
    texts = [e["text"] for e in domain.get_concern(concern).entries]
    assert any("Råd nummer 1." in t for t in texts) and any("Råd nummer 2." in t for t in texts)
    assert all(domain.get_meeting_case(c).returned_to_concern for c in cases)


def test_the_team_advice_in_a_concern_log_cannot_be_corrected(team):
    """The advice is the team's, minuted and approved: no one corrects it in the concern."""
    domain, unit, child, concern, meeting, leader, styrer = team
    case_id = domain.bring_case(meeting, concern, "anonymous", "Barnet sover dårlig.", styrer)
    domain.minute_case(case_id, "Snakk med foresatte.")
    domain.approve_minutes(meeting, leader)
    entry = domain.get_concern(concern).entries[-1]
    assert entry["advice_from"] == meeting and entry["observed_on"] == TODAY
    version = domain.get_concern(concern).version
    with pytest.raises(DomainError) as refused:
        domain.correct_observation(concern, version, styrer, entry["no"], "Endret råd.", "", "feil")
    assert refused.value.code == "concern.entry_is_advice"
    assert domain.get_concern(concern).entries[-1]["text"] == entry["text"]


def test_by_name_only_with_consent_for_every_attending_service(team):
    domain, unit, child, concern, meeting, leader, styrer = team
    with pytest.raises(ConsentDoesNotCoverMeeting) as refused:
        domain.bring_case(meeting, concern, "named", "Ola Lyng, 5 år", styrer)
    assert set(refused.value.missing) == {"barnevern", "ppt"}
    signers = [g["name"] for g in GUARDIANS]
    give_consent(domain, child, ["ppt"], signers=signers, days=90, recorded_by=styrer,
                 information=["observations"], purpose="Drøfting i ressursteam")
    with pytest.raises(ConsentDoesNotCoverMeeting) as still:
        domain.bring_case(meeting, concern, "named", "Ola Lyng, 5 år", styrer)
    assert set(still.value.missing) == {"barnevern"}
    give_consent(domain, child, ["barnevern"], signers=signers, days=90, recorded_by=styrer,
                 information=["observations"], purpose="Drøfting i ressursteam")
    case_id = domain.bring_case(meeting, concern, "named", "Ola Lyng, 5 år", styrer)
    assert domain.get_meeting_case(case_id).mode == "named"


def names_in(text: str) -> list[str]:
    names = [f"{c['first_name']} {c['last_name']}" for c in demo_data.CHILDREN]
    names += [g["name"] for c in demo_data.CHILDREN for g in c["guardians"]]
    names += [c["last_name"] for c in demo_data.CHILDREN]
    return [n for n in names if n in text]


def test_the_journey_from_unit_leader_to_resource_team_to_leaders(web):
    leader = web.login("unit_leader")  # styrer: leads the fixture meeting and her unit is in it
    url = f"/ressursteam/{web.meeting}"
    page = leader.get(url).text
    assert "Barnevernet deltar" in page
    concern_id = web.concerns["own"]
    form = leader.get(f"{url}/sak?bekymring={concern_id}").text
    assert "Barnevernet må handle på et barn det kan identifisere" in form
    redacted = dom(form).one("textarea#f-text[name=text]").text
    assert names_in(redacted) == []
    child = web.domain.get_child(web.domain.get_concern(concern_id).child_id)
    named = leader.post(f"{url}/sak", data={"csrf_token": csrf_of(form), "concern_id": str(concern_id),
                                           "mode": "anonymous", "text": f"{child.first_name} kom uten matpakke."})
    assert named.status_code == 422 and "fortsatt navn" in named.text
    by_name = leader.post(f"{url}/sak", data={"csrf_token": csrf_of(form), "concern_id": str(concern_id),
                                             "mode": "named", "text": child.name})
    assert by_name.status_code == 422 and "Mangler: Barnevernet" in by_name.text
    ok = leader.post(f"{url}/sak", data={"csrf_token": csrf_of(form), "concern_id": str(concern_id),
                                        "mode": "anonymous", "text": "Barnet kom uten matpakke tre dager på rad."})
    assert ok.status_code == 303
    # The barnevern member attending sees the case, without a name.
    member = web.login("resource_team").get(url)
    assert member.status_code == 200 and "uten matpakke tre dager" in member.text and child.name not in member.text
    # The leader minutes and approves; the advice lands in the concern's logbook.
    page = leader.get(url).text
    case_id = re.search(r'/ressursteam/sak/([0-9a-f-]{36})/rad', page).group(1)
    assert leader.post(f"/ressursteam/sak/{case_id}/rad", data={"csrf_token": csrf_of(page),
                       "advice": "Snakk med foresatte denne uken og avtal frokost i barnehagen."}).status_code == 303
    assert leader.post(f"{url}/godkjenn", data={"csrf_token": csrf_of(page)}).status_code == 303
    concern_page = web.login("staff").get(f"/bekymringer/{concern_id}").text
    assert "Råd fra ressursteamet" in concern_page and "frokost i barnehagen" in concern_page
    # The municipal leader sees the anonymised minutes: no name, no unit name.
    web.projections.wait()
    minutes = web.login("municipal_leader").get("/ledelse").text
    assert "uten matpakke tre dager" in minutes and "frokost i barnehagen" in minutes
    assert names_in(minutes) == [] and "Solsikken" not in minutes
    assert "3–5 år" in minutes or "0–2 år" in minutes or "6–9 år" in minutes


def test_a_service_that_does_not_attend_sees_nothing_of_the_meeting(web):
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        ppt_only = web.domain.schedule_meeting("extra", TODAY, [web.ids["units"]["solsikken"]], ["ppt"], styrer, "", "13:00")
    assert web.login("resource_team").get(f"/ressursteam/{ppt_only}").status_code == 404  # barnevern
    assert web.login("ppt").get(f"/ressursteam/{ppt_only}").status_code == 200


def test_the_calendar_shows_meetings_and_the_recurring_year(web):
    page = web.login("staff").get(f"/arshjul?ar={TODAY.year}").text
    assert "Overføringsmøter barnehage → skole" in page and "Overgangsskjema" in page
    assert "Høstmøte i ressursteamet" in page


# -- statistics: no count below 5, and none can be worked out ----------------------------------
def test_the_statistics_page_never_shows_a_count_below_5(web):
    """The store's earlier months are published when the leader first opens the page:
    every number is a multiple of 5 of at least 5, or <5."""
    page = web.login("municipal_leader")
    for dim in DIMENSION_NAMES:
        html = page.get(f"/ledelse/statistikk?dimensjon={dim}").text
        # Each row's count, the last cell of every table (the concerns', the days to the first
        # action's bands, the collaborations'): a multiple of 5, or hidden.
        counts = [row.select("td")[-1].text for table in dom(html).select("main table")
                  for row in table.select("tr") if row.select("td")]
        assert counts, dim
        assert all(n.startswith("<5") or (int(n) >= 5 and int(n) % 5 == 0) for n in counts), (dim, counts)
        assert dom(html).has("svg") and "&lt;5" in html
    # Leaders never reach a case page.
    assert page.get(f"/bekymringer/{web.concerns['own']}").status_code == 404


def test_a_refused_approval_is_explained_in_norwegian_and_approves_nothing(web):
    """Minutes of a meeting not yet held cannot be approved: the advice would be logged on
    the concern with a date in the future. The page says so in the user's words, never in
    the domain's English, and the meeting stays open."""
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        meeting = web.domain.schedule_meeting("extra", TODAY + timedelta(days=7), [web.ids["units"]["solsikken"]],
                                              ["barnevern", "unit_leader"], styrer, "Rådhuset", "09:00")
        case = web.domain.bring_case(meeting, web.concerns["own"], "anonymous", "Barnet kommer uten matpakke.", styrer)
        web.domain.minute_case(case, "Snakk med foresatte denne uken.")
    leader = web.login("unit_leader")
    url = f"/ressursteam/{meeting}"
    refused = web.post_form(leader, f"{url}/godkjenn", {}, page=url)
    assert refused.status_code == 422
    alert = re.search(r'class="flash error error-summary" role="alert"[^>]*><p>(.*?)</p>', refused.text, re.S)
    assert alert and "før møtet er holdt" in alert.group(1)
    assert "observation" not in refused.text and "Kunne ikke lagres" not in refused.text
    assert not web.domain.get_meeting(meeting).minutes_approved


def _future_meeting_with_advice(web, days=7):
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        meeting = web.domain.schedule_meeting("extra", TODAY + timedelta(days=days), [web.ids["units"]["solsikken"]],
                                              ["barnevern", "unit_leader"], styrer, "Rådhuset", "09:00")
        case = web.domain.bring_case(meeting, web.concerns["own"], "anonymous", "Barnet kommer uten matpakke.", styrer)
        web.domain.minute_case(case, "Snakk med foresatte denne uken.")
    web.projections.wait()
    return meeting


def test_the_meeting_page_says_from_which_day_its_minutes_can_be_approved(web):
    """Before the meeting's day the page says so, instead of offering an approval that would fail."""
    meeting = _future_meeting_with_advice(web)
    page = dom(web.login("unit_leader").get(f"/ressursteam/{meeting}").text)
    assert not page.has("form[action$='/godkjenn']")
    day = (TODAY + timedelta(days=7)).strftime("%d.%m.%Y")
    assert f"Referatet kan godkjennes fra møtedagen, {day}." in page.one("main").text


def test_an_approval_never_stands_beside_an_error(web):
    """A stale approval of an approved meeting is refused; the page shows the refusal alone."""
    leader = web.login("unit_leader")
    url = f"/ressursteam/{web.meeting}"
    page = leader.get(url).text
    assert leader.post(f"{url}/godkjenn", data={"csrf_token": csrf_of(page)}).status_code == 303
    approved = dom(leader.get(url).text)
    assert "Referatet er godkjent" in approved.one("main").text and not approved.has(".flash.error")
    again = leader.post(f"{url}/godkjenn", data={"csrf_token": csrf_of(page)})
    assert again.status_code == 422
    refused = dom(again.text)
    assert "lukket" in refused.one(".flash.error").text
    assert "Referatet er godkjent." not in refused.one("main").text.replace("Referatet er godkjent, og møtet", "")


def test_the_concern_picker_tells_apart_concerns_about_the_same_child(web):
    """The kindergarten has two open concerns about one child: each option shows its date and level."""
    page = web.login("unit_leader").get(f"/ressursteam/{web.meeting}/sak").text
    options = [o.text for o in dom(page).select("select#f-bekymring option") if o["value"]]
    name = web.domain.get_child(web.domain.get_concern(web.concerns["own"]).child_id).name
    same_child = [o for o in options if o.startswith(name)]
    assert len(same_child) >= 2
    assert len(set(options)) == len(options), options
    day = TODAY.strftime("%d.%m.%Y")
    assert all(f"opprettet {day}" in o and "nivå 0" in o for o in same_child), same_child


def test_the_leaders_minutes_show_no_empty_advice_line(web):
    """A general issue the minutes gave no advice on says so, instead of an empty 'Råd:'."""
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        web.domain.add_general_issue(web.meeting, "Fravær", "Hvordan følge opp fravær?", styrer)
        web.domain.approve_minutes(web.meeting, styrer)
    web.projections.wait()
    page = dom(web.login("municipal_leader").get("/ledelse").text)
    issue = next(a for a in page.select("article") if a.select("h3") and a.one("h3").text == "Fravær")
    assert "Råd:" not in issue.text
    assert "Ingen råd i referatet." in issue.text


def test_the_statistics_hint_shows_no_quote_beside_the_less_than_sign(web):
    """«<5» reads as a doubled quote; the hint names the hidden cell's text without quotes."""
    page = dom(web.login("municipal_leader").get("/ledelse/statistikk").text)
    (hint,) = [p.text for p in page.select("main p.hint") if "Slik er tallene beskyttet" in p.text]
    assert "«<" not in hint and "<5 / skjult" in hint


def test_the_unit_leader_confirms_what_the_redactor_was_unsure_of(web):
    """The text offered is anonymised (a month for the day, the unit's own name and places
    redacted, capitals kept); each word the redactor could not classify is marked, and the
    case is brought only once the unit leader has kept or removed every one."""
    styrer = web.ids["users"]["styrer"]
    child = web.domain.get_concern(web.concerns["own"]).child_id
    day = TODAY - timedelta(days=2)
    with acting_as(styrer):
        concern = web.domain.open_concern(
            child, styrer, day, f"{web.domain.get_child(child).first_name} leker på Kvernmoen etter tiden på "
            "Solsikken barnehage. Mor har flyttet til Bergen.", "", ["neglect"], 1)
    web.projections.wait()
    leader = web.login("unit_leader")
    url = f"/ressursteam/{web.meeting}/sak"
    form = leader.get(f"{url}?bekymring={concern}").text
    page = dom(form)
    text = page.one("textarea#f-text").text
    month = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
             "november", "desember"][day.month - 1]
    assert text == (f"I {month}: Barnet leker på Kvernmoen etter tiden på [barnehage]. "
                    "Mor har flyttet til [sted]."), text
    assert [m.text for m in page.select("mark")] == ["Kvernmoen"]
    assert page.one("input[type=hidden][name=word-0]")["value"] == "Kvernmoen"
    base = {"csrf_token": csrf_of(form), "concern_id": str(concern), "mode": "anonymous", "text": text,
            "word-0": "Kvernmoen"}

    # Not decided: refused beside the question, with the text as it was written.
    refused = leader.post(url, data=base)
    assert refused.status_code == 422
    shown = dom(refused.text)
    assert "Kvernmoen" in shown.one("#review .field-error").text
    assert shown.one("textarea#f-text").text == text
    assert web.domain.get_meeting(web.meeting).case_ids == []

    # Kept: the case is brought with the word, and shows as confirmed.
    assert leader.post(url, data={**base, "decision-0": "keep"}).status_code == 303
    case = web.domain.get_meeting_case(web.domain.get_meeting(web.meeting).case_ids[-1])
    assert "Kvernmoen" in case.text and case.review == {"kept": ["Kvernmoen"], "removed": 0}
    meeting_page = dom(leader.get(f"/ressursteam/{web.meeting}").text)
    article = meeting_page.one(f"#sak-{case.id}")
    assert "Anonymiseringen er bekreftet av enhetens leder: 1 ord beholdt, 0 fjernet." in article.text

    # Removed: the word is gone from the case.
    assert leader.post(url, data={**base, "csrf_token": csrf_of(form), "decision-0": "remove"}).status_code == 303
    case = web.domain.get_meeting_case(web.domain.get_meeting(web.meeting).case_ids[-1])
    assert "Kvernmoen" not in case.text and "[fjernet]" in case.text
    assert case.review == {"kept": [], "removed": 1}


def test_the_units_own_street_address_is_redacted_in_the_offered_text(web):
    """The directory's unit addresses are local names too: a colleague who reads
    "Strandveien 4" knows the kindergarten as well as by its name."""
    styrer = web.ids["users"]["styrer"]
    concern_of = web.domain.get_concern(web.concerns["own"])
    web.domain.set_unit_address(concern_of.unit_id, "Fjæra 2", "6900", "Fjordvik")
    with acting_as(styrer):
        concern = web.domain.open_concern(
            concern_of.child_id, styrer, TODAY - timedelta(days=2),
            "Barnet ble hentet utenfor Fjæra 2 av en ukjent voksen.", "", ["neglect"], 1)
    web.projections.wait()
    leader = web.login("unit_leader")
    text = dom(leader.get(f"/ressursteam/{web.meeting}/sak?bekymring={concern}").text).one("textarea#f-text").text
    assert "Fjæra" not in text and "[adresse]" in text, text
def test_a_meeting_has_a_time_and_its_minutes_who_attended_free_text_and_the_next_meeting(team):
    domain, unit, child, concern, meeting, leader, styrer = team
    assert domain.get_meeting(meeting).starts_at == "09:00"
    with pytest.raises(InvalidMeeting) as no_time:
        domain.schedule_meeting("extra", TODAY, [unit], ["ppt"], leader, "Rådhuset", "9")
    assert (no_time.value.code, no_time.value.field) == ("meeting.time_invalid", "starts_at")
    invited = domain.register_user("leder", "Lise Leder", "Styrer", "unit_leader", unit, None, "x" * 12)
    outsider = domain.register_user("helse", "Hege Helse", "Helsesykepleier", "resource_team", None,
                                    "helsestasjon", "x" * 12)  # helsestasjonen is not invited
    with pytest.raises(InvalidMeeting) as uninvited:
        domain.write_minutes(meeting, [invited, outsider], "", None, "")
    assert (uninvited.value.code, uninvited.value.field) == ("meeting.attendee_not_invited", "attendee_ids")
    with pytest.raises(InvalidMeeting) as before:
        domain.write_minutes(meeting, [invited], "", TODAY, "")
    assert before.value.code == "meeting.next_before_this"
    with pytest.raises(InvalidMeeting) as no_date:
        domain.write_minutes(meeting, [invited], "", None, "10:00")
    assert no_date.value.code == "meeting.next_date_required"
    with pytest.raises(InvalidMeeting) as unknown:
        domain.write_minutes(meeting, [uuid4()], "", None, "")
    assert unknown.value.code == "meeting.attendee_not_invited"
    domain.write_minutes(meeting, [invited, invited], "Ola Lyng ble drøftet.", TODAY + timedelta(days=90), "13:30")
    written = domain.get_meeting(meeting)
    assert written.attendee_ids == [invited]
    assert (written.notes, written.next_on, written.next_at) == ("Ola Lyng ble drøftet.", TODAY + timedelta(days=90), "13:30")


def test_scheduling_a_meeting_asks_for_its_time_and_the_calendar_shows_it(web):
    leader = web.login("unit_leader")
    form = {"kind": "extra", "held_on": (TODAY + timedelta(days=3)).isoformat(), "place": "Rådhuset",
            "unit_ids": [str(web.ids["units"]["solsikken"])], "services": ["barnevern", "unit_leader"]}
    refused = web.post_form(leader, "/ressursteam/nytt", form)
    assert refused.status_code == 422
    page = dom(refused.text)
    assert "Skriv klokkeslettet." in page.one("#f-starts_at").parent.text
    assert page.one("#f-place")["value"] == "Rådhuset"
    made = web.post_form(leader, "/ressursteam/nytt", {**form, "starts_at": "14:15"})
    assert made.status_code == 303
    assert "kl. 14:15" in dom(leader.get(made.headers["location"]).text).one("h1").text
    assert "kl. 14:15" in leader.get("/ressursteam").text
    assert "kl. 14:15" in leader.get(f"/arshjul?ar={TODAY.year + (TODAY.month == 12 and TODAY.day > 28)}").text


def test_the_minutes_free_text_is_shown_to_those_who_attended_only(web):
    """The free text may name a child: the leader and the attendees see it; others
    invited to the meeting, the municipal leader and the calendar never do."""
    leader = web.login("unit_leader")
    url = f"/ressursteam/{web.meeting}"
    page = leader.get(url).text
    attending = web.ids["users"]["barnevern"]
    assert f'value="{attending}"' in page and f'value="{web.ids["users"]["helsetjeneste"]}"' in page
    refused = web.post_form(leader, f"{url}/referat", {"attendee_ids": [str(attending)], "notes": "Vetle Åsheim ble drøftet.",
                                                       "next_on": "i morgen", "next_at": "10:00"}, page=url)
    assert refused.status_code == 422
    form = dom(refused.text).one("form[action$='/referat']")
    assert "Skriv en gyldig dato." in form.text and form.one("textarea").text == "Vetle Åsheim ble drøftet."
    assert form.one(f"input[value='{attending}']").get("checked") is not None
    next_on = TODAY + timedelta(days=120)
    saved = web.post_form(leader, f"{url}/referat", {"attendee_ids": [str(attending)], "notes": "Vetle Åsheim ble drøftet.",
                                                     "next_on": next_on.isoformat(), "next_at": "10:00"}, page=url)
    assert saved.status_code == 303
    minutes = dom(leader.get(url).text).one("#minutes").text
    assert "Tor Eriksen" in minutes and "Vetle Åsheim ble drøftet." in minutes
    assert f"{next_on:%d.%m.%Y} kl. 10:00" in minutes
    assert "Vetle Åsheim ble drøftet." in web.login("resource_team").get(url).text  # barnevern attended
    invited_only = web.login("helsetjeneste").get(url)
    assert invited_only.status_code == 200 and "Vetle Åsheim" not in invited_only.text
    assert "vises bare for møteleder og dem som deltok" in invited_only.text
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        web.domain.approve_minutes(web.meeting, styrer)
    web.projections.wait()
    assert "Vetle Åsheim" not in web.login("municipal_leader").get("/ledelse").text
    calendar = leader.get(f"/arshjul?ar={TODAY.year}").text
    assert "Vetle Åsheim" not in calendar and "Tor Eriksen" not in calendar
    assert leaks(web.env, ["Vetle Åsheim ble drøftet"]) == []  # encrypted at rest
