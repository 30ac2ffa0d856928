"""What a page showed, why, and on what basis: the codes the access log stores
and how they read, in Norwegian and in English.

A page names its reason (`Shown(..., reason=CODE)`) by a code of REASONS. The
codes are the words stored in the access events since the first version, so
they never change; the labels say them as a reader (the guardians, the privacy
officer) would. The basis is the policy's (events/policy.py `decide`), stored
with each access; for older accesses the read model works it out
(projections/access_log.py).
"""

from __future__ import annotations

from events.audit import GRANT_REASON, under_grant
from intranet.i18n import N_, _

# stored code -> label (marked with N_(): translated where it is shown)
RECORDS = {
    "child.name": N_("navn"), "child.details": N_("personopplysninger"), "child.guardians": N_("foresatte"),
    "concern": N_("bekymring"), "concern.list": N_("liste over bekymringer"), "consent": N_("samtykke"),
    "referral": N_("melding/henvisning"), "referral.list": N_("liste over meldinger"),
    "transfer": N_("overføringsskjema"), "transfer.list": N_("liste over overføringer"),
    "meeting_case": N_("anonymisert sak i ressursteamet"), "meeting_case.named": N_("sak i ressursteamet med navn"),
    "access_log": N_("innsynslogg"),
    "collaboration": N_("tverrfaglig samarbeid"), "collaboration.list": N_("liste over samarbeid"),
    "collaboration.statutory": N_("tverrfaglig samarbeid (barnevernets lovhjemmel)"),  # stored, no longer written
    "concern.log": N_("loggføring delt i samarbeidet"),
    "child.exists": N_("at barnet er registrert"),
    "break_glass.refused": N_("avvist, barnet er sperret"),
    "case_proposal": N_("anonymisert sak foreslått som case i permen"),
}

REASONS = {
    "": "",  # a record's own page: its basis says why
    "velg barn": N_("valg av barn"),
    "barneliste": N_("liste over barn i enheten"),
    "samtykke": N_("registrering av samtykke"),
    "ressursteam": N_("sak i ressursteamet"),
    "casebank": N_("kontroll av case til permen"),
    "personvernombud": N_("oppslag i innsynsloggen"),
    "gjennomgang av avvik": N_("gjennomgang av avvik"),
    "innsyn i logg": N_("innsyn i logg for foresatte"),
    "oppbevaring": N_("gjennomgang av oppbevaringstid"),
    "duplikatkontroll": N_("kontroll av om barnet alt er registrert"),
}

# The legal bases the policy decides on (events/policy.py BASIS_CODES), and
# outside_unit, which the access log works out for an access stored without one.
BASES = {
    "own_unit": N_("Egen enhet"),
    "outside_unit": N_("Tjenstlig tilgang utenfor egen enhet"),
    "break_glass": N_("Nødtilgang med begrunnelse"),
    "resource_team": N_("Sak i ressursteamet"),
    "privacy_officer": N_("Personvernombudets kontroll"),
    "consent": N_("Foresattes samtykke (tverrfaglig samarbeid)"),
    "statutory": N_("Lovpålagt oppgave (barnevernet)"),
    "receiving_unit": N_("Mottakende enhet ved overføring"),
    "refused": N_("Avvist forsøk"),
    "other": N_("Annen tjenstlig tilgang"),
}


def check_shown(records: list[str], reason: str) -> None:
    """Raises ValueError for a kind of record or a reason that has no code here:
    the access log could not say it to the guardians."""
    unknown = [r for r in records if r not in RECORDS]
    if unknown:
        raise ValueError(f"unknown kinds of record {unknown}: add them to intranet.access_reasons.RECORDS")
    if reason not in REASONS:
        raise ValueError(f"unknown access reason {reason!r}: add it to intranet.access_reasons.REASONS")


def reason_label(stored: str) -> str:
    """A stored reason in the reader's language. Under a break-the-glass grant the
    user's own words follow the code, and stay as typed."""
    if under_grant(stored):
        typed = stored[len(GRANT_REASON):].lstrip("; ")
        return _("nødtilgang: %(reason)s") % {"reason": typed} if typed else _("nødtilgang")
    if stored in REASONS:
        return _(REASONS[stored]) if stored else ""
    return stored  # a reason typed by a user (a break-the-glass grant's)


def basis_label(code: str) -> str:
    return _(BASES[code]) if code in BASES else code
