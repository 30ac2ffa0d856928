"""Domain errors: a command that breaks a rule raises a `DomainError` naming the
rule by a stable code. The web shows a translated message for each code
(intranet/error_messages.py); the English text here is for logs only."""

from __future__ import annotations

from typing import Any

# Every rule a command can refuse by: code -> English text for logs, formatted
# with the error's `field` and parameters (a list reads as "a, b").
# Codes are "<area>.<rule>": the area is the record (concern, consent, ...) or,
# for a rule shared by several records, the kind of input (text, date).
CODES: dict[str, str] = {
    # shared
    "text.required": "{field} is required",
    "text.too_long": "{field} is too long (at most {max} characters)",
    "date.in_future": "{field} is in the future",
    "record.not_found": "no {kind} {record_id}",
    "record.erased": "record {record_id} was erased",
    # concerns
    "concern.category_unknown": "choose at least one known category",
    "concern.worry_unknown": "worry must be 1-4",
    "concern.closed": "the concern is closed; reopen it to change it",
    "concern.already_open": "the concern is open",
    "concern.changed": "the concern changed since it was loaded",
    "concern.no_such_entry": "no such entry",
    "concern.entry_is_advice": "the resource team's advice is minuted and approved; it is not corrected here",
    "concern.no_such_talk": "no such conversation",
    "concern.no_such_measure": "no such measure",
    "concern.no_such_step": "no such step at this level",
    "concern.level_unknown": "level must be 0-3",
    "concern.same_level": "the concern is already at that level",
    "concern.evaluation_before_deadline": "evaluation date is before the deadline",
    "concern.already_shared": "already has access",
    "concern.not_shared": "was not shared with that person",
    "concern.not_a_colleague": "share only with an active colleague in the concern's unit",
    "concern.child_required": "choose the child the concern is about",
    # consents
    "consent.decision_unknown": "decision must be given or refused",
    "consent.services_required": "choose the services the consent covers",
    "consent.refusers_required": "record who refused",
    "consent.information_required": "choose the categories of information",
    "consent.purpose_required": "the purpose is required",
    "consent.period_reversed": "valid until is before valid from",
    "consent.period_too_long": "a consent lasts at most {months} months",
    "consent.signatures_missing": "missing signature: {names}",
    "consent.signatures_missing_with_child": "missing signature: {names} (the child signs too from 15)",
    "consent.oral_without_minutes": "oral consent must be minuted",
    "consent.not_given": "only a given consent can be withdrawn",
    "consent.withdrawal_services": "choose services the consent still covers",
    "consent.withdrawal_reason_required": "record who withdrew it and how",
    # the programme's follow-up in the units
    "programme.already_key_person": "is a key person already",
    "programme.not_key_person": "is not a key person",
    "programme.ended_before_appointed": "ends before the appointment",
    "programme.training_kind_unknown": "choose basic, follow_up or new_staff",
    "programme.attendees_required": "choose who attended",
    "programme.not_in_unit": "choose active staff of the unit",
    "programme.guide_read_already": "this version is confirmed already",
    # collaborations across services
    "collaboration.services_required": "choose the member services",
    "collaboration.level_too_low": "open at level 2 or 3, or say why the guardians asked earlier",
    "collaboration.consent_of_other_child": "the consent is about another child",
    "collaboration.information_required": "choose the kinds of information shared",
    "collaboration.plan_not_shared": "the plan (action_plan) is always shared",
    "collaboration.information_not_covered": "the consent does not cover {information}",
    "collaboration.consent_missing": "no valid consent for {service}",
    "collaboration.coordinator_inactive": "the coordinator's account is not active",
    "collaboration.closed": "the collaboration is closed",
    "collaboration.service_not_member": "the responsible service is not a member",
    "collaboration.deadline_before_start": "the deadline is before the start",
    "collaboration.evaluation_before_start": "the evaluation date is before the start",
    "collaboration.no_such_measure": "no such measure",
    "collaboration.no_such_goal": "no such goal",
    "collaboration.measure_ended": "the measure has ended",
    "collaboration.decision_required": "choose continue, change or end",
    "collaboration.next_evaluation_required": "a measure that goes on needs a later evaluation date",
    "collaboration.closing_reason_required": "choose why the collaboration ends",
    "collaboration.already_coordinator": "is the coordinator already",
    "collaboration.no_handover_for_you": "no handover is proposed to you",
    "collaboration.not_in_group": "not a member of the ansvarsgruppe",
    "collaboration.plan_status_unknown": "choose draft, agreed or under_review",
    "collaboration.meeting_in_past": "{field}: a meeting is planned for today or later",
    "collaboration.time_invalid": "{field}: a time is hh:mm",
    "collaboration.no_such_meeting": "no such meeting",
    "collaboration.meeting_minuted": "the meeting is minuted already",
    "collaboration.meeting_not_held_yet": "the meeting's day is ahead",
    "collaboration.attendees_required": "say who attended",
    "collaboration.next_meeting_required": "propose the next meeting",
    "collaboration.not_a_member": "the service is not a member",
    "collaboration.last_member": "the last member service cannot be removed; close the collaboration",
    "collaboration.coordinators_service": "the coordinator's own service cannot be removed; hand over first",
    "collaboration.unit_of_other_service": "the unit is not an open unit of the service",
    "collaboration.already_member": "the service (by that unit, or its resource team) is a member already",
    "collaboration.admitted_too_early": "admitted before the collaboration opened, or before the service was taken out",
    "collaboration.admission_not_consented": "the consent does not cover {service} on the day of admission",
    "collaboration.no_such_entry": "no such logbook entry",
    "collaboration.entry_already_shared": "the entry is shared already",
    "collaboration.entry_not_shared": "the entry is not shared",
    "collaboration.information_not_shared": "the collaboration does not share that kind of information",
    "collaboration.consent_unchanged": "the collaboration rests on that consent already",
    "collaboration.consent_not_given": "the consent was refused, not given",
    "collaboration.consent_withdrawn": "the consent is withdrawn for every service",
    "collaboration.consent_expired": "the consent expired on {on}",
    "collaboration.consent_not_yet_valid": "the consent is valid from {on}",
    "collaboration.consent_change_too_early": "before the collaboration opened, or before its last change of consent",
    # referrals
    "referral.kind_unknown": "unknown kind {kind!r}",
    "referral.sent_cannot_change": "a sent referral cannot be changed",
    "referral.already_sent": "already sent",
    "referral.channel_required": "choose how it was sent",
    "referral.fields_missing": "missing: {fields}",
    "referral.consent_missing": "no valid consent for {service}: {reason}",
    "referral.not_sent": "only a sent referral can be confirmed received",
    "referral.receipt_before_sending": "receipt date is before the date sent",
    "referral.feedback_before_sending": "feedback comes after sending",
    "referral.feedback_required": "describe the feedback",
    "referral.already_closed": "already closed",
    "referral.closing_reason_required": "closing needs a reason",
    "referral.reporter_phone_invalid": "the phone number is not in KS' format",
    "referral.reporter_email_invalid": "the e-mail address is not in KS' format",
    "referral.sibling_name_required": "a sibling needs a name",
    "referral.sibling_national_id_invalid": "the sibling's national identity number is not valid",
    # transfers
    "transfer.kind_unknown": "unknown kind {kind!r}",
    "transfer.part_unknown": "unknown part {part!r}",
    "transfer.form_field_unknown": "unknown field in the transfer form",
    "transfer.form_too_long": "a field in the transfer form is too long",
    "transfer.to_own_unit": "the receiving unit is the child's own unit",
    "transfer.unit_closed": "the receiving unit is closed",
    "transfer.units_do_not_fit": "the units do not fit this kind of transfer",
    "transfer.concern_of_other_child": "the concern is about another child",
    "transfer.sent_cannot_change": "a sent transfer cannot be changed",
    "transfer.not_awaiting_approval": "the transfer is not a draft awaiting approval",
    "transfer.empty": "the transfer is empty",
    "transfer.method_required": "choose how the approval was given",
    "transfer.approvals_missing": "missing approval: {names}",
    "transfer.approval_not_recorded": "the guardians' approval is not recorded",
    "transfer.oral_without_minutes": "an oral approval must be minuted",
    "transfer.already_sent": "already sent",
    "transfer.not_received": "only an opened, undecided transfer can be accepted or returned",
    "transfer.return_reason_required": "say why it is returned",
    "transfer.child_moved": "the child is no longer in the sending unit",
    "transfer.effective_date_past": "the effective date has passed",
    "transfer.changed_meanwhile": "the transfer or the child changed meanwhile",
    # the binder's case bank
    "case_proposal.title_required": "give the case a title",
    "case_proposal.text_required": "the case needs a text",
    "case_proposal.comment_required": "say what must change",
    "case_proposal.closed": "the proposal is published or withdrawn",
    "case_proposal.already_returned": "the proposal is already returned to its proposer",
    "case_proposal.waiting_for_revision": "the proposal waits for its proposer's revision",
    "case_proposal.own_text": "a second person, not the one who wrote the text, must confirm it",
    "case_proposal.proposer_only": "only the proposer may do this",
    "case_proposal.named_case": "only a case brought anonymously can be proposed",
    "case_proposal.minutes_not_approved": "the meeting's minutes are not approved yet",
    "case_proposal.identifies": "the text still holds what identifies someone (its words are not logged)",
    # resource-team meetings
    "meeting.kind_unknown": "unknown kind of meeting",
    "meeting.units_required": "a meeting is for at least one unit",
    "meeting.services_required": "choose the services that attend",
    "meeting.closed": "the minutes are approved; the meeting is closed",
    "meeting.not_held_yet": "the meeting is not held yet; its minutes cannot be approved",
    "meeting.issue_title_required": "a general issue needs a title",
    "meeting.no_such_issue": "no such issue",
    "meeting.advice_required": "write the advice",
    "meeting.advice_missing": "every case needs its advice minuted",
    "meeting.leader_only": "only the meeting leader approves the minutes",
    "meeting.time_invalid": "write the time as hh:mm",
    "meeting.attendee_not_invited": "an attendee is not invited to the meeting",
    "meeting.next_date_required": "the next meeting needs a date",
    "meeting.next_before_this": "the next meeting must come after this one",
    "meeting.mode_unknown": "unknown mode",
    "meeting.case_text_required": "describe the case",
    "meeting.unit_not_attending": "the concern's unit is not in this meeting",
    "meeting.text_names_child": "the text still names the child or family",
    "meeting.words_unconfirmed": "keep or remove each word marked as uncertain: {words}",
    "meeting.named_without_consent": "no consent for {missing}",
    "meeting.no_children": "no child is ever brought to this meeting: themes only",
    "meeting.anonymous_only": "cases are brought anonymised only to this meeting",
    "meeting.cancelled": "the meeting is cancelled",
    "meeting.leader_only_cancel": "only the meeting's leader cancels it",
    "meeting.already_held": "the meeting's day is past: it cannot be cancelled",
    "meeting.minuted": "the meeting has minutes: it cannot be cancelled",
    "meeting.cancel_reason_required": "a reason for cancelling is required",
    "series.kind_unknown": "unknown kind of meeting series",
    "series.rule_not_for_kind": "this meeting does not recur by that rule",
    "series.wrong_weekday": "this meeting is held on another weekday",
    "series.not_last_thursday": "choose the last Thursday of a month",
    "series.wrong_month": "this meeting is held in other months",
    "series.nobody_attends": "choose who attends",
    "series.not_a_date": "the series has no meeting that day",
    "series.ended": "the series is ended; it cannot be changed",
    "series.before_today": "{field} is before today",
    "series.before_first": "{field} is before the series' first date, {first_on}",
    "series.after_end": "the series ended on {last_on}; it has no meeting after that",
    "series.unchanged": "nothing changed",
    # the binder's pages
    # the yearly wheel
    "wheel.title_required": "the item needs a title",
    "wheel.month_required": "the item needs a month (1-12)",
    "wheel.day_invalid": "no such day in that month (every year)",
    "wheel.year_required": "an item that happens once needs its year",
    "wheel.year_with_yearly": "an item that comes back every year has no year",
    "wheel.time_invalid": "the time is not HH:MM",
    "wheel.time_without_day": "a time needs a day",
    "wheel.kind_unknown": "unknown arena",
    "wheel.repeat_unknown": "unknown repetition",
    "wheel.unchanged": "nothing was changed",
    "wheel.removed": "the item was removed",
    "wheel.changed": "the item was changed by someone else",
    "page.slug_invalid": "the address may hold only a-z, 0-9 and hyphens",
    "page.slug_reserved": "the address is reserved",
    "page.slug_taken": "the address is taken",
    "page.title_required": "the title is required",
    "page.title_too_long": "the title is too long",
    "page.body_too_long": "the text is too long",
    "page.note_too_long": "the note is too long",
    "page.section_unknown": "unknown section",
    "page.level_misplaced": "only guide pages have a level, 0-3",
    "page.form_misplaced": "only template pages lead to a form",
    "page.no_such_version": "no such version",
    "page.unchanged": "nothing was changed",
    "page.newest_already": "that is the newest version",
    "page.already_published": "the newest version is already published",
    "page.not_published": "the page is not published",
    "page.changed": "the page changed since it was opened",
    # children
    "child.name_required": "first and last name are required",
    "child.national_id_invalid": "national identity number is not valid",
    "child.national_id_mismatch": "national identity number does not match the birth date",
    "child.already_registered": "a child with this national identity number is registered already",
    "child.guardian_name_required": "every guardian needs a name",
    "child.relation_unknown": "unknown relation {relation!r}",
    "child.no_parental_responsibility": "at least one guardian must have parental responsibility",
    "child.correction_reason_required": "a correction needs a reason",
    "child.restriction_reason_required": "a restriction needs a reason",
    "child.already_restricted": "already restricted",
    "child.not_restricted": "not restricted",
    "child.lifting_reason_required": "lifting a restriction needs a reason",
    # the directory, sign-in
    "unit.kind_unknown": "unknown unit kind {kind!r}",
    "statistics.period_not_ended": "a release is published only after its period has ended",
    "statistics.month_missing": "a quarter or a year is published only after each of its months",
    "unit.street_required": "the street address is required",
    "unit.postcode_invalid": "the post code must be four digits",
    "unit.place_required": "the post town is required",
    "unit.district_number_invalid": "the district number must be two digits",
    "municipality.number_invalid": "the municipality number must be four digits",
    "municipality.name_required": "the municipality's name is required",
    "role.unknown": "unknown role {role!r}",
    "role.unit_required": "role {role} needs a unit",
    "role.service_required": "a resource-team member represents a service",
    "role.service_not_allowed": "only resource-team members represent a service",
    "totp.code_used": "this code was already used",
    "totp.recovery_code_unknown": "unknown recovery code",
    "passkey.known": "this passkey is already registered",
    "passkey.name_required": "a passkey needs a name",
    "passkey.unknown": "no such passkey",
    "passkey.cloned": "the passkey's counter went back: a cloned key",
    "account.email_invalid": "not an e-mail address",
    "account.email_required": "notifications by e-mail need an e-mail address",
    # privacy
    "anomaly.comment_required": "a review needs a comment",
    "anomaly.rule_unknown": "unknown anomaly rule {rule!r}",
    "erasure.reason_required": "an erasure request needs a reason",
    "erasure.already_decided": "the request was already decided",
    "erasure.same_person": "the person who requested an erasure cannot confirm it",
    "retention.reason_required": "keeping records past their time needs a reason",
    "retention.until_required": "keeping records past their time needs a new date",
    "retention.until_not_future": "the new date must be after today",
}


def _readable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(map(str, value))
    return value


class DomainError(Exception):
    """Raised when a command breaks a rule of the domain.

    `code` names the rule (a key of CODES); `field` the input it is about, by
    the name the command and its form give it (None: the command as a whole);
    `params` the details a message needs (the names missing, a limit)."""

    def __init__(self, code: str, field: str | None = None, **params: Any):
        if code not in CODES:
            raise ValueError(f"unknown domain error code {code!r}: add it to events.errors.CODES")
        self.code = code
        self.field = field
        self.params = params
        readable = {k: _readable(v) for k, v in params.items()}
        super().__init__(CODES[code].format(field=field or "", **readable))


class RecordErased(DomainError):
    """Raised when a record's data key was shredded, so its content is gone."""

    def __init__(self, originator_id):
        super().__init__("record.erased", record_id=originator_id)
        self.originator_id = originator_id


class KeyConfigurationError(Exception):
    """Raised when no key-encryption key (KEK) is configured, or it is unsafe."""


class IntegrityError(Exception):
    """Raised when a stored event does not decrypt: it was altered or swapped."""


class NotFound(DomainError):
    """Raised when a record does not exist (or the caller may not know it does)."""
