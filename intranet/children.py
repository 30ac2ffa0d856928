"""The children of the user's unit, and one child's page (details and guardians).

Both reveal a child's data, so both record the access before rendering.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.application import NotFound
from events.errors import RecordErased
from events.policy import Target
from intranet import labels
from intranet.forms import page_number, parse_uuid
from intranet.guard import current_user, record_access, require
from intranet.templating import render

PAGE_SIZE = 50


async def children_page(request: Request) -> Response:
    """The children of the user's own unit, by name, a page at a time."""
    user = current_user(request)
    require(request, "children.list", Target(unit_id=user.unit_id))
    page = page_number(request)
    directory = request.app.state.projections["directory"]

    def load():
        ids = directory.view.children_in_unit(user.unit_id, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
        named = [(i, directory.child_name(i)) for i in ids[:PAGE_SIZE]]
        return [(i, n) for i, n in named if n is not None], len(ids) > PAGE_SIZE

    children, more = await run_in_threadpool(load)
    children.sort(key=lambda c: c[1].casefold())
    await record_access(request, [i for i, _ in children], ["child.name"], reason="barneliste")
    return render(request, "children/list.html", {"children": children, "page": page, "more": more})


async def child_page(request: Request) -> Response:
    """One child: details and guardians with contact information."""
    child_id = parse_uuid(request.path_params["child_id"])
    if child_id is None:
        raise HTTPException(404)
    try:
        child = await run_in_threadpool(request.app.state.domain.get_child, child_id)
    except NotFound:
        raise HTTPException(404, "record") from None
    except RecordErased:
        require(request, "home.view")
        return render(request, "children/erased.html", {}, status_code=410)
    require(request, "child.view", Target.child(child), record=True)
    domain = request.app.state.domain
    unit = await run_in_threadpool(domain.get_unit, child.unit_id)
    consents = await run_in_threadpool(domain.consents_of, child.id)
    await record_access(request, [child.id], ["child.details", "child.guardians", "consent"])
    return render(request, "children/child.html", {
        "child": child, "unit": unit, "consents": consents, "today": clock.today(), "labels": labels,
    })


routes = [
    Route("/barn", children_page, name="children"),
    Route("/barn/{child_id}", child_page, name="child"),
]
