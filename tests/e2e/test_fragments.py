"""What an htmx request answers, in a real browser with JavaScript on: every
answer that is not a success is shown to the user, with the text they typed
kept; and a change updates every part of the page it affects, in place.

Each failure has a real cause: another user's change (409), access removed
meanwhile (404), a role changed during the session (403), and the event store
held locked by another process (a backup, a migration) so that the save (500)
or the access event (503) cannot be written.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager

from playwright.sync_api import expect

from tests.e2e.people import file_concern, name, sign_in
from tests.e2e.test_accessibility import violations

SHORT = 8_000  # what a user would wait before deciding nothing happened


def mark_page(page) -> None:
    """A mark that survives only as long as the page is not reloaded."""
    page.evaluate("window.__same_page = true")


def still_same_page(page) -> bool:
    return page.evaluate("window.__same_page === true")


@contextmanager
def answered(page, status: int):
    """The htmx request the block makes is answered with `status`."""
    with page.expect_response(lambda r: r.request.method == "POST" and "hx-request" in r.request.headers) as info:
        yield
    assert info.value.status == status


def request_error(page):
    """The place a failed request's message is shown and announced."""
    return page.locator("#request-error")


def test_a_save_that_conflicts_with_another_users_change_says_so_and_keeps_the_text(browser, context, server):
    author = context.new_page()
    sign_in(author, server, "pedleder")
    url = file_concern(author, server, "Sovnet i samlingen to dager på rad.")
    mark_page(author)

    leader_context = browser.new_context(locale="nb-NO")
    try:
        leader = leader_context.new_page()
        sign_in(leader, server, "styrer")
        leader.goto(url)
        leader.get_by_label("Endre nivå").select_option(label="Nivå 1 – tiltak i egen tjeneste")
        leader.get_by_label("Begrunnelse").first.fill("Fast voksen ved levering")
        leader.get_by_role("button", name="Endre nivå").click()
        expect(leader.locator("#guide h2")).to_contain_text("Nivå 1", timeout=SHORT)
    finally:
        leader_context.close()

    author.get_by_label("Hva har du sett eller hørt?").fill("Spiste ikke lunsj.")
    with answered(author, 409):
        author.get_by_role("button", name="Legg til i loggen").click()
    conflict = author.locator("#logbook [role=alert]")
    expect(conflict).to_contain_text("endret av andre", timeout=SHORT)
    expect(conflict).to_contain_text(name("styrer"))
    expect(author.get_by_label("Hva har du sett eller hørt?")).to_have_value("Spiste ikke lunsj.")
    # What the other changed shows where it shows, in the same answer.
    expect(author.locator("span.badge[class*='level-']")).to_have_text("BTI-nivå 1")
    expect(author.locator("#history")).to_contain_text(
        f"{name('styrer')} endret BTI-nivå fra nivå 0 til nivå 1: «Fast voksen ved levering»")
    assert still_same_page(author)
    assert violations(author) == []


def test_a_save_after_the_concern_was_unshared_shows_not_found_and_keeps_the_text(browser, context, server):
    author = context.new_page()
    sign_in(author, server, "pedleder")
    url = file_concern(author, server, "Gråt ved henting, ville ikke gå hjem.")
    author.get_by_label("Del med en kollega").select_option(label=name("barnehagelaerer"))
    author.get_by_role("button", name="Del", exact=True).click()
    remove = author.get_by_role("button", name=f"Fjern tilgang for {name('barnehagelaerer')}")
    expect(remove).to_be_visible(timeout=SHORT)

    colleague_context = browser.new_context(locale="nb-NO")
    try:
        colleague = colleague_context.new_page()
        sign_in(colleague, server, "barnehagelaerer")
        colleague.goto(url)
        mark_page(colleague)
        remove.click()
        expect(remove).to_have_count(0, timeout=SHORT)

        colleague.get_by_label("Hva har du sett eller hørt?").fill("Sa at pappa var sint.")
        with answered(colleague, 404):
            colleague.get_by_role("button", name="Legg til i loggen").click()
        expect(request_error(colleague)).to_contain_text("Finner ikke siden", timeout=SHORT)
        expect(request_error(colleague)).to_be_visible()
        assert request_error(colleague).get_attribute("role") == "alert"
        expect(colleague.get_by_label("Hva har du sett eller hørt?")).to_have_value("Sa at pappa var sint.")
        assert still_same_page(colleague)
        assert violations(colleague) == []
    finally:
        colleague_context.close()


