"""The words the interface uses for the domain's keys. The Norwegian (bokmål)
words are the msgids: marked with N_() here, translated where they are shown
(`{{ _(labels.CATEGORIES[key]) }}` in a template, `_(...)` in Python)."""

from __future__ import annotations

import re

from intranet import i18n
from intranet.i18n import N_, _

CATEGORIES = {
    "substance_use": N_("Foreldres rusbruk"),
    "violence": N_("Vold"),
    "sexual_abuse": N_("Seksuelle overgrep"),
    "neglect": N_("Omsorgssvikt"),
    "mental_health": N_("Psykisk helse"),
    "behaviour": N_("Atferd"),
    "development": N_("Utvikling"),
    "absence": N_("Fravær"),
    "other": N_("Annet"),
}

WORRY = {
    1: N_("Jeg undrer meg"),
    2: N_("Litt bekymret"),
    3: N_("Bekymret"),
    4: N_("Svært bekymret"),
}

LEVELS = {
    0: N_("Nivå 0 – undring og avklaring"),
    1: N_("Nivå 1 – tiltak i egen tjeneste"),
    2: N_("Nivå 2 – samarbeid med én eller to tjenester"),
    3: N_("Nivå 3 – tre eller flere tjenester, eller spesialisthelsetjenesten"),
}

STEPS = {
    "contact_authorities": N_("Kontakt barnevernet eller politiet straks, og ikke informer foresatte først"),
    "report_barnevern": N_("Send skriftlig melding til barnevernet"),
    "write_down": N_("Skriv ned det du har sett og hørt, med dato – fakta, ikke tolkninger"),
    "talk_leader": N_("Drøft bekymringen med lederen din"),
    "talk_guardians_child": N_("Snakk med foresatte og barnet innen om lag to uker"),
    "decide": N_("Beslutt: avslutte, tiltak på nivå 1, gå til nivå 2/3, eller melde til barnevernet"),
    "plan_with_guardians": N_("Lag en tiltaksplan sammen med foresatte"),
    "carry_out": N_("Gjennomfør tiltakene"),
    "evaluate": N_("Evaluer tiltakene på avtalt dato"),
    "decide_next": N_("Beslutt: avslutte, fortsette, eller gå videre til neste nivå"),
    "consent": N_("Innhent samtykke fra foresatte til samarbeid med andre tjenester"),
    "coordinator": N_("Avklar hvem som koordinerer (stafettholder)"),
    "joint_plan": N_("Lag en felles tiltaksplan med de andre tjenestene"),
    "responsibility_group": N_("Opprett ansvarsgruppe"),
    "individual_plan": N_("Vurder individuell plan"),
    "referral": N_("Henvis til spesialisthelsetjenesten, PPT eller BUP (med samtykke)"),
}

CHANGES = {
    "Created": N_("opprettet bekymringen"),
    "ObservationLogged": N_("la til en observasjon"),
    "EntryCorrected": N_("korrigerte en observasjon"),
    "AdviceReceived": N_("førte inn råd fra ressursteamet"),
    "LevelSet": N_("endret BTI-nivå"),
    "StepMarked": N_("krysset av i handlingsveilederen"),
    "GuardianTalkRecorded": N_("registrerte en samtale med foresatte"),
    "GuardianTalkCorrected": N_("korrigerte et samtalereferat"),
    "MeasureAdded": N_("la til et tiltak"),
    "MeasureEvaluated": N_("evaluerte et tiltak"),
    "Shared": N_("delte bekymringen med en kollega"),
    "Unshared": N_("fjernet en kollegas tilgang"),
    "Closed": N_("avsluttet bekymringen"),
    "Reopened": N_("gjenåpnet bekymringen"),
}

STATUS = {"open": N_("Åpen"), "closed": N_("Avsluttet")}

