"""The one access policy: `may(user, action, record)`. Every route asks it, and
nothing else decides who may see or do what (DESIGN.md §4).

Need-to-know, in short:
- staff and unit leaders see the children of their own unit;
- a concern is seen by its author, the colleagues it is shared with, and the
  leader of its unit (other staff of the unit do not see it);
- privacy officers see metadata (who saw what), never content;
- municipal leaders see anonymised material only, and the meetings they lead;
- resource-team members see only cases brought to their meeting (later);
- admins manage users and units but cannot open any case.

An unknown action is refused (fail closed).

Every access is decided together with its legal basis (`decide`): the access
event stores it (intranet/guard.py), so the log says why each access was lawful
with the rule that allowed it, never a guess made afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable
from uuid import UUID

from events.arenas import ARENAS, may_plan, takes_cases
from events.redaction import redact


# The legal bases (rettslig grunnlag) an access is decided on. The codes are
# stored in the access events: never change them.
OWN_UNIT = "own_unit"  # the child's unit: the concern's author, those it is shared with, the leader
CONSENT = "consent"  # the guardians' consent, naming it: a member service of a collaboration
STATUTORY = "statutory"  # barnevernet's own statutory duty (barnevernloven)
BREAK_GLASS = "break_glass"  # a break-the-glass grant, naming it
RECEIVING_UNIT = "receiving_unit"  # the unit a transfer was sent to
RESOURCE_TEAM = "resource_team"  # a case brought to a resource-team meeting
PRIVACY_OFFICER = "privacy_officer"  # the privacy officer's supervision
REFUSED = "refused"  # an attempt refused (a break-the-glass grant through a restriction)
OTHER = "other"  # any other role's own pages
BASIS_CODES = (OWN_UNIT, CONSENT, STATUTORY, BREAK_GLASS, RECEIVING_UNIT, RESOURCE_TEAM, PRIVACY_OFFICER, REFUSED,
               OTHER)


@dataclass(frozen=True)
class Basis:
    """Why an access is lawful: a code of BASIS_CODES, and the consent's or the
    grant's id where the basis is one (`ref`)."""

    code: str
    ref: UUID | None = None


@dataclass(frozen=True)
class Decision:
    """The policy's answer: allowed or not, and on what basis."""

    allowed: bool
    basis: Basis | None = None

    def __bool__(self) -> bool:
        return self.allowed


REFUSAL = Decision(False)


@dataclass(frozen=True)
class Principal:
    """The signed-in user, as the policy sees them."""

    id: UUID
    role: str
    unit_id: UUID | None
    service: str | None
    active: bool = True
    grants: frozenset[UUID] = frozenset()  # records opened by break-the-glass, still valid
    grant_ids: tuple[tuple[UUID, UUID], ...] = ()  # (record, the grant opening it): the basis names the grant


