"""The words the transfer pages use (Norwegian bokmål msgids, marked with N_()
and translated where they are shown)."""

from __future__ import annotations

from intranet.i18n import N_

KINDS = {
    "kindergarten_to_school": N_("Barnehage → skole"),
    "school_to_school": N_("Skole → skole (barnet flytter)"),
}
GUIDANCE = {
    "kindergarten_to_school": N_(
        "Overgangsskjemaet fylles ut sammen med foresatte, godkjennes av dem og sendes skolen i mai. "
        "Overgangsmøtet mellom barnehagen, skolen og foresatte holdes i oktober eller november."
    ),
    "school_to_school": N_(
        "Når et barn flytter, sendes bare det den nye skolen trenger for å ta godt imot barnet, "
        "og bare med foresattes godkjenning."
    ),
}
STATUS = {
    "draft": N_("Utkast"),
    "approved": N_("Godkjent av foresatte, ikke sendt"),
    "sent": N_("Sendt, ikke åpnet"),
    "viewed": N_("Åpnet av mottakeren"),
    "accepted": N_("Tatt imot"),
    "returned": N_("Returnert"),
}
FORM_FIELDS = {
    "strengths": N_("Barnets styrker og interesser"),
    "needs": N_("Behov for tilrettelegging og oppfølging"),
    "guardians_comments": N_("Foresattes kommentarer"),
    "other": N_("Annet mottakeren bør vite"),
}
PARTS = {
    "guardians": N_("Foresatte med kontaktinformasjon"),
    "consents": N_("Samtykker fra foresatte"),
    "logbook": N_("Loggen (daterte observasjoner)"),
    "plan": N_("Tiltaksplanen"),
}
METHODS = {
    "skriftlig": N_("Skriftlig (signert skjema)"),
    "muntlig": N_("Muntlig (skriv referat)"),
    "digitalt": N_("Digitalt (signert elektronisk)"),
}
STEPS = {
    "Created": N_("opprettet overføringen"),
    "DraftUpdated": N_("endret utkastet"),
    "ApprovalRecorded": N_("registrerte foresattes godkjenning"),
    "Sent": N_("sendte overføringen"),
    "Viewed": N_("åpnet overføringen (mottaker)"),
    "Accepted": N_("tok imot overføringen"),
    "Returned": N_("returnerte overføringen"),
}
