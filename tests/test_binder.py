"""The electronic binder: pages and their history in the domain, sanitising,
search in the read model, then the pages in the browser."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from events import guide
from events.base import acting_as
from events.binder import InvalidPage, PageChanged
from events.concerns import GUARDIAN_TALK_DAYS
from events.richtext import plain_text, to_html
from intranet import labels
from projections.binder import BinderProjection
from projections.live import ProjectionRunner
from tests.htmltree import dom
from tests.webclient import csrf_of


# -- the domain, narrated ---------------------------------------------------------------------
def test_a_page_from_draft_to_published_with_history_and_restore(domain):
    editor, other = uuid4(), uuid4()
    with acting_as(editor):
        domain.create_page("rutiner", "unit_info", "Rutiner", "Første tekst")
    page = domain.get_page("rutiner")
    assert (page.is_published, page.latest["no"], page.moment(1)[1]) == (False, 1, editor)

    # An edit is a new revision; publishing makes the newest one public.
    with acting_as(other):
        domain.edit_page("rutiner", "Rutiner i barnehagen", "Andre tekst", "ny tittel", seen_no=1)
        domain.publish_page("rutiner")
    page = domain.get_page("rutiner")
    assert page.published["title"] == "Rutiner i barnehagen" and not page.has_unpublished_changes

    # A later edit stays a draft until published: readers keep the published text.
    with acting_as(editor):
        domain.edit_page("rutiner", "Rutiner i barnehagen", "Tredje tekst", "", seen_no=2)
    page = domain.get_page("rutiner")
    assert page.published["body"] == "Andre tekst" and page.latest["body"] == "Tredje tekst"
    assert page.has_unpublished_changes

    # Restoring version 1 adds version 4 with the old text; nothing is lost.
    with acting_as(other):
        domain.restore_page("rutiner", 1, seen_no=3)
    page = domain.get_page("rutiner")
    assert [r["body"] for r in page.revisions] == ["Første tekst", "Andre tekst", "Tredje tekst", "Første tekst"]
    assert page.latest["restored_from"] == 1 and page.moment(page.latest["version"])[1] == other
    assert page.published_no == 2

    # Withdrawn to a draft: no published version.
    domain.unpublish_page("rutiner")
    assert domain.get_page("rutiner").published is None


def test_an_edit_on_a_stale_revision_is_refused(domain):
    domain.create_page("lenker", "links", "Lenker", "A")
    domain.edit_page("lenker", "Lenker", "B", "", seen_no=1)
    with pytest.raises(PageChanged) as changed:
        domain.edit_page("lenker", "Lenker", "C", "", seen_no=1)
    assert changed.value.latest == 2
    assert domain.get_page("lenker").latest["body"] == "B"


@pytest.mark.parametrize("kwargs, message", [
    ({"slug": "Store Bokstaver"}, "the address may hold only a-z, 0-9 and hyphens"),
    ({"slug": "sok"}, "the address is reserved"),
    ({"title": " "}, "the title is required"),
    ({"section": "guide", "form": "concern"}, "only template pages lead to a form"),
    ({"section": "links", "level": 1}, "only guide pages have a level, 0-3"),
    ({"section": "guide", "level": 4}, "only guide pages have a level, 0-3"),
    ({"section": "diary"}, "unknown section"),
])
def test_the_domain_refuses_bad_pages(domain, kwargs, message):
    args = {"slug": "side", "section": "template", "title": "Tittel", "body": "Tekst", "level": None,
            "form": None, **kwargs}
    with pytest.raises(InvalidPage, match=re.escape(message)):
        domain.create_page(**args)


def test_an_address_names_one_page(domain):
    domain.create_page("mandat", "resource_team", "Mandat", "")
    with pytest.raises(InvalidPage, match="taken"):
        domain.create_page("mandat", "resource_team", "Et annet mandat", "")
    with pytest.raises(InvalidPage, match="nothing was changed"):
        domain.edit_page("mandat", "Mandat", "", "", seen_no=1)


# -- sanitising -----------------------------------------------------------------------------------
@pytest.mark.parametrize("source, forbidden", [
    ("Hei <script>alert('x')</script>", ["<script", "alert("]),
    ("[klikk](javascript:alert(1))", ['href="javascript']),
    ('<a href="javascript:alert(1)">klikk</a>', ["javascript:"]),
    ('<a href="JaVaScRiPt:alert(1)">klikk</a>', ["javascript:", "JaVaScRiPt"]),
    ('<img src="x" onerror="alert(1)">', ["<img", "onerror"]),
    ('<b onmouseover="alert(1)">fet</b>', ["onmouseover"]),
    ('<p style="position:fixed">x</p><style>body{}</style>', ["style"]),
    ('<iframe src="https://example.org"></iframe>', ["<iframe"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:"]),
    ("<svg onload=alert(1)>", ["<svg", "onload"]),
])
def test_page_html_is_sanitised(source, forbidden):
    html = to_html(source)
    for bad in forbidden:
        assert bad.lower() not in html.lower(), html


def test_markdown_and_the_safe_subset_survive():
    html = to_html("# Tittel\n\n**Fet** og [Bufdir](https://www.bufdir.no) og [ny](/bekymringer/ny)\n\n"
                   "| A | B |\n|---|---|\n| 1 | 2 |\n\n<details><summary>Mer</summary>tekst</details>")
    assert "<h2>Tittel</h2>" in html  # the page title is the only h1
    assert "<strong>Fet</strong>" in html and "<table>" in html and "<details>" in html
    assert 'href="https://www.bufdir.no"' in html and 'href="/bekymringer/ny"' in html
    assert plain_text("**Fet** &amp; <em>kursiv</em>") == "Fet & kursiv"


# -- search in the read model ---------------------------------------------------------------------
def test_search_finds_published_pages_by_word_prefix_and_pages(domain):
    runner = ProjectionRunner(domain, [BinderProjection])
    view = runner["binder"].view
    for n in range(5):
        domain.create_page(f"samtykke-{n}", "template", f"Samtykke {n}", "Samtykket gjelder tjenester, ikke personer.")
        domain.publish_page(f"samtykke-{n}")
    domain.create_page("utkast", "template", "Utkast om samtykke", "Samtykke i et utkast")
    runner.catch_up()
    assert [r["slug"] for r in view.search("samt", 0, 10)] == [f"samtykke-{n}" for n in range(5)]
    assert [r["slug"] for r in view.search("SAMTYKKET tjenester", 2, 2)] == ["samtykke-2", "samtykke-3"]
    assert view.search("samtykke fotball", 0, 10) == []  # every word must match
    assert view.search("utkast", 0, 10) == []  # drafts are never indexed
    domain.unpublish_page("samtykke-0")
    domain.edit_page("samtykke-1", "Fotball", "Om fotball", "", seen_no=1)
    runner.catch_up()
    assert "samtykke-0" not in [r["slug"] for r in view.search("samtykke", 0, 10)]
    # Until republished, the published text is what is found.
    assert "samtykke-1" in [r["slug"] for r in view.search("samtykke", 0, 10)]
    assert view.search("fotball", 0, 10) == []


# -- the pages in the browser ------------------------------------------------------------------------
def test_everyone_reads_published_pages_and_only_editors_see_drafts(web):
    staff = web.login("staff")
    front = staff.get("/perm").text
    assert "Nivå 0 – undring og avklaring" in front and "Møteplan for ressursteamet 2027" not in front
    assert staff.get("/perm/ressursteam-moteplan-2027").status_code == 404
    assert staff.get("/perm/handlingsveileder").status_code == 200
    admin = web.login("admin")
    assert "Handlingsveileder" in admin.get("/perm/del/veileder").text
    editor = web.login("resource_team")
    draft = editor.get("/perm/ressursteam-moteplan-2027")
    assert draft.status_code == 200 and "Utkast – ikke publisert" in draft.text
    assert "Møteplan for ressursteamet 2027" in editor.get("/perm").text


def test_the_demo_action_guide_has_every_level_with_its_steps_and_deadlines(web):
    client = web.login("staff")
    for level in guide.STEPS:
        page = client.get(f"/perm/handlingsveileder-niva-{level}")
        assert page.status_code == 200
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
        for step in guide.steps_for(level):
            words = labels.STEPS[step].split(":")[0].split(",")[0]
            assert words in text, (level, step)
    assert f"{GUARDIAN_TALK_DAYS} dager" in client.get("/perm/handlingsveileder-niva-0").text


def test_an_editor_writes_previews_publishes_compares_and_restores(web):
    editor = web.login("resource_team")
    staff = web.login("staff")
    # A new page with a bad address: the form comes back with the text intact.
    page = editor.get("/perm/ny").text
    data = {"csrf_token": csrf_of(page), "section": "case", "title": "Case: Gutten på bussen",
            "slug": "Gutten på bussen", "body": "En gutt på ti år kommer alltid for sent."}
    response = editor.post("/perm/ny", data=data)
    assert response.status_code == 422 and "små bokstaver" in response.text
    assert "En gutt på ti år kommer alltid for sent." in response.text
    # Preview renders the Markdown and saves nothing.
    response = editor.post("/perm/ny", data={**data, "slug": "gutten-pa-bussen", "body": "**Fet** tekst", "preview": "1"})
    assert response.status_code == 200 and "<strong>Fet</strong>" in response.text
    assert editor.get("/perm/gutten-pa-bussen").status_code == 404
    response = editor.post("/perm/ny", data={**data, "slug": "gutten-pa-bussen"})
    assert response.status_code == 303 and response.headers["location"] == "/perm/gutten-pa-bussen"
    assert staff.get("/perm/gutten-pa-bussen").status_code == 404  # a draft

    # Publish; then edit: readers keep the published version until the next publish.
    web.post_form(editor, "/perm/gutten-pa-bussen/publiser", {}, page="/perm/gutten-pa-bussen")
    assert "kommer alltid for sent" in staff.get("/perm/gutten-pa-bussen").text
    form = editor.get("/perm/gutten-pa-bussen/rediger").text
    response = editor.post("/perm/gutten-pa-bussen/rediger", data={
        "csrf_token": csrf_of(form), "revision": "1", "title": "Case: Gutten på bussen",
        "body": "En gutt på ti år kommer ofte for sent.\n\nHan sier han ikke får sove.", "note": "presisering"})
    assert response.status_code == 303
    assert "kommer alltid for sent" in staff.get("/perm/gutten-pa-bussen").text
    assert "Publisert versjon 1, med upubliserte endringer" in editor.get("/perm/gutten-pa-bussen").text

    # The history names who saved what; the comparison shows the changed lines.
    history = editor.get("/perm/gutten-pa-bussen/historikk").text
    assert "Tor Eriksen" in history and "presisering" in history
    compare = editor.get("/perm/gutten-pa-bussen/sammenlign?fra=1&til=2").text
    rows = [[(cell.text, [e.tag for e in cell.child_elements]) for cell in row.select("td")]
            for row in dom(compare).select("tr")]
    assert [("Fjernet", []), ("En gutt på ti år kommer alltid for sent.", ["del"])] in rows
    assert [("Lagt til", []), ("Han sier han ikke får sove.", ["ins"])] in rows

    # Someone else saved meanwhile: a save on the old revision is refused, the text kept.
    response = editor.post("/perm/gutten-pa-bussen/rediger", data={
        "csrf_token": csrf_of(form), "revision": "1", "title": "Case: Gutten på bussen", "body": "Min tekst", "note": ""})
    assert response.status_code == 409 and "Min tekst" in response.text and "etter at du åpnet siden" in response.text

    # Restore version 1 as version 3, then publish it.
    response = web.post_form(editor, "/perm/gutten-pa-bussen/gjenopprett", {"no": "1", "revision": "2"},
                             page="/perm/gutten-pa-bussen/historikk")
    assert response.status_code == 303
    assert "Gjenopprettet fra versjon 1" in editor.get("/perm/gutten-pa-bussen/historikk").text
    web.post_form(editor, "/perm/gutten-pa-bussen/publiser", {}, page="/perm/gutten-pa-bussen")
    assert "kommer alltid for sent" in staff.get("/perm/gutten-pa-bussen").text
    assert web.domain.get_page("gutten-pa-bussen").published_no == 3


def test_dangerous_markup_never_reaches_the_browser(web):
    editor = web.login("unit_leader")
    page = editor.get("/perm/ny").text
    body = ('Hei <script>alert("x")</script> [lenke](javascript:alert(1)) '
            '<a href="javascript:alert(2)" onclick="alert(3)">a</a> <img src=x onerror=alert(4)>')
    response = editor.post("/perm/ny", data={"csrf_token": csrf_of(page), "section": "links", "title": "Farlig",
                                             "slug": "farlig", "body": body})
    assert response.status_code == 303
    html = editor.get("/perm/farlig").text
    article = html.split('<div class="prose" lang="nb">')[1].split("</div>")[0]
    for bad in ("<script", 'href="javascript', "onclick", "onerror", "<img"):
        assert bad not in article, article
    assert "Hei" in article  # the harmless text stays


def test_search_finds_published_pages_only(web):
    client = web.login("staff")
    page = client.get("/perm/sok").text
    response = client.post("/perm/sok", data={"csrf_token": csrf_of(page), "q": "samtykk"})
    assert response.status_code == 200
    assert dom(response.text).has("a[href='/perm/mal-samtykke']")
    assert dom(response.text).has("a[href='/perm/handlingsveileder-niva-2']")
    response = client.post("/perm/sok", data={"csrf_token": csrf_of(page), "q": "vårmøte barnehagene"})
    assert "ressursteam-moteplan-2027" not in response.text and "Ingen publiserte sider" in response.text
    response = client.post("/perm/sok", data={"csrf_token": csrf_of(page), "q": "a"})
    assert response.status_code == 422 and "minst to bokstaver" in response.text
    # htmx gets the results block only.
    response = client.post("/perm/sok", data={"csrf_token": csrf_of(page), "q": "stafettholder"},
                           headers={"HX-Request": "true"})
    assert [e.tag + "#" + e["id"] for e in dom(response.text).child_elements] == ["section#results"]
    assert "nivå 2" in response.text.lower()


def test_the_concern_page_links_to_the_guide_page_for_its_level(web):
    client = web.login("staff")
    url = f"/bekymringer/{web.concerns['own']}"
    assert dom(client.get(url).text).has("a[href='/perm/handlingsveileder-niva-0']")
    concern = web.domain.get_concern(web.concerns["own"])
    author = web.ids["users"]["pedleder"]
    with acting_as(author):
        web.domain.change_concern(concern.id, concern.version, author, lambda c: c.set_level(2, "Samarbeid med PPT"))
    web.projections.wait()
    html = client.get(url).text
    assert dom(html).has("a[href='/perm/handlingsveileder-niva-2']") and "handlingsveileder-niva-0" not in html


def test_template_pages_lead_to_the_real_forms(web):
    staff = web.login("staff")
    assert dom(staff.get("/perm/mal-internt-notat").text).has("a[href='/bekymringer/ny']")
    assert dom(staff.get("/perm/mal-overgangsskjema").text).has("a[href='/overforinger/ny']")
    assert dom(staff.get("/perm/mal-samtykke").text).has("a[href='/barn']")
    team = web.login("resource_team")
    html = team.get("/perm/mal-internt-notat").text
    assert not dom(html).has("a.button[href='/bekymringer/ny']") and "fylles ut av ansatte" in html


def test_a_unit_leader_edits_only_their_own_units_information(web):
    principal = web.login("rektor")  # Fjordvik skole
    assert principal.get("/perm/solsikken-barnehage").status_code == 200
    assert principal.get("/perm/solsikken-barnehage/rediger").status_code == 403
    page = principal.get("/perm/ny").text
    response = principal.post("/perm/ny", data={"csrf_token": csrf_of(page), "section": "unit_info", "title": "X",
                                                "slug": "x-info", "body": "", "unit_id": str(web.ids["units"]["solsikken"])})
    assert response.status_code == 422 and "din egen enhet" in response.text
    assert web.login("styrer").get("/perm/solsikken-barnehage/rediger").status_code == 200


def test_binder_pages_record_no_access_to_children(web):
    from tests.test_concerns import access_events

    client = web.login("staff")
    before = len(access_events(web.domain))
    for url in ("/perm", "/perm/handlingsveileder-niva-1", "/perm/del/maler"):
        assert client.get(url).status_code == 200
    assert len(access_events(web.domain)) == before


# -- the professional articles (fagartikler) --------------------------------------------------
def test_the_binder_has_a_section_for_professional_articles_that_editors_add_to(web):
    reader = web.login("staff")
    section = reader.get("/perm/del/fagartikler")
    assert section.status_code == 200
    assert "Fagartikler" in section.text and "Barn i rusfamilier" in section.text  # its introduction
    assert 'href="/perm/del/fagartikler"' in reader.get("/perm").text
    editor = web.login("unit_leader")
    added = web.post_form(editor, "/perm/ny", {"slug": "artikkel-tidlig-innsats", "section": "article",
                                               "title": "Om tidlig innsats", "body": "Kort omtale."})
    assert added.status_code == 303, added.text
    assert "Om tidlig innsats" in editor.get("/perm/del/fagartikler").text