@dataclass(frozen=True)
class Target:
    """What an action is about: a unit's record, a concern, or a person's own account."""

    unit_id: UUID | None = None
    owner_id: UUID | None = None
    author_id: UUID | None = None
    shared_with: tuple[UUID, ...] = ()
    record_ids: tuple[UUID, ...] = ()  # what a break-the-glass grant would name
    restricted: bool = False  # the child is restricted (sperret)
    to_unit_id: UUID | None = None  # a transfer's receiving unit
    unit_ids: tuple[UUID, ...] = ()  # a resource-team meeting's units
    services: tuple[str, ...] = ()  # and the services attending it
    attendee_ids: tuple[UUID, ...] = ()  # and who the minutes say attended
    invitee_ids: tuple[UUID, ...] = ()  # and the people named to it
    kind: str = ""  # a meeting's kind, or a series' arena (events/arenas.py)
    # A collaboration across services: the units and services its consent (or the
    # law, for barnevernet) admits today, those it no longer admits with why, and
    # whether consent-bound actions are open at all.
    member_unit_ids: tuple[UUID, ...] = ()
    member_services: tuple[str, ...] = ()
    consent_id: UUID | None = None  # the consent admitting them
    statutory_members: tuple[UUID | str, ...] = ()  # member units and services admitted by law instead
    ended_for: tuple[tuple[str, UUID | None, object], ...] = ()  # (service, unit or None, Coverage)
    live: bool = False
    is_open: bool = False  # the collaboration is open, whether the consent admits anyone today or not
    coordinator_id: UUID | None = None  # and the one a handover is proposed to
    proposed_coordinator_id: UUID | None = None
    # One entry of the concern's logbook, in a collaboration: who wrote it, and
    # whether it is shared into the collaboration (the member services see only those).
    entry_author_id: UUID | None = None
    entry_shared: bool = False

    @classmethod
    def meeting(cls, meeting) -> Target:
        return cls(owner_id=meeting.leader_id, unit_ids=tuple(meeting.unit_ids), services=tuple(meeting.services),
                   attendee_ids=tuple(meeting.attendee_ids), invitee_ids=tuple(meeting.invitee_ids),
                   kind=meeting.kind)

    @classmethod
    def series(cls, series, on: date | None = None) -> Target:
        """A meeting series: its leader and those it invites to a date from day `on`
        on (to any date: None), as for one of its meetings. One a change left out
        no longer sees it once the dates it attends are past."""
        unit_ids, services, invitee_ids = series.attending_since(on)
        return cls(owner_id=series.leader_id, unit_ids=tuple(sorted(unit_ids, key=str)),
                   services=tuple(sorted(services)), invitee_ids=tuple(sorted(invitee_ids, key=str)),
                   kind=series.kind)

    @classmethod
    def meeting_case(cls, case, meeting, restricted: bool = False) -> Target:
        """A case brought to a meeting: the meeting's attendance decides, and the child's restriction."""
        return cls(owner_id=meeting.leader_id, unit_ids=tuple(meeting.unit_ids), services=tuple(meeting.services),
                   author_id=case.brought_by, record_ids=(case.id, case.child_id), restricted=restricted)

    @classmethod
    def case_proposal(cls, proposal, restricted: bool = False) -> Target:
        """A case proposed for the binder: its proposer, and the child it is (still) about."""
        return cls(author_id=proposal.proposed_by, record_ids=(proposal.id, proposal.child_id), restricted=restricted)

    @classmethod
    def concern(cls, concern, restricted: bool = False) -> Target:
        return cls(unit_id=concern.unit_id, author_id=concern.author_id,
                   shared_with=tuple(concern.shared_with),
                   record_ids=(concern.id, concern.child_id), restricted=restricted)

    @classmethod
    def child(cls, child) -> Target:
        return cls(unit_id=child.unit_id, record_ids=(child.id,), restricted=child.restricted)

    @classmethod
    def consent(cls, consent, restricted: bool = False) -> Target:
        return cls(unit_id=consent.unit_id, record_ids=(consent.id, consent.child_id), restricted=restricted)

    @classmethod
    def referral(cls, referral, concern, restricted: bool = False) -> Target:
        """Whoever works on the concern works on its referrals."""
        return cls(unit_id=referral.unit_id, author_id=referral.author_id,
                   shared_with=(concern.author_id, *concern.shared_with),
                   record_ids=(referral.id, concern.id, referral.child_id), restricted=restricted)

    @classmethod
    def transfer(cls, transfer, restricted: bool = False) -> Target:
        """The sending side always; the receiving unit only once it is sent."""
        return cls(unit_id=transfer.from_unit_id, author_id=transfer.author_id,
                   record_ids=(transfer.id, transfer.child_id), restricted=restricted,
                   to_unit_id=transfer.to_unit_id if transfer.is_sent else None)

    @classmethod
    def collaboration(cls, collaboration, concern, consent, on, restricted: bool = False) -> Target:
        """Who the consent (or the law, for barnevernet) admits on day `on`: the
        member units' staff, and the resource team of a member service without a
        unit. The opening unit works on it through its concern."""
        from events.collaborations import STATUTORY_SERVICES, member_coverage

        coverage = member_coverage(collaboration, consent, on)  # a removed member's ended with its removal
        admitted = [m for m, c in coverage if c.ok]
        # Why a member's access ended is its newest entry's say: a service taken out
        # and admitted again is not refused for the old removal.
        newest = {(m["service"], m["unit_id"]): (m, c) for m, c in coverage}
        return cls(unit_id=collaboration.unit_id, author_id=concern.author_id,
                   shared_with=tuple(concern.shared_with),
                   record_ids=(collaboration.id, collaboration.child_id), restricted=restricted,
                   member_unit_ids=tuple(m["unit_id"] for m in admitted if m["unit_id"] is not None),
                   member_services=tuple(m["service"] for m in admitted if m["unit_id"] is None),
                   consent_id=collaboration.consent_id,
                   statutory_members=tuple(m["unit_id"] or m["service"] for m in admitted
                                           if m["service"] in STATUTORY_SERVICES),
                   ended_for=tuple((m["service"], m["unit_id"], c) for m, c in newest.values() if not c.ok),
                   live=collaboration.is_open and bool(admitted), is_open=collaboration.is_open,
                   coordinator_id=collaboration.coordinator_id,
                   proposed_coordinator_id=(collaboration.handover or {}).get("to"))

    @classmethod
    def collaboration_entry(cls, collaboration, concern, consent, on, no: int, restricted: bool = False) -> Target:
        """Entry `no` of the concern's logbook, as the collaboration sees it."""
        from dataclasses import replace

        return replace(cls.collaboration(collaboration, concern, consent, on, restricted),
                       entry_author_id=concern.entries[no - 1]["by"],
                       entry_shared=collaboration.shared_entry(no) is not None)

    @classmethod
    def binder_page(cls, page) -> Target:
        return cls(unit_id=page.unit_id)

    @classmethod
    def wheel(cls, unit_id: UUID | None) -> Target:
        """A yearly wheel: a unit's, or (None) the municipality's."""
        return cls(unit_id=unit_id)


