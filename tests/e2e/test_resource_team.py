"""The resource team in a real browser: the approval of minutes and the delivery of
their advice succeed or fail together, and the page never says more than happened.
With and without JavaScript (the meeting pages are plain forms either way)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from events import clock
from tests.e2e.people import file_concern, sign_in
from tests.e2e.test_accessibility import violations


def no_violations(page, javascript: bool) -> bool:
    """axe runs as a script in the page: only where the page may run scripts."""
    return not javascript or violations(page) == []


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("^Logg ut")).click()
    page.wait_for_url(re.compile("/logg-inn$"))


def plan_meeting(page, server, day) -> str:
    """An extra meeting for Solsikken barnehage on `day`; its URL."""
    page.goto(server.url + "/ressursteam")
    page.get_by_role("link", name="Planlegg møte").click()
    page.get_by_label("Type møte").select_option(label="Ekstramøte")
    page.get_by_label("Dato").fill(day.isoformat())
    page.get_by_label("Klokkeslett").fill("13:00")
    page.get_by_label("Solsikken barnehage").check()
    page.get_by_role("button", name="Opprett møte").click()
    page.wait_for_url(re.compile(r"/ressursteam/[0-9a-f-]{36}$"))
    return page.url


def bring_and_advise(page, meeting_url: str, advice: str) -> str:
    """Bring the first concern in the picker anonymously and minute `advice`; the concern's id."""
    page.get_by_role("link", name="Ta opp en sak").click()
    picker = page.get_by_label("Hvilken bekymring?")
    picker.select_option(index=1)
    concern_id = picker.input_value()
    page.get_by_role("button", name="Neste").click()
    page.get_by_role("button", name="Meld inn saken").click()
    page.wait_for_url(meeting_url)
    page.get_by_label("Råd fra ressursteamet").fill(advice)
    page.get_by_role("button", name="Lagre råd").click()
    page.wait_for_url(re.compile(re.escape(meeting_url) + "#sak-"))
    return concern_id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_minutes_and_their_advice_are_approved_together_or_not_at_all(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    mode = "js" if javascript else "nojs"
    today = clock.today()
    next_week = today + timedelta(days=7)
    sign_in(page, server, "styrer")

    # A meeting next week: the page says from which day its minutes can be approved, and offers no approval.
    future = plan_meeting(page, server, next_week)
    early_advice = f"Råd gitt for tidlig ({mode})"
    concern_id = bring_and_advise(page, future, early_advice)
    main = page.locator("main")
    assert main.get_by_text(f"Referatet kan godkjennes fra møtedagen, {next_week:%d.%m.%Y}.").is_visible()
    assert page.get_by_role("button", name="Godkjenn referatet").count() == 0
    assert "Referatet er godkjent" not in main.inner_text()
    assert no_violations(page, javascript)
    page.goto(server.url + "/ressursteam")
    row = page.locator("tr", has=page.locator(f"a[href='{future.removeprefix(server.url)}']"))
    assert row.locator("td").last.inner_text() == "Ikke godkjent"
    page.goto(server.url + f"/bekymringer/{concern_id}")
    assert early_advice not in page.locator("#logbook").inner_text()

    # A meeting today: approved, and the advice is in the concern's log, dated today, not correctable.
    held = plan_meeting(page, server, today)
    advice = f"Avtal frokost i barnehagen ({mode})"
    concern_id = bring_and_advise(page, held, advice)
    page.get_by_role("button", name="Godkjenn referatet").click()
    page.wait_for_url(held)
    assert page.get_by_text("Referatet er godkjent.").is_visible()
    assert page.locator(".flash.error").count() == 0
    assert no_violations(page, javascript)
    page.goto(server.url + f"/bekymringer/{concern_id}")
    entry = page.locator("#logbook ol.logbook > li", has_text=advice)
    assert entry.count() == 1
    assert f"{today:%d.%m.%Y}" in entry.locator("p").first.inner_text()
    assert entry.get_by_text("Korriger").count() == 0 and entry.locator("form").count() == 0
    sign_out(page)

    # The leaders see the approved advice, and nothing of the meeting not yet held.
    sign_in(page, server, "kommunalsjef")
    page.goto(server.url + "/ledelse")
    minutes = page.locator("main").inner_text()
    assert advice in minutes and early_advice not in minutes


def test_the_concern_picker_tells_one_childs_concerns_apart(context, server):
    page = context.new_page()
    sign_in(page, server, "styrer")
    plan_meeting(page, server, clock.today() + timedelta(days=1))
    page.get_by_role("link", name="Ta opp en sak").click()
    options = page.get_by_label("Hvilken bekymring?").locator("option").all_inner_texts()[1:]
    assert options and len(set(options)) == len(options), options
    assert all(re.search(r" – opprettet \d\d\.\d\d\.\d{4} av .+, nivå \d$", o) for o in options), options
    assert violations(page) == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_leader_keeps_a_word_the_redactor_was_unsure_of(javascript, request, server):
    """The anonymised text marks a word it cannot classify; the case is brought only once
    the unit leader has chosen for it, and the meeting shows her review."""
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    sign_in(page, server, "styrer")
    place = "Kvernmoen" if javascript else "Tjernmoen"
    concern_url = file_concern(page, server, f"Leker ofte alene på {place} etter henting, og gråter ved levering.")
    concern_id = concern_url.rsplit("/", 1)[1]
    meeting_url = plan_meeting(page, server, clock.today() + timedelta(days=3))
    page.goto(f"{meeting_url}/sak?bekymring={concern_id}")

    review = page.locator("#review")
    assert review.locator("mark").all_inner_texts() == [place]
    assert no_violations(page, javascript)
    # Not chosen: refused beside the question, nothing brought.
    page.get_by_role("button", name="Meld inn saken").click()
    error = review.locator(".field-error")
    error.wait_for()
    assert place in error.inner_text()
    assert no_violations(page, javascript)

    review.get_by_role("group", name=f"«{place}»").get_by_label("Behold").check()
    page.get_by_role("button", name="Meld inn saken").click()
    page.wait_for_url(meeting_url)
    case = page.locator("article", has_text=place)
    assert case.count() == 1
    assert case.get_by_text("Anonymiseringen er bekreftet av enhetens leder: 1 ord beholdt, 0 fjernet.").is_visible()
    assert no_violations(page, javascript)
