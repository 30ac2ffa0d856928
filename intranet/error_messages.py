"""The domain's refusals as messages for the user: one table from each error code
(events/errors.py CODES) to a Norwegian msgid, translated where it is shown, and
one function that places the message beside the field it is about."""

from __future__ import annotations

import logging
from typing import Any, Callable

from events.errors import DomainError
from intranet import i18n, labels
from intranet.i18n import N_, _

log = logging.getLogger(__name__)

FORM = "_form"  # the key of a message about the whole form
UNKNOWN = N_("Endringen kunne ikke lagres. Prøv igjen, eller kontakt brukerstøtte hvis det gjentar seg.")

MESSAGES: dict[str, str] = {
    # shared
    "text.required": N_("Feltet må fylles ut."),
    "text.too_long": N_("Teksten er for lang (høyst %(max)s tegn)."),
    "date.in_future": N_("Datoen kan ikke være fram i tid."),
    "record.not_found": N_("Finner ikke det du ba om. Det kan være slettet."),
    "record.erased": N_("Opplysningene er slettet."),
    # concerns
    "concern.category_unknown": N_("Velg minst én kategori."),
    "concern.worry_unknown": N_("Velg hvor bekymret du er."),
    "concern.closed": N_("Bekymringen er avsluttet. Gjenåpne den for å endre den."),
    "concern.already_open": N_("Bekymringen er allerede åpen."),
    "concern.changed": N_("Bekymringen er endret av noen andre etter at du åpnet den."),
    "concern.no_such_entry": N_("Finner ikke oppføringen i loggen."),
    "concern.no_such_talk": N_("Finner ikke samtalen."),
    "concern.no_such_measure": N_("Finner ikke tiltaket."),
    "concern.no_such_step": N_("Steget hører ikke til dette nivået."),
    "concern.level_unknown": N_("Velg nivå 0–3."),
    "concern.same_level": N_("Bekymringen er allerede på dette nivået."),
    "concern.evaluation_before_deadline": N_("Evalueringsdatoen kan ikke være før fristen."),
    "concern.already_shared": N_("Personen har allerede tilgang."),
    "concern.not_shared": N_("Bekymringen er ikke delt med denne personen."),
    "concern.not_a_colleague": N_("Velg en kollega i enheten."),
    "concern.child_required": N_("Velg barnet bekymringen gjelder, eller registrer et nytt barn."),
    # consents
    "consent.decision_unknown": N_("Velg om samtykket er gitt eller nektet."),
    "consent.services_required": N_("Velg hvilke tjenester samtykket gjelder."),
    "consent.refusers_required": N_("Kryss av for hvem som nektet."),
    "consent.information_required": N_("Velg hvilke opplysninger som kan deles."),
    "consent.purpose_required": N_("Skriv formålet med samarbeidet."),
    "consent.period_reversed": N_("Sluttdatoen er før startdatoen."),
    "consent.period_too_long": N_("Et samtykke kan gjelde i høyst %(months)s måneder."),
    "consent.signatures_missing": N_("Mangler underskrift fra: %(names)s. Alle med foreldreansvar må samtykke."),
    "consent.signatures_missing_with_child": N_(
        "Mangler underskrift fra: %(names)s. Alle med foreldreansvar må samtykke, og barnet selv fra 15 år "
        "for disse tjenestene."),
    "consent.oral_without_minutes": N_("Et muntlig samtykke må skrives ned (referat)."),
    "consent.not_given": N_("Bare et gitt samtykke kan trekkes tilbake."),
    "consent.withdrawal_services": N_("Velg tjenester som samtykket fortsatt gjelder."),
    "consent.withdrawal_reason_required": N_("Skriv hvem som trakk samtykket, og hvordan (skriftlig, muntlig)."),
    # collaborations across services
    "collaboration.services_required": N_("Velg minst én tjeneste som skal være med (en enhet av tjenestens slag, eller ressursteamet)."),
    "collaboration.level_too_low": N_("Samarbeid startes på nivå 2 eller 3. Før det: skriv hvorfor (foresatte har bedt om det)."),
    "collaboration.consent_of_other_child": N_("Samtykket gjelder et annet barn."),
    "collaboration.information_required": N_("Velg hvilke opplysninger som deles."),
    "collaboration.plan_not_shared": N_("Tiltak og evaluering deles alltid i et samarbeid."),
    "collaboration.information_not_covered": N_("Samtykket omfatter ikke: %(information)s."),
    "collaboration.consent_missing": N_("Samtykket dekker ikke %(service)s: %(reason)s."),
    "collaboration.coordinator_inactive": N_("Koordinatoren har ikke en aktiv brukerkonto."),
    "collaboration.closed": N_("Samarbeidet er avsluttet."),
    "collaboration.service_not_member": N_("Den ansvarlige tjenesten er ikke med i samarbeidet."),
    "collaboration.deadline_before_start": N_("Fristen kan ikke være før start."),
    "collaboration.evaluation_before_start": N_("Evalueringsdatoen kan ikke være før start."),
    "collaboration.no_such_measure": N_("Finner ikke tiltaket."),
    "collaboration.no_such_goal": N_("Finner ikke målet."),
    "collaboration.measure_ended": N_("Tiltaket er avsluttet."),
    "collaboration.decision_required": N_("Velg om tiltaket skal fortsette, endres eller avsluttes."),
    "collaboration.next_evaluation_required": N_("Et tiltak som fortsetter trenger en ny evalueringsdato etter denne."),
    "collaboration.closing_reason_required": N_("Velg hvorfor samarbeidet avsluttes."),
    "collaboration.already_coordinator": N_("Personen er allerede koordinator."),
    "collaboration.no_handover_for_you": N_("Ingen har foreslått deg som koordinator."),
    "collaboration.not_in_group": N_("Velg blant tjenestene i ansvarsgruppen."),
    "collaboration.plan_status_unknown": N_("Velg planens status."),
    "collaboration.meeting_in_past": N_("Møtet kan ikke legges til en dag som har vært."),
    "collaboration.time_invalid": N_("Skriv klokkeslettet som tt:mm, for eksempel 14:00."),
    "collaboration.no_such_meeting": N_("Finner ikke møtet."),
    "collaboration.meeting_minuted": N_("Møtet har allerede et godkjent referat."),
    "collaboration.meeting_not_held_yet": N_("Referatet skrives etter møtet: møtedagen er ikke kommet ennå."),
    "collaboration.attendees_required": N_("Kryss av hvem som var med på møtet."),
    "collaboration.next_meeting_required": N_("Foreslå neste møte: dato, klokkeslett og sted."),
    "collaboration.not_a_member": N_("Velg en tjeneste som er med i samarbeidet."),
    "collaboration.last_member": N_("Den siste tjenesten kan ikke tas ut. Avslutt samarbeidet i stedet."),
    "collaboration.coordinators_service": N_("Koordinatorens egen tjeneste kan ikke tas ut. Overlever koordinatorrollen først."),
    "collaboration.unit_of_other_service": N_("Velg en enhet av tjenesten som skal tas inn, eller ingen enhet (kommunens ressursteam)."),
    "collaboration.already_member": N_("Tjenesten er allerede med i samarbeidet."),
    "collaboration.admitted_too_early": N_("Datoen kan ikke være før samarbeidet startet, eller før tjenesten ble tatt ut."),
    "collaboration.admission_not_consented": N_("%(service)s kan ikke tas inn: %(reason)s. Foresattes samtykke må omfatte tjenesten."),
    "collaboration.no_such_entry": N_("Finner ikke loggføringen."),
    "collaboration.entry_already_shared": N_("Loggføringen er allerede delt i samarbeidet."),
    "collaboration.entry_not_shared": N_("Loggføringen er ikke delt i samarbeidet."),
    "collaboration.information_not_shared": N_("Samarbeidet deler ikke denne typen opplysninger."),
    "collaboration.consent_unchanged": N_("Samarbeidet bygger allerede på dette samtykket."),
    "collaboration.consent_not_given": N_("Samtykket er ikke gitt: foresatte har sagt nei."),
    "collaboration.consent_withdrawn": N_("Samtykket er trukket tilbake."),
    "collaboration.consent_expired": N_("Samtykket gikk ut %(on)s."),
    "collaboration.consent_not_yet_valid": N_("Samtykket gjelder først fra %(on)s."),
    "collaboration.consent_change_too_early": N_("Datoen kan ikke være før samarbeidet startet, eller før forrige bytte av samtykke."),
    # referrals
    "referral.kind_unknown": N_("Velg type henvisning."),
    "referral.sent_cannot_change": N_("En sendt henvisning kan ikke endres."),
    "referral.already_sent": N_("Den er allerede sendt."),
    "referral.channel_required": N_("Velg hvordan den ble sendt."),
    "referral.fields_missing": N_("Fyll ut før sending: %(fields)s."),
    "referral.consent_missing": N_(
        "Henvisningen kan ikke sendes: %(reason)s. Det må foreligge et gyldig samtykke fra foresatte som "
        "omfatter %(service)s på datoen den sendes."),
    "referral.not_sent": N_("Bare en sendt henvisning kan få bekreftet mottak."),
    "referral.receipt_before_sending": N_("Mottaksdatoen er før sendedatoen."),
    "referral.feedback_before_sending": N_("Tilbakemelding kan bare registreres etter at den er sendt."),
    "referral.feedback_required": N_("Beskriv tilbakemeldingen."),
    "referral.already_closed": N_("Den er allerede avsluttet."),
    "referral.closing_reason_required": N_("Skriv hvorfor den avsluttes."),
    "referral.reporter_phone_invalid": N_("Skriv telefonnummeret med sifre, for eksempel 412 34 567 eller +47 412 34 567."),
    "referral.reporter_email_invalid": N_("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."),
    "referral.sibling_name_required": N_("Skriv søskenets navn."),
    "referral.sibling_national_id_invalid": N_("Fødselsnummeret er ikke gyldig (11 siffer). La feltet stå tomt hvis du ikke vet det."),
    # transfers
    "transfer.kind_unknown": N_("Velg type overføring."),
    "transfer.part_unknown": N_("Velg bare deler du har tilgang til."),
    "transfer.form_field_unknown": N_("Overgangsskjemaet har et ukjent felt."),
    "transfer.form_too_long": N_("Et av feltene i overgangsskjemaet er for langt."),
    "transfer.to_own_unit": N_("Mottakeren kan ikke være barnets egen enhet."),
    "transfer.unit_closed": N_("Enheten er lagt ned."),
    "transfer.units_do_not_fit": N_("Enhetene passer ikke til denne typen overføring."),
    "transfer.concern_of_other_child": N_("Bekymringen gjelder et annet barn."),
    "transfer.sent_cannot_change": N_("En sendt overføring kan ikke endres."),
    "transfer.not_awaiting_approval": N_(
        "Godkjenningen er allerede registrert. Endre utkastet for å registrere en ny."),
    "transfer.empty": N_("Fyll ut overgangsskjemaet eller velg hva som skal sendes, før foresatte godkjenner."),
    "transfer.method_required": N_("Velg hvordan foresatte godkjente."),
    "transfer.approvals_missing": N_(
        "Mangler godkjenning fra: %(names)s. Alle med foreldreansvar må godkjenne, og barnet selv fra 15 år."),
    "transfer.approval_not_recorded": N_("Overføringen kan ikke sendes før foresattes godkjenning er registrert."),
    "transfer.oral_without_minutes": N_("En muntlig godkjenning må skrives ned (hvem, når, hvordan)."),
    "transfer.already_sent": N_("Overføringen er allerede sendt."),
    "transfer.not_received": N_("Overføringen er allerede behandlet."),
    "transfer.return_reason_required": N_("Skriv hvorfor overføringen returneres."),
    "transfer.child_moved": N_("Barnet er ikke lenger i enheten som sendte overføringen."),
    "transfer.effective_date_past": N_("Datoen for overføringen kan ikke være passert."),
    "transfer.changed_meanwhile": N_("Overføringen eller barnet ble endret samtidig. Prøv igjen."),
    # resource-team meetings
    "programme.already_key_person": N_("Personen er allerede nøkkelperson."),
    "programme.not_key_person": N_("Personen er ikke nøkkelperson."),
    "programme.ended_before_appointed": N_("Datoen er før personen ble utnevnt."),
    "programme.training_kind_unknown": N_("Velg hva slags opplæring det var."),
    "programme.attendees_required": N_("Velg hvem som deltok."),
    "programme.not_in_unit": N_("Velg blant enhetens aktive ansatte."),
    "programme.guide_read_already": N_("Du har allerede bekreftet denne versjonen."),
    "case_proposal.title_required": N_("Gi casen en tittel."),
    "case_proposal.text_required": N_("Skriv casen."),
    "case_proposal.comment_required": N_("Skriv hva som må endres."),
    "case_proposal.closed": N_("Forslaget er publisert eller trukket tilbake."),
    "case_proposal.already_returned": N_("Forslaget er allerede sendt tilbake til den som foreslo det."),
    "case_proposal.waiting_for_revision": N_("Forslaget venter på at den som foreslo det, retter teksten."),
    "case_proposal.own_text": N_("En annen person enn den som skrev teksten, må bekrefte den."),
    "case_proposal.proposer_only": N_("Bare den som foreslo casen, kan gjøre dette."),
    "case_proposal.named_case": N_("Bare saker som ble tatt opp anonymt, kan foreslås som case."),
    "case_proposal.minutes_not_approved": N_("Møtereferatet er ikke godkjent ennå."),
    "case_proposal.identifies": N_("Teksten kan fortsatt identifisere noen: %(words)s. Fjern eller skriv om dette."),
    "meeting.kind_unknown": N_("Velg type møte."),
    "meeting.units_required": N_("Velg minst én enhet."),
    "meeting.services_required": N_("Velg hvem som deltar."),
    "meeting.closed": N_("Referatet er godkjent, og møtet er lukket."),
    "meeting.not_held_yet": N_("Referatet kan ikke godkjennes før møtet er holdt."),
    "meeting.issue_title_required": N_("Gi problemstillingen en tittel."),
    "meeting.no_such_issue": N_("Finner ikke problemstillingen."),
    "meeting.advice_required": N_("Skriv rådet."),
    "meeting.advice_missing": N_("Alle saker må ha et referert råd før referatet godkjennes."),
    "meeting.leader_only": N_("Bare møteleder kan godkjenne referatet."),
    "meeting.time_invalid": N_("Skriv klokkeslettet som tt:mm."),
    "meeting.attendee_not_invited": N_("Velg deltakerne blant dem som er invitert til møtet."),
    "meeting.next_date_required": N_("Skriv datoen for neste møte, eller fjern klokkeslettet."),
    "meeting.next_before_this": N_("Neste møte må være etter dette møtet."),
    "meeting.mode_unknown": N_("Velg om saken tas opp anonymt eller med navn."),
    "meeting.case_text_required": N_("Beskriv saken."),
    "meeting.unit_not_attending": N_("Bekymringen hører til en enhet som ikke er med i møtet."),
    "meeting.text_names_child": N_("Teksten inneholder fortsatt navn på barnet eller familien. "
                                   "Fjern dem, eller ta opp saken med navn (krever samtykke)."),
    "meeting.words_unconfirmed": N_("Velg om du vil beholde eller fjerne hvert merket ord: %(words)s."),
    "meeting.named_without_consent": N_("Saken kan bare tas opp med navn når gyldig samtykke omfatter alle "
                                        "tjenestene som deltar. Mangler: %(missing)s."),
    "meeting.no_children": N_("Barn tas aldri opp i dette møtet: bare temaer."),
    "meeting.anonymous_only": N_("Saker tas bare opp anonymt i dette møtet."),
    "meeting.cancelled": N_("Møtet er avlyst."),
    "meeting.leader_only_cancel": N_("Bare møteleder kan avlyse møtet."),
    "meeting.already_held": N_("Møtet er allerede holdt og kan ikke avlyses."),
    "meeting.minuted": N_("Møtet har referat og kan ikke avlyses."),
    "meeting.cancel_reason_required": N_("Skriv hvorfor møtet avlyses."),
    # meeting series
    "series.kind_unknown": N_("Velg hvilket møte serien gjelder."),
    "series.rule_not_for_kind": N_("Dette møtet holdes ikke med den gjentakelsen. Velg en annen."),
    "series.wrong_weekday": N_("BUP-konsultasjonen holdes på tirsdager. Velg en tirsdag."),
    "series.not_last_thursday": N_("Velg den siste torsdagen i en måned."),
    "series.wrong_month": N_("Velg en dato i en måned møtet holdes: oktober eller februar–april for "
                             "overføring skole–skole, oktober–november for barnehage–skole."),
    "series.nobody_attends": N_("Velg hvem som deltar."),
    "series.not_a_date": N_("Serien har ikke møte den dagen."),
    "series.ended": N_("Serien er avsluttet og kan ikke endres."),
    "series.before_today": N_("Velg i dag eller en senere dato."),
    "series.before_first": N_("Velg en dato fra seriens første møte, %(first_on)s."),
    "series.after_end": N_("Serien er avsluttet fra %(last_on)s. Den har ingen møter etter det."),
    "series.unchanged": N_("Ingenting er endret. Endre klokkeslett, sted eller hvem som deltar."),
    # the binder's pages
    # the yearly wheel
    "wheel.title_required": N_("Skriv en tittel."),
    "wheel.month_required": N_("Velg måned."),
    "wheel.day_invalid": N_("Måneden har ikke den dagen (hvert år: 29. februar finnes bare i skuddår)."),
    "wheel.year_required": N_("Skriv årstallet: punktet skjer én gang."),
    "wheel.year_with_yearly": N_("Et punkt som kommer hvert år, har ikke årstall."),
    "wheel.time_invalid": N_("Skriv klokkeslettet som tt:mm."),
    "wheel.time_without_day": N_("Et klokkeslett trenger en dag."),
    "wheel.kind_unknown": N_("Velg arena."),
    "wheel.repeat_unknown": N_("Velg hvor ofte."),
    "wheel.unchanged": N_("Du har ikke endret noe."),
    "wheel.removed": N_("Punktet er fjernet fra årshjulet."),
    "wheel.changed": N_("Punktet er endret av noen andre etter at du åpnet det. Se historikken, og lagre igjen."),
    "page.slug_invalid": N_("Adressen kan bare ha små bokstaver a–z, tall og bindestrek."),
    "page.slug_reserved": N_("Adressen er reservert. Velg en annen."),
    "page.slug_taken": N_("Det finnes allerede en side med denne adressen."),
    "page.title_required": N_("Skriv en tittel."),
    "page.title_too_long": N_("Tittelen er for lang."),
    "page.body_too_long": N_("Teksten er for lang."),
    "page.note_too_long": N_("Kommentaren er for lang."),
    "page.section_unknown": N_("Velg hvor i permen siden hører hjemme."),
    "page.level_misplaced": N_("Bare sider i handlingsveilederen har BTI-nivå."),
    "page.form_misplaced": N_("Bare maler kan lede til et skjema."),
    "page.no_such_version": N_("Versjonen finnes ikke."),
    "page.unchanged": N_("Ingenting er endret."),
    "page.newest_already": N_("Det er allerede den nyeste versjonen."),
    "page.already_published": N_("Den nyeste versjonen er allerede publisert."),
    "page.not_published": N_("Siden er ikke publisert."),
    "page.changed": N_("Siden har fått en ny versjon siden du åpnet den. Se over historikken og prøv igjen."),
    # children
    "child.name_required": N_("Skriv fornavn og etternavn."),
    "child.national_id_invalid": N_("Fødselsnummeret er ikke gyldig."),
    "child.already_registered": N_("Et barn med dette fødselsnummeret er allerede registrert."),
    "child.national_id_mismatch": N_("Fødselsnummeret passer ikke med fødselsdatoen."),
    "child.guardian_name_required": N_("Hver foresatt må ha et navn."),
    "child.relation_unknown": N_("Velg relasjon til barnet for hver foresatt."),
    "child.no_parental_responsibility": N_("Minst én foresatt må ha foreldreansvar."),
    "child.correction_reason_required": N_("Skriv grunnen til korrigeringen."),
    "child.restriction_reason_required": N_("Skriv grunnen til sperringen."),
    "child.already_restricted": N_("Barnet er allerede sperret."),
    "child.not_restricted": N_("Barnet er ikke sperret."),
    "child.lifting_reason_required": N_("Skriv grunnen til at sperringen oppheves."),
    # the directory, sign-in
    "unit.kind_unknown": N_("Velg type enhet."),
    "statistics.period_not_ended": N_("Statistikken for en periode publiseres først når perioden er over."),
    "statistics.month_missing": N_("Et kvartal eller et år publiseres først når alle månedene er publisert."),
    "unit.street_required": N_("Skriv gateadressen."),
    "unit.postcode_invalid": N_("Postnummeret er fire siffer."),
    "unit.place_required": N_("Skriv poststedet."),
    "unit.district_number_invalid": N_("Bydelsnummeret er to siffer (tomt hvis kommunen ikke har bydeler)."),
    "municipality.number_invalid": N_("Kommunenummeret er fire siffer."),
    "municipality.name_required": N_("Skriv kommunens navn."),
    "role.unknown": N_("Velg en rolle."),
    "role.unit_required": N_("Velg enheten personen arbeider i."),
    "role.service_required": N_("Velg tjenesten personen representerer i ressursteamet."),
    "role.service_not_allowed": N_("Bare medlemmer av ressursteamet representerer en tjeneste."),
    "totp.code_used": N_("Koden er allerede brukt. Vent på neste kode i appen."),
    "totp.recovery_code_unknown": N_("Reservekoden stemmer ikke."),
    "passkey.known": N_("Denne passkeyen er allerede registrert."),
    "passkey.name_required": N_("Gi passkeyen et navn, for eksempel «Jobb-PC»."),
    "passkey.unknown": N_("Finner ikke passkeyen."),
    "passkey.cloned": N_("Passkeyen ble avvist. Kontakt IT."),
    "account.email_invalid": N_("Skriv en e-postadresse, for eksempel navn@kommune.no."),
    "account.email_required": N_("Skriv e-postadressen varslene skal sendes til."),
    # privacy
    "anomaly.comment_required": N_("Skriv en kommentar til gjennomgangen."),
    "anomaly.rule_unknown": N_("Ukjent regel for avvik."),
    "erasure.reason_required": N_("Skriv grunnen til slettingen."),
    "erasure.already_decided": N_("Forespørselen er allerede behandlet."),
    "erasure.same_person": N_("Den som ba om slettingen, kan ikke bekrefte den selv."),
    "retention.reason_required": N_("Skriv hvorfor opplysningene skal beholdes lenger."),
    "retention.until_required": N_("Skriv hvor lenge de skal beholdes (en dato)."),
    "retention.until_not_future": N_("Datoen må være etter i dag."),
    "concern.entry_is_advice": N_("Rådet fra ressursteamet er referert og godkjent i møtet, og kan ikke korrigeres her."),
}