def _own_unit(user: Principal, target: Target | None) -> bool:
    return (
        user.role in ("staff", "unit_leader")
        and target is not None
        and user.unit_id is not None
        and target.unit_id == user.unit_id
    )


def _leads_unit(user: Principal, target: Target | None) -> bool:
    return user.role == "unit_leader" and target is not None and target.unit_id == user.unit_id


def _works_on_concern(user: Principal, target: Target | None) -> bool:
    """The author, the colleagues it was shared with, and the unit's leader."""
    if target is None or user.role not in ("staff", "unit_leader"):
        return False
    return (
        target.author_id == user.id
        or user.id in target.shared_with
        or _leads_unit(user, target)
    )


def _owns_concern(user: Principal, target: Target | None) -> bool:
    """The author and the unit's leader decide on sharing and closing."""
    return target is not None and (
        (target.author_id == user.id and user.role in ("staff", "unit_leader"))
        or _leads_unit(user, target)
    )


def _attends_meeting(user: Principal, target: Target | None) -> Basis | bool:
    """The meeting's leader, its units' leaders, the services attending it and the people named to it."""
    if target is None:
        return False
    return (
        user.id == target.owner_id
        or user.id in target.invitee_ids
        or (user.role == "unit_leader" and user.unit_id in target.unit_ids)
        or (user.role == "resource_team" and user.service in target.services)
    ) and Basis(RESOURCE_TEAM)


def _attended_meeting(user: Principal, target: Target | None) -> Basis | bool:
    """The meeting's leader and those the minutes say attended: the free-text minutes
    may name a child, so invited is not enough."""
    return (target is not None and (user.id == target.owner_id or user.id in target.attendee_ids)
            and Basis(RESOURCE_TEAM))


def _edits_binder(user: Principal, target: Target | None) -> bool:
    """Editors of the binder: the resource team, and unit leaders (a unit's own
    information page only by that unit's leader)."""
    if user.role == "resource_team":
        return True
    return user.role == "unit_leader" and (target is None or target.unit_id in (None, user.unit_id))


def _sees_wheel(user: Principal, target: Target | None) -> bool:
    """The municipal wheel: everyone. A unit's: its staff and leader, and the kommunalsjef."""
    if target is None or target.unit_id is None:
        return True
    return user.role == "municipal_leader" or (user.role in ("staff", "unit_leader") and user.unit_id == target.unit_id)


def _edits_wheel(user: Principal, target: Target | None) -> bool:
    """The kommunalsjef edits the municipal wheel; a unit's leader her unit's."""
    if target is None:
        return False
    if target.unit_id is None:
        return user.role == "municipal_leader"
    return _leads_unit(user, target)


def _works_on_transfer(user: Principal, target: Target | None) -> Basis | bool:
    """The author and the sending unit's leader, and the receiving unit's leader."""
    return _works_on_concern(user, target) or _leads_receiving_unit(user, target)


def _leads_receiving_unit(user: Principal, target: Target | None) -> Basis | bool:
    return (user.role == "unit_leader" and target is not None and target.to_unit_id is not None
            and target.to_unit_id == user.unit_id) and Basis(RECEIVING_UNIT)


