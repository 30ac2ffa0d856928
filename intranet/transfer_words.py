"""The words the transfer pages use (Norwegian bokmål msgids, marked with N_()
and translated where they are shown), and the domain's refusals as messages
for the user."""

from __future__ import annotations

from intranet.i18n import N_, _

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
    "Accepted": N_("tok imot overføringen; barnet er flyttet til den nye enheten"),
    "Returned": N_("returnerte overføringen"),
}
MESSAGES = {
    "the receiving unit is the child's own unit": ("to_unit_id", N_("Mottakeren kan ikke være barnets egen enhet.")),
    "the receiving unit is closed": ("to_unit_id", N_("Enheten er lagt ned.")),
    "the units do not fit this kind of transfer": ("to_unit_id", N_("Enhetene passer ikke til denne typen overføring.")),
    "a sent transfer cannot be changed": ("_form", N_("En sendt overføring kan ikke endres.")),
    "the concern is about another child": ("parts", N_("Bekymringen gjelder et annet barn.")),
    "the transfer is not a draft awaiting approval": ("_form", N_("Godkjenningen er allerede registrert. Endre utkastet for å registrere en ny.")),
    "the transfer is empty": ("_form", N_("Fyll ut overgangsskjemaet eller velg hva som skal sendes, før foresatte godkjenner.")),
    "choose how the approval was given": ("method", N_("Velg hvordan foresatte godkjente.")),
    "the approval date is in the future": ("approved_on", N_("Datoen kan ikke være fram i tid.")),
    "an oral approval must be minuted": ("minutes", N_("En muntlig godkjenning må skrives ned (hvem, når, hvordan).")),
    "the guardians' approval is not recorded": ("_form", N_("Overføringen kan ikke sendes før foresattes godkjenning er registrert.")),
    "already sent": ("_form", N_("Overføringen er allerede sendt.")),
    "only an opened, undecided transfer can be accepted or returned": ("_form", N_("Overføringen er allerede behandlet.")),
    "say why it is returned": ("reason", N_("Skriv hvorfor overføringen returneres.")),
    "the child is no longer in the sending unit": ("_form", N_("Barnet er ikke lenger i enheten som sendte overføringen.")),
    "the transfer or the child changed meanwhile": ("_form", N_("Overføringen eller barnet ble endret samtidig. Prøv igjen.")),
    "a field in the transfer form is too long": ("_form", N_("Et av feltene i overgangsskjemaet er for langt.")),
}


def error(message: str) -> dict[str, str]:
    field, text = MESSAGES.get(message, ("_form", None))
    return {field: _(text) if text else _("Kunne ikke lagres: %(message)s") % {"message": message}}


def approval_message(message: str) -> str:
    if message.startswith("missing approval: "):
        return _("Mangler godkjenning fra: %(names)s. Alle med foreldreansvar må godkjenne, og barnet selv fra 15 år.") % {
            "names": message.removeprefix("missing approval: ")}
    return _("Overføringen kan ikke sendes før foresattes godkjenning er registrert.")
