"""The guardians' verifiable access report on the web (intranet/privacy.py): the
print's summary by person and role, its checkpoint and lines, and the file
/personvern/barn/{child_id}/innsyn.json, checked by the server as the family
would before it is handed out. Both stores."""

from __future__ import annotations

import json

from events.ledger.report_check import REPORT_FORMAT, verify_report
from projections.ledger import blind_child_key, child_key_secret
from tests.htmltree import dom
from tests.rawstore import events_table
from tests.test_privacy import accesses
from tests.test_privacy_queue import break_glass, person, staff_looks_at
from tests.test_tamper_evidence import execute as execute_here
from tests.conftest import pg_connect


def execute(env, sql, params=()):
    """As test_tamper_evidence's, on the database the demo copy is in."""
    if env["PERSISTENCE_MODULE"] != "eventsourcing.postgres":
        return execute_here(env, sql, params)
    with pg_connect(dbname=env["POSTGRES_DBNAME"]) as c:
        c.execute(sql.replace("{events}", events_table(env)).replace("?", "%s").replace("rowid", "notification_id"),
                  params)


def looked_at_by_several(web):
    """A Solsikken child seen by two staff members, one of them under a
    break-the-glass grant (a school child to her), and by the privacy officer; then
    a checkpoint signed."""
    child = web.child_in("fjordvikskole")
    staff_looks_at(web, web.login("laerer"), child, 2)
    staff = web.login("staff")
    break_glass(web, staff, child)
    staff_looks_at(web, staff, child, 1)
    web.login("privacy_officer").get(f"/personvern/barn/{child}")
    web.projections.wait()
    web.projections["ledger"].checkpoint_now()
    return child


def test_the_file_is_complete_an_attachment_and_recorded_as_an_export(web):
    child = looked_at_by_several(web)
    officer = web.login("privacy_officer")
    response = officer.get(f"/personvern/barn/{child}/innsyn.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment;")
    report = json.loads(response.content)
    assert report["format"] == REPORT_FORMAT
    verdict = verify_report(report, report["verifier_key"])
    assert verdict.ok, verdict.text("en")
    actions = [a["entry"]["action"] for a in report["accesses"]]
    assert "break_glass" in actions and len({a["entry"]["user"] for a in report["accesses"]}) >= 3
    # The staff named as the law requires; the summary by person and role.
    names = {line["name"] for line in report["summary"]}
    assert person("pedleder")["name"] in names and person("laerer")["name"] in names
    pedleder = next(line for line in report["summary"] if line["name"] == person("pedleder")["name"])
    assert pedleder["count"] == 2  # the grant and the page read under it
    assert all(set(a["shown"]) >= {"name", "role", "unit", "basis", "records", "at"} for a in report["accesses"])
    assert str(child) not in response.text  # the file names the child by its blind key only
    last = accesses(web)[-1]
    assert (last.action, last.reason, last.subject_ids) == ("export", "innsyn i logg", [child])


def test_the_print_leads_with_the_summary_by_person_and_role_the_checkpoint_and_the_download(web):
    child = looked_at_by_several(web)
    page = dom(web.login("privacy_officer").get(f"/personvern/barn/{child}/innsyn").text)
    (section,) = page.select("section.verifiable")
    size = web.projections["ledger"].view.newest_checkpoint()[0].size
    assert f"Sjekkpunkt {size} i loggen, signert" in section.text
    assert "Fullstendig:" in section.text
    assert f"/personvern/barn/{child}/innsyn.json" in [a.get("href") for a in section.select("a")]
    rows = section.select("table.by-person tbody tr")
    assert [r for r in rows if person("laerer")["name"] in r.text][0].select("td")[3].text == "2"
    lines = section.select("table.chain tbody tr")
    assert any("Nødtilgang med begrunnelse" in r.text for r in lines)
    assert "hele kjeden" in section.text  # the file covers everything up to the checkpoint


def test_the_print_and_the_file_in_english(web):
    from tests.test_language import choose_language

    child = looked_at_by_several(web)
    officer = web.login("privacy_officer")
    choose_language(web, officer, "en")
    text = officer.get(f"/personvern/barn/{child}/innsyn").text
    assert "Complete: all" in text and "Download the report as a file" in text
    report = json.loads(officer.get(f"/personvern/barn/{child}/innsyn.json").content)
    assert any(a["shown"]["basis"].startswith("Break-the-glass, with a stated reason") for a in report["accesses"])


def test_a_removed_access_makes_the_report_incomplete_and_the_file_is_not_handed_out(web):
    child = looked_at_by_several(web)
    domain, view = web.domain, web.projections["ledger"].view
    key = blind_child_key(child_key_secret(domain.keystore), child)
    row = view.links_of(key, 10**12)[0]["row_id"]
    execute(web.env, "DELETE FROM {events} WHERE rowid = ?", (row,))
    with view.transaction(commit=True) as c:
        c.execute(view.sql("DELETE FROM {leaves} WHERE id = ?"), (row,))
        c.execute(view.sql("DELETE FROM {links} WHERE row_id = ?"), (row,))
    officer = web.login("privacy_officer")
    page = dom(officer.get(f"/personvern/barn/{child}/innsyn").text)
    (section,) = page.select("section.verifiable")
    assert "Rapporten kan ikke gjøres fullstendig." in section.text
    assert "Det mangler et innsyn før linje 1" in section.text
    assert not [a for a in section.select("a") if "innsyn.json" in a.get("href", "")]
    response = officer.get(f"/personvern/barn/{child}/innsyn.json")
    assert response.status_code == 409 and response.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in response.headers
    assert "Rapporten kan ikke gjøres fullstendig." in response.text
