"""The electronic binder (elektronisk perm), for readers: the binder's front,
a section, a page, and search over the published pages.

Content pages are not about a child, so nothing here records an access event.
Everyone signed in reads published pages; drafts exist only for editors, and
look like missing pages to everyone else.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from events.binder import SECTIONS, SLUG, BinderPage
from events.policy import Target, may
from events.richtext import to_html
from intranet.forms import page_number, parse_int, read_form
from intranet.guard import current_user, found, require
from intranet.i18n import N_, _
from intranet.templating import render

# section key -> (Norwegian word in the URL, heading marked with N_(): shown as {{ _(sections[key][1]) }})
SECTION_WORDS = {
    "guide": ("veileder", N_("Handlingsveileder (BTI)")),
    "unit_info": ("enheter", N_("Informasjon om enhetene")),
    "case": ("case", N_("Case til opplæring")),
    "article": ("fagartikler", N_("Fagartikler")),
    "links": ("lenker", N_("Nyttige lenker og filmer")),
    "template": ("maler", N_("Maler og skjemaer")),
    "resource_team": ("ressursteam", N_("Ressursteamet: mandat og møteplan")),
}
# What a section is for, said above its pages.
SECTION_INTROS = {
    "article": N_("Her samles fagartikler som gir bakgrunn for arbeidet med barn som bekymrer: om barn som vokser "
                  "opp med rusmiddelbruk og andre belastninger i familien, om tidlig identifikasjon og tidlig innsats, "
                  "om samtaler med barn og foreldre, og om tverrfaglig samarbeid. Programmet «Barn i rusfamilier» ved "
                  "Korus Sør (Borgestadklinikken) har flere fagressurser på korus-sor.no/barn. Ressursgruppen og "
                  "lederne legger inn artiklene de anbefaler, med tittel, forfatter, år og hvor artikkelen finnes, og "
                  "gjerne noen linjer om hvorfor den er nyttig i enhetene."),
}
SECTION_BY_WORD = {word: key for key, (word, _) in SECTION_WORDS.items()}

# A template page leads to the real form: (where, what to do, permission asked for it).
FORM_LINKS = {
    "concern": ("/bekymringer/ny", N_("Skriv en ny bekymring"), "concern.create"),
    "consent": ("/barn", N_("Velg barnet, og registrer samtykket fra barnets side"), "children.list"),
    "report": ("/bekymringer", N_("Åpne bekymringen, og velg «Melding til barnevernet»"), "concerns.mine"),
    "action_plan": ("/bekymringer", N_("Åpne bekymringen: tiltaksplanen fylles ut der"), "concerns.mine"),
    "transfer": ("/overforinger/ny", N_("Start en overføring med overgangsskjema"), "transfer.create"),
}
FORM_NAMES = {
    "concern": N_("Bekymring (internt notat)"), "consent": N_("Samtykke"), "report": N_("Melding til barnevernet"),
    "action_plan": N_("Tiltaksplan"), "transfer": N_("Overgangsskjema"),
}
LEVEL_NAMES = {0: N_("Nivå 0"), 1: N_("Nivå 1"), 2: N_("Nivå 2"), 3: N_("Nivå 3")}
FRONT_PAGE_ROWS = 8
PAGE_SIZE = 25
SEARCH_PAGE_SIZE = 20


def binder_view(request: Request):
    return request.app.state.projections["binder"].view


def is_editor(request: Request, page: BinderPage | None = None) -> bool:
    target = Target.binder_page(page) if page is not None else None
    return may(current_user(request), "binder.edit", target)


def find_page(request: Request, action: str) -> BinderPage:
    """The page in the path, if the user may do `action` on it. A draft is
    missing (404) to anyone who may not edit it; other refusals are 403, as
    pages are not about anyone. Runs in the threadpool."""
    slug = request.path_params["slug"]
    if not SLUG.match(slug):
        raise HTTPException(404)
    with found(request):
        page = request.app.state.domain.get_page(slug)
    if not page.is_published and not is_editor(request, page):
        raise HTTPException(404)
    require(request, action, Target.binder_page(page))
    return page


async def load_page(request: Request, action: str = "binder.view") -> BinderPage:
    """`find_page`, in one thread hop."""
    return await run_in_threadpool(find_page, request, action)


def form_link(request: Request, form: str | None) -> dict[str, Any] | None:
    """Where a template page's real form lives, and whether this user may fill it in."""
    if form is None:
        return None
    url, text, action = FORM_LINKS[form]
    user = current_user(request)
    return {"url": url, "text": _(text), "name": _(FORM_NAMES[form]),
            "allowed": may(user, action, Target(unit_id=user.unit_id))}


