"""The words the transfer pages use (Norwegian bokmål), and the domain's refusals
as messages for the user."""

from __future__ import annotations

KINDS = {
    "kindergarten_to_school": "Barnehage → skole",
    "school_to_school": "Skole → skole (barnet flytter)",
}
GUIDANCE = {
    "kindergarten_to_school": (
        "Overgangsskjemaet fylles ut sammen med foresatte, godkjennes av dem og sendes skolen i mai. "
        "Overgangsmøtet mellom barnehagen, skolen og foresatte holdes i oktober eller november."
    ),
    "school_to_school": (
        "Når et barn flytter, sendes bare det den nye skolen trenger for å ta godt imot barnet, "
        "og bare med foresattes godkjenning."
    ),
}
STATUS = {
    "draft": "Utkast",
    "approved": "Godkjent av foresatte, ikke sendt",
    "sent": "Sendt, ikke åpnet",
    "viewed": "Åpnet av mottakeren",
    "accepted": "Tatt imot",
    "returned": "Returnert",
}
FORM_FIELDS = {
    "strengths": "Barnets styrker og interesser",
    "needs": "Behov for tilrettelegging og oppfølging",
    "guardians_comments": "Foresattes kommentarer",
    "other": "Annet mottakeren bør vite",
}
PARTS = {
    "guardians": "Foresatte med kontaktinformasjon",
    "consents": "Samtykker fra foresatte",
    "logbook": "Loggen (daterte observasjoner)",
    "plan": "Tiltaksplanen",
}
METHODS = {
    "skriftlig": "Skriftlig (signert skjema)",
    "muntlig": "Muntlig (skriv referat)",
    "digitalt": "Digitalt (signert elektronisk)",
}
STEPS = {
    "Created": "opprettet overføringen",
    "DraftUpdated": "endret utkastet",
    "ApprovalRecorded": "registrerte foresattes godkjenning",
    "Sent": "sendte overføringen",
    "Viewed": "åpnet overføringen (mottaker)",
    "Accepted": "tok imot overføringen; barnet er flyttet til den nye enheten",
    "Returned": "returnerte overføringen",
}
MESSAGES = {
    "the receiving unit is the child's own unit": ("to_unit_id", "Mottakeren kan ikke være barnets egen enhet."),
    "the receiving unit is closed": ("to_unit_id", "Enheten er lagt ned."),
    "the units do not fit this kind of transfer": ("to_unit_id", "Enhetene passer ikke til denne typen overføring."),
    "a sent transfer cannot be changed": ("_form", "En sendt overføring kan ikke endres."),
    "the concern is about another child": ("parts", "Bekymringen gjelder et annet barn."),
    "the transfer is not a draft awaiting approval": ("_form", "Godkjenningen er allerede registrert. Endre utkastet for å registrere en ny."),
    "the transfer is empty": ("_form", "Fyll ut overgangsskjemaet eller velg hva som skal sendes, før foresatte godkjenner."),
    "choose how the approval was given": ("method", "Velg hvordan foresatte godkjente."),
    "the approval date is in the future": ("approved_on", "Datoen kan ikke være fram i tid."),
    "an oral approval must be minuted": ("minutes", "En muntlig godkjenning må skrives ned (hvem, når, hvordan)."),
    "the guardians' approval is not recorded": ("_form", "Overføringen kan ikke sendes før foresattes godkjenning er registrert."),
    "already sent": ("_form", "Overføringen er allerede sendt."),
    "only an opened, undecided transfer can be accepted or returned": ("_form", "Overføringen er allerede behandlet."),
    "say why it is returned": ("reason", "Skriv hvorfor overføringen returneres."),
    "the child is no longer in the sending unit": ("_form", "Barnet er ikke lenger i enheten som sendte overføringen."),
    "the transfer or the child changed meanwhile": ("_form", "Overføringen eller barnet ble endret samtidig. Prøv igjen."),
    "a field in the transfer form is too long": ("_form", "Et av feltene i overgangsskjemaet er for langt."),
}


def error(message: str) -> dict[str, str]:
    field, text = MESSAGES.get(message, ("_form", "Kunne ikke lagres: " + message))
    return {field: text}


def approval_message(message: str) -> str:
    if message.startswith("missing approval: "):
        return ("Mangler godkjenning fra: " + message.removeprefix("missing approval: ")
                + ". Alle med foreldreansvar må godkjenne, og barnet selv fra 15 år.")
    return "Overføringen kan ikke sendes før foresattes godkjenning er registrert."