def _member_service(user: Principal, target: Target | None) -> Basis | bool:
    """Staff of a unit of an admitted service, and the resource team of one: on the
    consent, or barnevernet on its statutory duty."""
    if target is None:
        return False
    if user.role in ("staff", "unit_leader") and user.unit_id in target.member_unit_ids:
        member: UUID | str | None = user.unit_id
    elif user.role == "resource_team" and user.service in target.member_services:
        member = user.service
    else:
        return False
    return Basis(STATUTORY) if member in target.statutory_members else Basis(CONSENT, target.consent_id)


def _in_collaboration(user: Principal, target: Target | None) -> Basis | bool:
    """Those working on the concern it was opened from (their own unit's case), and
    the admitted services."""
    return _works_on_concern(user, target) or _member_service(user, target)


def _acts_in_collaboration(user: Principal, target: Target | None) -> Basis | bool:
    """Consent-bound actions: only while the consent still admits a service (fail closed)."""
    return target is not None and target.live and _in_collaboration(user, target)


def _coordinates(user: Principal, target: Target | None) -> Basis | bool:
    """The coordinator, while her service is admitted: she convenes and minutes the ansvarsgruppe."""
    return target is not None and user.id == target.coordinator_id and _acts_in_collaboration(user, target)


def _coordinator_or_opening_leader(user: Principal, target: Target | None) -> Basis | bool:
    """The coordinator, or the opening unit's leader, while the collaboration is live."""
    return target is not None and (user.id == target.coordinator_id or _leads_unit(user, target)) \
        and _acts_in_collaboration(user, target)


def _changes_consent(user: Principal, target: Target | None) -> Basis | bool:
    """The coordinator (while she is in the collaboration) or the opening unit's
    leader, while it is open, live or not: a consent that ran out is what the
    change mends, and then it admits no one."""
    return target is not None and target.is_open and (
        _leads_unit(user, target) or (user.id == target.coordinator_id and _in_collaboration(user, target)))


def _shares_entry(user: Principal, target: Target | None) -> bool:
    """The entry's author, or the unit's leader, still on the concern."""
    return _works_on_concern(user, target) and (user.id == target.entry_author_id or _leads_unit(user, target))


def _reads_entry(user: Principal, target: Target | None) -> bool:
    """Those on the concern read its logbook; an admitted service only an entry shared with it."""
    return target is not None and (_works_on_concern(user, target)
                                   or (target.entry_shared and _member_service(user, target)))


def consent_ended_for(user: Principal | None, target: Target | None) -> tuple:
    """The refusals (Coverage) that ended `user`'s access to a collaboration: her
    service was a member, and the consent no longer covers it. Empty otherwise."""
    if user is None or target is None or _in_collaboration(user, target):
        return ()
    return tuple(dict.fromkeys(
        coverage for service, unit_id, coverage in target.ended_for
        if (unit_id is not None and user.role in ("staff", "unit_leader") and user.unit_id == unit_id)
        or (unit_id is None and user.role == "resource_team" and user.service == service)))


def _follows_up_unit(user: Principal, target: Target | None) -> bool:
    """The unit's own leader, and the kommunalsjef for every unit."""
    return user.role == "municipal_leader" or _leads_unit(user, target)


def _own_account(user: Principal, target: Target | None) -> bool:
    return target is not None and target.owner_id == user.id


# A rule answers False, True (the basis is then the user's own unit or role), or
# the Basis it allows on (truthy): `decide` reads which.
Rule = Callable[[Principal, "Target | None"], "bool | Basis"]