def test_a_save_after_the_users_role_changed_shows_no_access_and_keeps_the_text(browser, context, server):
    staff = context.new_page()
    sign_in(staff, server, "sfo")
    staff.goto(server.url + "/bekymringer/ny")
    mark_page(staff)

    admin_context = browser.new_context(locale="nb-NO")
    try:
        admin = admin_context.new_page()
        sign_in(admin, server, "admin")
        admin.goto(server.url + "/admin/brukere")
        admin.get_by_role("link", name=name("sfo")).click()
        admin.get_by_label("Rolle").select_option(label="Kommunalsjef")
        admin.get_by_label("Enhet").select_option(label="Ingen enhet")
        admin.get_by_role("button", name="Lagre rolle").click()
        expect(admin.get_by_label("Rolle")).to_have_value("municipal_leader", timeout=SHORT)
    finally:
        admin_context.close()

    staff.get_by_label("Hva har du sett eller hørt?").fill("Har ikke med seg gymtøy på tre uker.")
    with answered(staff, 403):
        staff.get_by_role("button", name="Lagre bekymringen").click()
    expect(request_error(staff)).to_contain_text("Ingen tilgang", timeout=SHORT)
    expect(request_error(staff)).to_be_visible()
    expect(staff.get_by_label("Hva har du sett eller hørt?")).to_have_value("Har ikke med seg gymtøy på tre uker.")
    assert still_same_page(staff)


@contextmanager
def store_held_by_another_process(server):
    """The event store's write lock, held from this process as a backup or a
    migration would: the app can read, but no write gets through."""
    connection = sqlite3.connect(server.workdir / "data" / "bekymring.sqlite", timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def test_a_save_the_store_cannot_write_shows_the_error_and_keeps_the_text(context, server):
    page = context.new_page()
    sign_in(page, server, "pedleder")
    file_concern(page, server, "Kom for sent fem dager på rad.")
    mark_page(page)
    with store_held_by_another_process(server):
        page.get_by_label("Hva har du sett eller hørt?").fill("Hadde ikke spist frokost.")
        with answered(page, 500):
            page.get_by_role("button", name="Legg til i loggen").click()
        expect(request_error(page)).to_contain_text("Noe gikk galt", timeout=20_000)
    expect(request_error(page)).to_be_visible()
    expect(page.get_by_label("Hva har du sett eller hørt?")).to_have_value("Hadde ikke spist frokost.")
    assert still_same_page(page)
    # Once the store writes again, saving the same text works, and the message goes.
    with answered(page, 200):
        page.get_by_role("button", name="Legg til i loggen").click()
    expect(page.locator("#logbook p.entry", has_text="Hadde ikke spist frokost.")).to_be_visible()
    expect(request_error(page)).to_be_empty()


def test_a_fragment_whose_access_cannot_be_recorded_is_withheld_with_a_message(context, server):
    page = context.new_page()
    sign_in(page, server, "pedleder")
    file_concern(page, server, "Blåmerke på armen, sa at hun falt.")
    mark_page(page)
    with store_held_by_another_process(server):
        # Nothing to save (no text): the answer only shows the section again,
        # and that needs the access event.
        page.get_by_label("Barnets egne ord (valgfritt)").fill("Jeg falt i trappa")
        with answered(page, 503):
            page.get_by_role("button", name="Legg til i loggen").click()
        expect(request_error(page)).to_contain_text("Midlertidig utilgjengelig", timeout=20_000)
    expect(request_error(page)).to_be_visible()
    expect(page.get_by_label("Barnets egne ord (valgfritt)")).to_have_value("Jeg falt i trappa")
    assert still_same_page(page)


# -- a change updates every part of the page it affects ------------------------------------
def change_level(page, level: str, reason: str) -> None:
    page.get_by_label("Endre nivå").select_option(label=level)
    page.locator("#f-level-reason").fill(reason)
    page.get_by_role("button", name="Endre nivå").click()


def test_changing_the_level_updates_the_badge_and_the_history_in_place(context, server):
    page = context.new_page()
    sign_in(page, server, "pedleder")
    file_concern(page, server, "Trekker seg unna de andre barna.")
    mark_page(page)
    change_level(page, "Nivå 2 – samarbeid med én eller to tjenester", "Trenger PPT og helsestasjon")
    expect(page.locator("#guide h2")).to_contain_text("Nivå 2", timeout=SHORT)
    expect(page.locator("span.badge[class*='level-']")).to_have_text("BTI-nivå 2")
    expect(page.locator("#history")).to_contain_text(
        "endret BTI-nivå fra nivå 0 til nivå 2: «Trenger PPT og helsestasjon»")
    assert still_same_page(page)
    assert violations(page) == []


def test_changing_the_level_without_javascript_shows_the_badge_and_the_history(nojs_context, server):
    page = nojs_context.new_page()
    sign_in(page, server, "pedleder")
    file_concern(page, server, "Sier at hun er redd for å gå hjem.")
    change_level(page, "Nivå 1 – tiltak i egen tjeneste", "Fast voksen ved levering")
    page.wait_for_url(re.compile(r"#guide$"))
    expect(page.locator("span.badge[class*='level-']")).to_have_text("BTI-nivå 1")
    expect(page.locator("#history")).to_contain_text(
        "endret BTI-nivå fra nivå 0 til nivå 1: «Fast voksen ved levering»")
