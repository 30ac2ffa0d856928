"""Commands for resource-team meetings, mixed into the one application."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from uuid import UUID

from events import clock
from events.anonymisation import REMOVED, Anonymised, anonymise, remove_words
from events.consents import best_consent_for
from events.concerns import Concern
from events.errors import DomainError
from events.meetings import ADVICE_HEADING, MODES, InvalidMeeting, Meeting, MeetingCase, age_band
from events.redaction import Person, redact
from events.commands import CommandMixin


def people_of(child) -> list[Person]:
    """The registered names to redact, with the word that replaces each."""
    roles = {"mor": "mor", "far": "far", "medmor": "medmor"}
    return [Person(child.name, "barnet")] + [
        Person(g["name"], roles.get(g.get("relation", ""), "foresatt")) for g in child.guardians
    ]


class MeetingCommands(CommandMixin):
    def schedule_meeting(self, kind: str, held_on: date, unit_ids: list[UUID], services: list[str],
                         leader_id: UUID, place: str, starts_at: str, invitee_ids: list[UUID] | None = None) -> UUID:
        for unit_id in unit_ids:
            self.check_unit(unit_id)
        for user_id in invitee_ids or []:
            self.get_user(user_id)
        meeting = Meeting.new(kind, held_on, unit_ids, services, leader_id, place, starts_at,
                              list(dict.fromkeys(invitee_ids or [])))
        self.save(meeting)
        return meeting.id

    def get_meeting(self, meeting_id: UUID) -> Meeting:
        return self._get(Meeting, meeting_id)

    def get_meeting_case(self, case_id: UUID) -> MeetingCase:
        return self._get(MeetingCase, case_id)

    def anonymised_concern(self, concern_id: UUID, local_names: Iterable[str] = ()) -> Anonymised:
        """The concern's chronology anonymised (the family, the days, units and places;
        `local_names`: the municipality's units, their addresses, its own name): the
        starting point the unit leader reviews and can redact further by hand."""
        concern = self.get_concern(concern_id)
        child = self.get_child(concern.child_id)
        text = "\n".join(f"{e['observed_on']:%d.%m.%Y}: {e['text']}" for e in concern.entries)
        return anonymise(text, people_of(child), local_names)

    def words_to_confirm(self, concern_id: UUID, text: str, local_names: Iterable[str] = ()) -> tuple[str, ...]:
        """The words in `text` the anonymiser is unsure of: the unit leader keeps or removes each."""
        child = self.get_child(self.get_concern(concern_id).child_id)
        return anonymise(text, people_of(child), local_names).uncertain

    def bring_case(self, meeting_id: UUID, concern_id: UUID, mode: str, text: str, brought_by: UUID,
                   decisions: Mapping[str, str] | None = None, local_names: Iterable[str] = ()) -> UUID:
        """Bring a concern to a meeting. Anonymised: the text must carry no registered
        name, and the unit leader has kept or removed (`decisions`: word → "keep" or
        "remove") every word the anonymiser was unsure of. By name: only with valid
        consent for every attending service."""
        meeting = self.get_meeting(meeting_id)
        meeting.check_open()
        concern = self.get_concern(concern_id)
        if concern.unit_id not in meeting.unit_ids:
            raise InvalidMeeting("meeting.unit_not_attending", "concern_id")
        modes = self.case_modes(meeting)
        if not modes:
            raise InvalidMeeting("meeting.no_children")  # SLT, the lederforum: themes only
        if mode not in MODES:
            raise InvalidMeeting("meeting.mode_unknown", "mode")
        if mode not in modes:
            raise InvalidMeeting("meeting.anonymous_only", "mode")
        child = self.get_child(concern.child_id)
        review = None
        if mode == "anonymous":
            text, review = self._reviewed_text(child, text, decisions or {}, local_names)
        else:
            consents = self.consents_of(child.id)
            coverage = {s: best_consent_for(consents, s, meeting.held_on)[1] for s in meeting.services
                        if s != "unit_leader"}
            MeetingCase.check_named_allowed(meeting.services, coverage)
        unit = self.get_unit(concern.unit_id)
        case = MeetingCase.new(meeting.id, concern.id, child.id, unit.id, unit.kind, mode,
                           age_band(child.age_on(meeting.held_on)), text, brought_by, review)
        meeting.add_case(case.id)
        self.save(case, meeting)
        return case.id

    def case_modes(self, meeting: Meeting) -> tuple[str, ...]:
        """How a case may be brought to `meeting`: its arena's ways, but never by name
        where the kommunalsjef leads (consent covers services, and she is none)."""
        if "named" in meeting.modes and self._role_of(meeting.leader_id) == "municipal_leader":
            return tuple(m for m in meeting.modes if m != "named")
        return meeting.modes

    def _role_of(self, user_id: UUID) -> str | None:
        try:
            return self.get_user(user_id).role
        except DomainError as e:
            if e.code != "record.not_found":
                raise
            return None

    def _reviewed_text(self, child, text: str, decisions: Mapping[str, str],
                       local_names: Iterable[str]) -> tuple[str, dict]:
        """The anonymised text with the words the unit leader chose to remove taken out,
        and her review; refused while it names the family or leaves a word unconfirmed."""
        removed = [w for w, d in decisions.items() if d == "remove" and w]
        reviewed = remove_words(text, removed)
        leftover = [r for r in redact(reviewed, people_of(child)).replacements if r[1] in
                    ("barnet", "mor", "far", "medmor", "foresatt", "[etternavn]", "[fødselsnummer]")]
        if leftover:
            raise InvalidMeeting("meeting.text_names_child", "text")
        unsure = anonymise(reviewed, people_of(child), local_names).uncertain
        unconfirmed = [w for w in unsure if decisions.get(w) != "keep"]
        if unconfirmed:
            raise InvalidMeeting("meeting.words_unconfirmed", "review", words=unconfirmed)
        return reviewed, {"kept": list(unsure), "removed": reviewed.count(REMOVED) - text.count(REMOVED)}

    def add_general_issue(self, meeting_id: UUID, title: str, text: str, brought_by: UUID) -> None:
        meeting = self.get_meeting(meeting_id)
        meeting.add_general_issue(title, text, brought_by)
        self.save(meeting)

    def minute_case(self, case_id: UUID, advice: str) -> None:
        case = self.get_meeting_case(case_id)
        self.get_meeting(case.meeting_id).check_open()
        child = self.get_child(case.child_id)
        case.minute_advice(advice, redact(advice, people_of(child)).text)
        self.save(case)

    def minute_general(self, meeting_id: UUID, no: int, advice: str) -> None:
        meeting = self.get_meeting(meeting_id)
        meeting.minute_general(no, advice)
        self.save(meeting)

    def write_minutes(self, meeting_id: UUID, attendee_ids: list[UUID], notes: str, next_on: date | None,
                      next_at: str) -> None:
        """The minutes beyond the advice: who attended, free text, the next meeting."""
        meeting = self.get_meeting(meeting_id)
        people = []
        for user_id in dict.fromkeys(attendee_ids):
            try:
                people.append(self.get_user(user_id))
            except DomainError as e:
                if e.code != "record.not_found":
                    raise
                raise InvalidMeeting("meeting.attendee_not_invited", "attendee_ids") from None
        meeting.write_minutes(people, notes, next_on, next_at)
        self.save(meeting)

    def cancel_meeting(self, meeting_id: UUID, reason: str, by: UUID) -> None:
        """Cancel a planned meeting (events/meetings.py `Meeting.cancel`). A series'
        meeting stays cancelled: the series keeps it as that date's meeting."""
        meeting = self.get_meeting(meeting_id)
        for case_id in meeting.case_ids:
            try:
                advised = bool(self.get_meeting_case(case_id).advice)
            except DomainError as e:
                if e.code not in ("record.not_found", "record.erased"):
                    raise
                continue  # the child was erased, and the case with it
            if advised:  # advice minuted on a case: the meeting was held
                meeting.check_open()
                raise InvalidMeeting("meeting.minuted")
        meeting.cancel(reason, by, clock.today())
        self.save(meeting)

    def approve_minutes(self, meeting_id: UUID, by: UUID) -> list[UUID]:
        """Approve the minutes; each case's advice goes back to its concern's logbook,
        dated the meeting's day. All or nothing: one concern refusing its advice leaves
        the meeting open and every concern as it was.
        A restricted child's case is withheld from the meeting (events/policy.py), so
        it needs no advice; advice it was given before still goes back.
        Returns the cases whose concern was closed (their advice is kept on the case)."""
        meeting = self.get_meeting(meeting_id)
        meeting.check_open()  # a cancelled or approved meeting says so, before its cases' advice is asked
        cases = []
        for case_id in meeting.case_ids:
            try:
                case = self.get_meeting_case(case_id)
                withheld = self.get_child(case.child_id).restricted
            except DomainError as e:
                if e.code not in ("record.not_found", "record.erased"):
                    raise
                continue  # the child was erased, and the case with it
            if not case.advice and not withheld:
                raise InvalidMeeting("meeting.advice_missing")
            if case.advice:
                cases.append(case)
        meeting.approve_minutes(by)
        concerns: dict[UUID, Concern] = {}  # one concern brought twice is changed once
        returned, not_returned = [], []
        for case in cases:
            if case.concern_id not in concerns:
                concerns[case.concern_id] = self.get_concern(case.concern_id)
            concern = concerns[case.concern_id]
            if not concern.is_open:
                not_returned.append(case.id)
                continue
            text = ADVICE_HEADING.format(meeting.held_on) + case.advice
            concern.receive_advice(meeting.held_on, text, meeting.id, by)
            case.mark_returned()
            returned.append(case)
        self.save(meeting, *concerns.values(), *returned)
        return not_returned
