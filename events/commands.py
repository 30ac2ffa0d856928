"""What the command mixins (events/*_commands.py) need from the one application.

The mixins are parts of `Bekymring` (events/application.py), split by record;
`Host` names what they call on it, so a type checker can check those calls.
At run time `CommandMixin` is a plain `object`: the stubs must never shadow the
application's own methods in its MRO.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from eventsourcing.application import Repository
    from eventsourcing.persistence import EventStore

    from events.children import Child
    from events.concerns import Concern
    from events.consents import Consent
    from events.directory import Municipality, Unit, User


class Host(Protocol):
    repository: Repository
    events: EventStore
    recorder: Any
    blind_index: Any  # events.blind_index.BlindIndex

    def save(self, *objs: Any, **kwargs: Any) -> Any: ...

    def side_store(self, name: str) -> Any: ...  # events.storage.sidestore.SideStore

    def _get(self, cls: type, record_id: UUID, repository: Repository | None = None, **options: Any) -> Any: ...

    def check_unit(self, unit_id: UUID) -> None: ...

    def get_unit(self, unit_id: UUID) -> Unit: ...

    def municipality(self) -> Municipality | None: ...

    def get_user(self, user_id: UUID) -> User: ...

    def get_child(self, child_id: UUID) -> Child: ...

    def register_child(self, first_name: str, last_name: str, birth_date: date, unit_id: UUID,
                       national_id: str = "", guardians: list[dict[str, Any]] | None = None) -> UUID: ...

    def get_concern(self, concern_id: UUID) -> Concern: ...

    def consents_of(self, child_id: UUID) -> list[Consent]: ...

    def get_consent(self, consent_id: UUID) -> Consent: ...


if TYPE_CHECKING:
    CommandMixin = Host
else:
    CommandMixin = object
