"""The commands on notifications, mixed into the one application: the user's own
e-mail settings and the record of a digest sent."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from events.commands import CommandMixin
from events.notifications import Digest


class NotificationCommands(CommandMixin):
    def set_email(self, user_id: UUID, address: str, notifications: bool) -> None:
        user = self.get_user(user_id)
        user.set_email(address, notifications)
        self.save(user)

    def record_digest(self, user_id: UUID, items: list[str], sent_on: date) -> UUID:
        """After the e-mail was accepted by the SMTP server: its items are not sent again."""
        digest = Digest(user_id, items, sent_on)
        self.save(digest)
        return digest.id
