"""The concern (bekymring): a staff member's worry about one child, and what is
done about it, from the first observation to the right action.

Nothing is edited in place: a logbook entry or a guardian conversation is
corrected by a new event with a reason, and the history shows both.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events import clock
from events.base import SubjectRecord
from events.errors import DomainError
from events.guide import steps_for

CATEGORIES = (
    "substance_use",  # foreldres rusbruk
    "violence",  # vold
    "sexual_abuse",  # seksuelle overgrep
    "neglect",  # omsorgssvikt
    "mental_health",  # psykisk helse
    "behaviour",  # atferd
    "development",  # utvikling
    "absence",  # fravær
    "other",  # annet
)
# Suspected violence or abuse: contact barnevernet or the police at once,
# without informing the guardians first.
URGENT_CATEGORIES = ("violence", "sexual_abuse")
WORRY_LEVELS = (1, 2, 3, 4)
BTI_LEVELS = (0, 1, 2, 3)
GUARDIAN_TALK_DAYS = 14
MAX_TEXT = 20_000


class InvalidConcern(DomainError):
    """Raised when a concern or an entry in it is incomplete or inconsistent."""


class ConcernClosed(DomainError):
    """Raised when a closed concern is changed; reopen it first."""


def check_text(text: str, field: str, required: bool = True) -> None:
    if required and not text.strip():
        raise InvalidConcern("text.required", field)
    if len(text) > MAX_TEXT:
        raise InvalidConcern("text.too_long", field, max=MAX_TEXT)


def check_date_not_future(day: date, field: str) -> None:
    if day > clock.today():
        raise InvalidConcern("date.in_future", field)


class Concern(SubjectRecord):
    """One worry about one child, in one unit."""

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return kwargs["child_id"]

    def __init__(
        self,
        child_id: UUID,
        unit_id: UUID,
        author_id: UUID,
        observed_on: date,
        observation: str,
        child_words: str,
        categories: list[str],
        worry: int,
    ):
        # Applies the Created event: no rule is checked here (see `new`).
        self.child_id = child_id
        self.unit_id = unit_id
        self.author_id = author_id
        self.categories = list(categories)
        self.worry = worry
        self.level = 0
        self.status = "open"
        self.opened_on = observed_on
        self.shared_with: list[UUID] = []
        self.steps_done: dict[str, list[str]] = {}
        self.entries: list[dict[str, Any]] = [
            {
                "no": 1,
                "observed_on": observed_on,
                "text": observation,
                "child_words": child_words,
                "by": author_id,
                "corrections": [],
            }
        ]
        self.talks: list[dict[str, Any]] = []
        self.measures: list[dict[str, Any]] = []
        self.closing_reason = ""

    @classmethod
    def new(cls, child_id: UUID, unit_id: UUID, author_id: UUID, observed_on: date, observation: str,
            child_words: str, categories: list[str], worry: int) -> Concern:
        """A new concern; the rules are checked here, not in `__init__`, which the
        library runs again on every replay: a rule made stricter later must not
        make stored concerns unreadable."""
        check_text(observation, "observation")
        check_text(child_words, "child_words", required=False)
        check_date_not_future(observed_on, "observed_on")
        if not categories or any(c not in CATEGORIES for c in categories):
            raise InvalidConcern("concern.category_unknown", "categories")
        if worry not in WORRY_LEVELS:
            raise InvalidConcern("concern.worry_unknown", "worry")
        return cls(child_id, unit_id, author_id, observed_on, observation, child_words, categories, worry)

    # -- guards -----------------------------------------------------------------------
    @property
    def is_urgent(self) -> bool:
        return any(c in URGENT_CATEGORIES for c in self.categories)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def check_is_open(self) -> None:
        if not self.is_open:
            raise ConcernClosed("concern.closed")

    # -- logbook ------------------------------------------------------------------------
    def log_observation(self, observed_on: date, text: str, child_words: str, by: UUID) -> None:
        self.check_is_open()
        check_text(text, "text")
        check_text(child_words, "child_words", required=False)
        check_date_not_future(observed_on, "observed_on")
        self._observation_logged(observed_on, text, child_words, by)

    @event("ObservationLogged")
    def _observation_logged(self, observed_on: date, text: str, child_words: str, by: UUID) -> None:
        self.entries.append(
            {"no": len(self.entries) + 1, "observed_on": observed_on, "text": text,
             "child_words": child_words, "by": by, "corrections": []}
        )

    def receive_advice(self, given_on: date, text: str, meeting_id: UUID, by: UUID) -> None:
        """The resource team's approved advice, logged as the team's: no one corrects it here."""
        self.check_is_open()
        check_text(text, "text")
        check_date_not_future(given_on, "observed_on")
        self._advice_received(given_on, text, meeting_id, by)

    @event("AdviceReceived")
    def _advice_received(self, given_on: date, text: str, meeting_id: UUID, by: UUID) -> None:
        self.entries.append(
            {"no": len(self.entries) + 1, "observed_on": given_on, "text": text, "child_words": "", "by": by,
             "corrections": [], "advice_from": meeting_id}
        )

    def correct_entry(self, no: int, text: str, child_words: str, reason: str, by: UUID) -> None:
        if not 1 <= no <= len(self.entries):
            raise InvalidConcern("concern.no_such_entry")
        if self.entries[no - 1].get("advice_from"):
            raise InvalidConcern("concern.entry_is_advice")
        check_text(text, "text")
        check_text(child_words, "child_words", required=False)
        check_text(reason, "reason")
        self._entry_corrected(no, text, child_words, reason, by)

    @event("EntryCorrected")
    def _entry_corrected(self, no: int, text: str, child_words: str, reason: str, by: UUID) -> None:
        entry = self.entries[no - 1]
        entry["corrections"].append(
            {"text": entry["text"], "child_words": entry["child_words"], "reason": reason, "by": by}
        )
        entry["text"] = text
        entry["child_words"] = child_words

    # -- the action guide (BTI) ------------------------------------------------------------
    def set_level(self, level: int, reason: str) -> None:
        self.check_is_open()
        if level not in BTI_LEVELS:
            raise InvalidConcern("concern.level_unknown", "level")
        if level == self.level:
            raise InvalidConcern("concern.same_level", "level")
        check_text(reason, "reason")
        self._level_set(level, reason)

    @event("LevelSet")
    def _level_set(self, level: int, reason: str) -> None:
        self.level = level

    def mark_step(self, step: str, done: bool) -> None:
        self.check_is_open()
        if step not in steps_for(self.level, self.is_urgent):
            raise InvalidConcern("concern.no_such_step")
        self._step_marked(self.level, step, done)

    @event("StepMarked")
    def _step_marked(self, level: int, step: str, done: bool) -> None:
        steps = set(self.steps_done.get(str(level), []))
        (steps.add if done else steps.discard)(step)
        self.steps_done[str(level)] = sorted(steps)

    # -- conversations with guardians --------------------------------------------------------
    def record_guardian_talk(
        self, held_on: date, participants: str, summary: str, child_heard: bool, by: UUID
    ) -> None:
        self.check_is_open()
        check_date_not_future(held_on, "held_on")
        check_text(participants, "participants")
        check_text(summary, "summary")
        self._guardian_talk_recorded(held_on, participants, summary, child_heard, by)

    @event("GuardianTalkRecorded")
    def _guardian_talk_recorded(
        self, held_on: date, participants: str, summary: str, child_heard: bool, by: UUID
    ) -> None:
        self.talks.append(
            {"no": len(self.talks) + 1, "held_on": held_on, "participants": participants,
             "summary": summary, "child_heard": child_heard, "by": by, "corrections": []}
        )

    def correct_guardian_talk(self, no: int, summary: str, reason: str, by: UUID) -> None:
        if not 1 <= no <= len(self.talks):
            raise InvalidConcern("concern.no_such_talk")
        check_text(summary, "summary")
        check_text(reason, "reason")
        self._guardian_talk_corrected(no, summary, reason, by)

    @event("GuardianTalkCorrected")
    def _guardian_talk_corrected(self, no: int, summary: str, reason: str, by: UUID) -> None:
        talk = self.talks[no - 1]
        talk["corrections"].append({"summary": talk["summary"], "reason": reason, "by": by})
        talk["summary"] = summary

    @property
    def guardian_talk_due(self) -> date:
        from datetime import timedelta

        return self.opened_on + timedelta(days=GUARDIAN_TALK_DAYS)

    # -- the action plan (tiltaksplan) ----------------------------------------------------------
    def add_measure(
        self, measure: str, responsible: str, deadline: date, evaluate_on: date, by: UUID
    ) -> None:
        self.check_is_open()
        check_text(measure, "measure")
        check_text(responsible, "responsible")
        if evaluate_on < deadline:
            raise InvalidConcern("concern.evaluation_before_deadline", "evaluate_on")
        self._measure_added(measure, responsible, deadline, evaluate_on, by)

    @event("MeasureAdded")
    def _measure_added(
        self, measure: str, responsible: str, deadline: date, evaluate_on: date, by: UUID
    ) -> None:
        self.measures.append(
            {"no": len(self.measures) + 1, "measure": measure, "responsible": responsible,
             "deadline": deadline, "evaluate_on": evaluate_on, "outcome": "", "evaluated_on": None,
             "by": by}
        )

    def evaluate_measure(self, no: int, outcome: str, evaluated_on: date) -> None:
        if not 1 <= no <= len(self.measures):
            raise InvalidConcern("concern.no_such_measure")
        check_text(outcome, "outcome")
        self._measure_evaluated(no, outcome, evaluated_on)

    @event("MeasureEvaluated")
    def _measure_evaluated(self, no: int, outcome: str, evaluated_on: date) -> None:
        self.measures[no - 1]["outcome"] = outcome
        self.measures[no - 1]["evaluated_on"] = evaluated_on

    # -- sharing, closing -------------------------------------------------------------------
    def share_with(self, user_id: UUID) -> None:
        if user_id == self.author_id or user_id in self.shared_with:
            raise InvalidConcern("concern.already_shared", "user_id")
        self._shared(user_id)

    @event("Shared")
    def _shared(self, user_id: UUID) -> None:
        self.shared_with.append(user_id)

    def unshare(self, user_id: UUID) -> None:
        if user_id not in self.shared_with:
            raise InvalidConcern("concern.not_shared", "user_id")
        self._unshared(user_id)

    @event("Unshared")
    def _unshared(self, user_id: UUID) -> None:
        self.shared_with.remove(user_id)

    def close(self, reason: str) -> None:
        self.check_is_open()
        check_text(reason, "reason")
        self._closed(reason)

    @event("Closed")
    def _closed(self, reason: str) -> None:
        self.status = "closed"
        self.closing_reason = reason

    def reopen(self, reason: str) -> None:
        if self.is_open:
            raise InvalidConcern("concern.already_open")
        check_text(reason, "reason")
        self._reopened(reason)

    @event("Reopened")
    def _reopened(self, reason: str) -> None:
        self.status = "open"
        self.closing_reason = ""
