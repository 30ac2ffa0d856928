"""The commands on transfers between units, mixed into the one application.

The guardians' approval is an explicit step on the transfer itself, not a
consent: a consent covers cooperation with services, while the guardians
approve this transfer form, with exactly these parts, to this unit. Everyone
with parental responsibility approves, and the child too from 15. Recording the
approval freezes the snapshot that is sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError as VersionConflict

from events import clock
from events.transfers import CHILD_APPROVES_FROM, UNIT_KINDS, InvalidTransfer, Transfer, parse_part
from events.commands import CommandMixin


class TransferCommands(CommandMixin):
    def start_transfer(self, child_id: UUID, to_unit_id: UUID, kind: str, author_id: UUID,
                       effective_on: date | None = None) -> UUID:
        """`effective_on`: when the child moves once accepted; by default the coming
        school start for barnehage → skole, otherwise on acceptance."""
        child = self.get_child(child_id)
        self._check_units_fit(kind, child.unit_id, to_unit_id)
        transfer = Transfer.new(child_id, child.unit_id, to_unit_id, kind, author_id, effective_on, clock.today())
        self.save(transfer)
        return transfer.id

    def get_transfer(self, transfer_id: UUID) -> Transfer:
        return self._get(Transfer, transfer_id)

    def update_transfer(self, transfer_id: UUID, to_unit_id: UUID, parts: list[str], form: dict[str, str],
                        effective_on: date | None = None) -> None:
        transfer = self.get_transfer(transfer_id)
        self._check_units_fit(transfer.kind, transfer.from_unit_id, to_unit_id)
        for part in parts:
            _, concern_id = parse_part(part)
            if concern_id is not None and self.get_concern(concern_id).child_id != transfer.child_id:
                raise InvalidTransfer("transfer.concern_of_other_child", "parts")
        transfer.update_draft(to_unit_id, parts, form, effective_on, clock.today())
        self.save(transfer)

    def approve_transfer(self, transfer_id: UUID, approvers: list[str], method: str, approved_on: date,
                         minutes: str) -> None:
        """Record the guardians' approval, and freeze what will be sent."""
        transfer = self.get_transfer(transfer_id)
        child = self.get_child(transfer.child_id)
        required = [g["name"] for g in child.guardians_with_responsibility]
        if child.age_on(approved_on) >= CHILD_APPROVES_FROM:
            required.append(child.name)
        transfer.record_approval(approvers, method, approved_on, minutes, required,
                                 self.transfer_content(transfer), clock.today())
        self.save(transfer)

    def send_transfer(self, transfer_id: UUID) -> None:
        transfer = self.get_transfer(transfer_id)
        transfer.send()
        self.save(transfer)

    def mark_transfer_viewed(self, transfer_id: UUID) -> bool:
        """The receiving unit opened the transfer; True if this was the first time."""
        transfer = self.get_transfer(transfer_id)
        if not transfer.mark_viewed():
            return False
        try:
            self.save(transfer)
        except VersionConflict:
            return False  # opened at the same moment by another request, which recorded it
        return True

    def accept_transfer(self, transfer_id: UUID) -> None:
        """Accept: the child moves to the receiving unit on the transfer's effective
        date (at once if it has none or it has come), recorded in the same transaction."""
        transfer = self.get_transfer(transfer_id)
        child = self.get_child(transfer.child_id)
        if child.unit_id != transfer.from_unit_id or child.moves_on is not None:
            raise InvalidTransfer("transfer.child_moved")
        transfer.accept()
        child.schedule_move(transfer.to_unit_id, transfer.effective_on or clock.today())
        try:
            self.save(transfer, child)
        except VersionConflict:
            raise InvalidTransfer("transfer.changed_meanwhile") from None

    def return_transfer(self, transfer_id: UUID, reason: str) -> None:
        transfer = self.get_transfer(transfer_id)
        transfer.return_to_sender(reason)
        self.save(transfer)

    # -- what goes with it -------------------------------------------------------------------
    def transfer_content(self, transfer: Transfer) -> dict[str, Any]:
        """The chosen parts as they read now: the preview, and the snapshot at approval."""
        child = self.get_child(transfer.child_id)
        content: dict[str, Any] = {
            "child": {"name": child.name, "birth_date": child.birth_date},
            "form": dict(transfer.form),
        }
        if "guardians" in transfer.parts:
            content["guardians"] = [
                {k: g.get(k, "") for k in ("name", "relation", "parental_responsibility", "phone", "email", "address")}
                for g in child.guardians
            ]
        if "consents" in transfer.parts:
            content["consents"] = [
                {"decision": c.decision, "services": c.services, "information": c.information,
                 "purpose": c.purpose, "valid_from": c.valid_from, "valid_until": c.valid_until,
                 "withdrawn": sorted(c.withdrawn)}
                for c in self.consents_of(child.id)
            ]
        concerns = []
        for concern_id in transfer.concern_ids():
            concern = self.get_concern(concern_id)
            item: dict[str, Any] = {"opened_on": concern.opened_on, "level": concern.level,
                                    "categories": concern.categories, "status": concern.status}
            if f"logbook:{concern_id}" in transfer.parts:
                item["logbook"] = [{"observed_on": e["observed_on"], "text": e["text"],
                                    "child_words": e["child_words"]} for e in concern.entries]
            if f"plan:{concern_id}" in transfer.parts:
                item["plan"] = [{k: m[k] for k in ("measure", "responsible", "deadline", "evaluate_on",
                                                    "outcome", "evaluated_on")} for m in concern.measures]
            concerns.append(item)
        if concerns:
            content["concerns"] = concerns
        return content

    def _check_units_fit(self, kind: str, from_unit_id: UUID, to_unit_id: UUID) -> None:
        if kind not in UNIT_KINDS:
            raise InvalidTransfer("transfer.kind_unknown", "kind", kind=kind)
        from_unit = self.get_unit(from_unit_id)
        to_unit = self.get_unit(to_unit_id)
        if to_unit.closed:
            raise InvalidTransfer("transfer.unit_closed", "to_unit_id")
        if (from_unit.kind, to_unit.kind) != UNIT_KINDS[kind]:
            raise InvalidTransfer("transfer.units_do_not_fit", "to_unit_id")
