"""Every URL a form posts to answers GET too: a reload after a failed post, a
bookmark, or the way back after signing in again asks for it with GET, and gets
the page the form is on instead of 405 «Ikke tillatt»."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from intranet.auth import redirect

# The page of a form's URL is the URL one step up, except for these.
PAGE_OF = {
    "/logg-ut": "/",
    # The grant is asked for on the page that was not found; its address is in the form only.
    "/nodtilgang": "/",
    "/bekymringer/utkast": "/bekymringer/ny",
    "/admin/sletting/{request_id}/{decision}": "/admin/sletting",
    "/personvern/oppbevaring/{child_id}/{decision}": "/personvern/oppbevaring",
    # The case's meeting is in the child's record, which a reload must not open.
    "/ressursteam/sak/{case_id}/rad": "/ressursteam",
}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def page_of(path: str) -> str:
    return PAGE_OF.get(path) or path.rsplit("/", 1)[0] or "/"


def to_page(page: str):
    async def landing(request: Request) -> Response:
        """Send a GET of a form's URL to the page the form is on."""
        return redirect(request, PARAM.sub(lambda m: str(request.path_params[m.group(1)]), page))
    return landing


def with_landings(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The routes, each route that only takes POST followed by a GET route leading to
    its page (in the same place, so it wins over the same routes the POST does).
    Fails at start-up if that page is not itself a page."""
    pages = {r.path for r in routes if isinstance(r, Route) and "GET" in (r.methods or ())}
    out: list[BaseRoute] = []
    for route in routes:
        out.append(route)
        if isinstance(route, Route) and "GET" not in (route.methods or ()):
            page = page_of(route.path)
            if page not in pages:
                raise ValueError(f"{route.path} leads to {page}, which is no page")
            out.append(Route(route.path, to_page(page), methods=["GET"]))
    return out