def base_context(request: Request, **more: Any) -> dict[str, Any]:
    return {"sections": SECTION_WORDS, "intros": SECTION_INTROS, "levels": LEVEL_NAMES, "form_names": FORM_NAMES,
            "editor": is_editor(request), "active": "binder", **more}


async def binder_front(request: Request) -> Response:
    """The binder: every section, with its first pages."""
    require(request, "binder.view")
    drafts = is_editor(request)
    view = binder_view(request)

    def load():
        return {s: view.section_pages(s, drafts, 0, FRONT_PAGE_ROWS + 1) for s in SECTIONS}

    listing = await run_in_threadpool(load)
    return render(request, "binder/front.html", base_context(request, listing=listing, more_rows=FRONT_PAGE_ROWS))


async def section(request: Request) -> Response:
    """One section of the binder, a page at a time."""
    require(request, "binder.view")
    key = SECTION_BY_WORD.get(request.path_params["section"])
    if key is None:
        raise HTTPException(404)
    return await section_response(request, key)


async def section_response(request: Request, key: str, status_code: int = 200, **more: Any) -> Response:
    """A section's page; the guide's says whether the user has confirmed reading it (intranet/programme.py)."""
    from intranet.programme import guide_reading

    page_no = page_number(request)

    def load():
        rows = binder_view(request).section_pages(key, is_editor(request), (page_no - 1) * PAGE_SIZE, PAGE_SIZE + 1)
        return rows, guide_reading(request) if key == "guide" else None

    rows, reading = await run_in_threadpool(load)
    return render(request, "binder/section.html", base_context(
        request, section=key, rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE, page=page_no,
        case_bank=key == "case" and may(current_user(request), "case_bank.review"), guide_reading=reading, **more),
        status_code=status_code)


def page_context(request: Request) -> dict[str, Any]:
    """The page in the path and what is shown beside it, in one thread hop."""
    page = find_page(request, "binder.view")
    editor = is_editor(request, page)
    shown = page.latest if editor else page.published
    guide = binder_view(request).section_pages("guide", False, 0, 10) if page.section == "guide" else []
    changed = page.moment(shown["version"])
    return base_context(
        request, page=page, shown=shown, body=Markup(to_html(shown["body"])), page_editor=editor,
        form=form_link(request, page.form), guide=guide, changed=changed,
        names=request.app.state.names.users([changed[1]]), error=None)


async def show_page(request: Request) -> Response:
    """One page: the published version, or for editors the newest, marked as a draft."""
    return render(request, "binder/page.html", await run_in_threadpool(page_context, request))


async def search(request: Request) -> Response:
    """Search the published pages. The words are posted, not put in the URL,
    in case someone types a name."""
    require(request, "binder.view")
    context = base_context(request, query="", hits=None, page=1, more=False, error=None)
    if request.method == "GET":
        return render(request, "binder/search.html", context)
    form = await read_form(request)
    query = form.get("q", "").strip()[:200]
    page_no = parse_int(form.get("side"), 1) or 1
    context.update(query=query, page=max(1, page_no))
    if len(query) < 2:
        context["error"] = _("Skriv minst to bokstaver.")
        return render(request, "binder/search.html", context, fragment="results", status_code=422)
    rows = await run_in_threadpool(binder_view(request).search, query, (context["page"] - 1) * SEARCH_PAGE_SIZE,
                                   SEARCH_PAGE_SIZE + 1)
    for row in rows:
        row["excerpt"] = excerpt(row.pop("text") or "", query)
    context.update(hits=rows[:SEARCH_PAGE_SIZE], more=len(rows) > SEARCH_PAGE_SIZE)
    return render(request, "binder/search.html", context, fragment="results")


def excerpt(text: str, query: str, width: int = 90) -> str:
    """A piece of the text around the first word of the query found in it."""
    folded = text.casefold()
    positions = [folded.find(w) for w in query.casefold().split()]
    hit = min((p for p in positions if p >= 0), default=0)
    start = max(0, hit - width)
    end = min(len(text), hit + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
