"""The electronic binder (elektronisk perm): the intranet's content pages.

A page is the action guide for one BTI level, information about a unit, a case
for training, a professional article, links, a template, or the resource team's mandate and meeting
plan. Pages are not about a child, so they use the system key (`Record`).

Every edit is a new revision; nothing is overwritten. Restoring an old version
is an edit whose text is the old text. Readers see the published revision;
editors see the newest, and publish it when it is ready.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from events.base import Record
from events.errors import DomainError

SECTIONS = ("guide", "unit_info", "case", "article", "links", "template", "resource_team")
# The real forms a template page leads to (the web knows where each one lives).
FORMS = ("concern", "consent", "report", "action_plan", "transfer")
LEVELS = (0, 1, 2, 3)
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Words the binder's own routes use after /perm/.
RESERVED_SLUGS = ("ny", "sok", "del", "skjema")
MAX_TITLE = 200
MAX_BODY = 100_000
MAX_NOTE = 500


class InvalidPage(DomainError):
    """Raised when a page or an edit is incomplete or inconsistent."""


class PageChanged(DomainError):
    """Raised when a page got a new revision after the editor opened it."""

    def __init__(self, latest: int):
        super().__init__("page.changed")
        self.latest = latest


def page_id_for(slug: str) -> UUID:
    """A page's id follows from its slug, so a slug names at most one page."""
    return uuid5(NAMESPACE_URL, f"bekymring:binder:{slug}")


def check_slug(slug: str) -> None:
    if not SLUG.match(slug) or not 2 <= len(slug) <= 80:
        raise InvalidPage("page.slug_invalid", "slug")
    if slug in RESERVED_SLUGS:
        raise InvalidPage("page.slug_reserved", "slug")


def check_content(title: str, body: str, note: str = "") -> None:
    if not title.strip():
        raise InvalidPage("page.title_required", "title")
    if len(title) > MAX_TITLE:
        raise InvalidPage("page.title_too_long", "title")
    if len(body) > MAX_BODY:
        raise InvalidPage("page.body_too_long", "body")
    if len(note) > MAX_NOTE:
        raise InvalidPage("page.note_too_long", "note")


def check_placement(section: str, level: int | None, form: str | None) -> None:
    if section not in SECTIONS:
        raise InvalidPage("page.section_unknown", "section")
    if level is not None and (section != "guide" or level not in LEVELS):
        raise InvalidPage("page.level_misplaced", "level")
    if form is not None and (section != "template" or form not in FORMS):
        raise InvalidPage("page.form_misplaced", "form")


class BinderPage(Record):
    """One content page, with every revision of its title and text."""

    class Event(Record.Event):
        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            # When and by whom, for the page history (after the method body ran).
            aggregate.moments[self.originator_version] = (self.timestamp, self.actor_id)

    @staticmethod
    def create_id(slug: str) -> UUID:
        return page_id_for(slug)

    def __init__(
        self,
        slug: str,
        section: str,
        title: str,
        body: str,
        level: int | None,
        form: str | None,
        unit_id: UUID | None,
    ):
        self.slug = slug
        self.section = section
        self.level = level
        self.form = form
        self.unit_id = unit_id
        self.moments: dict[int, tuple[datetime, UUID | None]] = {}
        self.revisions: list[dict[str, Any]] = [
            {"no": 1, "version": 1, "title": title, "body": body, "note": "", "restored_from": None}
        ]
        self.published_no: int | None = None

    @classmethod
    def new(cls, slug: str, section: str, title: str, body: str, level: int | None = None,
            form: str | None = None, unit_id: UUID | None = None) -> BinderPage:
        """A new page, as a draft; the rules are checked first."""
        check_slug(slug)
        check_placement(section, level, form)
        check_content(title, body)
        return cls(slug=slug, section=section, title=title, body=body, level=level, form=form,
                   unit_id=unit_id)

    # -- queries ---------------------------------------------------------------------------
    @property
    def latest(self) -> dict[str, Any]:
        return self.revisions[-1]

    @property
    def published(self) -> dict[str, Any] | None:
        return None if self.published_no is None else self.revisions[self.published_no - 1]

    @property
    def is_published(self) -> bool:
        return self.published_no is not None

    @property
    def has_unpublished_changes(self) -> bool:
        return self.published_no != self.latest["no"]

    def revision(self, no: int) -> dict[str, Any]:
        if not 1 <= no <= len(self.revisions):
            raise InvalidPage("page.no_such_version")
        return self.revisions[no - 1]

    def moment(self, version: int) -> tuple[datetime, UUID | None]:
        return self.moments[version]

    # -- editing ---------------------------------------------------------------------------
    def check_unchanged_since(self, seen_no: int) -> None:
        if seen_no != self.latest["no"]:
            raise PageChanged(self.latest["no"])

    def edit(self, title: str, body: str, note: str, seen_no: int) -> None:
        self.check_unchanged_since(seen_no)
        check_content(title, body, note)
        if (title, body) == (self.latest["title"], self.latest["body"]):
            raise InvalidPage("page.unchanged", "body")
        self._edited(title, body, note, None)

    def restore(self, no: int, seen_no: int) -> None:
        """Make an old version the newest again, as a new revision."""
        self.check_unchanged_since(seen_no)
        old = self.revision(no)
        if no == self.latest["no"]:
            raise InvalidPage("page.newest_already")
        self._edited(old["title"], old["body"], "", no)

    @event("Edited")
    def _edited(self, title: str, body: str, note: str, restored_from: int | None) -> None:
        self.revisions.append({
            "no": len(self.revisions) + 1, "version": self.version + 1, "title": title, "body": body,
            "note": note, "restored_from": restored_from,
        })

    # -- publishing --------------------------------------------------------------------------
    def publish(self) -> None:
        """Publish the newest revision. The event carries its text, so the
        search index needs nothing but the event."""
        if self.published_no == self.latest["no"]:
            raise InvalidPage("page.already_published")
        self._published(self.latest["no"], self.latest["title"], self.latest["body"])

    @event("Published")
    def _published(self, no: int, title: str, body: str) -> None:
        self.published_no = no

    def unpublish(self) -> None:
        if not self.is_published:
            raise InvalidPage("page.not_published")
        self._unpublished()

    @event("Unpublished")
    def _unpublished(self) -> None:
        self.published_no = None
