"""The demo's programme follow-up: the school has two key persons, its training
and a published plan; the barnehage one key person and a follow-up day that is
due; the health centre nothing yet. So the kommunalsjef's overview shows each case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from events import clock
from events.base import acting_as
from events.programme import guide_version
from intranet.demo_binder import PAGES

SCHOOL_PLAN = """## Hvordan skal kunnskapen spres og når?
Nøkkelpersonene går gjennom handlingsveilederen på personalmøtet i august og januar.

## Felles plandager eller inn i den enkelte skole og barnehage?
Én felles plandag med barnehagene om høsten; resten på skolen.

## Hvordan får nyansatte opplæring?
Totimers informasjonspakke én gang i året, og en fadder blant nøkkelpersonene.

## Hvem er nøkkelpersoner, og hva er oppgavene deres?
To lærere: de holder temaet oppe på trinnmøtene og minner om loggbøkene.

## Hvordan holder vi fokuset: temadager, personalmøter, loggbøker?
Temadag med film i oktober; rektor spør etter loggbøkene hver måned.
"""


def load(app: Any, ids: dict[str, Any]) -> None:
    units, users = ids["units"], ids["users"]
    today = clock.today()
    school, barnehage = units["fjordvikskole"], units["solsikken"]
    with acting_as(users["rektor"]):
        for username in ("laerer", "sfo"):
            app.appoint_key_person(school, users[username], today - timedelta(days=300))
        app.record_training(school, "basic", today - timedelta(days=420), [users["laerer"], users["sfo"]])
        app.record_training(school, "follow_up", today - timedelta(days=60), [users["laerer"], users["sfo"]])
        app.record_training(school, "new_staff", today, [users["sfo"]])
        slug = app.start_unit_plan(school)
        page = app.get_page(slug)
        app.edit_page(slug, page.latest["title"], SCHOOL_PLAN, "", page.latest["no"])
        app.publish_page(slug)
    with acting_as(users["styrer"]):
        app.appoint_key_person(barnehage, users["pedleder"], today - timedelta(days=200))
        app.record_training(barnehage, "basic", today - timedelta(days=420), [users["pedleder"]])
        app.record_training(barnehage, "follow_up", today - timedelta(days=250), [users["pedleder"]])
    version = guide_version((slug, app.get_page(slug).published_no) for slug, section, *_ in PAGES
                            if section == "guide" and app.get_page(slug).is_published)
    with acting_as(users["laerer"]):
        app.confirm_guide_read(users["laerer"], version)