def _words(values: Any) -> str:
    return ", ".join(map(str, values)) if isinstance(values, (list, tuple)) else str(values)


def _referral_fields(params: dict[str, Any]) -> dict[str, Any]:
    from intranet.referrals import FIELD_NAMES  # imported here: that module imports this one

    return {"fields": ", ".join(_(FIELD_NAMES[f]) if f in FIELD_NAMES else f for f in params["fields"])}


def _service(service: str) -> str:
    return _(labels.SERVICES[service]) if service in labels.SERVICES else service


# Parameters that need more than joining: codes -> the values their message shows.
PARAMS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "referral.fields_missing": _referral_fields,
    "collaboration.consent_missing": lambda p: {"reason": labels.coverage_reason(p["refusals"]),
                                                "service": _service(p["service"])},
    "collaboration.admission_not_consented": lambda p: {"reason": labels.coverage_reason(p["refusals"]),
                                                        "service": _service(p["service"])},
    "collaboration.information_not_covered": lambda p: {"information": ", ".join(
        _(labels.INFORMATION[i]) for i in p["information"])},
    "referral.consent_missing": lambda p: {"reason": labels.coverage_reason(p["refusals"]),
                                           "service": _service(p["service"])},
    "meeting.named_without_consent": lambda p: {"missing": "; ".join(
        f"{_service(s)}: {labels.coverage_reason(why)}" for s, why in p["refusals"].items())},
    "collaboration.consent_expired": lambda p: {"on": i18n.short_date(p["on"])},
    "collaboration.consent_not_yet_valid": lambda p: {"on": i18n.short_date(p["on"])},
    "series.before_first": lambda p: {"first_on": f"{p['first_on']:%d.%m.%Y}"},
    "series.after_end": lambda p: {"last_on": f"{p['last_on']:%d.%m.%Y}"},
}


def field_errors(error: DomainError) -> dict[str, str]:
    """{field or "_form": the message in the user's language}. A code without a
    message is logged, and the user sees a general message: never the English."""
    msgid = MESSAGES.get(error.code)
    if msgid is None:
        log.error("no message for domain error code %r (%s)", error.code, error)
        return {FORM: _(UNKNOWN)}
    convert = PARAMS.get(error.code)
    values = convert(error.params) if convert else {k: _words(v) for k, v in error.params.items()}
    return {error.field or FORM: _(msgid) % values}


def run_command(domain: Any, command: str, *arguments: Any, refused: type[DomainError] | tuple[type[DomainError], ...] = DomainError,
                **options: Any) -> dict[str, str]:
    """Run the domain's named command (in the threadpool): the field errors for
    its refusal, if it refuses; other errors go on to the caller."""
    try:
        getattr(domain, command)(*arguments, **options)
    except refused as e:
        return field_errors(e)
    return {}
