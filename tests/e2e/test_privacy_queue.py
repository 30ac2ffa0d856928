"""The privacy officer's queue in a real browser, with JavaScript on and off: paging
through it and opening its groups does not grow it; a group is reviewed with one
comment (issue 27, item 5). And the guardians' report leads with its summary (item 6)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import LiveServer
from tests.e2e.people import name, sign_in
from tests.e2e.test_accessibility import violations


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Every hour after office hours, so that every access the rules see is an
    anomaly, whenever the test runs."""
    live = LiveServer(tmp_path_factory.mktemp("e2e-queue"), {"BEKYMRING_OFFICE_HOURS": "0-0"})
    yield live
    live.stop()


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("^Logg ut")).click()
    page.wait_for_url(re.compile("/logg-inn$"))


def queue_size(page) -> tuple[int, int]:
    text = page.locator("main").inner_text()
    match = re.search(r"(\d+) avvik i (\d+) grupper til gjennomgang", text)
    assert match, text
    return int(match.group(1)), int(match.group(2))


def a_school_child(page, server) -> str:
    sign_in(page, server, "laerer")
    page.goto(server.url + "/barn")
    href = page.locator("main a[href^='/barn/']").first.get_attribute("href")
    sign_out(page)
    return server.url + href


def staff_at_work(page, server, username: str) -> None:
    """A staff member looks at her unit's children, and at a school child by break-the-glass."""
    child_url = a_school_child(page, server)
    sign_in(page, server, username)
    page.goto(server.url + "/barn")
    page.locator("main a[href^='/barn/']").first.click()
    page.wait_for_url(re.compile(r"/barn/[0-9a-f-]{36}$"))
    page.goto(child_url)
    page.get_by_label("Begrunnelse (hvorfor trenger du tilgang nå?)").fill("Barnet er hos oss i dag, mor ringte om henting")
    with page.expect_navigation(url=child_url):  # it posts from the child's page and lands on it again
        page.get_by_role("button", name="Be om nødtilgang").click()
    for _ in range(3):
        page.reload()
    sign_out(page)


@pytest.mark.parametrize("javascript, username", [(True, "pedleder"), (False, "barnehagelaerer")])
def test_the_queue_does_not_grow_while_she_reads_it_and_a_group_is_reviewed_with_one_comment(
        request, server, javascript, username):
    page = request.getfixturevalue("context" if javascript else "nojs_context").new_page()
    staff_at_work(page, server, username)

    sign_in(page, server, "personvern")
    page.get_by_role("link", name="Avvik").first.click()
    page.wait_for_url(server.url + "/personvern")
    before = queue_size(page)
    assert not javascript or violations(page) == []
    # She reads: every group on the page, the next page if there is one, a child's
    # log and its report, and the queue again. None of it is an anomaly.
    for link in page.locator("main tbody a", has_text="Se og gjennomgå").all()[:4]:
        href = link.get_attribute("href")
        page.goto(server.url + href)
        assert page.locator("main tbody tr").count() > 0
        page.go_back()
    if page.get_by_role("link", name="Neste side").count():
        page.get_by_role("link", name="Neste side").click()
        page.get_by_role("link", name="Forrige side").click()
    page.goto(server.url + "/personvern")
    assert queue_size(page) == before

    # Break-the-glass is one group with its own rule, not "outside the unit" and
    # "after hours" for every page she saw under it.
    mine = page.locator("main tbody tr", has_text=name(username))
    glass = mine.filter(has_text="Nødtilgang")
    assert glass.count() == 1
    assert glass.locator("td").nth(2).inner_text() == "5"  # the grant, the page it opened, three reloads
    assert mine.filter(has_text="Innsyn utenfor egen enhet").count() == 0
    glass.get_by_role("link", name=re.compile("Se og gjennomgå")).click()
    page.wait_for_url(re.compile(r"/personvern/avvik\?"))
    assert page.locator("main tbody tr").count() == 5
    assert "mor ringte om henting" in page.locator("main tbody").inner_text()
    assert not javascript or violations(page) == []

    # Without a comment: refused beside the field, nothing marked.
    page.get_by_role("button", name="Marker gruppen som gjennomgått").click()
    error = page.locator("#comment-error")
    assert "Skriv en kommentar" in error.inner_text()
    assert page.get_by_label("Kommentar til alle 5 avvik").get_attribute("aria-describedby") == "comment-error"
    assert not javascript or violations(page) == []
    comment = f"Hentet barnet for mor, avklart med rektor ({username})."
    page.get_by_label("Kommentar til alle 5 avvik").fill(comment)
    page.get_by_role("button", name="Marker gruppen som gjennomgått").click()
    page.wait_for_url(re.compile(r"/personvern\?gjennomgatt=1$"))
    assert "Gruppen er markert som gjennomgått." in page.locator("main").inner_text()
    anomalies, groups = queue_size(page)
    assert (anomalies, groups) == (before[0] - 5, before[1] - 1)
    assert page.locator("main tbody tr", has_text=name(username)).filter(has_text="Nødtilgang").count() == 0

    page.get_by_role("link", name="Gjennomgått").first.click()
    reviewed = page.locator("main tbody tr", has_text=comment)
    assert reviewed.count() == 1
    text = reviewed.inner_text()
    assert name(username) in text and name("personvern") in text and "Nødtilgang" in text
    assert reviewed.locator("td").nth(2).inner_text() == "5"
    assert not javascript or violations(page) == []


def test_the_guardians_report_leads_with_who_how_often_and_on_what_basis(context, server):
    page = context.new_page()
    sign_in(page, server, "pedleder")
    page.goto(server.url + "/barn")
    page.locator("main a[href^='/barn/']").first.click()
    page.wait_for_url(re.compile(r"/barn/[0-9a-f-]{36}$"))
    child_id = page.url.rsplit("/", 1)[1]
    page.reload()
    sign_out(page)
    sign_in(page, server, "personvern")
    page.goto(f"{server.url}/personvern/barn/{child_id}/innsyn")
    summary = page.locator("section.basis", has=page.get_by_role("heading", name="Egen enhet", exact=True))
    row = summary.locator("tbody tr", has_text=name("pedleder"))
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[1:3] == ["Pedagogisk leder", "Solsikken barnehage"] and int(cells[3]) >= 3
    assert violations(page) == []