RULES: dict[str, Rule] = {
    # Pages every signed-in user has.
    "home.view": lambda user, target: True,
    "account.manage": _own_account,
    # A child's own data.
    "children.list": _own_unit,
    "child.view": _own_unit,
    # Concerns.
    "concern.create": _own_unit,
    "concern.view": _works_on_concern,
    "concern.edit": _works_on_concern,
    "concern.share": _owns_concern,
    "concern.close": _owns_concern,
    "concerns.mine": lambda user, target: user.role in ("staff", "unit_leader"),
    "concerns.inbox": _leads_unit,
    # Consents: recorded and read by staff and leaders of the child's unit.
    "consent.view": _own_unit,
    "consent.record": _own_unit,
    # Referrals. Anyone working on the concern may draft, and may send a report
    # to barnevernet (the duty to report is personal); PPT and BUP referrals are
    # sent by the unit's leader.
    "referral.create": _works_on_concern,
    "referral.view": _works_on_concern,
    "referral.edit": _works_on_concern,
    "referral.send_report": _works_on_concern,
    "referral.send_referral": _leads_unit,
    "referrals.reconcile": _leads_unit,
    # The directory: admins only, and no case content there.
    "directory.manage": lambda user, target: user.role == "admin",
    # The health check's details (store, positions): operators only; others see ok / not ok.
    "health.details": lambda user, target: user.role == "admin",
    # The privacy officer: metadata, review, restriction, erasure requests.
    "audit.view": lambda user, target: user.role == "privacy_officer",
    "audit.review": lambda user, target: user.role == "privacy_officer",
    "child.restrict": lambda user, target: user.role == "privacy_officer",
    "erasure.request": lambda user, target: user.role == "privacy_officer",
    "erasure.confirm": lambda user, target: user.role == "admin",
    # The resource team and the other arenas. Unit leaders bring their unit's cases
    # where a child may appear; the services attending see what is brought to their
    # meeting; the meeting leader (the kommunalsjef too) minutes and approves.
    # Staff too: a teacher named to a meeting finds it there.
    "meetings.list": lambda user, target: user.role in ("staff", *MEETING_ROLES),
    "meeting.schedule": lambda user, target: user.role in ARENAS["resource_team"].planners,
    "meeting.view": _attends_meeting,
    "meeting.bring": lambda user, target: user.role == "unit_leader" and target is not None
    and user.unit_id in target.unit_ids and takes_cases(target.kind),
    # Meeting series: each arena's planners plan a series and lead its meetings
    # (events/arenas.py); its leader plans a meeting on one of its dates. Without a
    # target: whether the user plans any arena (the form).
    "series.plan": lambda user, target: may_plan(user.role, target.kind) if target is not None and target.kind
    else any(may_plan(user.role, arena) for arena in ARENAS),
    "series.view": _attends_meeting,
    "series.plan_meeting": _own_account,
    # Its leader changes its time, place and who attends, and ends it (as she plans its meetings).
    "series.change": _own_account,
    "series.end": _own_account,
    "meeting.general": _attends_meeting,
    "meeting.notes": _attended_meeting,
    "meeting.minute": _own_account,
    "meeting_case.view": _attends_meeting,
    "meeting_case.minute": _own_account,
    "meeting.approve": _own_account,
    # Its leader cancels a meeting not held (as she plans it, and changes a series).
    "meeting.cancel": _own_account,
    # Leaders: anonymised minutes and statistics only.
    "leaders.view": lambda user, target: user.role == "municipal_leader",
    "leaders.case": lambda user, target: user.role == "municipal_leader",  # one case in the minutes
    "calendar.view": lambda user, target: True,
    # The yearly wheel (årshjul): the municipality's, and each unit's.
    "wheel.view": _sees_wheel,
    "wheel.edit": _edits_wheel,
    # The electronic binder: everyone signed in reads published pages; editors
    # (unit leaders, the resource team) write, publish, and see drafts.
    "binder.view": lambda user, target: True,
    "binder.edit": _edits_binder,
    # Transfers between units: prepared by the child's unit, sent by its leader,
    # received (opened, accepted or returned) by the receiving unit's leader.
    "transfers.list": lambda user, target: user.role in ("staff", "unit_leader"),
    "transfer.create": _own_unit,
    "transfer.view": _works_on_transfer,
    "transfer.edit": _works_on_concern,
    "transfer.send": _leads_unit,
    "transfer.receive": _leads_receiving_unit,
    # Collaborations across services (tverrfaglig samarbeid): opened by the leader of
    # the concern's unit on the guardians' consent; seen and worked on by those on
    # the concern and the services the consent admits today.
    "collaboration.open": _leads_unit,
    "collaboration.view": _in_collaboration,
    "collaboration.edit": _acts_in_collaboration,
    "collaboration.close": _leads_unit,
    # The coordinator hands the role on (or the opening unit's leader does); the one
    # proposed accepts, if her service is still admitted.
    "collaboration.handover": _coordinator_or_opening_leader,
    # Taking a service out (its access ends at its next request): the coordinator,
    # who holds the group together (as helsesøster coordinates the ansvarsgruppe),
    # or the opening unit's leader, who chose the members.
    "collaboration.remove_member": _coordinator_or_opening_leader,
    # Taking a service in (again) is the same decision the other way: the same two.
    # The domain holds it to the consent; the service's access follows from the
    # consent at each request, as for the members it opened with.
    "collaboration.admit_member": _coordinator_or_opening_leader,
    # Moving it onto a new consent (the old one ran out, or BUP should come in): the
    # same two, also when the old consent no longer admits anyone (not only while live).
    "collaboration.change_consent": _changes_consent,
    # The unit's internal logbook stays the unit's: an entry reaches the member
    # services only shared explicitly, by its author or the unit's leader (while the
    # consent admits anyone); either may take it back at any time.
    "collaboration.entry.view": _reads_entry,
    "collaboration.entry.share": lambda user, target: target is not None and target.live
    and _shares_entry(user, target),
    "collaboration.entry.unshare": _shares_entry,
    "collaboration.accept": lambda user, target: target is not None
    and user.id == target.proposed_coordinator_id and _acts_in_collaboration(user, target),
    # The ansvarsgruppe: the coordinator convenes its meetings and minutes them, and
    # records the guardians' chosen contact person; every member sees them.
    "collaboration.convene": _coordinates,
    "collaboration.minute": _coordinates,
    "collaboration.contact": _coordinates,
    "collaborations.list": lambda user, target: user.role in ("staff", "unit_leader", "resource_team"),
    # The binder's case bank: the one who brought an approved case, or the meeting's
    # leader, proposes it; the reviewers are the binder's editors and the municipal
    # leader (the text is anonymised). That the confirmer did not write the text is
    # the domain's rule.
    # Its reads are on the resource team's basis, whoever's unit the child is in.
    "case_bank.propose": lambda user, target: user.role in CASE_BANK_ROLES and _attends_meeting(user, target)
    and user.id in (target.owner_id, target.author_id) and Basis(RESOURCE_TEAM),
    "case_bank.view": lambda user, target: (user.role in CASE_BANK_ROLES or (
        target is not None and user.id == target.author_id)) and Basis(RESOURCE_TEAM),
    "case_bank.review": lambda user, target: user.role in CASE_BANK_ROLES and Basis(RESOURCE_TEAM),
    # What waits in the collaborations (no content): each item is the policy's say on
    # "collaboration.view" too (intranet/notifications.py).
    "notifications.list": lambda user, target: user.role in ("staff", "unit_leader", "resource_team"),
    # The programme's follow-up: the unit's leader and the kommunalsjef appoint key
    # persons and record training; the kommunalsjef sees every unit; the unit's
    # leader starts its plan (then a binder page only she edits). Staff confirm
    # that they have read the action guide.
    "programme.view": _follows_up_unit,
    "programme.appoint": _follows_up_unit,
    "programme.train": _follows_up_unit,
    "programme.plan": _leads_unit,
    "programme.overview": lambda user, target: user.role == "municipal_leader",
    "guide.confirm": lambda user, target: user.role in ("staff", "unit_leader"),
    # Break-the-glass: caseworkers may ask for access outside the rules, with a reason.
    "break_glass": lambda user, target: user.role in GLASS_ROLES,
}

