"""Example casework for the demo: a year of concerns, conversations, measures
and one resource-team meeting, so that lists, deadlines and the leaders'
statistics have something to show. Loaded by `intranet demo` only (the tests
build their own cases)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from events import clock
from events.base import acting_as
from intranet import demo_data

OBSERVATIONS = {
    "substance_use": ["Far luktet alkohol ved henting i dag.", "Mor virket ruset og ustødig ved levering."],
    "neglect": ["Kom uten matpakke og med for lite klær i kulda.", "Har hatt de samme klærne hele uken."],
    "violence": ["Hadde blåmerker på overarmen og ville ikke si hvorfor."],
    "mental_health": ["Trekker seg unna de andre barna og gråter ofte.", "Sier at hun ikke får sove om natten."],
    "behaviour": ["Slår og biter de andre barna i frileken.", "Mange konflikter i friminuttene denne uken."],
    "development": ["Bruker få ord og forstår ikke beskjeder i samlingsstund.", "Strever med lesing, ligger langt etter."],
    "absence": ["Fravær fire dager denne måneden uten beskjed.", "Kommer ofte for sent, ofte uten frokost."],
}
NEW_EACH_UNIT = 2  # children of each unit with a concern about something seen this week
CHILD_WORDS = ["«Pappa var så sint i går»", "«Mamma sov hele dagen»", "«Jeg vil ikke hjem»", ""]


def load_examples(app: Any, ids: dict[str, Any], today: date | None = None) -> None:
    today = today or clock.today()
    rng = random.Random(2026)
    users = ids["users"]
    authors = {"solsikken": ["pedleder", "barnehagelaerer", "styrer"],
               "fjordvikskole": ["laerer", "sfo", "rektor"],
               "helsestasjonen": ["helsesykepleier", "helseleder"]}
    leaders = {"solsikken": "styrer", "fjordvikskole": "rektor", "helsestasjonen": "helseleder"}
    concerns = []
    seen_in_unit: dict[str, int] = {}
    for child_id, child in zip(ids["children"], demo_data.CHILDREN):
        # The first children of each unit have a concern from this week, so that the
        # unit leader's "new concerns" is never empty, on whatever day the demo is loaded.
        this_week = seen_in_unit.get(child["unit"], 0) < NEW_EACH_UNIT
        seen_in_unit[child["unit"]] = seen_in_unit.get(child["unit"], 0) + 1
        for number in range(max(this_week, rng.choice([0, 1, 1, 2, 3]))):
            author = users[rng.choice(authors[child["unit"]])]
            category = rng.choice(list(OBSERVATIONS))
            categories = [category] + ([rng.choice(["absence", "development"])] if rng.random() < 0.3 else [])
            back = rng.randrange(3, 340)
            opened = today - timedelta(days=back % 7 + 1 if this_week and number == 0 else back)
            with acting_as(author):
                concern = app.open_concern(child_id, author, opened, rng.choice(OBSERVATIONS[category]),
                                           rng.choice(CHILD_WORDS), list(dict.fromkeys(categories)), rng.choice([1, 2, 3]))
                _follow_up(app, concern, author, opened, today, category, rng)
            concerns.append((concern, child["unit"]))
    _meeting(app, ids, concerns, today, leaders)


def _follow_up(app, concern_id, author, opened, today, category, rng) -> None:
    def change(fn):
        app.change_concern(concern_id, app.get_concern(concern_id).version, author, fn)

    if rng.random() < 0.6:
        day = min(today, opened + timedelta(days=rng.randrange(1, 20)))
        change(lambda c: c.log_observation(day, "Fulgte opp i dag: " + rng.choice(
            ["situasjonen er uendret.", "noe bedre enn sist.", "bekymringen er større nå."]), "", author))
    if category != "violence" and rng.random() < 0.7:
        held = min(today, opened + timedelta(days=rng.randrange(2, 25)))
        change(lambda c: c.record_guardian_talk(held, "mor og kontaktperson",
                                                "Foresatte bekreftet at det er en krevende periode hjemme.", True, author))
    if rng.random() < 0.5:
        change(lambda c: c.set_level(rng.choice([1, 1, 2, 3]), "Tiltak vurdert i samråd med leder"))
        deadline = opened + timedelta(days=30)
        change(lambda c: c.add_measure(rng.choice(["Fast voksen ved levering", "Ukentlig samtale med barnet",
                                                   "Frokost i barnehagen", "Leseopplegg i liten gruppe"]),
                                       "Pedagogisk leder", deadline, deadline + timedelta(days=30), author))
    if opened < today - timedelta(days=200) and rng.random() < 0.5:
        change(lambda c: c.close("Tiltakene har virket, og bekymringen er ikke lenger til stede"))


def _meeting(app, ids, concerns, today, leaders) -> None:
    """One autumn meeting for the kindergarten, with two anonymised cases, minuted and approved."""
    leader = ids["users"][leaders["solsikken"]]
    held_on = today - timedelta(days=14)
    with acting_as(leader):
        meeting = app.schedule_meeting("autumn", held_on, [ids["units"]["solsikken"]],
                                       ["barnevern", "helsestasjon", "ppt", "unit_leader"], leader, "Rådhuset, møterom 2", "09:00")
        open_ones = [c for c, unit in concerns if unit == "solsikken" and app.get_concern(c).is_open][:2]
        for concern_id in open_ones:
            shown = app.anonymised_concern(concern_id)  # the demo's leader keeps what it was unsure of
            case = app.bring_case(meeting, concern_id, "anonymous", shown.text, leader,
                                  {word: "keep" for word in shown.uncertain})
            app.minute_case(case, "Snakk med foresatte innen en uke, og vurder melding til barnevernet hvis det ikke bedrer seg.")
        app.add_general_issue(meeting, "Fravær i barnehagen", "Hvordan følger vi opp barn med mye fravær uten beskjed?", leader)
        app.minute_general(meeting, 1, "Lag en felles rutine: ring hjem etter to dager uten beskjed.")
        app.write_minutes(meeting, [leader, *(ids["users"][u] for u in ("barnevern", "helsetjeneste", "ppt"))],
                          "Gjennomgang av høstens saker og av rutinen for fravær. PPT orienterte om ventetid.",
                          held_on + timedelta(days=140), "09:00")
        app.approve_minutes(meeting, leader)
