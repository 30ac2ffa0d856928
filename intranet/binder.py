"""The electronic binder's routes, in one place: fixed words before `{slug}`."""

from __future__ import annotations

from starlette.routing import Route

from intranet import binder_editing as editing
from intranet import binder_pages as pages

routes = [
    Route("/perm", pages.binder_front, name="binder"),
    Route("/perm/sok", pages.search, methods=["GET", "POST"], name="binder_search"),
    Route("/perm/ny", editing.new_page, methods=["GET", "POST"], name="binder_new"),
    Route("/perm/del/{section}", pages.section, name="binder_section"),
    Route("/perm/{slug}", pages.show_page, name="binder_page"),
    Route("/perm/{slug}/rediger", editing.edit_page, methods=["GET", "POST"], name="binder_edit"),
    Route("/perm/{slug}/historikk", editing.history, name="binder_history"),
    Route("/perm/{slug}/sammenlign", editing.compare, name="binder_compare"),
    Route("/perm/{slug}/{action}", editing.page_action, methods=["POST"], name="binder_action"),
]
