"""One child, one record: a national identity number registered already is refused
with a way to the child, and the same name and birth date asks "is this the same
child?" before a second record is made. First the rule in the domain, then the
new-concern form, without JavaScript (the browser walks it in tests/e2e)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from events import clock
from events.children import Child
from events.identity import DuplicateChild
from events.storage.national_ids import IN_FLIGHT_SECONDS
from intranet import demo_data
from intranet.demo_data import synthetic_fnr
from tests.htmltree import dom, field_error
from tests.rawstore import leaks
from tests.test_concerns import access_events
from tests.webclient import csrf_of

MAJA = next(c for c in demo_data.CHILDREN if c["first_name"] == "Maja")  # Solsikken barnehage
HENRIK = next(c for c in demo_data.CHILDREN if c["first_name"] == "Henrik")  # Fjordvik skole
NIN = "30862275043"  # synthetic, born 30.06.2022
BORN = date(2022, 6, 30)


# -- the domain ------------------------------------------------------------------------------
def test_a_national_identity_number_belongs_to_one_child(domain, env):
    kindergarten = domain.register_unit("Solsikken barnehage", "barnehage")
    school = domain.register_unit("Fjordvik skole", "skole")
    maja = domain.register_child("Maja", "Sandvoll", BORN, kindergarten, NIN)
    with pytest.raises(DuplicateChild) as refused:
        domain.register_child("Maja", "Sandvol", BORN, school, NIN)
    assert refused.value.params["child_id"] == maja and refused.value.field == "national_id"
    with pytest.raises(DuplicateChild):  # filing a concern about "a new child" is no way round it
        domain.file_concern(school, uuid4(), new_child={"first_name": "M", "last_name": "S", "birth_date": BORN,
                                                       "national_id": NIN},
                            observed_on=clock.today(), observation="Sett", child_words="", categories=["neglect"],
                            worry=2)

    # Without a number, or with another, a child is registered as before.
    twin = domain.register_child("Maja", "Sandvoll", BORN, kindergarten, "")
    assert twin != maja

    # A corrected number moves with the correction: the old one is free, the new one taken.
    other = "30862275124"
    domain.correct_child_details(maja, "Maja", "Sandvoll", BORN, other, "Feil i fødselsnummeret")
    assert domain.register_child("Mia", "Sandvoll", BORN, kindergarten, NIN)
    with pytest.raises(DuplicateChild):
        domain.register_child("Maja", "Sandvoll", BORN, school, other)

    # The store holds no number in clear.
    assert leaks(env, [NIN, other]) == []


def test_an_erased_childs_number_can_be_registered_again(domain):
    kindergarten = domain.register_unit("Solsikken barnehage", "barnehage")
    maja = domain.register_child("Maja", "Sandvoll", BORN, kindergarten, NIN)
    domain.shred_subject(maja, "sletting godkjent")
    assert domain.register_child("Maja", "Sandvoll", BORN, kindergarten, NIN) != maja


def test_a_number_claimed_by_a_registration_in_flight_is_refused_until_it_is_stale(domain):
    kindergarten = domain.register_unit("Solsikken barnehage", "barnehage")
    in_flight = uuid4()  # another registration claimed the number and has not saved its child yet
    assert domain._claim(NIN, in_flight)
    with pytest.raises(DuplicateChild) as refused:  # the second of two at once fails cleanly
        domain.register_child("Maja", "Sandvoll", BORN, kindergarten, NIN)
    assert refused.value.params["child_id"] == in_flight
    # That registration died before its save: once the claim is stale, the number is free.
    claims = domain.national_ids
    with claims.datastore.transaction(commit=True) as c:
        c.execute(claims.store.sql(f"UPDATE {claims.table} SET claimed_at = claimed_at - ?"), (IN_FLIGHT_SECONDS,))
    maja = domain.register_child("Maja", "Sandvoll", BORN, kindergarten, NIN)
    assert claims.holder(domain.blind_index("nin-claim:" + NIN))[0] == maja


def test_numbers_registered_before_claims_existed_are_claimed_on_upgrade(domain):
    kindergarten = domain.register_unit("Solsikken barnehage", "barnehage")

    def registered_the_old_way(first_name, number):  # saved without a claim, as before
        child = Child.new(first_name, "Sandvoll", BORN, kindergarten, number, [])
        domain.save(child)
        return child.id

    maja = registered_the_old_way("Maja", NIN)
    twin_a, twin_b = registered_the_old_way("Mia", "30862275124"), registered_the_old_way("Mie", "30862275124")

    made, shared = domain.claim_registered_numbers(page=2)
    assert made == 2 and shared == [(twin_a, twin_b)]  # the pair is reported, neither changed
    with pytest.raises(DuplicateChild) as refused:
        domain.register_child("Maja", "Sandvoll", BORN, kindergarten, NIN)
    assert refused.value.params["child_id"] == maja
    assert domain.claim_registered_numbers() == (0, [(twin_a, twin_b)])  # safe to run again
    # Correcting the second one's number frees nothing of the first's.
    domain.correct_child_details(twin_b, "Mie", "Sandvoll", BORN, synthetic_fnr(BORN, 755), "Feil nummer")
    assert domain.claim_registered_numbers() == (0, [])  # claimed with the correction
    with pytest.raises(DuplicateChild):
        domain.register_child("Mia", "Sandvoll", BORN, kindergarten, "30862275124")


# -- the form ----------------------------------------------------------------------------------
def concern_fields(page: str, **fields) -> dict:
    return {"csrf_token": csrf_of(page), "form_key": dom(page).one("input[name=form_key]")["value"],
            "observed_on": clock.today().isoformat(), "child_id": "",
            "observation": "Kom uten matpakke tre dager på rad", "categories": ["neglect"], "worry": "2", **fields}


def test_the_same_name_and_birth_date_asks_whether_it_is_the_same_child(web):
    staff = web.login("staff")
    maja = web.ids["children"][demo_data.CHILDREN.index(MAJA)]
    page = staff.get("/bekymringer/ny").text
    new = {"new_first_name": "maja", "new_last_name": " Sandvoll", "new_birth_date": BORN.isoformat()}

    asked = staff.post("/bekymringer/ny", data=concern_fields(page, **new))
    assert asked.status_code == 422
    form = dom(asked.text).one("form#new-concern")
    assert "Er dette samme barn?" in asked.text
    assert "Registrer et nytt barn likevel" in field_error(form, "same_child")
    assert form.one(f"input[name=same_child][value='{maja}']")  # the child she may see, to choose
    assert form.one("input[name=same_child][value=new]")
    assert form.one("input[name=new_first_name]")["value"] == "maja"  # her text kept
    assert "open" in form.one("details#new-child").attrs

    # "Yes, it is Maja": the concern is about Maja, and no second Maja is registered.
    page = asked.text
    filed = staff.post("/bekymringer/ny", data=concern_fields(page, **new, same_child=str(maja)))
    assert filed.status_code == 303
    assert web.domain.get_concern(_concern_id(filed)).child_id == maja

    # "Register a new child anyway" (a new form: the one above is filed): a second child
    # with the same name is made, as asked.
    page = staff.get("/bekymringer/ny").text
    filed = staff.post("/bekymringer/ny", data=concern_fields(page, **new, same_child="new"))
    assert filed.status_code == 303
    assert web.domain.get_concern(_concern_id(filed)).child_id not in web.ids["children"]


def test_a_registered_national_identity_number_is_refused_with_a_link_to_the_child(web):
    staff = web.login("staff")
    maja = web.ids["children"][demo_data.CHILDREN.index(MAJA)]
    page = staff.get("/bekymringer/ny").text
    new = {"new_first_name": "Maja", "new_last_name": "Sandvold", "new_birth_date": BORN.isoformat(),
           "new_national_id": MAJA["national_id"][:6] + " " + MAJA["national_id"][6:]}
    refused = staff.post("/bekymringer/ny", data=concern_fields(page, **new))
    assert refused.status_code == 422
    form = dom(refused.text).one("form#new-concern")
    assert "allerede registrert i enheten" in field_error(form, "new_national_id")
    assert form.one(f"a[href='/barn/{maja}']")
    assert form.one("input[name=new_national_id]")["value"] == new["new_national_id"]


def test_a_number_registered_out_of_reach_is_refused_without_naming_the_child(web):
    staff = web.login("staff")  # Solsikken barnehage; Henrik is at Fjordvik skole
    henrik = web.ids["children"][demo_data.CHILDREN.index(HENRIK)]
    page = staff.get("/bekymringer/ny").text
    before = len(access_events(web.domain))
    new = {"new_first_name": "Henrik", "new_last_name": "Solbakken", "new_birth_date": HENRIK["birth_date"].isoformat(),
           "new_national_id": HENRIK["national_id"]}
    refused = staff.post("/bekymringer/ny", data=concern_fields(page, **new))
    assert refused.status_code == 422
    form = dom(refused.text).one("form#new-concern")
    assert "ikke blant barna du har tilgang til" in field_error(form, "new_national_id")
    assert f"/barn/{henrik}" not in refused.text and "Fjordvik skole" not in refused.text
    assert "Er dette samme barn?" not in refused.text
    # That she learnt the number is registered is an access the privacy officer sees.
    learnt = [a for a in access_events(web.domain)[before:] if henrik in a.subject_ids]
    assert [(a.records, a.user_id) for a in learnt] == [(["child.exists"], web.ids["users"]["pedleder"])]


def test_a_number_whose_registration_is_saving_this_moment_is_refused_on_the_form(web):
    staff = web.login("staff")
    number = synthetic_fnr(BORN, 911)  # no demo child's
    saving = uuid4()  # another registration claimed the number; its child is not saved yet
    assert web.domain._claim(number, saving)
    page = staff.get("/bekymringer/ny").text
    new = {"new_first_name": "Nora", "new_last_name": "Lindheim", "new_birth_date": BORN.isoformat(),
           "new_national_id": number}
    refused = staff.post("/bekymringer/ny", data=concern_fields(page, **new))
    assert refused.status_code == 422  # refused with the form, not a server error
    form = dom(refused.text).one("form#new-concern")
    assert "ikke blant barna du har tilgang til" in field_error(form, "new_national_id")
    assert form.one("input[name=new_first_name]")["value"] == "Nora"


def test_the_form_says_which_to_do_when_both_or_neither_are_chosen(web):
    staff = web.login("staff")
    maja = web.ids["children"][demo_data.CHILDREN.index(MAJA)]
    page = staff.get("/bekymringer/ny").text
    neither = staff.post("/bekymringer/ny", data=concern_fields(page))
    message = field_error(dom(neither.text).one("form#new-concern"), "child_id")
    assert "Velg barnet i listen, eller åpne «Registrer et nytt barn»" in message
    both = staff.post("/bekymringer/ny", data=concern_fields(page, child_id=str(maja), new_first_name="Ola"))
    assert both.status_code == 422
    form = dom(both.text).one("form#new-concern")
    assert "ikke begge" in field_error(form, "child_id")
    assert "open" in form.one("details#new-child").attrs


def _concern_id(response):
    return UUID(response.headers["location"].rsplit("/", 1)[1])