GLASS_ROLES = ("staff", "unit_leader", "resource_team")
MEETING_ROLES = ("unit_leader", "resource_team", "municipal_leader")
CASE_BANK_ROLES = ("unit_leader", "resource_team", "municipal_leader")
# What a break-the-glass grant allows: reading, never changing.
GLASS_ACTIONS = ("child.view", "concern.view", "referral.view", "consent.view")
# Actions on a child's records: refused for everyone while the child is restricted.
RECORD_ACTIONS = (
    "child.view", "concern.create", "concern.view", "concern.edit", "concern.share", "concern.close",
    "consent.view", "consent.record", "referral.create", "referral.view", "referral.edit",
    "referral.send_report", "referral.send_referral",
    "transfer.create", "transfer.view", "transfer.edit", "transfer.send", "transfer.receive",
    # and everything derived from them: a case brought to a meeting, its minutes
    "meeting_case.view", "meeting_case.minute", "leaders.case",
    "collaboration.open", "collaboration.view", "collaboration.edit", "collaboration.close",
    "collaboration.handover", "collaboration.accept", "collaboration.remove_member", "collaboration.admit_member",
    "collaboration.change_consent",
    "collaboration.entry.view", "collaboration.entry.share", "collaboration.entry.unshare",
    "case_bank.propose", "case_bank.view", "case_bank.review",
    "collaboration.convene", "collaboration.minute", "collaboration.contact",
    "break_glass",  # a restriction is never broken through
)


