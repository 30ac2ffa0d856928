"""The words the interface uses for the domain's keys (Norwegian bokmål)."""

from __future__ import annotations

CATEGORIES = {
    "substance_use": "Foreldres rusbruk",
    "violence": "Vold",
    "sexual_abuse": "Seksuelle overgrep",
    "neglect": "Omsorgssvikt",
    "mental_health": "Psykisk helse",
    "behaviour": "Atferd",
    "development": "Utvikling",
    "absence": "Fravær",
    "other": "Annet",
}

WORRY = {
    1: "Jeg undrer meg",
    2: "Litt bekymret",
    3: "Bekymret",
    4: "Svært bekymret",
}

LEVELS = {
    0: "Nivå 0 – undring og avklaring",
    1: "Nivå 1 – tiltak i egen tjeneste",
    2: "Nivå 2 – samarbeid med én eller to tjenester",
    3: "Nivå 3 – tre eller flere tjenester, eller spesialisthelsetjenesten",
}

STEPS = {
    "write_down": "Skriv ned det du har sett og hørt, med dato – fakta, ikke tolkninger",
    "talk_leader": "Drøft bekymringen med lederen din",
    "talk_guardians_child": "Snakk med foresatte og barnet innen om lag to uker",
    "decide": "Beslutt: avslutte, tiltak på nivå 1, gå til nivå 2/3, eller melde til barnevernet",
    "plan_with_guardians": "Lag en tiltaksplan sammen med foresatte",
    "carry_out": "Gjennomfør tiltakene",
    "evaluate": "Evaluer tiltakene på avtalt dato",
    "decide_next": "Beslutt: avslutte, fortsette, eller gå videre til neste nivå",
    "consent": "Innhent samtykke fra foresatte til samarbeid med andre tjenester",
    "coordinator": "Avklar hvem som koordinerer (stafettholder)",
    "joint_plan": "Lag en felles tiltaksplan med de andre tjenestene",
    "responsibility_group": "Opprett ansvarsgruppe",
    "individual_plan": "Vurder individuell plan",
    "referral": "Henvis til spesialisthelsetjenesten, PPT eller BUP (med samtykke)",
}

CHANGES = {
    "Created": "opprettet bekymringen",
    "ObservationLogged": "la til en observasjon",
    "EntryCorrected": "korrigerte en observasjon",
    "LevelSet": "endret BTI-nivå",
    "StepMarked": "krysset av i handlingsveilederen",
    "GuardianTalkRecorded": "registrerte en samtale med foresatte",
    "GuardianTalkCorrected": "korrigerte et samtalereferat",
    "MeasureAdded": "la til et tiltak",
    "MeasureEvaluated": "evaluerte et tiltak",
    "Shared": "delte bekymringen med en kollega",
    "Unshared": "fjernet en kollegas tilgang",
    "Closed": "avsluttet bekymringen",
    "Reopened": "gjenåpnet bekymringen",
}

STATUS = {"open": "Åpen", "closed": "Avsluttet"}

SERVICES = {
    "barnevern": "Barnevernet",
    "helsestasjon": "Helsestasjon og skolehelsetjenesten",
    "ppt": "PPT",
    "bup": "BUP",
    "fastlege": "Fastlege",
    "skole": "Skole",
    "barnehage": "Barnehage",
    "sfo": "SFO",
    "familievern": "Familievernkontoret",
    "psykisk_helse": "Psykisk helsetjeneste i kommunen",
    "nav": "NAV",
    "tannhelse": "Tannhelsetjenesten",
}

INFORMATION = {
    "observations": "Observasjoner og bekymringer",
    "action_plan": "Tiltak og evaluering",
    "health": "Helseopplysninger",
    "development": "Utvikling og læring",
    "family": "Familiens situasjon",
}

REFERRAL_KINDS = {
    "barnevern": "Melding til barnevernet",
    "ppt": "Henvisning til PPT",
    "bup": "Henvisning til BUP (via fastlege)",
}

REFERRAL_STATUS = {
    "draft": "Utkast",
    "sent": "Sendt",
    "receipt_confirmed": "Mottak bekreftet",
    "feedback_received": "Tilbakemelding mottatt",
    "closed": "Avsluttet",
}

CHANNELS = {"fiks": "Digitalt (Fiks)", "post": "Post", "telefon": "Telefon", "personlig": "Levert personlig"}
