"""Registering a new child while filing a concern, in a real browser with
JavaScript on and off (issue 27, item 9): "Registrer et nytt barn" opens its
fields either way; the same name and birth date asks "Er dette samme barn?";
a national identity number registered already is refused with a link to the child."""

from __future__ import annotations

import re

import pytest

from intranet import demo_data
from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations

MAJA = next(c for c in demo_data.CHILDREN if c["first_name"] == "Maja")  # Solsikken barnehage
CONCERN_URL = re.compile(r"/bekymringer/[0-9a-f-]{36}$")


def open_new_child(page, server) -> None:
    page.goto(server.url + "/bekymringer/ny")
    first_name = page.get_by_label("Fornavn", exact=True)
    assert not first_name.is_visible()
    page.get_by_text("Registrer et nytt barn (hvis barnet ikke står i listen)").click()
    assert first_name.is_visible()


def describe_concern(page, text: str) -> None:
    page.get_by_label("Hva har du sett eller hørt?").fill(text)
    page.get_by_label("Omsorgssvikt").check()
    page.get_by_label("2 – Litt bekymret").check()


# Each run as its own staff member: the drafts and the children made stay on the shared server.
@pytest.mark.parametrize("javascript, username", [(True, "pedleder"), (False, "barnehagelaerer")])
def test_a_child_with_the_same_name_and_birth_date_is_asked_about_first(request, server, javascript, username):
    page = request.getfixturevalue("context" if javascript else "nojs_context").new_page()
    sign_in(page, server, username)
    open_new_child(page, server)
    page.get_by_label("Fornavn", exact=True).fill("Maja")
    page.get_by_label("Etternavn", exact=True).fill("Sandvoll")
    page.get_by_label("Fødselsdato", exact=True).fill(MAJA["birth_date"].isoformat())
    describe_concern(page, "Sovnet i samlingen tre dager på rad.")
    page.get_by_role("button", name="Lagre bekymringen").click()

    # Nothing is registered yet: the form asks, with her text kept and the fields still open.
    question = page.get_by_role("group", name="Er dette samme barn?")
    question.wait_for()
    assert "Registrer et nytt barn likevel" in question.locator(".field-error").inner_text()
    assert page.get_by_label("Fornavn", exact=True).input_value() == "Maja"
    assert page.get_by_label("Fornavn", exact=True).is_visible()
    assert page.get_by_label("Hva har du sett eller hørt?").input_value() == "Sovnet i samlingen tre dager på rad."
    assert not javascript or violations(page) == []  # axe runs as the page's script

    # It is Maja: the concern is filed about the child already registered.
    page.get_by_label("Ja, Maja Sandvoll, født 30.06.2022").check()
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.wait_for_url(CONCERN_URL)
    assert "Maja Sandvoll" in page.locator("main h1").inner_text()


@pytest.mark.parametrize("javascript, username", [(True, "pedleder"), (False, "barnehagelaerer")])
def test_a_registered_national_identity_number_links_to_the_child(request, server, javascript, username):
    page = request.getfixturevalue("context" if javascript else "nojs_context").new_page()
    sign_in(page, server, username)
    open_new_child(page, server)
    page.get_by_label("Fornavn", exact=True).fill("Maja")
    page.get_by_label("Etternavn", exact=True).fill("Sandvold")  # a typo: the name alone would not find her
    page.get_by_label("Fødselsdato", exact=True).fill(MAJA["birth_date"].isoformat())
    page.get_by_label("Fødselsnummer (valgfritt, 11 siffer)").fill(MAJA["national_id"])
    describe_concern(page, "Kom uten yttertøy.")
    page.get_by_role("button", name="Lagre bekymringen").click()

    error = page.locator("#new-concern .field-error", has_text="allerede registrert i enheten")
    error.wait_for()
    assert page.get_by_label("Fødselsnummer (valgfritt, 11 siffer)").input_value() == MAJA["national_id"]
    assert not javascript or violations(page) == []
    page.get_by_role("link", name="Åpne barnet som allerede er registrert").click()
    page.wait_for_url(re.compile(r"/barn/[0-9a-f-]{36}$"))
    assert "Maja Sandvoll" in page.locator("main h1").inner_text()


@pytest.mark.parametrize("javascript, username", [(True, "pedleder"), (False, "barnehagelaerer")])
def test_a_new_child_is_registered_anyway_when_the_user_says_so(request, server, javascript, username):
    page = request.getfixturevalue("context" if javascript else "nojs_context").new_page()
    sign_in(page, server, username)
    open_new_child(page, server)
    page.get_by_label("Fornavn", exact=True).fill("Linnea")
    page.get_by_label("Etternavn", exact=True).fill("Brekkestø")
    page.get_by_label("Fødselsdato", exact=True).fill("2023-08-19")
    describe_concern(page, "Gråt lenge ved levering.")
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.get_by_role("group", name="Er dette samme barn?").wait_for()
    page.get_by_label("Registrer et nytt barn likevel").check()
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.wait_for_url(CONCERN_URL)
    assert "Linnea Brekkestø" in page.locator("main h1").inner_text()
