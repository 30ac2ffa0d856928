"""A concern's history in words: each change says what it changed (the level
from which to which and why, which measure, with whom it was shared), from the
details `events.concern_commands.Change` carries."""

from __future__ import annotations

from typing import Iterable
from uuid import UUID

from events.concern_commands import Change
from intranet import i18n, labels
from intranet.i18n import _


def people_in(changes: Iterable[Change]) -> list[UUID]:
    """Everyone the changes name: who made them, and with whom a concern was shared."""
    people = []
    for change in changes:
        people += [change.actor_id] if change.actor_id else []
        people += [change.details["user_id"]] if "user_id" in change.details else []
    return people


def describe(change: Change, names: dict[UUID, str]) -> str:
    """What the change did, in the user's language (after the name of who did it)."""
    d, kind = change.details, change.kind
    if not d:  # the creation, or a kind with nothing more to say
        return _(labels.CHANGES[kind]) if kind in labels.CHANGES else kind
    if kind == "LevelSet":
        return _("endret BTI-nivå fra nivå %(old)s til nivå %(new)s: «%(reason)s»") % {
            "old": d["from"], "new": d["to"], "reason": d["reason"]}
    if kind == "ObservationLogged":
        return _("la til en observasjon datert %(date)s") % {"date": i18n.short_date(d["observed_on"])}
    if kind == "EntryCorrected":
        return _("korrigerte observasjon %(no)s: «%(reason)s»") % d
    if kind == "StepMarked":
        step = _(labels.STEPS[d["step"]]) if d["step"] in labels.STEPS else d["step"]
        text = _("krysset av «%(step)s»") if d["done"] else _("fjernet avkrysningen for «%(step)s»")
        return text % {"step": step}
    if kind == "GuardianTalkRecorded":
        return _("registrerte en samtale med foresatte holdt %(date)s") % {"date": i18n.short_date(d["held_on"])}
    if kind == "GuardianTalkCorrected":
        return _("korrigerte samtalereferat %(no)s: «%(reason)s»") % d
    if kind == "MeasureAdded":
        return _("la til tiltaket «%(measure)s»") % d
    if kind == "MeasureEvaluated":
        return _("evaluerte tiltaket «%(measure)s»: «%(outcome)s»") % d
    if kind in ("Shared", "Unshared"):
        text = _("delte bekymringen med %(name)s") if kind == "Shared" else _("fjernet tilgangen for %(name)s")
        return text % {"name": names.get(d["user_id"], _("Ukjent"))}
    if kind == "Closed":
        return _("avsluttet bekymringen: «%(reason)s»") % d
    if kind == "Reopened":
        return _("gjenåpnet bekymringen: «%(reason)s»") % d
    return _(labels.CHANGES[kind]) if kind in labels.CHANGES else kind