# Actions whose rule depends on the record: the route names the general action,
# the policy picks the specific one.
SPECIFIC_ACTIONS: dict[str, Callable[[object], str]] = {
    # A report to barnevernet is every caseworker's own duty (no consent needed);
    # a referral to PPT or BUP is sent by the unit's leader, on consent.
    "referral.send": lambda referral: (
        "referral.send_report" if getattr(referral, "kind", None) == "barnevern" else "referral.send_referral"
    ),
}


def action_for(action: str, record: object) -> str:
    """The action the rules know, for a general `action` on `record`."""
    specific = SPECIFIC_ACTIONS.get(action)
    return specific(record) if specific else action


# What municipal leaders see of the resource team's approved minutes: never who a
# case is about. Of a case, its age band, its unit's kind and its advice with names
# redacted; its text only if it was brought anonymised (checked for names then). A
# named case was discussed on consent for the services attending, not for leaders.
def for_leaders_case(case) -> dict[str, str]:
    return {"age_band": case.age_band, "unit_kind": case.unit_kind, "mode": case.mode,
            "text": case.text if case.mode == "anonymous" else "", "advice": case.advice_redacted}


def for_leaders_issue(issue: dict[str, str]) -> dict[str, str]:
    """A general issue, every text with names redacted (no registered person to match)."""
    return {key: redact(issue[key], []).text for key in ("title", "text", "advice")}


def may(user: Principal | None, action: str, target: Target | None = None) -> bool:
    """True when `user` may do `action` on `target`."""
    return decide(user, action, target).allowed


def decide(user: Principal | None, action: str, target: Target | None = None) -> Decision:
    """Whether `user` may do `action` on `target`, and on what legal basis: the
    one the rule names (a consent, barnevernet's duty, a resource-team meeting, a
    receiving unit), else the user's own unit or role; or the break-the-glass
    grant that alone lets her read it."""
    if user is None or not user.active:
        return REFUSAL
    rule = RULES.get(action)
    if rule is None:
        return REFUSAL
    if target is not None and target.restricted and action in RECORD_ACTIONS:
        return REFUSAL
    allowed = rule(user, target)
    if allowed:
        return Decision(True, allowed if isinstance(allowed, Basis) else _by_role(user))
    if by_break_glass(user, action, target):
        return Decision(True, Basis(BREAK_GLASS, _grant_of(user, target)))
    return REFUSAL


def _by_role(user: Principal) -> Basis:
    """The basis of a rule that names none: the caseworkers' own unit (their own
    cases, the concerns shared with them), the privacy officer's supervision."""
    if user.role in ("staff", "unit_leader"):
        return Basis(OWN_UNIT)
    if user.role in (RESOURCE_TEAM, PRIVACY_OFFICER):
        return Basis(user.role)
    return Basis(OTHER)


def _grant_of(user: Principal, target: Target | None) -> UUID | None:
    """The grant that opens `target` (the latest, if several records of it were granted)."""
    records = set(target.record_ids) if target is not None else set()
    grants = [grant for record, grant in user.grant_ids if record in records]
    return grants[-1] if grants else None


def by_break_glass(user: Principal, action: str, target: Target | None) -> bool:
    """True when only a break-the-glass grant lets `user` do `action` on `target`."""
    return (
        action in GLASS_ACTIONS
        and target is not None
        and not target.restricted
        and bool(user.grants.intersection(target.record_ids))
        and not RULES[action](user, target)
    )


def refused_for_read_only(user: Principal | None, action: str, target: Target | None) -> bool:
    """True when `user` is refused a change to a record a break-the-glass grant
    lets her read: the grant is for reading only, and she knows the record exists.
    (Viewing what a grant does not open, a transfer say, is refused as ever.)"""
    return (
        user is not None
        and target is not None
        and not target.restricted
        and action not in GLASS_ACTIONS
        and not action.endswith(".view")
        and bool(user.grants.intersection(target.record_ids))
        and not may(user, action, target)
    )


def refused_for_restriction(user: Principal | None, action: str, target: Target | None) -> bool:
    """True when the restriction (sperring) is the only reason `user` is refused."""
    if user is None or target is None or not target.restricted:
        return False
    from dataclasses import replace

    return may(user, action, replace(target, restricted=False))
