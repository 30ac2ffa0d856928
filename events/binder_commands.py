"""The commands on the binder's pages, mixed into the one application (`Bekymring`).

A page is found by its slug (its id derives from it). Every edit names the
revision the editor saw; if someone saved a newer one since, the command raises
`PageChanged` and nothing is stored.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import IntegrityError as VersionConflict

from events.binder import BinderPage, InvalidPage, PageChanged, page_id_for
from events.commands import CommandMixin


class BinderCommands(CommandMixin):
    def create_page(
        self,
        slug: str,
        section: str,
        title: str,
        body: str,
        level: int | None = None,
        form: str | None = None,
        unit_id: UUID | None = None,
    ) -> UUID:
        if unit_id is not None:
            self.check_unit(unit_id)
        page = BinderPage.new(slug, section, title, body, level, form, unit_id)
        try:
            self.save(page)
        except VersionConflict:
            raise InvalidPage("page.slug_taken", "slug") from None
        return page.id

    def get_page(self, slug: str) -> BinderPage:
        return self._get(BinderPage, page_id_for(slug))

    def edit_page(self, slug: str, title: str, body: str, note: str, seen_no: int) -> int:
        """Save a new revision; return its number."""
        page = self.get_page(slug)
        page.edit(title, body, note, seen_no)
        return self._save_page(page)

    def restore_page(self, slug: str, no: int, seen_no: int) -> int:
        page = self.get_page(slug)
        page.restore(no, seen_no)
        return self._save_page(page)

    def publish_page(self, slug: str) -> None:
        page = self.get_page(slug)
        page.publish()
        self._save_page(page)

    def unpublish_page(self, slug: str) -> None:
        page = self.get_page(slug)
        page.unpublish()
        self._save_page(page)

    def _save_page(self, page: BinderPage) -> int:
        try:
            self.save(page)
        except VersionConflict:
            # Someone saved between our read and our write; nothing of ours was stored.
            raise PageChanged(self.get_page(page.slug).latest["no"]) from None
        return page.latest["no"]
