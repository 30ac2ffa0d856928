"""The children of the user's unit, and one child's page (details and guardians).

Both reveal a child's data, so both record the access before rendering.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.policy import Target
from intranet import labels
from intranet.forms import page_number
from intranet.guard import current_user, require
from intranet.records import Record, Shown, show, show_record

PAGE_SIZE = 50


async def children_page(request: Request) -> Response:
    """The children of the user's own unit, by name, a page at a time."""
    user = current_user(request)
    require(request, "children.list", Target(unit_id=user.unit_id))
    return await show(request, "children/list.html", lambda: _children(request, user.unit_id, page_number(request)))


def _children(request: Request, unit_id, page: int) -> tuple[dict[str, Any], Shown]:
    directory = request.app.state.projections["directory"]
    ids = directory.view.children_in_unit(unit_id, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    named = [(i, directory.child_name(i)) for i in ids[:PAGE_SIZE]]
    children = sorted([(i, n) for i, n in named if n is not None], key=lambda c: c[1].casefold())
    # Children accepted by another unit stay here until the transfer's date, marked so.
    moving = directory.view.moves_ahead([i for i, _ in children])
    unit_names = {u["id"]: u["name"] for u in directory.view.units()} if moving else {}
    context = {"children": children, "page": page, "more": len(ids) > PAGE_SIZE, "moving": moving,
               "unit_names": unit_names}
    return context, Shown([i for i, _ in children], ["child.name"], reason="barneliste")


async def child_page(request: Request) -> Response:
    """One child: details and guardians with contact information."""
    return await show_record(request, "child", "child.view", "children/child.html",
                             lambda record: _child(request, record))


def _child(request: Request, record: Record) -> tuple[dict[str, Any], Shown]:
    domain = request.app.state.domain
    child = record.value
    context = {"child": child, "unit": domain.get_unit(child.unit_id), "consents": domain.consents_of(child.id),
               "today": clock.today(), "labels": labels,
               "moving_to": domain.get_unit(child.moving[0]) if child.moves_on else None}
    return context, Shown([child.id], ["child.details", "child.guardians", "consent"])


routes = [
    Route("/barn", children_page, name="children"),
    Route("/barn/{child_id}", child_page, name="child"),
]