SERVICES = {
    "barnevern": N_("Barnevernet"),
    "helsestasjon": N_("Helsestasjon og skolehelsetjenesten"),
    "ppt": N_("PPT"),
    "bup": N_("BUP"),
    "fastlege": N_("Fastlege"),
    "skole": N_("Skole"),
    "barnehage": N_("Barnehage"),
    "sfo": N_("SFO"),
    "familievern": N_("Familievernkontoret"),
    "psykisk_helse": N_("Psykisk helse og rus i kommunen"),
    "nav": N_("NAV"),
    "tannhelse": N_("Tannhelsetjenesten"),
}

INFORMATION = {
    "observations": N_("Observasjoner og bekymringer"),
    "action_plan": N_("Tiltak og evaluering"),
    "health": N_("Helseopplysninger"),
    "development": N_("Utvikling og læring"),
    "family": N_("Familiens situasjon"),
}

REFERRAL_KINDS = {
    "barnevern": N_("Melding til barnevernet"),
    "ppt": N_("Henvisning til PPT"),
    "bup": N_("Henvisning til BUP (via fastlege)"),
}

REFERRAL_STATUS = {
    "draft": N_("Utkast"),
    "sent": N_("Sendt"),
    "receipt_confirmed": N_("Mottak bekreftet"),
    "feedback_received": N_("Tilbakemelding mottatt"),
    "closed": N_("Avsluttet"),
}

CHANNELS = {"fiks": N_("Digitalt (Fiks)"), "post": N_("Post"), "telefon": N_("Telefon"), "personlig": N_("Levert personlig")}

# The kinds of unit (events/directory.py UNIT_KINDS): the key is the Norwegian word.
UNIT_KINDS = {
    "barnehage": N_("barnehage"),
    "skole": N_("skole"),
    "sfo": N_("sfo"),
    "helsestasjon": N_("helsestasjon"),
    "ppt": N_("ppt"),
    "barnevern": N_("barnevern"),
    "bup": N_("bup"),
    "nav": N_("nav"),
    "psykisk_helse": N_("psykisk helse og rus"),
    "fastlege": N_("fastlege"),
}

# How a guardian signed a consent (the domain stores the Norwegian word).
SIGNATURE_METHODS = {"skriftlig": N_("skriftlig"), "muntlig": N_("muntlig")}


def service_list(keys) -> str:
    """Services by name, in the user's language: "PPT, BUP"."""
    return ", ".join(_(SERVICES[k]) if k in SERVICES else k for k in keys)


def unit_kind(kind: str) -> str:
    return _(UNIT_KINDS[kind]) if kind in UNIT_KINDS else kind


# Why a consent does not cover a service (events/consents.py REFUSALS), in the
# user's language.
REFUSALS = {
    "consent.refused": N_("samtykke ble nektet"),
    "consent.service_not_covered": N_("samtykket omfatter ikke %(service)s"),
    "consent.withdrawn": N_("samtykket for %(service)s ble trukket tilbake %(date)s"),
    "consent.not_yet_valid": N_("samtykket gjelder først fra %(date)s"),
    "consent.expired": N_("samtykket utløp %(date)s"),
    "consent.none_recorded": N_("det er ikke registrert samtykke for barnet"),
    "collaboration.removed": N_("%(service)s ble tatt ut av samarbeidet %(date)s"),
}


def coverage_reason(refusals) -> str:
    """Why a consent does not cover a service (its `Refusal`s), in the user's language."""
    return "; ".join(dict.fromkeys(
        _(REFUSALS[r.code]) % {"service": _(SERVICES[r.service]) if r.service in SERVICES else r.service,
                               "date": i18n.short_date(r.on) if r.on else ""}
        for r in refusals))


_AGE_BAND = re.compile(r"^(?P<low>\d+)–(?P<high>\d+) år$")


def age_band(band: str) -> str:
    """An anonymised case's age band ("6–9 år"), in the user's language."""
    match = _AGE_BAND.match(band)
    if match:
        return _("%(low)s–%(high)s år") % match.groupdict()
    if band == "over 18 år":
        return _("over 18 år")
    return band
